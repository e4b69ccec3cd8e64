"""Caption files: SubRip or WebVTT in, clean WebVTT out, one file per language.

Organisers bring captions from many tools, so the reader is forgiving where
players are (a byte-order mark, Windows line ends, a missing blank line
between cues, more than 99 hours) and strict where a guess would show the
wrong words at the wrong time: anything else is refused with its line number.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from .. import signals
from ..extensions import db
from ..storage import StorageError, media_store, recording_key
from ..times import vtt_timestamp
from .line_errors import LineError
from .models import Caption, CaptionSource, Recording

#: Largest caption file accepted; a three-hour panel's captions are about 300 kB.
MAX_CAPTION_BYTES = 2 * 1024 * 1024

_TIME = r"(?:(\d+):)?([0-5]\d):([0-5]\d)[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+(.*))?\s*$")
_LOOSE_TIMING = re.compile(r"-->")
_SSA_TAG = re.compile(r"\{\\[^}]*\}")
#: Tags WebVTT knows and players render; others (``<font>``…) are dropped.
_KEPT_TAG = re.compile(r"</?(?:b|i|u)>|<v(?:\.[\w.-]+)?[ \t][^<>&]{1,100}>|</v>", re.IGNORECASE)
#: A WebVTT voice span's start: who says the cue (``<v Gemma Went>``).
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]([^<>]{1,100})>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


class CaptionError(LineError):
    """A caption file we refuse, with the line that made us refuse it."""


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str

    @property
    def voice(self) -> str:
        """Who says the cue, from its WebVTT voice span; "" when it names nobody."""
        match = _VOICE.search(self.text)
        return unescape(match.group(1)).strip() if match else ""

    def revoiced(self, voice: str) -> Cue:
        """The same cue said by ``voice`` (a name safe inside ``<v …>``): the old voice spans go."""
        words = _VOICE.sub("", self.text).replace("</v>", "")
        return Cue(self.start, self.end, f"<v {voice}>{words}" if voice else words)

    @property
    def plain_text(self) -> str:
        """The words alone, for the transcript and search engines."""
        return unescape(_ANY_TAG.sub("", self.text)).replace("\n", " ")


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, millis = groups
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000


def unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0").replace("&amp;", "&")
    )  # &amp; last, so "&amp;lt;" stays "&lt;"


def _clean_text(text: str) -> str:
    """Cue text made valid WebVTT: SSA overrides and unknown tags gone, ``&``/``<`` escaped."""
    text = _SSA_TAG.sub("", text).replace("-->", "→")
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        tag = match.group(0)
        # Voice names keep their case; <B> and </V> become <b> and </v>.
        kept.append(tag if _VOICE.fullmatch(tag) else tag.lower())
        return f"\x00{len(kept) - 1}\x00"

    text = _KEPT_TAG.sub(keep, text)
    text = _ANY_TAG.sub("", text)
    text = re.sub(r"&(?!(?:amp|lt|gt|nbsp|lrm|rlm|#\d+|#x[0-9a-fA-F]+);)", "&amp;", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text).strip()


def _decode(data: bytes) -> list[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CaptionError("the file is not UTF-8 text; save it as UTF-8 and upload it again.", line) from None
    if "\x00" in text:
        raise CaptionError(
            "the file contains NUL bytes; it is not a caption file.", text[: text.index("\x00")].count("\n") + 1
        )
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _timing(line: str, number: int) -> tuple[float, float]:
    match = _TIMING.match(line)
    if not match:
        raise CaptionError("this time range is not valid; write it like 00:01:02,500 --> 00:01:05,000.", number)
    start, end = _seconds(match.groups()[0:4]), _seconds(match.groups()[4:8])
    if end < start:
        raise CaptionError("the cue ends before it starts.", number)
    return start, end


def parse_captions(data: bytes) -> list[Cue]:
    """The cues of a SubRip (.srt) or WebVTT (.vtt) file, sorted by start time.

    Overlapping cues are kept (two people talking at once is real); they are
    only sorted, because WebVTT wants start times in order.

    :raise CaptionError: not text, a malformed block, or no cues at all.
    """
    lines = _decode(data)
    is_vtt = lines[0].startswith("WEBVTT")
    if is_vtt and len(lines[0]) > 6 and lines[0][6] not in " \t":
        raise CaptionError("a WebVTT file must start with the word WEBVTT on its own.", 1)
    cues: list[Cue] = []
    i = 1 if is_vtt else 0
    if is_vtt:  # the header runs to the first blank line
        while i < len(lines) and lines[i].strip():
            i += 1
    text: list[str] | None = None
    start = end = 0.0

    def close() -> None:
        nonlocal text
        if text is not None and any(t.strip() for t in text):
            cues.append(Cue(start, end, _clean_text("\n".join(t.rstrip() for t in text))))
        text = None

    while i < len(lines):
        line, number = lines[i], i + 1
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not line.strip():
            close()
        elif _LOOSE_TIMING.search(line):
            # A time range always starts a cue, even without the blank line before it.
            close()
            start, end = _timing(line, number)
            text = []
        elif _LOOSE_TIMING.search(nxt) and (text is None or line.strip().isdigit()):
            close()  # a cue number (SRT) or identifier (WebVTT) before its time range
        elif text is not None:
            text.append(line)
        elif line.strip().isdigit() and not is_vtt:
            raise CaptionError("expected a time range after the cue number.", number + 1)
        elif is_vtt and re.match(r"^(NOTE|STYLE|REGION)\b", line):
            while i < len(lines) and lines[i].strip():  # skip the whole block
                i += 1
            continue
        else:
            raise CaptionError("expected a cue number or a time range such as 00:00:01,000 --> 00:00:04,000.", number)
        i += 1
    close()
    if not cues:
        raise CaptionError("the file has no captions in it.")
    return sorted(cues, key=lambda c: (c.start, c.end))


def to_webvtt(cues: list[Cue]) -> str:
    """A WebVTT document for ``cues``."""
    blocks = ["WEBVTT"]
    for cue in cues:
        blocks.append(f"{vtt_timestamp(cue.start)} --> {vtt_timestamp(cue.end)}\n{cue.text}")
    return "\n\n".join(blocks) + "\n"


def convert_to_webvtt(data: bytes) -> str:
    """SubRip or WebVTT bytes → clean WebVTT text.

    :raise CaptionError: see :func:`parse_captions`.
    """
    return to_webvtt(parse_captions(data))


def clean_cue_text(text: str) -> str:
    """Typed cue text made valid WebVTT (see :func:`_clean_text`): the caption editor's way in."""
    return _clean_text(text)


