"""The caption editor's operations: cues as form rows, rows checked, a page saved.

The editor shows a caption track a page of cues at a time. A save sends one
page's rows; they replace that page's cues in the stored track, the whole
track is checked (times that read, end after start, no overlap with the
neighbours, inside the recording), and only a track without a single
problem is written. Every problem is reported on its cue; nothing is saved
until there are none.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..recordings.captions import CaptionError, Cue, clean_cue_text, read_cues, save_caption, unescape
from ..recordings.models import Caption, CaptionSource, Recording
from ..times import clock, parse_time, vtt_timestamp
from .job import AUTOMATIC_LABEL, LABEL, voice_name

#: Cues per page of the editor (a one-hour panel has about 900).
PAGE_SIZE = 40
_VOICE_TAGS = re.compile(r"<v(?:\.[\w.-]+)?[ \t][^<>]*>|</v>", re.IGNORECASE)
_LITERAL_LT = re.compile(r"<(?!/?[biu]>)", re.IGNORECASE)
#: Rounding slack when comparing times (WebVTT keeps milliseconds).
EPSILON = 0.0005


class StaleEdit(Exception):
    """The track changed since the editor was opened; ``str()`` says so in plain words."""


@dataclass
class Row:
    """One cue as the form shows it: text fields, not numbers, so a bad value is shown back as typed."""

    index: int
    start: str
    end: str
    speaker: str
    text: str
    errors: list[str] = field(default_factory=list)
    #: Parsed values once the row reads.
    start_s: float | None = None
    end_s: float | None = None


def cue_time(seconds: float) -> str:
    """``62.5`` → ``"1:02.500"``, ``3723.25`` → ``"1:02:03.250"``: exact to the millisecond."""
    return clock(seconds, 3)


def editable_text(cue: Cue) -> str:
    """A cue's words as the organiser edits them: no voice span, entities as characters."""
    return unescape(_VOICE_TAGS.sub("", cue.text)).strip()


