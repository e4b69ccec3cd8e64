"""Offline English speech recognition with PocketSphinx: a draft, not a transcript.

The recording is streamed from ffmpeg in blocks (``flock.audio.pcm_blocks``)
through PocketSphinx's voice-activity endpointer; each stretch of speech is
decoded as one utterance, so memory stays flat for an hour and every word's
time is the utterance's start plus its frame (100 frames a second). No
Flask here: the job layer (:mod:`.job`) stores what this returns.

Measured on espeak-ng speech, about half the words come back right; real
voices do better, but the page still calls the result a draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from ..flock.audio import SAMPLE_RATE, ListenCancelled, pcm_blocks
from .cueing import Word

#: An utterance is cut here even without a pause: PocketSphinx's search (and
#: its memory) grows with the utterance, and a monologue has no endpoint.
MAX_UTTERANCE_SECONDS = 25.0
#: PocketSphinx's frames per second (10 ms frames).
FRAME_RATE = 100
#: Tokens that are not words: sentence marks, silence, noises (``[NOISE]``, ``++UH++``).
_NOT_A_WORD = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+)$")
_ALTERNATE = re.compile(r"\(\d+\)$")


def clean_word(token: str) -> str:
    """A recogniser token as it should read: ``the(2)`` → ``the``, ``i'm`` → ``I'm``; "" for non-words."""
    if _NOT_A_WORD.match(token):
        return ""
    word = _ALTERNATE.sub("", token)
    return "I" + word[1:] if word == "i" or word.startswith("i'") else word


def _utterances(blocks: Iterator, max_seconds: float) -> Iterator[tuple[float, bytes | None]]:
    """Stretches of speech as (start time, 30 ms frame) pairs; (start, None) ends each stretch."""
    from pocketsphinx import Endpointer

    endpointer = Endpointer(sample_rate=SAMPLE_RATE)
    size = endpointer.frame_bytes
    pending = b""
    start: float | None = None
    start_after_cut = length = 0.0
    was_speaking = False
    for block in blocks:
        pending += block.tobytes()
        whole = len(pending) - len(pending) % size
        for offset in range(0, whole, size):
            speech = endpointer.process(pending[offset : offset + size])
            if speech is None:
                was_speaking = endpointer.in_speech
                continue
            if start is None:
                # A fresh stretch starts where the endpointer says; one cut for length goes on from the cut.
                start, length = (endpointer.speech_start if not was_speaking else start_after_cut), 0.0
            yield start, speech
            length += len(speech) / 2 / SAMPLE_RATE
            was_speaking = endpointer.in_speech
            if not endpointer.in_speech or length >= max_seconds:
                yield start, None
                start_after_cut, start = start + length, None
        pending = pending[whole:]
    if start is not None:
        tail = endpointer.end_stream(pending) if pending else None
        if tail:
            yield start, tail
        yield start, None


def recognise(
    path: str | Path,
    duration: float,
    *,
    on_progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    max_utterance: float = MAX_UTTERANCE_SECONDS,
) -> list[Word]:
    """The words PocketSphinx hears in ``path`` (any audio or video ffmpeg reads), in order.

    :param duration: the recording's length, for progress only.
    :raise ListenError: ffmpeg could not read the sound.
    :raise ListenCancelled: ``cancel()`` turned true.
    """
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=SAMPLE_RATE)
    words: list[Word] = []
    done = [0.0]

    def counted_blocks():
        for block in pcm_blocks(path, cancel=cancel):
            yield block
            done[0] += len(block) / SAMPLE_RATE
            if on_progress is not None and duration > 0:
                on_progress(min(done[0] / duration, 1.0))

    in_utterance = False
    for start, frame in _utterances(counted_blocks(), max_utterance):
        if frame is not None:
            if not in_utterance:
                decoder.start_utt()
                in_utterance = True
            decoder.process_raw(frame, False, False)
            continue
        if cancel is not None and cancel():
            raise ListenCancelled("Recognition was cancelled.")
        decoder.end_utt()
        in_utterance = False
        for segment in decoder.seg() or []:
            text = clean_word(segment.word)
            if text:
                words.append(
                    Word(start + segment.start_frame / FRAME_RATE, start + (segment.end_frame + 1) / FRAME_RATE, text)
                )
    return words
