"""Forced alignment: the organiser's words, timed against the recording. No Flask.

PocketSphinx aligns known words to sound (``set_align_text``), but an hour
at once is slow and fragile, so the transcript is aligned a chunk at a time
(a turn, or about 30 words of whole sentences) against the stretch of audio
where it should be. That stretch starts where the last chunk's words ended
and ends in a pause: the pauses come from one pass of a voice-activity
detector, the expected length from the words still to come at the pace
measured so far. Several pause candidates are tried, nearest first; the
alignment that leaves the least speech unexplained (heard inside what it
calls silence) wins.

A chunk that fits no candidate, even joined with the next one, is where the
transcript stops matching the recording: alignment stops there, and the
caller gets what aligned before it and the first words that did not.

The sound is decoded once by ffmpeg into a temporary raw file (an hour is
115 MB on disk, not in memory); each chunk reads only its own stretch.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..flock.audio import SAMPLE_RATE, ListenCancelled, pcm_blocks
from ..times import clock
from .cueing import Word
from .recognise import FRAME_RATE
from .transcript_text import TranscriptTurn, chunks, spoken_tokens

#: Seconds per spoken dictionary word before any chunk has been aligned (about 160 words a minute).
START_PACE = 0.36
#: Pause candidates tried per chunk, nearest to the expected end first.
TRIES = 6
#: A chunk that fails is joined with the next one this many times before giving up.
JOINS = 2
#: An alignment leaving less unexplained speech than this (seconds) is taken at once.
GOOD_ENOUGH = 0.4
#: Gaps in speech shorter than this (seconds) are not pauses.
MIN_PAUSE = 0.15
#: VAD frame length (seconds): the WebRTC VAD inside PocketSphinx takes 10, 20 or 30 ms.
VAD_FRAME = 0.03


@dataclass
class Alignment:
    """What aligned, and where alignment stopped if it did."""

    words: list[Word] = field(default_factory=list)
    total_words: int = 0
    #: True when every chunk aligned.
    complete: bool = True
    #: Where the first unaligned words should have started (seconds), when incomplete.
    failed_at: float | None = None
    #: The first words that did not align, as written.
    failed_words: str = ""
    #: Plain sentences for the organiser (speech missing from the transcript…).
    notes: list[str] = field(default_factory=list)


@dataclass
class _Chunk:
    speaker: str
    written: list[str]
    #: For each written word, how many spoken tokens it has in ``tokens`` (0 for words the dictionary lacks).
    counts: list[int]
    tokens: list[str]


class _Sound:
    """The recording as a raw 16 kHz mono file plus a speech/no-speech flag per 30 ms."""

    def __init__(self, path: str | Path, folder: Path, duration: float, on_progress, cancel) -> None:
        from pocketsphinx import Vad

        vad = Vad(Vad.LOOSE, SAMPLE_RATE, VAD_FRAME)
        self.raw = folder / "sound.raw"
        flags: list[bool] = []
        pending, size, done = b"", vad.frame_bytes, 0.0
        with self.raw.open("wb") as out:
            for block in pcm_blocks(path, cancel=cancel):
                data = block.tobytes()
                out.write(data)
                pending += data
                whole = len(pending) - len(pending) % size
                flags.extend(vad.is_speech(pending[i : i + size]) for i in range(0, whole, size))
                pending = pending[whole:]
                done += len(block) / SAMPLE_RATE
                if on_progress and duration > 0:
                    on_progress(min(done / duration, 1.0))
        self.duration = self.raw.stat().st_size / 2 / SAMPLE_RATE
        self.speech = np.array(flags, dtype=bool)
        self.pauses = self._pauses()

    def _pauses(self) -> np.ndarray:
        """Middles of the silences at least MIN_PAUSE long, plus the end."""
        quiet = ~self.speech
        edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
        starts, ends = edges[0::2], edges[1::2]
        long_enough = (ends - starts) * VAD_FRAME >= MIN_PAUSE
        middles = (starts[long_enough] + ends[long_enough]) / 2 * VAD_FRAME
        return np.append(middles, self.duration)

    def first_speech(self) -> float:
        hits = np.flatnonzero(self.speech)
        return float(hits[0] * VAD_FRAME) if len(hits) else 0.0

    def speech_seconds(self, start: float, end: float) -> float:
        a, b = int(start / VAD_FRAME), int(np.ceil(end / VAD_FRAME))
        return float(self.speech[max(a, 0) : max(b, 0)].sum() * VAD_FRAME)

    def read(self, start: float, end: float) -> bytes:
        first = max(int(start * SAMPLE_RATE), 0)
        last = min(int(end * SAMPLE_RATE), int(self.duration * SAMPLE_RATE))
        with self.raw.open("rb") as fh:
            fh.seek(first * 2)
            return fh.read(max(last - first, 0) * 2)


def _chunks_of(turns: list[TranscriptTurn], known: Callable[[str], bool]) -> list[_Chunk]:
    out = []
    for turn in turns:
        for written in chunks(turn.words):
            spoken = [[t for t in spoken_tokens(w) if known(t)] for w in written]
            out.append(_Chunk(turn.speaker, written, [len(s) for s in spoken], [t for s in spoken for t in s]))
    return out


def _joined(parts: list[_Chunk]) -> _Chunk:
    return _Chunk(
        parts[0].speaker,
        [w for p in parts for w in p.written],
        [c for p in parts for c in p.counts],
        [t for p in parts for t in p.tokens],
    )


class _Aligner:
    def __init__(self, sound: _Sound) -> None:
        from pocketsphinx import Decoder

        self.sound = sound
        self.decoder = Decoder(samprate=SAMPLE_RATE, bestpath=False)
        self.pace = START_PACE
        self.paced_tokens, self.paced_seconds = 0, 0.0

    def known(self, token: str) -> bool:
        return self.decoder.lookup_word(token) is not None

    def _try(self, tokens: list[str], start: float, end: float):
        """(token spans, unexplained speech) of ``tokens`` in [start, end], or None if they don't fit."""
        try:
            self.decoder.set_align_text(" ".join(tokens))
        except RuntimeError:
            return None
        self.decoder.start_utt()
        self.decoder.process_raw(self.sound.read(start, end), False, True)
        self.decoder.end_utt()
        spans, unexplained = [], 0.0
        for seg in self.decoder.seg() or []:
            a, b = start + seg.start_frame / FRAME_RATE, start + (seg.end_frame + 1) / FRAME_RATE
            if seg.word.startswith(("<", "[", "+")):
                unexplained += self.sound.speech_seconds(a, b)
            else:
                spans.append((a, b))
        if len(spans) != len(tokens):
            return None
        return spans, unexplained

    def place(self, chunk: _Chunk, cursor: float):
        """The best (spans, unexplained) for ``chunk`` starting at ``cursor``, or None."""
        expected = len(chunk.tokens) * self.pace
        low, high = cursor + 0.4 * expected, cursor + 2.5 * expected + 2.0
        ends = [float(p) for p in self.sound.pauses if low <= p <= high] or [
            float(p) for p in self.sound.pauses if p > cursor
        ][:1]
        ends.sort(key=lambda e: abs(e - cursor - expected))
        best = None
        for end in ends[:TRIES]:
            found = self._try(chunk.tokens, cursor, end)
            if found and (best is None or found[1] < best[1]):
                best = found
            if best and best[1] < GOOD_ENOUGH:
                break
        if best is None:
            return None
        spans, unexplained = best
        # Too much speech the text does not account for: these words were forced, not found.
        window_speech = self.sound.speech_seconds(cursor, spans[-1][1] + 0.5)
        if unexplained > max(2.0, 0.5 * window_speech) and len(chunk.tokens) >= 3:
            return None
        self.paced_tokens += len(chunk.tokens)
        self.paced_seconds += spans[-1][1] - spans[0][0]
        if self.paced_tokens >= 10:
            self.pace = min(max(self.paced_seconds / self.paced_tokens, 0.2), 0.8)
        return spans, unexplained