def save_caption(
    recording: Recording,
    language: str,
    label: str,
    data: bytes,
    *,
    source: CaptionSource = CaptionSource.UPLOADED,
    voices_from_timeline: bool = False,
) -> Caption:
    """Store a caption file for ``recording``, replacing the one in the same language.

    :param source: where the words came from (an upload, recognition, alignment, the editor).
    :param voices_from_timeline: the cues' voices were taken from the speech timeline (they follow its corrections).
    :raise CaptionError: too big, not a caption file we can read, or a label with markup.
    """
    if "<" in label or ">" in label:
        # Plyr puts track labels into its captions menu with innerHTML.
        raise CaptionError("the name in the menu cannot contain < or >.")
    if len(data) > MAX_CAPTION_BYTES:
        raise CaptionError(f"the file is larger than {MAX_CAPTION_BYTES // 1024 // 1024} MB.")
    vtt = convert_to_webvtt(data)
    # A new name each time, so players and caches never mix an old file with a new one.
    key = recording_key(recording.id, "captions", f"{language}-{secrets.token_hex(4)}.vtt")
    media_store().save_bytes(key, vtt.encode())
    for old in db.session.scalars(
        sa.select(Caption).where(Caption.recording_id == recording.id, Caption.language == language)
    ):
        delete_caption(old, commit=False)
    caption = Caption(
        recording_id=recording.id,
        language=language,
        label=label,
        storage_key=key,
        source=source,
        voices_from_timeline=voices_from_timeline,
    )
    db.session.add(caption)
    db.session.commit()
    signals.captions_changed.send(recording)
    return caption


def delete_caption(caption: Caption, *, commit: bool = True) -> None:
    """Remove a caption row and its file."""
    recording = db.session.get(Recording, caption.recording_id)
    media_store().delete(caption.storage_key)
    db.session.delete(caption)
    if commit:
        db.session.commit()
        signals.captions_changed.send(recording)


def captions_of(recording: Recording) -> list[Caption]:
    """The recording's captions, by language."""
    return list(
        db.session.scalars(sa.select(Caption).where(Caption.recording_id == recording.id).order_by(Caption.language))
    )


def public_captions_of(recording: Recording) -> list[Caption]:
    """The captions the public may see: all, but unchecked automatic ones when the panel keeps drafts in the studio."""
    captions = captions_of(recording)
    if recording.panel.drafts_public:
        return captions
    return [c for c in captions if c.source is not CaptionSource.AUTOMATIC]


def read_cues(caption: Caption) -> list[Cue]:
    """The cues of a stored caption; an unreadable file gives none rather than a broken page."""
    try:
        with media_store().open(caption.storage_key) as fh:
            return parse_captions(fh.read())
    except (StorageError, CaptionError):
        return []