def page_count(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


def rows_for_page(cues: list[Cue], page: int) -> list[Row]:
    """The rows of ``page`` (1-based) of ``cues``."""
    offset = (page - 1) * PAGE_SIZE
    return [
        Row(offset + i, cue_time(c.start), cue_time(c.end), c.voice, editable_text(c))
        for i, c in enumerate(cues[offset : offset + PAGE_SIZE])
    ]


def read_rows(form) -> list[Row]:
    """The rows a save posted: ``cue-<n>-start/end/speaker/text`` (``cue-<n>-delete`` drops one)."""
    indices = sorted({int(m.group(1)) for key in form for m in [re.fullmatch(r"cue-(\d{1,6})-text", key)] if m})
    rows = []
    for n in indices:
        row = Row(
            n,
            form.get(f"cue-{n}-start", "").strip(),
            form.get(f"cue-{n}-end", "").strip(),
            form.get(f"cue-{n}-speaker", "").strip(),
            form.get(f"cue-{n}-text", "").strip(),
        )
        # A ticked "Delete", or the empty "Add a cue" fieldset, adds nothing.
        if form.get(f"cue-{n}-delete") or not (row.start or row.end or row.text):
            continue
        rows.append(row)
    return rows


def _read_time(row: Row, value: str, what: str) -> float | None:
    if value.startswith("-"):
        row.errors.append(f"The {what} time cannot be negative.")
        return None
    seconds = parse_time(value)
    if seconds is None:
        row.errors.append(f"The {what} time “{value}” is not a time; write it like 1:02.500.")
    return seconds


def check_rows(rows: list[Row], others: list[Cue], speakers: set[str], duration: float | None) -> bool:
    """Fill each row's ``errors``; True when every row is fine.

    ``others`` are the cues of the other pages, which the rows must not overlap either.
    """
    for row in rows:
        row.start_s = _read_time(row, row.start, "start")
        row.end_s = _read_time(row, row.end, "end")
        if not row.text:
            row.errors.append("The cue has no words; write them or tick “Delete this cue”.")
        if row.speaker and row.speaker not in speakers:
            row.errors.append("Choose the speaker from the list.")
        if row.start_s is not None and row.end_s is not None:
            if row.end_s <= row.start_s + EPSILON:
                row.errors.append("The cue ends before it starts (or at the same moment).")
            elif duration and row.start_s >= duration:
                row.errors.append(f"The cue starts after the recording ends ({cue_time(duration)}).")
    timed = [(r.start_s, r.end_s, r) for r in rows if r.start_s is not None and r.end_s is not None]
    timed += [(c.start, c.end, None) for c in others]
    timed.sort(key=lambda t: (t[0], t[1]))
    for (_a_start, a_end, a_row), (b_start, _b_end, b_row) in zip(timed, timed[1:], strict=False):
        if b_start < a_end - EPSILON and (a_row or b_row):
            if b_row is not None:
                b_row.errors.append(
                    f"The cue starts at {cue_time(b_start)}, before the cue before it ends ({cue_time(a_end)})."
                )
            else:
                a_row.errors.append(
                    f"The cue ends at {cue_time(a_end)}, after the next cue starts ({cue_time(b_start)})."
                )
    return not any(r.errors for r in rows)


def _as_cue(row: Row) -> Cue:
    # Typed words are text: "<" is a character unless it starts <b>, <i> or <u> (kept as formatting).
    text = clean_cue_text(_LITERAL_LT.sub("&lt;", row.text))
    voice = voice_name(row.speaker)
    return Cue(row.start_s, row.end_s, f"<v {voice}>{text}" if voice else text)


def save_page(
    caption: Caption, version: str, page: int, rows: list[Row], speakers: set[str], recording: Recording
) -> Caption | None:
    """Replace ``page``'s cues by ``rows`` and store the track as "edited"; None (rows carry errors) if refused.

    :raise StaleEdit: the track was replaced since the editor read it (``version`` differs).
    """
    if version != caption_version(caption):
        raise StaleEdit(
            "These captions changed since you opened the editor (another organiser, an upload or a job saved "
            "them). Your changes were not saved; open the editor again."
        )
    cues = read_cues(caption)
    offset = (page - 1) * PAGE_SIZE
    others = cues[:offset] + cues[offset + PAGE_SIZE :]
    if not check_rows(rows, others, speakers, recording.duration_seconds):
        return None
    merged = sorted(others + [_as_cue(r) for r in rows], key=lambda c: (c.start, c.end))
    if not merged:
        for row in rows or [Row(0, "", "", "", "")]:
            row.errors.append("A caption track needs at least one cue; remove the whole track instead.")
        return None
    label = LABEL if caption.label == AUTOMATIC_LABEL else caption.label
    try:
        return save_caption(recording, caption.language, label, to_vtt(merged), source=CaptionSource.EDITED)
    except CaptionError as exc:  # a cue the parser cannot read back (should not happen)
        rows[0].errors.append(f"The captions could not be saved: {exc.message}")
        return None


def to_vtt(cues: list[Cue]) -> bytes:
    blocks = ["WEBVTT"] + [f"{vtt_timestamp(c.start)} --> {vtt_timestamp(c.end)}\n{c.text}" for c in cues]
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def caption_version(caption: Caption) -> str:
    """Changes whenever the track's file is replaced (each save writes a new key)."""
    return caption.storage_key.rsplit("/", 1)[-1]


def split_row(row: Row) -> tuple[Row, Row]:
    """Two rows from one, cut between the middle words, times shared by length of text."""
    words = row.text.split()
    half = max(1, len(words) // 2)
    first, second = " ".join(words[:half]), " ".join(words[half:])
    start, end = row.start_s or 0.0, row.end_s or 0.0
    cut = start + (end - start) * len(first) / max(len(first) + len(second), 1)
    return (
        Row(row.index, cue_time(start), cue_time(cut), row.speaker, first),
        Row(row.index, cue_time(cut), cue_time(end), row.speaker, second or "…"),
    )
