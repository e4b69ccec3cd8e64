"""Timed words → caption cues that read well. Pure functions, no Flask.

Both the recogniser and the aligner end with words and their times; this is
where they become cues: a new cue at every pause and every change of
speaker, never longer than a viewer can read at once (7 s, two lines of 42
characters, the usual broadcast limits), and preferably ending at the end
of a sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Longest a cue stays on screen (seconds).
MAX_CUE_SECONDS = 7.0
#: Characters per caption line, and lines per cue.
LINE_CHARS = 42
MAX_LINES = 2
#: A silence this long (seconds) between words always starts a new cue.
PAUSE_SECONDS = 0.45
#: A cue this long (seconds) ends at a sentence's end rather than run on.
SENTENCE_SECONDS = 2.5
#: How long a cue stays up after its last word, if the next cue leaves room.
HOLD_SECONDS = 0.25


@dataclass(frozen=True)
class Word:
    """One word as shown (with its case and punctuation) and when it was said."""

    start: float  #: seconds
    end: float  #: seconds
    text: str
    #: Who said it ("" when nobody could be told).
    speaker: str = ""


@dataclass(frozen=True)
class DraftCue:
    """A cue before it becomes WebVTT: its words' span, lines and speaker."""

    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str = ""

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def _ends_sentence(text: str) -> bool:
    return text.rstrip("\"'”’)").endswith((".", "?", "!"))


def wrap_lines(text: str, width: int = LINE_CHARS) -> tuple[str, ...]:
    """``text`` as one line, or two lines broken at the space nearest the middle."""
    if len(text) <= width or " " not in text:
        return (text,)
    middle = len(text) // 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return (text[:cut], text[cut + 1 :])


def _width(words: list[Word]) -> int:
    return sum(len(w.text) for w in words) + len(words) - 1


def _split(group: list[Word], max_seconds: float, max_chars: int) -> list[list[Word]]:
    """``group`` cut into cues of about equal width, preferring cuts after punctuation."""
    duration = group[-1].end - group[0].start
    if len(group) == 1 or (_width(group) <= max_chars and duration <= max_seconds):
        return [group]
    parts = max(math.ceil(_width(group) / max_chars), math.ceil(duration / max_seconds), 2)
    target = _width(group) / parts
    fitting = [
        i
        for i in range(1, len(group))
        if _width(group[:i]) <= max_chars and group[i - 1].end - group[0].start <= max_seconds
    ] or [1]

    def badness(i: int) -> float:
        punctuated = group[i - 1].text.rstrip("\"'”’)").endswith((".", "?", "!", ",", ";", ":"))
        return abs(_width(group[:i]) - target) / target - (0.35 if punctuated else 0.0)

    cut = min(fitting, key=badness)
    return [group[:cut], *_split(group[cut:], max_seconds, max_chars)]


def build_cues(
    words: list[Word],
    *,
    max_seconds: float = MAX_CUE_SECONDS,
    max_chars: int = LINE_CHARS * MAX_LINES,
    pause: float = PAUSE_SECONDS,
) -> list[DraftCue]:
    """Group ``words`` (in time order) into cues.

    Phrases end at a pause, a change of speaker, or (once a phrase has run
    ``SENTENCE_SECONDS``) the end of a sentence; a phrase too long or too
    wide for one cue is shared out evenly over as many cues as it needs.
    """
    phrases: list[list[Word]] = []
    for word in words:
        if not word.text:
            continue
        current = phrases[-1] if phrases else None
        if current and (
            word.speaker != current[0].speaker
            or word.start - current[-1].end >= pause
            or (_ends_sentence(current[-1].text) and current[-1].end - current[0].start >= SENTENCE_SECONDS)
        ):
            current = None
        if current is None:
            phrases.append([word])
        else:
            current.append(word)
    groups = [part for phrase in phrases for part in _split(phrase, max_seconds, max_chars)]
    cues: list[DraftCue] = []
    for i, group in enumerate(groups):
        start, end = group[0].start, max(w.end for w in group)
        following = groups[i + 1][0].start if i + 1 < len(groups) else None
        end = end + HOLD_SECONDS if following is None else min(end + HOLD_SECONDS, max(end, following))
        text = " ".join(w.text for w in group)
        cues.append(DraftCue(round(start, 3), round(max(end, start + 0.01), 3), wrap_lines(text), group[0].speaker))
    return cues
