"""joe (Piper) and heart (hibari) side by side on the same scripts, in one run.

    python scripts/compare_voices.py                    # each engine at its default rate
    python scripts/compare_voices.py --phrases 20       # fewer phrases: quicker, rougher
    python scripts/compare_voices.py --rate heart=0.7 --rate joe=0.6   # try other paces
    python scripts/compare_voices.py --json             # the figures as JSON

For each voice, on the same phrases of the built-in scripts (one core, one thread each):
  speed    seconds of phrase made per second of synthesis and processing (x real time,
           median per phrase);
  recall   share of a phrase's distinct words PocketSphinx hears in its clip (the test
           suite's method: scripts/audio_probe.py), over all phrases;
  wpm      words a minute inside phrases (the clips as placed: trimmed, with the short
           gaps between clauses, without the gaps between sentences);
  spread   loudness (BS.1770, pyloudnorm) of the levelled clips: the range between the
           10th and 90th percentile of phrases, in LU.
The default narrator is heart when its recall is within 0.05 of joe's (issue 19).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("OMP_NUM_THREADS", "1")

SCRIPTS = (("guided-imagery", 10), ("body-scan", 10), ("sleep-wind-down", 10), ("self-compassion", 10))
VOICES = ("heart", "joe")
RECALL_MARGIN = 0.05


def script_phrases(count: int) -> list[str]:
    """Distinct phrases of several words, taken in turn from each built-in script."""
    from guided_audio.script import templates
    from guided_audio.script.lengths import phrases, script

    per_script = []
    for name, minutes in SCRIPTS:
        items, _ = script(templates.find(name), minutes, {})
        per_script.append([p.text for p in dict.fromkeys(phrases(items)) if len(p.text.split()) >= 5])
    chosen: list[str] = []
    for turn in range(max(map(len, per_script))):
        for texts in per_script:
            if turn < len(texts) and texts[turn] not in chosen and len(chosen) < count:
                chosen.append(texts[turn])
    return chosen


def words(text: str) -> list[str]:
    return [w.strip(".,!?;:'\"…").lower() for w in text.replace("-", " ").split() if w.strip(".,!?;:'\"…")]


class Recogniser:
    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self.decoder = Decoder(samprate=16_000, logfn=os.devnull)

    def hear(self, samples, rate: int) -> str:
        import numpy as np
        import soxr

        pcm = (np.clip(soxr.resample(samples, rate, 16_000), -1, 1) * 32767).astype("<i2").tobytes()
        self.decoder.start_utt()
        self.decoder.process_raw(pcm, full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return hyp.hypstr if hyp else ""


def measure(voice: str, rate: float | None, texts: list[str], recogniser: Recogniser) -> dict:
    import numpy as np
    import pyloudnorm

    from guided_audio.audio.samples import SESSION_RATE
    from guided_audio.voice.engine import make_engine
    from guided_audio.voice.speech import speak

    engine = make_engine(voice=voice, rate=rate)
    engine.synthesize("Settle in.")  # loads the model: not part of the speed
    meter = pyloudnorm.Meter(SESSION_RATE)
    speeds, wpm, loudness, found, expected_total = [], [], [], 0, 0
    made = spent = spoken = 0.0
    for text in texts:
        started = time.perf_counter()
        ready = speak(engine, text, engine.rate)  # clause by clause, with the gaps between them
        took = time.perf_counter() - started
        made, spent = made + len(ready) / SESSION_RATE, spent + took
        speeds.append(len(ready) / SESSION_RATE / took)
        spoken += len(ready) / SESSION_RATE
        wpm.append(len(words(text)) / (len(ready) / SESSION_RATE) * 60)
        if len(ready) > SESSION_RATE * 0.5:
            loudness.append(meter.integrated_loudness(ready.astype(np.float64)))
        expected, heard = set(words(text)), set(words(recogniser.hear(ready, SESSION_RATE)))
        found += len(expected & heard)
        expected_total += len(expected)
    loudness.sort()
    tenth, ninetieth = loudness[len(loudness) // 10], loudness[(len(loudness) * 9) // 10]
    return {
        "voice": voice, "engine": engine.name, "rate": engine.rate, "phrases": len(texts),
        "speed_x_realtime": round(statistics.median(speeds), 1), "speed_overall": round(made / spent, 1),
        "recall": round(found / expected_total, 3), "wpm_median": round(statistics.median(wpm), 1),
        "wpm_overall": round(sum(len(words(t)) for t in texts) / spoken * 60, 1),
        "loudness_spread_lu": round(ninetieth - tenth, 2), "loudness_median_lufs": round(statistics.median(loudness), 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=int, default=40, help="phrases per voice (default 40)")
    parser.add_argument("--rate", action="append", default=[], metavar="VOICE=RATE", help="a voice's rate (default: its engine's)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rates = {voice: float(rate) for voice, _, rate in (given.partition("=") for given in args.rate)}
    texts = script_phrases(args.phrases)
    recogniser = Recogniser()
    results = [measure(voice, rates.get(voice), texts, recogniser) for voice in VOICES]
    heart, joe = results
    verdict = "heart" if heart["recall"] >= joe["recall"] - RECALL_MARGIN else "joe"
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"results": results, "default": verdict, "load": load}, indent=2))
        return
    print(f"{len(texts)} phrases from {', '.join(name for name, _ in SCRIPTS)}; load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'voice':<7}{'rate':>6}{'x real time':>13}{'recall':>8}{'wpm':>7}{'spread LU':>11}")
    for r in results:
        print(f"{r['voice']:<7}{r['rate']:>6g}{r['speed_x_realtime']:>13}{r['recall']:>8}{r['wpm_overall']:>7}{r['loudness_spread_lu']:>11}")
    print(f"heart is {heart['speed_x_realtime'] / joe['speed_x_realtime']:.1f}x joe's speed; recall "
          f"{heart['recall']} vs {joe['recall']}: the default should be {verdict}")


if __name__ == "__main__":
    main()
