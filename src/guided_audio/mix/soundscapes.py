"""Built-in background soundscapes, generated as they play: nothing to download, nothing loops.

Each soundscape is endless audio from seeded NumPy generators pushed through filters whose
state carries from one block to the next, so there is no seam and no repeat, and one seed
always gives the same sound. Work happens in one-second blocks (slow things such as gusts and
swells change at block edges), and `read` hands out any sizes, always the same samples.
(scipy is imported where it is used: it takes about a second, which `preview` should not pay.)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from guided_audio.audio.samples import SESSION_RATE

BLOCK = SESSION_RATE
"""One second: the step at which slowly drifting things (intensity, gusts) pick a new value."""
NOMINAL_LUFS = -20.0
"""Every soundscape is calibrated to about this loudness per channel (tests hold them to it)."""


def white(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit-variance white noise; uniform draws are several times faster than Gaussian ones."""
    return (rng.random(n, dtype=np.float32) * np.float32(2.0) - np.float32(1.0)) * np.float32(3**0.5)


def _sos(*args, **kwargs) -> np.ndarray:
    from scipy import signal

    return signal.butter(*args, fs=SESSION_RATE, output="sos", **kwargs)


class Filter:
    """A fixed IIR filter (second-order sections) that remembers its state between blocks."""

    def __init__(self, sos: np.ndarray) -> None:
        self.sos = np.atleast_2d(sos)
        self.state = np.zeros((len(self.sos), 2))

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        from scipy import signal

        out, self.state = signal.sosfilt(self.sos, samples, zi=self.state)
        return out.astype(np.float32)


class Wander:
    """A value drifting at random between `low` and `high`, gliding to a new value each block."""

    def __init__(self, rng: np.random.Generator, low: float, high: float, *, pull=0.1, step=0.15) -> None:
        self.rng, self.low, self.high = rng, low, high
        self.pull, self.step = pull, step * (high - low)
        self.value = rng.uniform(low, high)

    def advance(self) -> tuple[float, float]:
        before = self.value
        middle = (self.low + self.high) / 2
        drifted = before + self.pull * (middle - before) + self.step * self.rng.standard_normal()
        self.value = float(np.clip(drifted, self.low, self.high))
        return before, self.value

    def ramp(self, n: int) -> np.ndarray:
        """Per-sample values over the next block: a straight glide, so gains never jump."""
        before, after = self.advance()
        return np.linspace(before, after, n, endpoint=False, dtype=np.float32)


