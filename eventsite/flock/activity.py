"""When anyone speaks: the WebRTC VAD, a loudness gate and hysteresis, per 10 ms frame.

A beak that opens for a cough and shuts for every comma looks nervous, so the
VAD's raw decisions are smoothed: short gaps are bridged, short bursts are
dropped, and each stretch of speech gets a little lead-in and hangover.
The same pass measures what the mouth fallback and the voice clustering need
(loudness, spectral shape, cepstra), so the recording is decoded once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import webrtcvad

from .audio import FRAME, SAMPLE_RATE, frame_levels_db

#: frames per second of every per-frame array here (10 ms frames)
RATE = 100
#: WebRTC VAD mode: 0 lets everything through, 3 drops quiet speech; 2 suits panel microphones
VAD_MODE = 2
#: spectral window: this frame and the one before (20 ms), zero-padded to 640 points (25 Hz bins, and an
#: autocorrelation free of wrap-around up to 320 samples of lag)
WINDOW = 2 * FRAME
FFT_SIZE = 640
#: a frame counts as speech only this far above the recording's noise floor (dB); stops the
#: VAD firing on air conditioning
GATE_DB = 9.0
#: cepstral coefficients kept per frame (c1..c12, the usual MFCC count); c0 is loudness
CEPSTRA = 12
MEL_BANDS = 24


@dataclass(frozen=True)
class Segment:
    """A stretch of speech, in seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class FrameAnalysis:
    """Everything measured per 10 ms frame of a mono recording."""

    vad: np.ndarray  #: bool, the VAD's raw decision
    level_db: np.ndarray  #: float32 dBFS
    centroid: np.ndarray  #: float32 Hz, where the spectrum's weight sits (high: "ee", "s"; low: "oo")
    cepstra: np.ndarray  #: float32 (frames, CEPSTRA), the timbre of the voice
    pitch: np.ndarray  #: float32 Hz of the voice's fundamental, 0 where unvoiced

    @property
    def duration(self) -> float:
        return len(self.vad) / RATE


def analyse_frames(blocks: Iterable[np.ndarray], on_block: Callable[[float], None] | None = None) -> FrameAnalysis:
    """Run the VAD and the spectral measures over 16 kHz mono int16 blocks.

    :param on_block: called with the seconds analysed so far, after each block.
    """
    vad = webrtcvad.Vad(VAD_MODE)
    mel = _mel_filterbank()
    dct = _dct_matrix(MEL_BANDS, CEPSTRA + 1)[1:]
    hann = np.hanning(WINDOW).astype(np.float32)
    freqs = np.fft.rfftfreq(FFT_SIZE, 1 / SAMPLE_RATE).astype(np.float32)
    parts: dict[str, list[np.ndarray]] = {"vad": [], "level": [], "centroid": [], "cepstra": [], "pitch": []}
    previous = np.zeros(FRAME, dtype=np.int16)
    carry = np.zeros(0, dtype=np.int16)
    seconds = 0.0
    for block in blocks:
        samples = np.concatenate([carry, block]) if len(carry) else block
        count = len(samples) // FRAME
        carry = samples[count * FRAME :]
        samples = samples[: count * FRAME]
        if count == 0:
            continue
        raw = samples.tobytes()
        step = FRAME * 2
        parts["vad"].append(
            np.fromiter((vad.is_speech(raw[i * step : (i + 1) * step], SAMPLE_RATE) for i in range(count)), bool, count)
        )
        parts["level"].append(frame_levels_db(samples).astype(np.float32))
        # each window is the previous frame plus this one, so block edges need the last frame kept
        padded = np.concatenate([previous, samples]).astype(np.float32) / 32768.0
        windows = np.lib.stride_tricks.sliding_window_view(padded, WINDOW)[::FRAME][:count] * hann
        power = np.abs(np.fft.rfft(windows, FFT_SIZE)) ** 2
        total = power.sum(axis=1) + 1e-12
        parts["centroid"].append((power @ freqs / total).astype(np.float32))
        log_mel = np.log(power @ mel.T + 1e-10)
        parts["cepstra"].append((log_mel @ dct.T).astype(np.float32))
        parts["pitch"].append(_pitch(power))
        previous = samples[-FRAME:]
        seconds += count / RATE
        if on_block is not None:
            on_block(seconds)
    if not parts["vad"]:
        empty = np.zeros(0, dtype=np.float32)
        return FrameAnalysis(np.zeros(0, bool), empty, empty, np.zeros((0, CEPSTRA), np.float32), empty)
    return FrameAnalysis(
        vad=np.concatenate(parts["vad"]),
        level_db=np.concatenate(parts["level"]),
        centroid=np.concatenate(parts["centroid"]),
        cepstra=np.concatenate(parts["cepstra"]),
        pitch=np.concatenate(parts["pitch"]),
    )


