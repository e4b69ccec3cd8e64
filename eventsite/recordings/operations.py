"""What can be done with recordings: find their panel, accept an original, announce it.

Views and CLI commands call these; none of them knows about HTTP.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from .. import signals
from ..events.models import Event, Panel
from ..extensions import db
from ..refusals import Refused
from ..storage import StorageError, media_store, recording_key
from ..transcode import MediaInfo, ProbeError, probe
from .models import Recording, RecordingStatus
from .upload_store import uploads_folder

#: Longest original file name we keep (it is display-only metadata).
MAX_FILENAME = 255
HASH_BLOCK = 1024 * 1024


class RecordingRefused(Refused):
    """An original we will not keep, with a message an organiser understands."""


def find_panel(ref: str, among: Callable[[Panel], bool] | None = None) -> Panel:
    """The panel named by ``ref``: an id, a panel slug, or ``EVENT/PANEL`` slugs.

    :param among: which panels count (an organiser's events): the others are as if they did
        not exist, in the "no such panel" and the "several events" answers alike, so neither
        names another event's draft.
    :raise RecordingRefused: no such panel, or a slug used by panels of several events.
    """
    ref = (ref or "").strip().strip("/")
    if ref.isascii() and ref.isdigit():
        panel = db.session.get(Panel, int(ref)) if len(ref) < 11 else None
        if panel is None or (among is not None and not among(panel)):
            raise RecordingRefused(f"There is no panel with id {ref}.")
        return panel
    event_slug, _, panel_slug = ref.rpartition("/")
    query = sa.select(Panel).where(Panel.slug == panel_slug)
    if event_slug:
        query = query.join(Panel.event).where(Event.slug == event_slug)
    panels = [panel for panel in db.session.scalars(query) if among is None or among(panel)]
    if not panels:
        raise RecordingRefused(f"There is no panel {ref!r}.")
    if len(panels) > 1:
        choices = ", ".join(sorted(f"{p.event.slug}/{p.slug}" for p in panels))
        raise RecordingRefused(f"Several events have a panel {ref!r}; name one of: {choices}.")
    return panels[0]


def clean_filename(name: str | None) -> str:
    """The uploader's file name made safe to show: no folders, no control characters, at most 255 characters.

    It is only ever displayed; stored files get names we choose.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot else ""
        name = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext if ext else name[:MAX_FILENAME]
    return name or "recording"


def file_sha256(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """Hex sha256 of a file, read in blocks (constant memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(HASH_BLOCK):
            digest.update(block)
            if progress:
                progress(len(block))
    return digest.hexdigest()


def extension_for(info: MediaInfo, path: Path) -> str:
    """File extension from the *detected* format, never from the uploader's name.

    ffmpeg picks demuxers by extension, so a name that tells the truth matters.
    """
    if info.demuxer == "mov":
        with path.open("rb") as fh:
            head = fh.read(12)
        if head[4:8] == b"ftyp" and head[8:12] == b"qt  ":
            return "mov"
        return "mp4" if info.video else "m4a"
    if info.demuxer == "matroska":
        webm = {"vp8", "vp9", "av1", "opus", "vorbis"}
        codecs = {s.codec for s in (info.video, info.audio) if s}
        return "webm" if codecs <= webm else "mkv"
    if info.demuxer == "ogg":
        return "ogv" if info.video else "ogg"
    if info.demuxer == "asf":
        return "wmv" if info.video else "wma"
    return {"mpegts": "ts", "mpeg": "mpg", "aiff": "aif"}.get(info.demuxer, info.demuxer)


def store_original(
    source: Path,
    panel: Panel,
    filename: str,
    *,
    sha256: str | None = None,
    upload_id: str | None = None,
) -> Recording:
    """Turn a finished file on this machine into a panel's Recording.

    The file is probed where it lies; if it is real audio/video it is moved
    (atomically, by rename) to ``recordings/<id>/original.<ext>`` and a
    Recording row records its size, sha256 and probe facts. Whatever
    happens, ``source`` does not survive: it is either moved into place or
    deleted.

    :raise RecordingRefused: the file is not audio/video we can read (the
        message says why in plain words), or it could not be stored.
    """
    store = media_store()
    try:
        try:
            info = probe(source, timeout=current_app.config["UPLOAD_PROBE_TIMEOUT"])
        except ProbeError as exc:
            raise RecordingRefused(exc.message) from exc
        size = source.stat().st_size
        sha256 = sha256 or file_sha256(source)
        recording = Recording(
            panel=panel,
            original_key="",
            original_filename=clean_filename(filename),
            size_bytes=size,
            sha256=sha256,
            duration_seconds=info.duration,
            probe=dataclasses.asdict(info),
            status=RecordingStatus.UPLOADED,
            upload_id=upload_id,
        )
        db.session.add(recording)
        db.session.flush()  # the id names the folder
        key = recording_key(recording.id, f"original.{extension_for(info, source)}")
        recording.original_key = key
        try:
            store.adopt(source, key)
            db.session.commit()
        except (StorageError, OSError, sa.exc.SQLAlchemyError) as exc:
            db.session.rollback()
            store.delete(key)
            raise RecordingRefused("We could not store this recording; please try again.") from exc
    finally:
        source.unlink(missing_ok=True)
    recording_uploaded(recording)
    return recording


def recording_for_upload(upload_id: str) -> Recording | None:
    """The Recording a finished tus upload became, if any."""
    return db.session.scalar(sa.select(Recording).where(Recording.upload_id == upload_id))


def recording_uploaded(recording: Recording) -> None:
    """Called once a new original is stored: announce it (the jobs package queues its transcode)."""
    signals.original_stored.send(recording)


def import_recording(source: Path, panel: Panel, progress: Callable[[int], None] | None = None) -> Recording:
    """Copy a file already on the server into the panel's recordings.

    The copy goes to the uploads folder first (hashing as it goes), then
    takes the same path as a finished upload; ``source`` is left alone.
    ``progress`` is called with the number of bytes copied by each block.

    :raise RecordingRefused: not audio/video, or it could not be stored.
    """
    target = uploads_folder() / f"{secrets.token_hex(16)}.import"
    digest = hashlib.sha256()
    try:
        with source.open("rb") as src, target.open("xb") as out:
            while block := src.read(HASH_BLOCK):
                out.write(block)
                digest.update(block)
                if progress:
                    progress(len(block))
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise RecordingRefused(f"We could not copy {source.name}: {exc.strerror or exc}.") from exc
    return store_original(target, panel, source.name, sha256=digest.hexdigest())
