"""A pasted transcript read into speaker turns and words to align. Pure functions.

Organisers paste what they have: "Gemma Went: Influence is…" per turn, or
plain paragraphs. A line's prefix names a speaker only when it looks like a
name (capitalised words, no digits, so "12:30" and "Note: …" in lower case
are text) and the caller accepts it (a seated panelist, or a label used
more than once such as "Audience:").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

#: The largest paste accepted: a three-hour panel is about 200 kB of text.
MAX_PASTE_BYTES = 500 * 1024
#: A chunk aligned at once holds about this many words (whole sentences).
CHUNK_WORDS = 30

_PREFIX = re.compile(r"^\s*([^\W\d_][^:\n]{0,50}?)\s*:\s*(.*)$")
_SENTENCE_END = re.compile(r"[.?!…][\"'”’)]*$")
_NAME_PART = re.compile(r"^[^\W\d_][\w.'’-]*$")
#: Lower-case words that may sit inside a name ("Ana de Souza", "Ludwig van Beethoven").
_PARTICLES = {"de", "da", "del", "der", "van", "von", "la", "le", "di", "du", "bin", "al"}


class TranscriptError(ValueError):
    """A paste we cannot use; ``str()`` is a sentence for the organiser."""


@dataclass
class TranscriptTurn:
    """What one speaker said before the next one spoke ("" when the paste names nobody)."""

    speaker: str
    words: list[str] = field(default_factory=list)


def looks_like_name(prefix: str) -> bool:
    """True for "Gemma Went", "Q", "Audience member"; False for "Note that", "12", "http"."""
    parts = prefix.split()
    if not 1 <= len(parts) <= 4 or not all(_NAME_PART.match(p) for p in parts) or not parts[0][0].isupper():
        return False
    lower = [p for p in parts[1:] if not p[0].isupper() and p not in _PARTICLES]
    # "Audience member" is a label; "Note that this" is a sentence.
    return not lower or (len(parts) == 2 and lower == parts[1:])


def _prefixes(lines: list[str]) -> list[str | None]:
    out = []
    for line in lines:
        match = _PREFIX.match(line)
        out.append(match.group(1).strip() if match and looks_like_name(match.group(1).strip()) else None)
    return out


def read_transcript(text: str, is_speaker: Callable[[str], bool] = lambda _name: True) -> list[TranscriptTurn]:
    """Turns of a pasted transcript.

    A prefix counts as a speaker when ``is_speaker(prefix)`` says so or the
    same prefix starts two or more lines. Lines without one continue the
    current turn.

    :raise TranscriptError: the paste is empty or too large.
    """
    if len(text.encode("utf-8")) > MAX_PASTE_BYTES:
        raise TranscriptError(
            f"The transcript is larger than {MAX_PASTE_BYTES // 1024} kB. Paste one panel's transcript at a time."
        )
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    prefixes = _prefixes(lines)
    counts: dict[str, int] = {}
    for prefix in prefixes:
        if prefix:
            counts[prefix] = counts.get(prefix, 0) + 1
    turns: list[TranscriptTurn] = []
    for line, prefix in zip(lines, prefixes, strict=True):
        if prefix and (counts[prefix] > 1 or is_speaker(prefix)):
            turns.append(TranscriptTurn(prefix))
            line = _PREFIX.match(line).group(2)
        words = line.split()
        if not words:
            continue
        if not turns:
            turns.append(TranscriptTurn(""))
        turns[-1].words.extend(words)
    turns = [t for t in turns if t.words]
    if not turns:
        raise TranscriptError("The transcript is empty. Paste the words spoken in the recording.")
    return turns


def chunks(words: list[str], size: int = CHUNK_WORDS) -> list[list[str]]:
    """Whole sentences of ``words`` grouped into chunks of about ``size`` words.

    A sentence longer than twice ``size`` is cut at ``size`` words: an
    unpunctuated paste still aligns in pieces.
    """
    out: list[list[str]] = [[]]
    for word in words:
        current = out[-1]
        current.append(word)
        if (len(current) >= size and _SENTENCE_END.search(word)) or len(current) >= 2 * size:
            out.append([])
    return [c for c in out if c]


# Numbers said as words, so "2019" and "10" can be aligned.
_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> list[str]:
    """English words for 0 ≤ n < 1,000,000 (``2019`` → two thousand nineteen)."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        return [_ONES[n // 100], "hundred"] + (number_words(n % 100) if n % 100 else [])
    return number_words(n // 1000) + ["thousand"] + (number_words(n % 1000) if n % 1000 else [])


def spoken_tokens(word: str) -> list[str]:
    """How a written word is said, as lower-case dictionary words: "Gemma's" → ["gemma's"],
    "social-media" → ["social", "media"], "2019" → ["two", "thousand", "nineteen"]."""
    word = word.replace("’", "'").replace("‘", "'").lower()
    tokens: list[str] = []
    for piece in re.split(r"[-–—/&+]+", word):
        piece = piece.strip(".,;:!?\"“”()[]{}…*_'")
        if not piece:
            continue
        if piece.isdigit() and len(piece) <= 6:
            tokens.extend(number_words(int(piece)))
        elif re.fullmatch(r"\d+%", piece) and len(piece) <= 7:
            tokens.extend(number_words(int(piece[:-1])) + ["percent"])
        else:
            tokens.append(piece)
    return tokens
