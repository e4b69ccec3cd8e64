"""Times in a recording, written and read one way everywhere.

A leaf module (no Flask, no models), so the transcoder, the flock renderer,
captions, chapters, comments and templates all share it.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from email.utils import format_datetime

_CLOCK = r"\d{1,3}(?::[0-5]?\d){1,2}(?:\.\d+)?"
_UNITS = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$")
#: Longest time read from a URL or form (a week): anything longer is a typo or an attack, and
#: 400 digits would overflow float() and the clock formatting.
MAX_READ_SECONDS = 7 * 24 * 3600
#: Longest text read as a time ("100:00:00.000" is 13): Python's int() of thousands of digits is slow.
_MAX_TIME_TEXT = 24


def parse_time(value: str) -> float | None:
    """Seconds from ``"90"``, ``"1:30"``, ``"1:02:03"``, ``"1m30s"``, ``"1h2m"``; None if unreadable."""
    value = (value or "").strip().lower()
    if not value or len(value) > _MAX_TIME_TEXT:
        return None
    seconds = _read(value)
    return seconds if seconds is not None and 0 <= seconds <= MAX_READ_SECONDS else None


def _read(value: str) -> float | None:
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


def clock(seconds: float | None, decimals: int = 0, *, trim: bool = False) -> str:
    """How people write a moment or a length, the one way every page and script writes it
    (static/js/time.js is the same): ``3723`` → ``"1:02:03"``, ``75`` → ``"1:15"``,
    ``59`` → ``"0:59"``; unknown → ``"–"``.

    Seconds are truncated, not rounded: 1:14.9 is still in the 1:14 second,
    which is where a chapter or a comment's timestamp should seek, and a
    recording of 59.6 s is "0:59" on its card and in the player alike.

    :param decimals: digits of the second for times an organiser edits
        (``clock(62.5, 3)`` → ``"1:02.500"``), truncated too, so an end never
        passes the recording's.
    :param trim: drop trailing zeros of those digits (``clock(62.5, 2, trim=True)`` → ``"1:02.5"``).
    """
    if seconds is None:
        return "–"
    scale = 10**decimals
    # a float a hair under its written value (1.001 * 1000 = 1000.9999…) still reads as written
    ticks = math.floor(max(0.0, seconds) * scale + 1e-6) if decimals else int(max(0.0, seconds))
    whole, fraction = divmod(ticks, scale)
    hours, minutes, secs = _parts(whole)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    digits = f"{fraction:0{decimals}d}" if decimals else ""
    digits = digits.rstrip("0") if trim else digits
    return f"{text}.{digits}" if digits else text


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