class Soundscape:
    """Endless, seeded audio; subclasses make one block at a time in `_block`."""

    name = ""
    description = ""
    channels = 1
    calibration_db = 0.0
    """Gain that brings the raw sound to NOMINAL_LUFS (measured once; a test keeps it true)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rate = SESSION_RATE
        self._gain = np.float32(10 ** (self.calibration_db / 20))
        shape = (0, self.channels) if self.channels > 1 else (0,)
        self._pending = np.zeros(shape, dtype=np.float32)

    def rng(self, part: int) -> np.random.Generator:
        """An independent random stream for one part of the sound, fixed by the seed."""
        return np.random.default_rng([self.seed, part])

    def read(self, n: int) -> np.ndarray:
        """The next `n` samples, shaped (n,) or (n, channels)."""
        parts, have = [self._pending], len(self._pending)
        while have < n:
            block = self._block(BLOCK) * self._gain
            parts.append(block)
            have += len(block)
        data = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self._pending = data[n:]
        return data[:n]

    def snapshot(self) -> "Soundscape":
        """An independent copy that goes on exactly as this one would (generators, filter
        states and all), so a later part of the session can be made again without the rest."""
        return copy.deepcopy(self)

    def _block(self, n: int) -> np.ndarray:
        raise NotImplementedError


class PinkNoise(Soundscape):
    name = "pink-noise"
    description = "pink noise: even, soft static with as much energy in each octave"
    calibration_db = 1.2
    # Paul Kellet's economy filter: within 0.05 dB of a 1/f slope across the audible band.
    B = (0.049922035, -0.095993537, 0.050612699, -0.004408786)
    A = (1.0, -2.494956002, 2.017265875, -0.522189400)

    def __init__(self, seed: int) -> None:
        from scipy import signal

        super().__init__(seed)
        self.noise = self.rng(1)
        self.colour = Filter(signal.tf2sos(self.B, self.A))

    def _block(self, n: int) -> np.ndarray:
        return self.colour(white(self.noise, n))


class BrownNoise(Soundscape):
    name = "brown-noise"
    description = "brown noise: deep, rumbling static, darker than pink"
    calibration_db = -5.0

    def __init__(self, seed: int) -> None:
        from scipy import signal

        super().__init__(seed)
        self.noise = self.rng(1)
        # A leaky integrator (the 1/f^2 slope) and a 20 Hz high-pass that keeps inaudible rumble
        # from eating headroom, as one section.
        hp_b, hp_a = signal.butter(1, 20, "highpass", fs=SESSION_RATE)
        self.colour = Filter(signal.tf2sos(np.convolve(hp_b, [0.03]), np.convolve(hp_a, [1, -0.998])))

    def _block(self, n: int) -> np.ndarray:
        return self.colour(white(self.noise, n))


class Droplets:
    """Drops as short bubbly chirps, scattered at random; tails spill into the next block."""

    def __init__(self, rng: np.random.Generator, kinds: int = 24) -> None:
        from scipy import signal

        self.rng = rng
        soften = _sos(1, 6000, "lowpass")  # drops heard through air and leaves, never sharp
        self.kernels = [signal.sosfilt(soften, self._drop(rng)).astype(np.float32) for _ in range(kinds)]
        self.carry = np.zeros(max(len(k) for k in self.kernels), dtype=np.float32)

    @staticmethod
    def _drop(rng: np.random.Generator) -> np.ndarray:
        pitch, decay = rng.uniform(900, 3800), rng.uniform(0.004, 0.016)
        t = np.arange(int(decay * 5 * SESSION_RATE)) / SESSION_RATE
        rise = np.minimum(1.0, t / 0.0015)  # 1.5 ms onset: a tap, never a click
        glide = 1 + rng.uniform(0.1, 0.4) * t / t[-1]  # bubbles rise in pitch as they ring
        drop = np.sin(2 * np.pi * pitch * glide * t) * np.exp(-t / decay) * (0.5 - 0.5 * np.cos(np.pi * rise))
        return drop.astype(np.float32)

    def block(self, n: int, per_second: np.ndarray) -> np.ndarray:
        out = np.zeros(n + len(self.carry), dtype=np.float32)
        out[: len(self.carry)] += self.carry
        count = self.rng.poisson(float(per_second.mean()) * n / SESSION_RATE)
        starts = self.rng.integers(0, n, count)
        kinds = self.rng.integers(0, len(self.kernels), count)
        sizes = 10 ** self.rng.uniform(-1.5, 0.0, count)  # most drops soft, a few near
        for start, kind, size in zip(starts, kinds, sizes):
            kernel = self.kernels[kind]
            out[start : start + len(kernel)] += np.float32(size) * kernel
        self.carry = out[n:].copy()
        return out[:n]


class Rain(Soundscape):
    name = "rain"
    description = "steady rain with soft scattered drops; its strength drifts slowly"
    calibration_db = -17.7

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.noise, drift = self.rng(1), self.rng(3)
        self.hiss = Filter(_sos(1, [300, 7000], "bandpass"))
        self.strength = Wander(drift, 0.7, 1.2)
        self.drop_rate = Wander(drift, 15, 45)
        self.drops = Droplets(self.rng(2))

    def _block(self, n: int) -> np.ndarray:
        hiss = self.hiss(white(self.noise, n)) * self.strength.ramp(n)
        return hiss + self.drops.block(n, self.drop_rate.ramp(n)) * np.float32(0.5)


class Swells:
    """The rise and fall of waves: each builds over a few seconds and drains away more slowly,
    arriving at uneven intervals with uneven heights."""

    STEP = 45  # 1 ms

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.waves: list[tuple[int, int, int, float]] = []  # start, rise, fall (samples), height
        self.next_start = int(rng.uniform(0.0, 3.0) * SESSION_RATE)
        self.position = 0

    def envelope(self, n: int) -> np.ndarray:
        start, end = self.position, self.position + n
        rate = SESSION_RATE
        while self.next_start < end:
            rise, fall = int(self.rng.uniform(1.8, 3.5) * rate), int(self.rng.uniform(4.0, 8.0) * rate)
            self.waves.append((self.next_start, rise, fall, self.rng.uniform(0.45, 1.0)))
            self.next_start += int(self.rng.uniform(6.0, 12.0) * rate)
        # Swells change over seconds, so the shape is worked out every STEP samples and held.
        grid = np.arange(start, end, self.STEP)
        out = np.zeros(len(grid))
        for begin, rise, fall, height in self.waves:
            age = grid - begin
            rising = (age >= 0) & (age < rise)
            falling = (age >= rise) & (age < rise + fall)
            out[rising] += height * (0.5 - 0.5 * np.cos(np.pi * age[rising] / rise))
            out[falling] += height * (0.5 + 0.5 * np.cos(np.pi * (age[falling] - rise) / fall))
        self.waves = [w for w in self.waves if w[0] + w[1] + w[2] > end]
        self.position = end
        return np.repeat(np.minimum(out, 1.0).astype(np.float32), self.STEP)[:n]


class Ocean(Soundscape):
    name = "ocean"
    description = "waves rolling in and drawing back in slow, uneven swells"
    calibration_db = -3.8

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.noise = self.rng(1)
        self.swells = Swells(self.rng(2))
        self.roar = Filter(_sos(2, 450, "lowpass"))
        self.surf = Filter(_sos(1, [700, 6000], "bandpass"))

    def _block(self, n: int) -> np.ndarray:
        swell = self.swells.envelope(n)
        noise = white(self.noise, n)
        roar = self.roar(noise) * (np.float32(0.3) + np.float32(0.7) * swell)
        return roar + self.surf(noise) * swell * swell * np.float32(0.6)  # brighter as waves break


class Wind(Soundscape):
    name = "wind"
    description = "a soft wind in gusts, its low howl and faint whistle drifting"
    calibration_db = -2.4

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.noise, drift = self.rng(1), self.rng(2)
        # Three bands whose balance drifts independently, so the wind's pitch wanders.
        self.bands = [
            (Filter(_sos(1, [90, 300], "bandpass")), Wander(drift, 0.3, 1.0)),
            (Filter(_sos(1, [300, 750], "bandpass")), Wander(drift, 0.2, 1.0)),
            (Filter(_sos(1, [1000, 1250], "bandpass")), Wander(drift, 0.0, 0.5)),
        ]
        self.gusts = Wander(drift, 0.25, 1.0, pull=0.2, step=0.35)

    def _block(self, n: int) -> np.ndarray:
        noise = white(self.noise, n)
        out = np.zeros(n, dtype=np.float32)
        for band, gain in self.bands:
            out += band(noise) * gain.ramp(n)
        return out * self.gusts.ramp(n)


@dataclass
class Partial:
    """One slowly beating tone of a pad: a sine whose level swells as its detuned twin beats."""

    freq: float
    level: float
    beat: float
    phase: float
    beat_phase: float
    swell: Wander


class Drone(Soundscape):
    name = "drone"
    description = "a warm, soft pad of slowly beating tones, like a singing bowl held long"
    calibration_db = -11.5
    # Frequency ratios and levels: a low pad (root, fifth, octave) with a bowl-like
    # inharmonic shimmer at 2.76 and 5.4.
    PARTIALS = ((1.0, 1.0), (1.5, 0.35), (2.0, 0.45), (2.76, 0.12), (3.0, 0.18), (5.4, 0.05))

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        rng = self.rng(1)
        root = 110.0 * 2 ** (rng.uniform(-2, 2) / 12)
        self.partials = [
            Partial(root * ratio, level, rng.uniform(0.03, 0.12), rng.random(), rng.random(),
                    Wander(rng, 0.5, 1.0))
            for ratio, level in self.PARTIALS
        ]  # fmt: skip
        self._count = np.arange(BLOCK, dtype=np.float32)

    def _block(self, n: int) -> np.ndarray:
        count = self._count[:n]
        out = np.zeros(n, dtype=np.float32)
        for p in self.partials:
            cycles = np.float32(p.phase) + count * np.float32(p.freq / self.rate)
            tone = np.sin(np.float32(2 * np.pi) * (cycles - np.floor(cycles)))
            # A sine beating against its detuned twin is this sine times |cos| of half the
            # detune: far below a hertz, so a straight glide across the block is exact enough.
            beat_end = p.beat_phase + p.beat * n / self.rate
            before, after = (abs(np.cos(np.pi * x)) for x in (p.beat_phase, beat_end))
            start, stop = p.swell.advance()
            envelope = np.linspace(before * start, after * stop, n, endpoint=False, dtype=np.float32)
            out += np.float32(p.level) * tone * envelope
            p.phase = (p.phase + p.freq * n / self.rate) % 1.0
            p.beat_phase = beat_end % 1.0
        return out


class Binaural(Soundscape):
    name = "binaural"
    description = "binaural beat (stereo, for headphones): 200 Hz left, 206 Hz right, over soft pink noise"
    channels = 2
    calibration_db = -16.0
    CARRIER_HZ = 200.0
    BEAT_HZ = 6.0
    NOISE_LEVEL = 0.1

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.bed = PinkNoise(seed)
        self.phases = [0.0, 0.0]
        self._count = np.arange(BLOCK, dtype=np.float32)

    def _block(self, n: int) -> np.ndarray:
        out = np.empty((n, 2), dtype=np.float32)
        pink = self.bed.read(n) * np.float32(self.NOISE_LEVEL)
        for channel, freq in enumerate((self.CARRIER_HZ, self.CARRIER_HZ + self.BEAT_HZ)):
            cycles = np.float32(self.phases[channel]) + self._count[:n] * np.float32(freq / self.rate)
            out[:, channel] = np.sin(np.float32(2 * np.pi) * (cycles - np.floor(cycles))) + pink
            self.phases[channel] = (self.phases[channel] + freq * n / self.rate) % 1.0
        return out


SOUNDSCAPES: dict[str, type[Soundscape]] = {
    cls.name: cls for cls in (Rain, Ocean, BrownNoise, PinkNoise, Wind, Drone, Binaural)
}
