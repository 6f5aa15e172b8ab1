"""Sessions with backgrounds, end to end: real voice, real beds, MP3s measured by ffmpeg's meter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from audio_probe import RATE, ebur128, load, window_levels
from test_background import hum, write_wav

from guided_audio.audio.ffmpeg import decode
from guided_audio.mix.background import choose
from guided_audio.mix.bedmix import bed_shape, session_chunks
from guided_audio.mix.soundscapes import SOUNDSCAPES
from guided_audio.script.layout import Placement, Timeline
from guided_audio.session import SessionRequest, generate

MINUTES = 3


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """deep-breathing, the sparsest built-in, over every soundscape and over a 7 s file."""
    folder = tmp_path_factory.mktemp("beds")
    hum_file = write_wav(folder / "hum.wav", hum(7.0))
    out = {}
    for name in [*SOUNDSCAPES, str(hum_file)]:
        mp3 = folder / f"{Path(name).stem}.mp3"
        generate(SessionRequest("deep-breathing", MINUTES, background=name, output=mp3))
        out[name] = mp3
    return out


@pytest.mark.parametrize("name", [*SOUNDSCAPES, "file"])
def test_every_background_meets_the_podcast_loudness_and_peak(rendered, name):
    mp3 = next(path for key, path in rendered.items() if key == name or (name == "file" and key.endswith(".wav")))
    manifest = json.loads(mp3.with_suffix(".json").read_text())
    channels = 2 if name == "binaural" else 1
    target = -16.0 if channels == 2 else -19.0
    loudness, peak = ebur128(mp3)
    assert loudness == pytest.approx(target, abs=1.0)
    assert peak <= -1.0
    assert manifest["loudness_lufs"] == pytest.approx(loudness, abs=0.3)
    assert manifest["true_peak_dbtp"] <= -1.0
    assert manifest["channels"] == channels and manifest["bitrate_kbps"] == (128 if channels == 2 else 96)
    assert manifest["duration"] == MINUTES * 60 and manifest["seed"] == 0
    assert manifest["background"] == (name if name != "file" else str(next(k for k in rendered if k.endswith(".wav"))))


def test_the_bed_fades_in_and_out_and_fills_the_pauses(rendered):
    samples, manifest = load(rendered["rain"])
    levels = window_levels(samples)  # 2 ms windows
    assert levels[:25].max() < -70  # the first 50 ms: the fade has barely begun
    assert levels[-int(0.05 * RATE / (RATE * 0.002)) :].max() < -70  # the last 50 ms
    pauses = [s for s in manifest["segments"] if s["kind"] == "pause" and s["end"] - s["start"] > 4]
    assert pauses, "deep-breathing should have long quiet stretches"
    middle = (pauses[0]["start"] + pauses[0]["end"]) / 2
    window = samples[int(middle * RATE) : int((middle + 1) * RATE)]
    level = 20 * np.log10(np.sqrt(np.mean(window**2)))
    assert -60 < level < -35  # the rain is there, well under the voice


def test_binaural_session_is_stereo_with_the_beat_between_the_ears(rendered):
    stereo = decode(rendered["binaural"], RATE, channels=2)
    assert stereo.shape[1] == 2
    manifest = json.loads(rendered["binaural"].with_suffix(".json").read_text())
    pause = next(s for s in manifest["segments"] if s["kind"] == "pause" and s["end"] - s["start"] > 10)
    part = stereo[int((pause["start"] + 1) * RATE) : int((pause["start"] + 9) * RATE)]
    spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))[:, None], axis=0))
    freqs = np.fft.rfftfreq(len(part), 1 / RATE)
    left, right = freqs[spectrum[:, 0].argmax()], freqs[spectrum[:, 1].argmax()]
    assert right - left == pytest.approx(6.0, abs=0.2) and left == pytest.approx(200, abs=0.2)


def test_a_seven_second_file_loops_under_the_session_without_clicks(rendered):
    """Away from the voice the output is the looped hum: no step in it is steeper than the
    hum itself allows, through a couple of dozen seams."""
    mp3 = next(path for key, path in rendered.items() if key.endswith(".wav"))
    samples, manifest = load(mp3)
    quiet = [s for s in manifest["segments"] if s["kind"] == "pause" and s["end"] - s["start"] > 3]
    checked = 0
    for pause in quiet:
        part = samples[int((pause["start"] + 1.0) * RATE) : int((pause["end"] - 1.0) * RATE)]
        if len(part) < RATE:
            continue
        amplitude = np.sqrt(2) * np.sqrt(np.mean(part**2))
        steepest = amplitude * 2 * np.pi * 220.3 / RATE  # the hum's own slope
        # A hard cut would step by half the hum's height or more: six times its slope.
        assert np.abs(np.diff(part)).max() < steepest * 3 + 0.0005, pause
        checked += len(part)
    assert checked > 20 * RATE  # at least three seams' worth of looping measured


@pytest.mark.parametrize("duck", [None, 6.0])
def test_the_bed_dips_under_speech_and_rises_between(duck):
    """With a silent voice, what comes out is the bed alone: by default 3-5 dB lower under each
    phrase (a gentle dip: deeper pumps on a steady bed), or as deep as --duck says."""
    rate = RATE
    timeline = Timeline(rate=rate, total=40 * rate, speech=[Placement(10 * rate, 16 * rate, "a"),
                                                             Placement(25 * rate, 27 * rate, "b")])  # fmt: skip
    clips = {p.key: np.zeros(p.end - p.start, np.float32) for p in timeline.speech}
    shape = bed_shape(None, duck)
    assert 3 <= shape.duck_db <= 5 if duck is None else shape.duck_db == duck
    bed = np.concatenate(list(session_chunks(timeline, clips, choose("pink-noise", seed=2, seconds=40).open(), shape)))

    def level(start: float, end: float) -> float:
        return 10 * np.log10(np.mean(bed[int(start * rate) : int(end * rate)] ** 2))

    clear, under = level(5, 9), level(11, 15)
    assert clear - under == pytest.approx(shape.duck_db, abs=0.5)
    assert level(17.5, 24) == pytest.approx(clear, abs=0.5)  # back up after the release
    assert level(9.9, 10.0) < clear - shape.duck_db + 1  # already down as the voice starts (attack before it)


def test_a_session_encoded_in_parts_sounds_as_one_encoded_whole(tmp_path, monkeypatch):
    """Each part's bed comes from a bookmark, and the frames are spliced: side by side with
    a single encoder the two files must be the same session, differing only in rounding."""
    from guided_audio.mp3 import parts as mp3parts

    decoded, manifests = {}, {}
    for cores in (1, 3):
        monkeypatch.setattr(mp3parts, "usable_cores", lambda cores=cores: cores)
        mp3 = tmp_path / f"cores-{cores}.mp3"
        generate(SessionRequest("deep-breathing", 2, background="rain", output=mp3))
        decoded[cores] = decode(mp3, RATE)
        manifests[cores] = json.loads(mp3.with_suffix(".json").read_text())
    whole, parts = decoded[1], decoded[3]
    assert len(whole) == len(parts)
    difference = 10 * np.log10(np.mean(np.square(parts - whole)) / np.mean(np.square(whole)))
    assert difference < -40, difference  # measured -55 dB; a bed out of step gives about -20
    # the same session, but not the same bytes (rounding differs), so the MP3 each manifest
    # names by its audio's SHA-256 differs; its size (constant bitrate) and all else agree
    mp3s = {cores: manifest.pop("mp3") for cores, manifest in manifests.items()}
    for manifest in manifests.values():
        manifest.pop("created")  # when each was made: seconds apart
    assert mp3s[1]["audio_bytes"] == mp3s[3]["audio_bytes"]
    assert manifests[1] == manifests[3]
