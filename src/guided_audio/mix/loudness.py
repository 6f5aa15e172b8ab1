"""Loudness to podcast norms: measure (BS.1770), then one gain and a true-peak limiter.

Targets are -16 LUFS integrated for stereo and -19 for mono with the true peak at most
-1 dBTP (Apple, AES TD1004). A session can be an hour long, so nothing here holds the audio:
the meters take it chunk by chunk and keep only a loudness energy and a true peak per 1.4 ms
block, from which the gain and the limiter's envelope are planned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TARGET_LUFS = {1: -19.0, 2: -16.0}
CEILING_DBTP = -1.5
"""Where the limiter holds the peaks: half a dB under the -1 dBTP limit for MP3 coding noise, which
lifted peaks by up to 0.2 dB in the files measured (48 to 128 kbps, voice over rain, brown
noise and silence)."""
MAX_VOICE_LIMITING_LU = 2.0
"""The most loudness the limiter may take off the voice; reaching -19 LUFS at all already
costs this voice about 1.2 LU (its peaks stand 21 dB over its loudness)."""
BED_SHORTFALL_LU = 0.5
"""How far under the voice's own loudness an automatically levelled bed may pull the session."""
MAX_GAIN_DB = 24.0
"""Never boost more than this, so a nearly silent script is not turned into loud hiss."""

SUB_BLOCK_SECONDS = 0.1
"""BS.1770 gates 400 ms blocks overlapping by 75%: four of these 100 ms steps each."""
PEAK_BLOCK = 63
"""Samples per true-peak figure and limiter step (1.4 ms); divides a 100 ms step at 44.1 kHz
(4,410 = 70 x 63), and keeps an hour's worth of figures to 2.5 million."""
OVERSAMPLE = 4
OVERSAMPLE_ABOVE = 10 ** (-20 / 20)
"""Blocks with a sample peak under -20 dBFS are not oversampled: their true peak is taken as
the sample peak plus 3.5 dB (on the safe side), which reaches the ceiling only at gains over
15 dB, and the quiet stretches cost next to nothing."""
UNSAMPLED_MARGIN = 10 ** (3.5 / 20)
CONTEXT = 64
"""Samples of context each side of oversampled stretches, so the resampler's filter is settled."""
LIMITER_RAMP_SECONDS = 0.025
"""Half the time the limiter takes to lower the gain before a peak and to restore it after."""

SHORT_TAIL = 1 << 14
"""Samples of room after a short signal weighted through the FFT: the K-weighting's slowest
part (the 38 Hz high-pass) has died away to nothing well within them."""


def k_weighting_sos(rate: int) -> np.ndarray:
    """BS.1770's K-weighting as two biquads, a high shelf (the head) then a high-pass (RLB),
    designed exactly as pyloudnorm designs them (RBJ's cookbook; the tests compare the two).

    Worked out here rather than taken from pyloudnorm, whose import brings in scipy.signal:
    seven tenths of a second that a session without a background never needs to spend."""
    shelf_gain, shelf_w, shelf_q = 10 ** (4.0 / 40), 2 * math.pi * 1500.0 / rate, 1 / math.sqrt(2)
    cos, root = math.cos(shelf_w), math.sqrt(shelf_gain)
    alpha = math.sin(shelf_w) / (2 * shelf_q)
    a = shelf_gain
    shelf = (
        a * ((a + 1) + (a - 1) * cos + 2 * root * alpha),
        -2 * a * ((a - 1) + (a + 1) * cos),
        a * ((a + 1) + (a - 1) * cos - 2 * root * alpha),
        (a + 1) - (a - 1) * cos + 2 * root * alpha,
        2 * ((a - 1) - (a + 1) * cos),
        (a + 1) - (a - 1) * cos - 2 * root * alpha,
    )
    pass_w = 2 * math.pi * 38.0 / rate
    cos, alpha = math.cos(pass_w), math.sin(pass_w) / (2 * 0.5)
    high_pass = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha)
    return np.array([[value / section[3] for value in section] for section in (shelf, high_pass)])