def _words(chunk: _Chunk, spans: list[tuple[float, float]]) -> list[Word]:
    """Written words with times: a word the dictionary lacks shares its neighbour's moment."""
    out, i = [], 0
    previous_end = spans[0][0]
    for written, count in zip(chunk.written, chunk.counts, strict=True):
        if count:
            start, end = spans[i][0], spans[i + count - 1][1]
            i += count
        else:
            start = end = previous_end
        out.append(Word(round(start, 3), round(end, 3), written, chunk.speaker))
        previous_end = end
    return out


def align_transcript(
    path: str | Path,
    turns: list[TranscriptTurn],
    duration: float,
    *,
    on_progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    listen_share: float = 0.2,
) -> Alignment:
    """Time every written word of ``turns`` against the recording at ``path``.

    :raise ListenError: ffmpeg could not read the sound.
    :raise ListenCancelled: ``cancel()`` turned true.
    """
    share = (lambda f: on_progress(f * listen_share)) if on_progress else None
    result = Alignment(total_words=sum(len(t.words) for t in turns))
    with tempfile.TemporaryDirectory(prefix="eventsite-align-") as folder:
        sound = _Sound(path, Path(folder), duration, share, cancel)
        aligner = _Aligner(sound)
        pending = _chunks_of(turns, aligner.known)
        cursor = max(sound.first_speech() - 0.3, 0.0)
        total, i = len(pending), 0
        while i < len(pending):
            if cancel is not None and cancel():
                raise ListenCancelled("Alignment was cancelled.")
            chunk = pending[i]
            if not chunk.tokens:  # nothing sayable ("—", "[laughter]"): keep it at the cursor
                result.words.extend(Word(cursor, cursor, w, chunk.speaker) for w in chunk.written)
                i += 1
                continue
            placed, used = None, 1
            for joined in range(JOINS + 1):
                group = pending[i : i + joined + 1]
                if joined and (len(group) <= joined or group[-1].speaker != chunk.speaker):
                    break  # only join within one speaker's turn
                placed = aligner.place(_joined(group) if joined else chunk, cursor)
                if placed:
                    used = joined + 1
                    chunk = _joined(group) if joined else chunk
                    break
            if placed is None:
                result.complete = False
                result.failed_at = round(cursor, 2)
                result.failed_words = " ".join(chunk.written[:12]) + (" …" if len(chunk.written) > 12 else "")
                break
            spans, unexplained = placed
            if unexplained >= 2.0:
                result.notes.append(
                    f"About {unexplained:.0f} s of speech between {clock(cursor)} and {clock(spans[-1][1])} "
                    "is not in the transcript."
                )
            result.words.extend(_words(chunk, spans))
            cursor = spans[-1][1]
            i += used
            if on_progress:
                on_progress(listen_share + (1 - listen_share) * i / total)
    return result
