"""Compare the sessions with the records in tests/golden, or record them anew.

    python scripts/golden.py              # what differs from the records (the tests check the same)
    python scripts/golden.py --update     # record the scripts and the golden session's audio now
    python scripts/golden.py --phrases    # speak the golden session's phrases again first (new voice)
    python scripts/golden.py --audio-only # compare only the golden session's audio (seconds, not a minute)

Record anew only when a change is meant to alter the sessions, and say so in the commit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import golden_sessions as golden


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="write the records from the current code")
    parser.add_argument("--phrases", action="store_true", help="speak the phrases again (implies --update)")
    parser.add_argument("--audio-only", action="store_true", help="compare the golden session's audio, not the scripts")
    args = parser.parse_args()
    if args.audio_only and (args.update or args.phrases):
        parser.error("--audio-only only compares; record with --update alone")
    with tempfile.TemporaryDirectory(prefix="guided-audio-golden-") as folder:
        folder = Path(folder)
        if args.phrases:
            golden.record_phrases()
        os.environ["GUIDED_AUDIO_CACHE"] = str(folder / "cache")
        golden.load_phrases(folder / "cache")
        audio = {"environment": golden.environment(), "cases": {}}
        for case in golden.AUDIO_CASES:
            audio["cases"][case] = golden.render_case(case, folder)
        scripts = None if args.audio_only else golden.script_fingerprints(folder)
    if args.update or args.phrases:
        golden.AUDIO_FILE.write_text(json.dumps(audio, indent=1) + "\n", encoding="utf-8")
        text = json.dumps(scripts, separators=(",", ":")).replace('],"', '],\n"')
        golden.SCRIPTS_FILE.write_text(text + "\n", encoding="utf-8")
        print(f"recorded {sum(len(rows) for rows in scripts.values())} scripts and {len(audio['cases'])} sessions")
        return 0
    recorded_scripts = json.loads(golden.SCRIPTS_FILE.read_text(encoding="utf-8"))
    recorded_audio = json.loads(golden.AUDIO_FILE.read_text(encoding="utf-8"))
    changed = [] if scripts is None else [
        f"{key} at {minutes} min"
        for key, rows in scripts.items()
        for (minutes, now), (_, before) in zip(rows, recorded_scripts.get(key, []))
        if now != before
    ] + [f"{key} (new or gone)" for key in set(scripts) ^ set(recorded_scripts)]
    for case, found in audio["cases"].items():
        if found["pcm_sha256"] != recorded_audio["cases"][case]["pcm_sha256"]:
            changed.append(f"golden session, {case}: samples differ")
    print("\n".join(changed) if changed else "everything matches the records")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