def k_weighted_power(samples: np.ndarray, rate: int) -> np.ndarray:
    """Channel-summed power of the K-weighted signal, for a signal of a few seconds heard
    from silence: filtered through the FFT with NumPy alone (see k_weighting_sos)."""
    frames = _frames(samples).astype(np.float64)
    size = 1 << (len(frames) + SHORT_TAIL - 1).bit_length()
    delay = np.exp(-2j * np.pi * np.arange(size // 2 + 1) / size)
    response = np.ones(size // 2 + 1, dtype=complex)
    for b0, b1, b2, _, a1, a2 in k_weighting_sos(rate):
        response *= (b0 + delay * (b1 + delay * b2)) / (1 + delay * (a1 + delay * a2))
    weighted = np.fft.irfft(np.fft.rfft(frames, size, axis=0) * response[:, None], size, axis=0)
    return np.square(weighted[: len(frames)]).sum(axis=1)


def short_loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness of a short signal (a probe of a few seconds), without scipy."""
    return gated_loudness(_block_means(k_weighted_power(samples, rate))[0], rate)


def _block_means(power: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean power of each complete PEAK_BLOCK, and what is left over after them."""
    whole = len(power) // PEAK_BLOCK * PEAK_BLOCK
    return power[:whole].reshape(-1, PEAK_BLOCK).mean(axis=1).astype(np.float32), power[whole:]


def _frames(samples: np.ndarray) -> np.ndarray:
    return samples if samples.ndim == 2 else samples[:, None]


class LoudnessMeter:
    """BS.1770-4 integrated loudness of a stream: K-weighting with its state carried across
    chunks, and the energy of every PEAK_BLOCK kept (so the limiter's effect on loudness can
    be worked out exactly before it runs); the gate is applied at the end.

    Matches pyloudnorm's Meter on the same signal (the tests compare them); pyloudnorm itself
    needs the whole signal in memory, which an hour-long session cannot afford.
    """

    def __init__(self, rate: int, channels: int) -> None:
        self.sos = k_weighting_sos(rate)
        self.rate = rate
        self.state = np.zeros((len(self.sos), 2, channels))
        self.leftover = np.zeros(0)
        self.energies: list[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        from scipy import signal

        if samples.ndim == 1:  # the common case, without a channel axis to sum over
            weighted, state = signal.sosfilt(self.sos, samples, zi=self.state[..., 0])
            self.state[..., 0] = state
            power = np.square(weighted)
        else:
            weighted, self.state = signal.sosfilt(self.sos, samples, axis=0, zi=self.state)
            power = np.square(weighted).sum(axis=1)
        energies, self.leftover = _block_means(np.concatenate([self.leftover, power]))
        self.energies.append(energies)

    def block_energies(self) -> np.ndarray:
        """Channel-summed K-weighted mean square of every complete PEAK_BLOCK."""
        return np.concatenate(self.energies) if self.energies else np.zeros(0, dtype=np.float32)

    def integrated(self) -> float:
        return gated_loudness(self.block_energies(), self.rate)


def gated_loudness(block_energies: np.ndarray, rate: int) -> float:
    """Integrated loudness (LUFS) from PEAK_BLOCK energies: 400 ms blocks every 100 ms, an
    absolute gate at -70 LUFS, and a relative gate 10 LU under what passed the first."""
    per_step = int(round(rate * SUB_BLOCK_SECONDS)) // PEAK_BLOCK
    steps = len(block_energies) // per_step
    if steps < 4:
        return -math.inf
    step_energy = block_energies[: steps * per_step].reshape(steps, per_step).mean(axis=1, dtype=np.float64)
    blocks = np.convolve(step_energy, np.full(4, 0.25), mode="valid")
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(blocks)
    kept = blocks[loudness >= -70.0]
    if kept.size == 0:
        return -math.inf
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10.0
    kept = blocks[(loudness > relative) & (loudness >= -70.0)]
    return float(-0.691 + 10 * np.log10(kept.mean()))


class TruePeakMeter:
    """Estimated true peak of each PEAK_BLOCK of a stream, by 4x oversampling (libsoxr).

    Holds back a little audio between chunks so every oversampled stretch has real audio on
    both sides; the figures come out in order and cover the whole stream after `finish`.
    """

    def __init__(self, rate: int, channels: int) -> None:
        self.rate = rate
        self.before = np.zeros((0, channels), dtype=np.float32)  # context preceding `waiting`
        self.waiting = np.zeros((0, channels), dtype=np.float32)  # from a block edge, unmeasured
        self.peaks: list[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        self._measure(np.concatenate([self.waiting, _frames(samples)]), final=False)

    def finish(self) -> np.ndarray:
        self._measure(self.waiting, final=True)
        return np.concatenate(self.peaks) if self.peaks else np.zeros(0, dtype=np.float32)

    def _measure(self, data: np.ndarray, *, final: bool) -> None:
        ready = len(data) if final else max(0, len(data) - CONTEXT) // PEAK_BLOCK * PEAK_BLOCK
        if ready:
            padded = np.concatenate([self.before, data[: ready + CONTEXT]])
            self.peaks.append(_block_true_peaks(padded, len(self.before), ready, self.rate))
            self.before = padded[: len(self.before) + ready][-CONTEXT:]
        self.waiting = data[ready:]


def _block_true_peaks(padded: np.ndarray, offset: int, length: int, rate: int) -> np.ndarray:
    """Per-block true peaks of padded[offset : offset + length], using the padding as context."""
    import soxr

    count = -(-length // PEAK_BLOCK)
    body = np.zeros(count * PEAK_BLOCK, dtype=np.float32)
    body[:length] = np.abs(padded[offset : offset + length]).max(axis=1)
    sample_peaks = body.reshape(count, PEAK_BLOCK).max(axis=1)
    peaks = sample_peaks * np.float32(UNSAMPLED_MARGIN)
    size = PEAK_BLOCK * OVERSAMPLE
    for first, last in _runs(sample_peaks > OVERSAMPLE_ABOVE, merge_gap=8):
        lo = offset + first * PEAK_BLOCK
        hi = min(offset + last * PEAK_BLOCK, offset + length)
        start, stop = max(0, lo - CONTEXT), min(len(padded), hi + CONTEXT)
        fine = soxr.resample(padded[start:stop], rate, rate * OVERSAMPLE, quality="HQ")
        fine = np.abs(fine[(lo - start) * OVERSAMPLE : (hi - start) * OVERSAMPLE]).max(axis=1)
        filled = np.zeros((last - first) * size, dtype=np.float32)
        filled[: len(fine)] = fine
        peaks[first:last] = np.maximum(filled.reshape(-1, size).max(axis=1), sample_peaks[first:last])
    return peaks


def _runs(flags: np.ndarray, merge_gap: int) -> list[tuple[int, int]]:
    """(first, last) index ranges of True runs, joining runs separated by short gaps."""
    edges = np.flatnonzero(np.diff(flags.astype(np.int8), prepend=0, append=0))
    starts, stops = edges[::2], edges[1::2]
    if starts.size == 0:
        return []
    apart = starts[1:] - stops[:-1] > merge_gap
    starts, stops = starts[np.concatenate([[True], apart])], stops[np.concatenate([apart, [True]])]
    return list(zip(starts.tolist(), stops.tolist()))


def limiter_envelope(true_peaks: np.ndarray, gain: float, ceiling: float, rate: int) -> np.ndarray:
    """Per-block gain (at most 1) that keeps gain x true peak under the ceiling everywhere.

    Look-ahead over the whole session at once: hold the lowest gain needed within a window,
    then smooth it twice with moving averages no wider than that window, so the envelope
    glides down before each peak and back after it and never exceeds what any block needs.
    Only the stretches around peaks are worked on; an hour is a few million blocks.
    """
    needed = np.multiply(true_peaks, np.float32(gain), dtype=np.float32)  # in place from here: hours are long
    np.maximum(needed, np.float32(1e-12), out=needed)
    np.divide(np.float32(ceiling), needed, out=needed)
    np.minimum(needed, np.float32(1.0), out=needed)
    envelope = np.ones_like(needed)
    ramp = max(1, int(LIMITER_RAMP_SECONDS * rate / PEAK_BLOCK))
    first, second = ramp // 2 + 1, ramp - ramp // 2
    hold = 2 * (first + second) + 3
    reach = hold + first + second + 2  # how far one block's need can spread
    for lo, hi in _runs(needed < 1.0, merge_gap=2 * reach):
        lo, hi = max(0, lo - reach), min(len(needed), hi + reach)
        held = _sliding_minimum(needed[lo:hi], hold)
        smooth = _moving_average(_moving_average(held, 2 * first + 1), 2 * second + 1)
        envelope[lo:hi] = np.minimum(smooth, needed[lo:hi])  # only rounding can exceed the need
    return envelope


def _sliding_minimum(values: np.ndarray, size: int) -> np.ndarray:
    """The least value within a centred window of odd `size`, the ends repeated outwards (as
    scipy.ndimage's minimum_filter1d in "nearest" mode, without importing scipy)."""
    padded = np.pad(values, size // 2, mode="edge")
    return np.lib.stride_tricks.sliding_window_view(padded, size).min(axis=1)


def _moving_average(values: np.ndarray, size: int) -> np.ndarray:
    """The mean within a centred window of odd `size`, the ends repeated outwards."""
    sums = np.concatenate([[0.0], np.cumsum(np.pad(values, size // 2, mode="edge"), dtype=np.float64)])
    return ((sums[size:] - sums[:-size]) / size).astype(np.float32)


_CELL_STEPS = np.arange(PEAK_BLOCK, dtype=np.float32) / np.float32(PEAK_BLOCK)


@dataclass(frozen=True)
class LoudnessPlan:
    """How a measured session is brought to the target."""

    gain: float
    """Linear gain for the whole session."""
    envelope: np.ndarray
    """Limiter gain per PEAK_BLOCK (<= 1), applied on top of `gain`."""
    target_lufs: float

    def true_peak_dbtp(self, true_peaks: np.ndarray) -> float:
        """True peak of the result, from the measured peaks and the gains applied to them."""
        if true_peaks.size == 0:
            return -math.inf
        return db(float((true_peaks * self.envelope).max()) * self.gain)

    def loudness(self, block_energies: np.ndarray, rate: int) -> float:
        """Integrated loudness of the measured session once this plan is applied to it."""
        blocks = min(len(block_energies), len(self.envelope))
        weighed = _weigh(block_energies[:blocks], self.envelope[:blocks].copy())
        return 20 * math.log10(self.gain) + gated_loudness(weighed, rate)

    def block_gains(self, first_sample: int, count: int) -> np.ndarray:
        """Per-sample gain for samples [first_sample, first_sample + count): a straight line
        between block centres, so the gain glides rather than steps. Each block's envelope
        also suits its neighbours (the limiter holds every need a block further each way).

        The centres are evenly spaced, so the line is drawn a block at a time on a grid
        rather than sample by sample (as np.interp would, at several times the cost)."""
        first_cell, into = divmod(first_sample - (PEAK_BLOCK - 1) // 2, PEAK_BLOCK)
        cells = -(-(into + count) // PEAK_BLOCK)
        corners = np.clip(np.arange(first_cell, first_cell + cells + 1), 0, len(self.envelope) - 1)
        ends = self.envelope[corners] * np.float32(self.gain)
        grid = ends[:-1, None] + (ends[1:] - ends[:-1])[:, None] * _CELL_STEPS
        return grid.ravel()[into : into + count]


def plan_loudness(
    block_energies: np.ndarray,
    true_peaks: np.ndarray,
    channels: int,
    rate: int,
    *,
    voice: np.ndarray | None = None,
    allowance_db: float = 0.0,
) -> LoudnessPlan:
    """The gain that puts the session on target once the limiter has done its work.

    The whole programme is aimed at the target. But where long pauses are filled by a bed,
    the gated measure counts the bed, and reaching the target would mean pushing the voice
    ever harder into the limiter until the bed itself is loud; so the limiter may take at
    most MAX_VOICE_LIMITING_LU off the voice (whose own block energies are `voice`), and
    such a session measures under the target instead. `allowance_db` is added to the aim
    to make up for what the encoder will change.
    """
    target = TARGET_LUFS[channels]
    ceiling = 10 ** (CEILING_DBTP / 20)
    blocks = min(len(block_energies), len(true_peaks))
    energies, peaks = block_energies[:blocks], true_peaks[:blocks]
    gain_db = _solve_gain(energies, peaks, target + allowance_db, ceiling, rate)
    if voice is not None:
        voice = voice[:blocks]

        def voice_loss(trial_db: float) -> float:
            envelope = limiter_envelope(peaks, 10 ** (trial_db / 20), ceiling, rate)
            return gated_loudness(voice, rate) - gated_loudness(_weigh(voice, envelope), rate)

        if voice_loss(gain_db) > MAX_VOICE_LIMITING_LU:
            low, high = min(0.0, gain_db), gain_db
            for _ in range(10):  # bisect to a few hundredths of a dB
                middle = (low + high) / 2
                low, high = (middle, high) if voice_loss(middle) <= MAX_VOICE_LIMITING_LU else (low, middle)
            gain_db = low
    gain = 10 ** (gain_db / 20)
    return LoudnessPlan(gain, limiter_envelope(true_peaks, gain, ceiling, rate), target)


def bed_reduction_db(mix_energies: np.ndarray, voice_energies: np.ndarray, rate: int) -> float:
    """How far a bed must come down for the session's loudness to be the voice's again.

    Where the bed plays alone for long stretches, those stretches pass the loudness gate
    and pull the measure far under the voice, so no gain that spares the voice reaches the
    target. Bed energies are the mix's less the voice's (the two are unrelated, so their
    cross terms cancel over a gating block); the cut found leaves the measure within
    BED_SHORTFALL_LU of the voice alone, plus a dB for the bed's own swells.
    """
    blocks = min(len(mix_energies), len(voice_energies))
    voice = voice_energies[:blocks]
    bed = np.maximum(mix_energies[:blocks] - voice, 0.0)
    alone = gated_loudness(voice, rate)

    def shortfall(cut_db: float) -> float:
        return alone - gated_loudness(voice + bed * 10 ** (-cut_db / 10), rate)

    if not math.isfinite(alone) or shortfall(0.0) <= BED_SHORTFALL_LU:
        return 0.0
    low, high = 0.0, 40.0
    for _ in range(12):
        middle = (low + high) / 2
        low, high = (middle, high) if shortfall(middle) > BED_SHORTFALL_LU else (low, middle)
    return high + 1.0


def _solve_gain(energies: np.ndarray, peaks: np.ndarray, aim: float, ceiling: float, rate: int) -> float:
    """The gain (dB) at which the limited result measures `aim`: the loudness after limiting
    is each block's energy times the square of the limiter's gain there, and the secant
    method finds the gain in a few rounds even where the limiter eats most of each step."""

    def outcome(gain_db: float) -> float:
        envelope = limiter_envelope(peaks, 10 ** (gain_db / 20), ceiling, rate)
        return gain_db + gated_loudness(_weigh(energies, envelope), rate)

    measured = gated_loudness(energies, rate)
    if not math.isfinite(measured):
        return 0.0
    before = min(aim - measured, MAX_GAIN_DB)
    result_before = outcome(before)
    gain_db = min(before + aim - result_before, MAX_GAIN_DB)
    for _ in range(12):
        if abs(aim - result_before) < 0.01 or gain_db == before:
            break
        result = outcome(gain_db)
        slope = max((result - result_before) / (gain_db - before), 0.05)
        before, result_before = gain_db, result
        gain_db = min(gain_db + (aim - result) / slope, MAX_GAIN_DB)
    return before


def _weigh(energies: np.ndarray, envelope: np.ndarray) -> np.ndarray:
    """Energies after a gain envelope, in the envelope's own (throwaway) array."""
    np.square(envelope, out=envelope)
    envelope *= energies
    return envelope


def db(value: float) -> float:
    return 20 * math.log10(value) if value > 0 else -math.inf
