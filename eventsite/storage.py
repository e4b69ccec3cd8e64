"""One interface for every stored file: uploads, originals, renditions, portraits.

Rows keep a storage *key* (a relative POSIX path such as
``recordings/12/original.mp4``), never an absolute path, so the back-end can
change (local folder today, S3-compatible object storage later) without
touching callers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import Flask, current_app


class StorageError(Exception):
    """Any storage failure, with a message a person can act on."""


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative path, else raise StorageError.

    Keys are made by our code, but we still refuse anything that could step
    outside the media root: absolute paths, ``..``, backslashes, NUL bytes.
    """
    if not key or "\\" in key or "\x00" in key:
        raise StorageError(f"Invalid storage key {key!r}.")
    parts = PurePosixPath(key).parts
    if key.startswith("/") or any(p in ("..", ".", "") for p in parts) or len(parts) != len(key.split("/")):
        raise StorageError(f"Invalid storage key {key!r}.")
    return key


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalMediaStore:
    """Files under one folder on this machine (or a shared mount)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        """Absolute path of ``key`` on this machine (for ffmpeg and sendfile)."""
        return self.root / check_key(key)

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except OSError as exc:
            raise StorageError(f"Stored file {key} is missing.") from exc

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except OSError as exc:
            raise StorageError(f"Stored file {key} could not be opened.") from exc

    def save(self, key: str, stream: BinaryIO, chunk_size: int = 1024 * 1024) -> int:
        """Write ``stream`` to ``key`` atomically; return the number of bytes."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        written = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(chunk_size):
                    out.write(chunk)
                    written += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StorageError(f"Could not store {key}: {exc.strerror or exc}.") from exc
        return written

    def save_bytes(self, key: str, data: bytes) -> int:
        import io

        return self.save(key, io.BytesIO(data))

    def adopt(self, local_path: str | os.PathLike, key: str) -> None:
        """Move a finished file already on this machine into ``key``.

        A rename on the same file system is atomic and costs nothing, which
        matters for multi-gigabyte uploads; across devices we copy then rename.
        """
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(local_path, target)
        except OSError:
            with open(local_path, "rb") as src:
                self.save(key, src)
            os.unlink(local_path)
        _fsync_dir(target.parent)

    def delete(self, key: str) -> None:
        """Remove a file, or a whole folder of files (e.g. a rendition set)."""
        target = self.path(key)
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)

    def iter_keys(self, prefix: str) -> Iterator[str]:
        base = self.path(prefix)
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file():
                    yield p.relative_to(self.root).as_posix()


#: Back-ends by name, chosen with ``EVENTSITE_STORAGE`` (only "local" so far).
BACKENDS = {"local": LocalMediaStore}


def init_app(app: Flask) -> None:
    """Create the configured store and keep it on the app."""
    backend = BACKENDS[app.config.get("STORAGE", "local")]
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    app.extensions["media_store"] = backend(app.config["MEDIA_ROOT"])


def media_store() -> LocalMediaStore:
    """The store of the current app."""
    return current_app.extensions["media_store"]
