"""Partial tus uploads on disk: create, lock, expire, delete (appending is in upload_chunks).

Each upload is a few files in ``uploads/`` of the media store:

- ``<id>``       the bytes received so far; its size *is* the upload offset,
  so the offset can never disagree with the data and never moves backwards;
- ``<id>.info``  JSON written once, atomically, at creation (length, metadata,
  owner);
- ``<id>.lock``  an empty file the request that writes holds an ``flock`` on;
- ``<id>.chunk`` a chunk with a checksum, until it is verified (see :mod:`.upload_chunks`).

Partial uploads need appends, ``fsync`` and ``flock``, which only a local (or
shared POSIX) file system gives, so this module works on paths from the local
media store. Nothing here knows about HTTP.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..storage import media_store

#: Server-made upload ids: 128 random bits as lower-case hex, nothing else.
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


class UploadError(Exception):
    """A tus request we refuse; ``status`` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UploadNotFound(UploadError):
    status = 404


class UploadGone(UploadError):
    status = 410


class OffsetMismatch(UploadError):
    status = 409


class UploadLocked(UploadError):
    status = 423


class UploadTooLarge(UploadError):
    status = 413


class ChecksumMismatch(UploadError):
    status = 460


class UploadStorageFull(UploadError):
    status = 507


@dataclass
class Upload:
    """One partial upload in ``folder``."""

    id: str
    length: int
    organiser_id: int
    metadata: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0
    folder: Path = Path()

    @property
    def data_path(self) -> Path:
        return self.folder / self.id

    @property
    def info_path(self) -> Path:
        return self.folder / f"{self.id}.info"

    @property
    def lock_path(self) -> Path:
        return self.folder / f"{self.id}.lock"

    @property
    def chunk_path(self) -> Path:
        """Where a chunk with a checksum waits until it is verified."""
        return self.folder / f"{self.id}.chunk"

    @property
    def offset(self) -> int:
        return self.data_path.stat().st_size

    def expires_at(self, expires_seconds: int) -> float:
        """Epoch seconds after which the upload is purged: last write + the expiry period."""
        return self.data_path.stat().st_mtime + expires_seconds

    def is_expired(self, expires_seconds: int, now: float | None = None) -> bool:
        return (now or time.time()) > self.expires_at(expires_seconds)


def uploads_folder() -> Path:
    """The folder of partial uploads in the current app's media store."""
    folder = media_store().path("uploads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_upload_id(upload_id: str) -> str:
    """Return ``upload_id`` if we could have made it; anything else is not found.

    This runs before the id comes anywhere near a path, so ``../``, encoded
    slashes or absolute paths never reach the file system.
    """
    if not UPLOAD_ID.fullmatch(upload_id or ""):
        raise UploadNotFound("No such upload.")
    return upload_id


def create_upload(folder: Path, length: int, organiser_id: int, metadata: dict[str, str]) -> Upload:
    """Make an empty upload with a fresh random id."""
    upload = Upload(
        id=secrets.token_hex(16),
        length=length,
        organiser_id=organiser_id,
        metadata=metadata,
        created_at=time.time(),
        folder=folder,
    )
    upload.data_path.touch(exist_ok=False)
    info = {k: getattr(upload, k) for k in ("id", "length", "organiser_id", "metadata", "created_at")}
    # The info file appears atomically, so a reader sees all of it or none.
    tmp = upload.folder / f".{upload.id}.info.tmp"
    with tmp.open("w") as fh:
        json.dump(info, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, upload.info_path)
    return upload


def load_upload(folder: Path, upload_id: str) -> Upload:
    """The upload with this id.

    :raise UploadNotFound: unknown, malformed or deleted id.
    """
    check_upload_id(upload_id)
    try:
        info = json.loads((folder / f"{upload_id}.info").read_text())
        upload = Upload(folder=folder, **info)
        upload.offset  # noqa: B018  (the data file must exist too)
    except (OSError, ValueError, TypeError) as exc:
        raise UploadNotFound("No such upload.") from exc
    return upload


@contextlib.contextmanager
def upload_lock(upload: Upload) -> Iterator[None]:
    """Hold the upload's lock for one request, or raise :class:`UploadLocked`.

    ``flock`` works between threads and processes of one machine, which is
    what gunicorn gives us. Web servers on several machines sharing one media
    folder need a shared lock instead (a Redis ``SET NX PX`` lease renewed
    while the PATCH runs, or a PostgreSQL advisory lock): ``flock`` over NFS
    is not reliable.
    """
    fd = os.open(upload.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadLocked("Another request is writing to this upload; try again shortly.") from None
        if not upload.info_path.exists():
            raise UploadNotFound("No such upload.")
        # A chunk left here belongs to a request that died before verifying it.
        upload.chunk_path.unlink(missing_ok=True)
        yield
    finally:
        os.close(fd)


def delete_upload(upload: Upload) -> None:
    """Remove every file of the upload (call with its lock held, or when it is expired)."""
    for path in (upload.info_path, upload.data_path, upload.chunk_path, upload.lock_path):
        path.unlink(missing_ok=True)


def purge_expired_uploads(folder: Path, expires_seconds: int, now: float | None = None) -> int:
    """Delete unfinished uploads whose last write is older than the expiry period.

    Uploads being written right now are skipped (their lock is held). Stray
    temporary files older than the period go too. Returns how many uploads
    were removed.
    """
    now = now or time.time()
    removed = 0
    for info_path in folder.glob("*.info"):
        try:
            upload = load_upload(folder, info_path.name.removesuffix(".info"))
            if not upload.is_expired(expires_seconds, now):
                continue
            with upload_lock(upload):
                delete_upload(upload)
            removed += 1
        except UploadError:
            continue
    for path in folder.iterdir():
        stem = path.name.split(".")[0] or path.name.split(".")[1]
        orphan = not (folder / f"{stem}.info").exists()
        with contextlib.suppress(OSError):
            if orphan and path.stat().st_mtime + expires_seconds < now:
                path.unlink()
    return removed
