"""Times in a recording, written and read one way everywhere.

A leaf module (no Flask, no models), so the transcoder, the flock renderer,
captions, chapters, comments and templates all share it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime

_CLOCK = r"\d{1,3}(?::[0-5]?\d){1,2}(?:\.\d+)?"
_UNITS = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$")


def parse_time(value: str) -> float | None:
    """Seconds from ``"90"``, ``"1:30"``, ``"1:02:03"``, ``"1m30s"``, ``"1h2m"``; None if unreadable."""
    value = (value or "").strip().lower()
    if not value:
        return None
    if ":" in value:
        if not re.fullmatch(_CLOCK, value):
            return None
        total = 0.0
        for part in value.split(":"):
            total = total * 60 + float(part)
        return total
    match = _UNITS.match(value)
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


def _parts(seconds: float) -> tuple[int, int, int]:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return hours, minutes, secs


def clock(seconds: float | None) -> str:
    """How people write a moment: ``3723`` → ``"1:02:03"``, ``75`` → ``"1:15"``; unknown → ``"–"``.

    Seconds are truncated, not rounded: 1:14.9 is still in the 1:14 second,
    which is where a chapter or a comment's timestamp should seek.
    """
    if seconds is None:
        return "–"
    hours, minutes, secs = _parts(seconds)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def url_time(seconds: float) -> str:
    """The ``?t=`` form of a moment: ``751`` → ``"12m31s"``, ``5`` → ``"5s"``."""
    hours, minutes, secs = _parts(seconds)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + f"{secs}s"


def vtt_timestamp(seconds: float) -> str:
    """WebVTT's form: ``3723.5`` → ``01:02:03.500``; hours keep growing past 99, as WebVTT allows."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration for schema.org and feeds: ``5430`` → ``"PT1H30M30S"``, ``0`` → ``"PT0S"``."""
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return out + (f"{secs}S" if secs or out == "PT" else "")


def rss_date(moment: datetime) -> str:
    """RFC 822 as RSS 2.0 wants it: ``Fri, 09 Oct 2020 04:30:38 GMT`` (an aware datetime)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)