def speech_segments(
    frames: FrameAnalysis,
    *,
    min_speech: float = 0.25,
    min_gap: float = 0.35,
    lead_in: float = 0.02,
    hangover: float = 0.06,
) -> list[Segment]:
    """Smoothed stretches of speech.

    :param min_speech: bursts shorter than this (a cough, a chair) are dropped.
    :param min_gap: pauses shorter than this (a comma, a breath) stay inside the speech.
    :param lead_in: seconds added before each stretch; the VAD hears a word late.
    :param hangover: seconds added after each stretch, so the beak closes after the last sound.
    """
    if len(frames.vad) == 0:
        return []
    floor = noise_floor(frames.level_db)
    active = frames.vad & (frames.level_db > floor + GATE_DB)
    runs = _runs(active)
    # bridge short pauses first, then drop what is still short
    bridged: list[list[int]] = []
    for start, end in runs:
        if bridged and start - bridged[-1][1] < min_gap * RATE:
            bridged[-1][1] = end
        else:
            bridged.append([start, end])
    segments: list[Segment] = []
    total = len(frames.vad) / RATE
    for start, end in bridged:
        if end - start < min_speech * RATE or not _sounds_like_speech(frames, start, end):
            continue
        seg = Segment(max(0.0, start / RATE - lead_in), min(total, end / RATE + hangover))
        if segments and seg.start <= segments[-1].end:
            segments[-1] = Segment(segments[-1].start, seg.end)
        else:
            segments.append(seg)
    return segments


def noise_floor(level_db: np.ndarray) -> float:
    """The recording's background level: the 5th percentile of frame loudness, at least −90 dBFS."""
    if len(level_db) == 0:
        return -90.0
    return max(-90.0, float(np.percentile(level_db, 5)))


def _sounds_like_speech(frames: FrameAnalysis, start: int, end: int) -> bool:
    """Reject steady sound the VAD mistakes for voice: a tone, a held chord, a hum.

    Speech is syllables: its timbre (cepstra) and loudness change several times
    a second. A sustained note keeps both nearly still between note changes.
    """
    ceps = frames.cepstra[start:end]
    if len(ceps) < 10:
        return True
    # median frame-to-frame timbre change: 2.5-4 for espeak speech, 1.1-1.7 for tones,
    # chords and decaying piano notes
    change = float(np.median(np.linalg.norm(np.diff(ceps, axis=0), axis=1)))
    return change > SPEECH_CHANGE


#: threshold of ``_sounds_like_speech`` (cepstral distance per 10 ms)
SPEECH_CHANGE = 2.0


#: pitch search range in samples of lag: 400 Hz down to 67 Hz (a 20 ms window holds little more)
PITCH_LAGS = (SAMPLE_RATE // 400, 240)
#: normalised autocorrelation a frame needs to count as voiced
VOICED = 0.45


def _pitch(power: np.ndarray) -> np.ndarray:
    """Fundamental frequency per frame from the autocorrelation (inverse FFT of the power spectrum)."""
    auto = np.fft.irfft(power, FFT_SIZE)
    lo, hi = PITCH_LAGS
    lags = np.argmax(auto[:, lo:hi], axis=1) + lo
    # unbiased: a lag of L compares only WINDOW - L samples
    strength = auto[np.arange(len(auto)), lags] / (auto[:, 0] + 1e-12) * WINDOW / (WINDOW - lags)
    return np.where(strength > VOICED, SAMPLE_RATE / lags, 0.0).astype(np.float32)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) frame indexes of the True runs of ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _mel_filterbank() -> np.ndarray:
    """Triangular mel filters, (MEL_BANDS, FFT_SIZE // 2 + 1), 80-7600 Hz (the voice's range)."""

    def mel(hz):
        return 2595.0 * np.log10(1 + np.asarray(hz) / 700.0)

    def hz(m):
        return 700.0 * (10 ** (np.asarray(m) / 2595.0) - 1)

    edges = hz(np.linspace(mel(80.0), mel(7600.0), MEL_BANDS + 2))
    freqs = np.fft.rfftfreq(FFT_SIZE, 1 / SAMPLE_RATE)
    bank = np.zeros((MEL_BANDS, len(freqs)), dtype=np.float32)
    for i in range(MEL_BANDS):
        low, mid, high = edges[i : i + 3]
        rising = (freqs - low) / (mid - low)
        falling = (high - freqs) / (high - mid)
        bank[i] = np.maximum(0.0, np.minimum(rising, falling))
    return bank


def _dct_matrix(n: int, k: int) -> np.ndarray:
    """Orthonormal DCT-II rows 0..k-1 for vectors of length ``n``."""
    grid = np.arange(n)
    rows = np.cos(np.pi / n * (grid[None, :] + 0.5) * np.arange(k)[:, None]) * np.sqrt(2.0 / n)
    rows[0] /= np.sqrt(2.0)
    return rows.astype(np.float32)
