"""The synthesised bell: inharmonic partials that each decay on their own, a soft strike, a
long ring with no click at either end; and `[bell]` in the markup, laid out so no words
start inside its ring, with `[bell at ...]` struck on its exact sample."""

from __future__ import annotations

import numpy as np
import pytest

from guided_audio.errors import LengthError, MarkupError
from guided_audio.mix.bells import FUNDAMENTAL_HZ, PARTIALS, PEAK_DB, bell
from guided_audio.mix.mixer import mix_all
from guided_audio.mix.tones import tone_clips
from guided_audio.script.layout import BELL, layout
from guided_audio.script.markup import BELL_SECONDS, Bell, parse

RATE = 44_100


@pytest.fixture(scope="module")
def ring() -> np.ndarray:
    return bell(RATE).astype(np.float64)


def level_at(samples: np.ndarray, hz: float, start: float, seconds: float = 0.5) -> float:
    """dB of the spectrum's peak within 3 % of `hz`, over `seconds` from `start`."""
    piece = samples[int(start * RATE) : int((start + seconds) * RATE)]
    spectrum = np.abs(np.fft.rfft(piece * np.hanning(len(piece)), n=1 << 17))
    freqs = np.fft.rfftfreq(1 << 17, 1 / RATE)
    band = (freqs > hz * 0.97) & (freqs < hz * 1.03)
    return float(20 * np.log10(np.max(spectrum[band]) + 1e-12))


def test_a_bell_rings_its_length_softly_with_no_click(ring):
    assert len(ring) == round(BELL_SECONDS * RATE)
    assert 20 * np.log10(np.max(np.abs(ring))) == pytest.approx(PEAK_DB, abs=0.01)
    assert ring[0] == 0 and abs(ring[-1]) < 1e-9
    assert np.max(np.abs(np.diff(ring))) < 0.05, "no step a speaker would click on"
    attack = np.argmax(np.abs(ring) > 0.5 * np.max(np.abs(ring))) / RATE
    assert 0.002 < attack < 0.05, f"a soft strike, not a click and not a swell: {attack * 1000:.1f} ms"


def test_its_partials_are_inharmonic_and_the_higher_ones_fade_sooner(ring):
    partials = [p for p in PARTIALS if p.decay > 0.3]
    assert any(abs(p.ratio - round(p.ratio)) > 0.2 for p in partials), "a bell, not a string"
    beat = 2.2  # windows a shimmer's period long, so its slow swell does not read as decay
    early = [level_at(ring, FUNDAMENTAL_HZ * p.ratio, 0.0, beat) for p in partials]
    later = [level_at(ring, FUNDAMENTAL_HZ * p.ratio, beat, beat) for p in partials]
    drops = [a - b for a, b in zip(early, later)]
    assert all(a - b > 3 for a, b in zip(early, later)), "each partial decays"
    assert drops == sorted(drops), f"higher partials fade faster: {drops}"
    between = level_at(ring, FUNDAMENTAL_HZ * 1.9, 0.0, beat)  # no partial near twice the fundamental
    assert early[1] - between > 15


def test_the_ring_lasts_several_seconds(ring):
    def rms_db(start, end):
        piece = ring[int(start * RATE) : int(end * RATE)]
        return 10 * np.log10(np.mean(piece**2))

    strike = rms_db(0, 1)
    assert 3 < strike - rms_db(3, 4) < 15, "still ringing at three seconds"
    assert 10 < strike - rms_db(6, 7) < 25, "still heard at six, fading"
    assert strike - rms_db(BELL_SECONDS - 0.5, BELL_SECONDS) > 35, "faded out before its end"


def test_bell_markup_reads_and_refuses_what_it_cannot():
    assert parse("[bell]") == [Bell()]
    assert parse("[bell at 5min]") == [Bell(300.0)]
    with pytest.raises(MarkupError, match=r"\[bell\], or \[bell at 5min\]"):
        parse("[bell loud]")


def test_words_wait_for_the_ring_and_the_mix_holds_the_bell_where_the_timeline_says():
    timeline = layout(parse("Hello there.\n[bell]\nAnd welcome.\n[pause 1s+]"), lambda s: RATE, total_seconds=20, rate=RATE)
    assert [t.name for t in timeline.tones] == [BELL]
    struck = timeline.tones[0].start
    assert struck == 2 * RATE  # after the 1 s lead-in and the one-second phrase
    assert timeline.speech[1].start == struck + BELL_SECONDS * RATE
    mixed = mix_all(timeline, {**tone_clips(timeline), **{p.key: np.zeros(RATE, np.float32) for p in timeline.speech}})
    assert len(mixed) == 20 * RATE
    loud = np.nonzero(np.abs(mixed) > 1e-4)[0]
    assert loud[0] >= struck and loud[0] - struck < 0.01 * RATE and loud[-1] < struck + BELL_SECONDS * RATE


def test_a_bell_pinned_to_a_time_is_struck_on_its_sample_and_the_length_stays_exact():
    items = parse("Begin.\n[pause 2s+]\n[bell at 30s]\n[pause 2s+]\n[bell at 61.5s]\nEnd.\n[pause 1s+]")
    timeline = layout(items, lambda s: RATE // 2, total_seconds=90, rate=RATE)
    assert [t.start for t in timeline.tones] == [30 * RATE, int(61.5 * RATE)]
    assert timeline.total == 90 * RATE
    assert timeline.speech[-1].start >= int(61.5 * RATE) + BELL_SECONDS * RATE


@pytest.mark.parametrize(
    "text, message",
    [
        ("Begin.\n[bell at 30s]\n[bell at 20s]", "a bell at 0:20 is not after the one before it"),
        ("Begin.\n[bell at 2min]", "a bell at 2:00 is not after the one before it and inside the 1:30"),
    ],
)
def test_a_pinned_bell_out_of_order_or_past_the_end_is_refused(text, message):
    with pytest.raises(LengthError, match=message):
        layout(parse(text), lambda s: RATE, total_seconds=90, rate=RATE)


def test_words_that_cannot_finish_before_a_pinned_bell_say_how_much_too_long():
    with pytest.raises(LengthError, match=r"before the bell at 0:05 runs .* too long") as exc:
        layout(parse("A long opening that takes time.\n[pause 8s]\n[bell at 5s]"), lambda s: RATE, total_seconds=60, rate=RATE)
    assert exc.value.needed_seconds > 60
