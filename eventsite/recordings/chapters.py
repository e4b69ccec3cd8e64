"""Chapters: moments of a recording with a title and, optionally, the panelist speaking.

Organisers type them one by one or paste the "0:00 Intro" lines they already
wrote for YouTube; the same time syntax serves the ``?t=`` deep links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..times import clock, iso_duration, parse_time  # noqa: F401  (re-exported)
from .line_errors import LineError
from .models import Chapter, Recording

_CLOCK = r"\d{1,3}(?::[0-5]?\d){1,2}(?:\.\d+)?"
#: "0:00 Intro", "(1:02:03) - Questions", "[12:30] Q&A", "1. 0:00 Intro"
_TIME_FIRST = re.compile(rf"^\s*(?:\d+\.\s+)?[\[(]?(?P<time>{_CLOCK})[\])]?\s*(?:[-–—:|]\s*)?(?P<title>.*?)\s*$")
#: "Intro - 0:00", "Questions (1:02:03)"
_TIME_LAST = re.compile(rf"^\s*(?P<title>.+?)\s*(?:[-–—:|]\s*)?[\[(]?(?P<time>{_CLOCK})[\])]?\s*$")
MAX_TITLE = 200


class ChapterError(LineError):
    """Chapter input we refuse, with the line that made us refuse it."""


@dataclass(frozen=True)
class ChapterLine:
    start: float
    title: str


def parse_chapter_lines(text: str, duration: float | None = None) -> list[ChapterLine]:
    """Chapters from pasted lines such as ``0:00 Intro``, sorted by time.

    Blank lines are skipped. Every other line needs a time and a title.

    :raise ChapterError: a line without a time or title, two chapters at the
        same moment, or a time past the end of the recording.
    """
    found: list[ChapterLine] = []
    seen: dict[float, int] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        first = _TIME_FIRST.match(line)
        match = first if first and first.group("title") else _TIME_LAST.match(line) or first
        if not match:
            raise ChapterError("start the line with a time, like “0:00 Introductions”.", number)
        title = match.group("title").strip()
        if not title:
            raise ChapterError("this chapter has a time but no title.", number)
        if len(title) > MAX_TITLE:
            raise ChapterError(f"the title is longer than {MAX_TITLE} characters.", number)
        start = parse_time(match.group("time"))
        if start is None:
            raise ChapterError(f"“{match.group('time')}” is not a time.", number)
        if duration is not None and start >= duration:
            raise ChapterError(f"{clock(start)} is past the end of the recording ({clock(duration)}).", number)
        if start in seen:
            raise ChapterError(f"two chapters start at {clock(start)} (see line {seen[start]}).", number)
        seen[start] = number
        found.append(ChapterLine(start, title))
    if not found:
        raise ChapterError("paste at least one line, like “0:00 Introductions”.")
    return sorted(found, key=lambda c: c.start)


def chapters_of(recording: Recording) -> list[Chapter]:
    """The recording's chapters in time order."""
    return list(
        db.session.scalars(
            sa.select(Chapter).where(Chapter.recording_id == recording.id).order_by(Chapter.start, Chapter.id)
        )
    )


def add_chapter(recording: Recording, start: float, title: str, panelist_id: int | None = None) -> Chapter:
    """Add one chapter.

    :raise ChapterError: the time is past the end of the recording.
    """
    if recording.duration_seconds is not None and start >= recording.duration_seconds:
        raise ChapterError(f"{clock(start)} is past the end of the recording.")
    chapter = Chapter(recording_id=recording.id, start=start, title=title.strip(), panelist_id=panelist_id)
    db.session.add(chapter)
    db.session.commit()
    return chapter


def replace_chapters(recording: Recording, text: str) -> list[Chapter]:
    """Replace every chapter of ``recording`` by the pasted lines.

    :raise ChapterError: see :func:`parse_chapter_lines`; nothing changes then.
    """
    lines = parse_chapter_lines(text, recording.duration_seconds)
    db.session.execute(sa.delete(Chapter).where(Chapter.recording_id == recording.id))
    chapters = [Chapter(recording_id=recording.id, start=line.start, title=line.title) for line in lines]
    db.session.add_all(chapters)
    db.session.commit()
    return chapters


def chapter_spans(chapters: list[Chapter], duration: float | None) -> list[tuple[Chapter, float | None]]:
    """Each chapter with its end: the next chapter's start, or the recording's end."""
    ends = [c.start for c in chapters[1:]] + [duration]
    return list(zip(chapters, ends[: len(chapters)], strict=True))
