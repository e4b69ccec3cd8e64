"""Partial tus uploads on disk: create, lock, expire, delete (appending is in upload_chunks).

Each upload is a few files in ``UPLOAD_ROOT`` (``MEDIA_ROOT/uploads`` unless set):

- ``<id>``       the bytes received so far; its size *is* the upload offset,
  so the offset can never disagree with the data and never moves backwards;
- ``<id>.info``  JSON written once, atomically, at creation (length, metadata,
  owner);
- ``<id>.lock``  with the ``file`` lock back-end, the file the writing request
  holds an ``flock`` on;
- ``<id>.chunk`` a chunk with a checksum, until it is verified (see :mod:`.upload_chunks`).

Partial uploads need appends and ``fsync``, which only a file system gives, so
they never go to object storage: a finished upload is handed to the media store
(:meth:`~eventsite.storage.MediaStore.adopt`). ``UPLOAD_ROOT`` is a folder on each
web node, or one they share (NFS) so that any node can take any upload's next
PATCH; the lock (:mod:`eventsite.locks`) holds across nodes either way. Nothing
here knows about HTTP.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from ..config import upload_root
from ..locks import LockUnavailable, app_locks

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


class UploadLockUnavailable(UploadError):
    status = 503


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
        # Open, then fstat: opening makes an NFS client fetch fresh attributes
        # (close-to-open), so a node sees what another node appended a moment ago.
        with self.data_path.open("rb") as data:
            return os.fstat(data.fileno()).st_size

    def expires_at(self, expires_seconds: int) -> float:
        """Epoch seconds after which the upload is purged: last write + the expiry period."""
        return self.data_path.stat().st_mtime + expires_seconds

    def is_expired(self, expires_seconds: int, now: float | None = None) -> bool:
        return (now or time.time()) > self.expires_at(expires_seconds)


def uploads_folder() -> Path:
    """The folder of partial uploads of the current app (``UPLOAD_ROOT``)."""
    folder = upload_root(current_app.config)
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

    The lock is the app's (:mod:`eventsite.locks`): a Redis lease or a
    PostgreSQL advisory lock holds across web nodes; the ``file`` back-end's
    ``flock`` on ``<id>.lock`` holds between the processes of one machine.

    :raise UploadLocked: another request holds it (423).
    :raise UploadLockUnavailable: the lock's server cannot be reached (503).
    :raise UploadNotFound: the upload was finished or deleted meanwhile.
    """
    try:
        held = app_locks().acquire(upload.id)
    except LockUnavailable as exc:
        current_app.logger.error("upload %s: %s", upload.id, exc)
        raise UploadLockUnavailable("Uploads are paused for a moment on our side; try again shortly.") from exc
    if held is None:
        raise UploadLocked("Another request is writing to this upload; try again shortly.")
    try:
        if not upload.info_path.exists():
            raise UploadNotFound("No such upload.")
        # A chunk left here belongs to a request that died before verifying it.
        upload.chunk_path.unlink(missing_ok=True)
        yield
    finally:
        held.release()


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
