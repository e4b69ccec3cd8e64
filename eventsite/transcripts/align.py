"""Alignment: the organiser's words, timed against the recording. No Flask.

The recording is heard once by the recogniser (:mod:`.recognise`, Whisper with
word times); the written transcript is then matched to what was heard word by
word (``difflib``'s longest matching blocks over normalised words). A written
word that was heard takes the heard word's times; the words between two
matches share the time between them by their length. So a correct transcript
follows the talk to its end however the voices sound, and a few misheard words
cost nothing: they lie between matches.

Where a stretch of the transcript matches nothing that was heard (at least
MISMATCH_WORDS written words in a row, with speech heard there), the transcript
stops matching the recording: alignment stops at the stretch's start, and the
caller gets what aligned before it and the first words that did not.

PocketSphinx forced alignment did this before, a chunk at a time, and stopped
at 0:09.8 of a clean 132-word script and at the very start of the real
two-person sample; it is still what times the phones of the beaks.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..times import clock
from .cueing import Word
from .recognise import recognise
from .transcript_text import TranscriptTurn

#: This many written words in a row of which at most a quarter match what was heard, with
#: speech heard there, are a real mismatch (a wrong or missing part of the transcript). Whisper
#: tiny.en mishears up to eight words in a row of a correct script ("the sparkles changed near
#: the children's end years" for "the sparrows changed their pitch over ten years").
MISMATCH_WORDS = 12
#: Heard words in a row that the transcript does not have, worth telling the organiser about.
UNWRITTEN_WORDS = 12


@dataclass
class Alignment:
    """What aligned, and where alignment stopped if it did."""

    words: list[Word] = field(default_factory=list)
    total_words: int = 0
    #: True when every written word was placed.
    complete: bool = True
    #: Where the first unaligned words should have started (seconds), when incomplete.
    failed_at: float | None = None
    #: The first words that did not align, as written.
    failed_words: str = ""
    #: Plain sentences for the organiser (speech missing from the transcript…).
    notes: list[str] = field(default_factory=list)


def word_key(text: str) -> str:
    """A word as compared: lower case, without punctuation ("Hello?" and "hello" match)."""
    return re.sub(r"[^\w']+", "", text.replace("’", "'").lower()).strip("'")


def align_transcript(
    path: str | Path,
    turns: list[TranscriptTurn],
    duration: float,
    *,
    names: Sequence[str] = (),
    title: str = "",
    on_progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Alignment:
    """Time every written word of ``turns`` against the recording at ``path``.

    :raise NoSound: the recording has no sound track.
    :raise ListenError: ffmpeg could not read the sound.
    :raise ListenCancelled: ``cancel()`` turned true.
    """
    written = [(turn.speaker, w) for turn in turns for w in turn.words]
    speakers = list(dict.fromkeys([*names, *(t.speaker for t in turns if t.speaker)]))
    heard = recognise(path, duration, names=speakers, title=title, on_progress=on_progress, cancel=cancel)
    return match_words(written, heard)


def match_words(written: list[tuple[str, str]], heard: list[Word]) -> Alignment:
    """The written ``(speaker, word)`` list timed by the ``heard`` words it matches."""
    result = Alignment(total_words=len(written))
    if not written:
        return result
    keys = [word_key(w) for _s, w in written]
    matcher = difflib.SequenceMatcher(None, keys, [word_key(w.text) for w in heard], autojunk=False)
    times: list[tuple[float, float] | None] = [None] * len(written)
    for block in _anchors(matcher.get_matching_blocks()):
        for k in range(block.size):
            w = heard[block.b + k]
            times[block.a + k] = (w.start, w.end)
    sentence_ends = [bool(re.search(r"[.?!…]['\"”’)]*$", w)) for _s, w in written]
    stop = _first_mismatch(keys, sentence_ends, times, heard)
    placed = _fill_between(written[:stop], times[:stop], heard)
    result.words = [Word(a, b, text, speaker) for (speaker, text), (a, b) in zip(written[:stop], placed, strict=True)]
    if stop < len(written):
        result.complete = False
        result.failed_at = round(placed[-1][1] if placed else (heard[0].start if heard else 0.0), 2)
        rest = [w for _s, w in written[stop:]]
        result.failed_words = " ".join(rest[:12]) + (" …" if len(rest) > 12 else "")
    result.notes += _unwritten_speech(matcher, heard)
    return result


def _anchors(blocks: list) -> list:
    """The matching blocks to trust: runs of two words or more, and single words close to one.

    A lone "the" or "in" matched inside a stretch of wrong transcript would break the
    stretch into pieces too short to be called a mismatch, and time words to a stranger's.
    """
    kept: list = []
    for block in blocks:
        if block.size == 0:
            continue
        near = kept and block.a - (kept[-1].a + kept[-1].size) <= 2 and block.b - (kept[-1].b + kept[-1].size) <= 2
        if block.size >= 2 or near:
            kept.append(block)
    return kept


def _first_mismatch(keys: list[str], sentence_ends: list[bool], times: list, heard: list[Word]) -> int:
    """Index of the first written word of a real mismatch, or ``len(keys)`` when there is none.

    A mismatch is MISMATCH_WORDS written words in a row of which at most a quarter matched
    (a "for the" may match anywhere), with speech heard in their place or none left at all.
    It starts at the first sentence inside the stretch that is still a mismatch: the misheard
    end of a right sentence often runs into the wrong one.
    """
    for i in range(len(keys)):
        if _mismatch_at(i, keys, times, heard):
            later = (b for b in range(i + 1, min(i + MISMATCH_WORDS, len(keys))) if sentence_ends[b - 1])
            return next((b for b in later if _mismatch_at(b, keys, times, heard)), i)
    return len(keys)


def _mismatch_at(i: int, keys: list[str], times: list, heard: list[Word]) -> bool:
    if times[i] is not None or not keys[i]:
        return False
    window = [t is not None for t in times[i : i + MISMATCH_WORDS]]
    if len(window) < MISMATCH_WORDS and any(t is not None for t in times[i:]):
        return False  # a short unmatched stretch before a match: misheard words
    if sum(window) > MISMATCH_WORDS // 4:
        return False
    before = next((times[j] for j in range(i - 1, -1, -1) if times[j]), None)
    after = next((times[j] for j in range(i + MISMATCH_WORDS, len(times)) if times[j]), None)
    if after is None and len(keys) - i < MISMATCH_WORDS:
        return False  # the last few words unheard: placed after the last match
    begin, end = (before[1] if before else 0.0), (after[0] if after else float("inf"))
    return after is None or sum(begin <= w.start < end for w in heard) >= MISMATCH_WORDS // 2


def _fill_between(written: list[tuple[str, str]], times: list, heard: list[Word]) -> list[tuple[float, float]]:
    """Times for every written word: matched words keep theirs, the others share the gaps by length."""
    out: list[tuple[float, float]] = []
    i = 0
    origin = heard[0].start if heard else 0.0
    while i < len(written):
        if times[i] is not None:
            out.append(times[i])
            i += 1
            continue
        j = i
        while j < len(written) and times[j] is None:
            j += 1
        begin = out[-1][1] if out else origin
        end = times[j][0] if j < len(written) else begin + 0.35 * (j - i)
        # the heard words in the gap (misheard versions of these) say where the speech is
        inside = [w for w in heard if begin <= w.start and w.end <= end] if j < len(written) else []
        if inside:
            begin, end = inside[0].start, inside[-1].end
        end = max(end, begin)
        lengths = [max(len(w), 1) for _s, w in written[i:j]]
        total, at = sum(lengths), begin
        for length in lengths:
            step = (end - begin) * length / total
            out.append((round(at, 3), round(at + step, 3)))
            at += step
        i = j
    return out


def _unwritten_speech(matcher: difflib.SequenceMatcher, heard: list[Word]) -> list[str]:
    """Notes for long stretches heard but not in the transcript."""
    notes = []
    for tag, _a0, _a1, b0, b1 in matcher.get_opcodes():
        if tag in ("insert", "replace") and b1 - b0 >= UNWRITTEN_WORDS:
            start, end = heard[b0].start, heard[b1 - 1].end
            notes.append(
                f"About {end - start:.0f} s of speech between {clock(start)} and {clock(end)} is not in the transcript."
            )
    return notes
