"""A panel spoken by espeak-ng: known words, known voices, known turns.

The demo, the tests and the benchmark need recordings whose truth is known
to the 10 ms: who speaks, from when to when. espeak-ng reads each line in
its speaker's voice; the lines are trimmed to their sound, laid end to end
with pauses, and written as a 16 kHz mono WAV (plus, on request, one
channel per speaker with the others' cross-talk, as lapel microphones hear
a room). Formant speech is far easier than a real room: say so beside any
figure measured on it.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .audio import SAMPLE_RATE, ListenError, read_pcm

#: six voices a listener tells apart at once: three accents, men and women, high and low
DEMO_VOICES = ("en+m3", "en-us+f2", "en-gb-scotland+m1", "en-gb-x-rp+f4", "en-us+m7", "en+f5")
#: the others heard on a speaker's lapel microphone, relative to that speaker (dB); rooms give 10-20
CROSSTALK_DB = -15.0
#: a quiet room's hiss under everything (dBFS), so no frame is digital silence
NOISE_DB = -60.0
#: a sample louder than this fraction of the line's peak counts as sound when trimming
TRIM_FRACTION = 0.02


@dataclass(frozen=True)
class SpokenCue:
    """One line as it sounds in the mix, trimmed to its audible start and end."""

    start: float
    end: float
    speaker: int
    text: str


@dataclass(frozen=True)
class SpokenScript:
    """The recordings made by ``speak_script`` and the truth about them."""

    mixed: Path  #: 16 kHz mono WAV, everyone on one track
    channels: Path | None  #: 16 kHz WAV with one channel per speaker, or None
    cues: list[SpokenCue]
    duration: float


def speak_script(
    lines: Sequence[tuple[int, str]],
    voices: Sequence[str],
    out_dir: str | Path,
    *,
    gap: float | Sequence[float] = 0.35,
    channels_per_speaker: bool = False,
    speed: int = 160,
    lead: float = 0.5,
    seed: int = 0,
) -> SpokenScript:
    """Speak ``lines`` of ``(speaker_index, text)`` with ``voices[speaker_index]``.

    :param gap: seconds of pause after each line (one number, or one per line).
    :param channels_per_speaker: also write ``channels.wav``, one gated channel per voice.
    :param lead: seconds of room noise before the first and after the last line.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gaps = [float(gap)] * len(lines) if isinstance(gap, int | float) else [float(g) for g in gap]
    speakers = len(voices)
    pieces: list[tuple[int, np.ndarray]] = []
    with tempfile.TemporaryDirectory(dir=out) as scratch:
        for index, (speaker, text) in enumerate(lines):
            path = Path(scratch) / f"line{index}.wav"
            _espeak(voices[speaker], text, speed, path)
            pieces.append((speaker, _trim(read_pcm(path).astype(np.float32))))
    total = int(lead * SAMPLE_RATE) * 2 + sum(len(p) for _, p in pieces) + int(sum(gaps[:-1]) * SAMPLE_RATE)
    tracks = np.zeros((speakers, total), dtype=np.float32)
    cues: list[SpokenCue] = []
    position = int(lead * SAMPLE_RATE)
    for (speaker, sound), (_, text), pause in zip(pieces, lines, gaps, strict=True):
        tracks[speaker, position : position + len(sound)] += sound
        cues.append(SpokenCue(position / SAMPLE_RATE, (position + len(sound)) / SAMPLE_RATE, speaker, text))
        position += len(sound) + int(pause * SAMPLE_RATE)
    rng = np.random.default_rng(seed)
    # uniform noise of peak a has an RMS of a/sqrt(3)
    noise = 32768.0 * 10 ** (NOISE_DB / 20) * np.sqrt(3.0)
    mixed = tracks.sum(axis=0) + rng.uniform(-1, 1, total).astype(np.float32) * noise
    _write_wav(out / "mixed.wav", mixed[:, None])
    channels_path = None
    if channels_per_speaker:
        bleed = 10 ** (CROSSTALK_DB / 20)
        others = tracks.sum(axis=0)[None, :] - tracks
        room = rng.uniform(-1, 1, (speakers, total)).astype(np.float32) * noise
        channels_path = out / "channels.wav"
        _write_wav(channels_path, (tracks + bleed * others + room).T)
    return SpokenScript(mixed=out / "mixed.wav", channels=channels_path, cues=cues, duration=total / SAMPLE_RATE)


def write_webvtt(cues: Sequence[SpokenCue], names: Sequence[str], path: str | Path) -> Path:
    """Write ``cues`` as WebVTT with ``<v Name>`` voice spans (the speaker's seat name)."""
    blocks = ["WEBVTT", ""]
    for cue in cues:
        blocks += [f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}", f"<v {names[cue.speaker]}>{cue.text}", ""]
    Path(path).write_text("\n".join(blocks), encoding="utf-8")
    return Path(path)


def _espeak(voice: str, text: str, speed: int, path: Path) -> None:
    # text goes as an argument, never through a shell; "--" keeps a leading dash from being an option
    argv = ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), "--", text]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not path.exists():
        raise ListenError(f"espeak-ng could not speak with voice {voice}: {done.stderr.strip()}")


def _trim(sound: np.ndarray) -> np.ndarray:
    """The line without espeak's leading and trailing silence."""
    if len(sound) == 0:
        return sound
    loud = np.flatnonzero(np.abs(sound) > TRIM_FRACTION * np.abs(sound).max())
    return sound[loud[0] : loud[-1] + 1] if len(loud) else sound[:0]


def _write_wav(path: Path, samples: np.ndarray) -> None:
    pcm = np.clip(np.round(samples), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())


def _vtt_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
