"""One interface for every stored file: uploads, originals, renditions, portraits.

Rows keep a storage *key* (a relative POSIX path such as
``recordings/12/original.mp4``), never an absolute path, so the back-end can
change without touching callers. Two back-ends implement :class:`MediaStore`:

- :class:`LocalMediaStore`: files under ``MEDIA_ROOT`` on this machine (or a
  shared mount);
- :class:`S3MediaStore`: objects in one bucket of any S3-compatible service
  (MinIO, Garage, Ceph RGW, AWS S3, Cloudflare R2), through boto3.

Code that needs a file on disk (ffmpeg) asks for :meth:`MediaStore.local_copy`;
code that writes a folder of files (a rendition set) builds it in
:meth:`MediaStore.work_dir` and hands it to :meth:`MediaStore.publish_dir`
(see :mod:`eventsite.recordings.rendition_sets`). Only serving uses local paths,
through :meth:`LocalMediaStore.path`.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import socket
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import Flask, current_app

# The atomic folder swap the transcoder has always published with (pure, stdlib only).
from .transcode.publish import publish_directory


class StorageError(Exception):
    """Any storage failure, with a message a person can act on."""


class StorageConfigError(RuntimeError):
    """The storage settings cannot work; raised at start-up with what to change."""


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


#: The top folder of every recording's files; below ``<id>/`` the folder names say what a
#: file is (original, renditions/<set>, clips/<view>, captions, transcripts, samples), and
#: the media route reads the audience from them (recordings/audience.py).
RECORDINGS_FOLDER = "recordings"


def recording_key(recording_id: int, *parts: str) -> str:
    """``recordings/<id>/<parts…>``: where a recording's files live (no parts: its folder)."""
    return "/".join((RECORDINGS_FOLDER, str(recording_id), *parts))


#: The top folder of each person's images (portrait, bird artwork, drawn birds), one folder per person.
PEOPLE_FOLDER = "people"


def person_key(panelist_id: int, *parts: str) -> str:
    """``people/<id>/<parts…>``: where a person's images live (no parts: their folder)."""
    return "/".join((PEOPLE_FOLDER, str(panelist_id), *parts))


def key_owner(key: str) -> tuple[str, str] | None:
    """``(RECORDINGS_FOLDER or PEOPLE_FOLDER, the id as written)`` for a file inside a
    recording's or a person's folder; None for any other key. Callers read the id with
    ``database.row_id``, which refuses what cannot be a row."""
    parts = PurePosixPath(key).parts
    if len(parts) < 3 or parts[0] not in (RECORDINGS_FOLDER, PEOPLE_FOLDER):
        return None
    return parts[0], parts[1]


#: Object storage with a public URL: the one folder a bucket policy opens to everyone.
#: It holds copies of the files the public may see right now (``public/<key>``), made
#: when the app first sends a visitor to one and removed when that file stops being
#: public (recordings/public_copies.py); every other key is private to the app, so a
#: key worked out from a public URL opens nothing the public may not see.
PUBLIC_FOLDER = "public"


def public_copy_key(key: str) -> str:
    """Where the public copy of ``key`` lives (``public/<key>``)."""
    return f"{PUBLIC_FOLDER}/{check_key(key)}"


def is_public_copy(key: str) -> bool:
    """Whether ``key`` is itself a public copy."""
    return key.startswith(PUBLIC_FOLDER + "/")


#: Types by extension; written out rather than read from the system's mime.types,
#: which varies between machines and lacks m3u8/m4s on many.
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".m4a": "audio/mp4",
    ".m4s": "video/iso.segment",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".ts": "video/mp2t",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".mov": "video/quicktime",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".json": "application/json",
}


def content_type_for(key: str) -> str:
    """The Content-Type for a stored file, by its extension."""
    return CONTENT_TYPES.get(PurePosixPath(key).suffix.lower(), "application/octet-stream")


#: Folders being built by a job (see :meth:`MediaStore.work_dir`); never part of a published set.
WORK_PREFIX = ".work-"
#: This machine's temporary folders of the S3 store (local copies, work folders):
#: ``eventsite-<kind>-<host>-<pid>-…``, so one whose process died can be told from one in use.
TEMP_NAME = re.compile(r"eventsite-(?:media|work)-(?P<host>[^/]+)-(?P<pid>\d+)-[^-]+")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())


def temp_prefix(kind: str) -> str:
    """The ``mkdtemp`` prefix of a temporary folder of this process (see :func:`sweep_orphaned_temp`)."""
    return f"eventsite-{kind}-{_host()}-{os.getpid()}-"


def sweep_orphaned_temp(folder: str | os.PathLike | None = None) -> int:
    """Remove this machine's S3 temporary folders whose process has died; return how many.

    A worker killed mid-job (SIGKILL, out of memory, a machine reset) leaves its
    local copy of the original and its half-built renditions behind; the worker
    sweeps them when it starts. Folders of live processes, and of other machines
    sharing the folder, are kept.
    """
    host = _host()
    removed = 0
    for path in Path(folder or tempfile.gettempdir()).iterdir():
        match = TEMP_NAME.fullmatch(path.name)
        if not match or match["host"] != host or not path.is_dir() or _alive(int(match["pid"])):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process
        return True
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _files_under(folder: Path) -> list[tuple[Path, str]]:
    """Every file below ``folder`` with its relative POSIX name, sorted by name."""
    return sorted(
        ((p, p.relative_to(folder).as_posix()) for p in folder.rglob("*") if p.is_file()), key=lambda item: item[1]
    )


class MediaStore(ABC):
    """What callers may do with stored files; nothing here assumes a file system.

    Keys name files; a *prefix* (``recordings/12/renditions``) names every key
    below it, like a folder.
    """

    #: Name of the back-end in ``EVENTSITE_STORAGE``.
    name: str
    #: Where the files are (a folder or ``s3://bucket``), e.g. as part of a cache key.
    location: str

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def size(self, key: str) -> int:
        """Size in bytes. :raise StorageError: missing."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A seekable binary stream read on demand (never loaded whole). :raise StorageError: missing."""

    @abstractmethod
    def save(self, key: str, stream: BinaryIO) -> int:
        """Store ``stream`` under ``key`` (readers see the old file or the new one, never a part);
        return the number of bytes."""

    def save_bytes(self, key: str, data: bytes) -> int:
        return self.save(key, io.BytesIO(data))

    @abstractmethod
    def adopt(self, local_path: str | os.PathLike, key: str) -> None:
        """Move a finished file on this machine into ``key`` (the local file is gone afterwards)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``, and every key below it when it names a folder (a rendition set).
        Missing keys are no error."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Remove every key below ``prefix``; return how many files went."""

    @abstractmethod
    def iter_keys(self, prefix: str) -> Iterator[str]:
        """Keys below ``prefix``, sorted."""

    @abstractmethod
    def local_copy(self, key: str) -> contextlib.AbstractContextManager[Path]:
        """A context manager yielding a path on this machine holding ``key`` (read-only use).

        Local: the stored file itself; S3: a downloaded temporary file, removed on exit.
        """

    @abstractmethod
    def publish_dir(self, local_dir: str | os.PathLike, prefix: str) -> None:
        """Make the finished folder ``local_dir`` the content of ``prefix``, replacing what was there.

        ``local_dir`` is consumed (moved or uploaded, then removed).
        """

    @abstractmethod
    def work_dir(self, near: str) -> contextlib.AbstractContextManager[Path]:
        """A context manager yielding an empty folder on this machine for building files
        that will be published below ``near`` (a prefix); it is removed on exit.

        Local: inside the media root next to ``near``, so publishing is a rename;
        S3: in the system's temporary folder.
        """

    def children(self, prefix: str) -> set[str]:
        """Names of the files and "folders" directly below ``prefix``."""
        start = len(check_key(prefix.rstrip("/"))) + 1
        return {key[start:].split("/", 1)[0] for key in self.iter_keys(prefix)}

    def url_for_public(self, key: str) -> str | None:
        """The URL of ``key``'s public copy (``public/<key>`` below a CDN or a public bucket's
        URL), or None where the store has no public URL. The copy may not exist yet:
        :meth:`copy` makes it."""
        return None

    def copy(self, key: str, target: str) -> None:
        """Store a copy of ``key`` under ``target`` (on S3 the bucket copies it, no bytes pass here).

        :raise StorageError: ``key`` is missing.
        """
        with self.open(key) as stream:
            self.save(target, stream)

    def withdraw_public_copies(self, prefix: str, still_public) -> int:
        """Remove the public copies below ``prefix`` whose file ``still_public(key)`` refuses
        (``key`` is the file's own key); return how many went."""
        stale = [
            copy
            for copy in self.iter_keys(public_copy_key(prefix))
            if not still_public(copy.removeprefix(PUBLIC_FOLDER + "/"))
        ]
        for copy in stale:
            self.delete(copy)
        return len(stale)

    def presigned_url(self, key: str, seconds: int, content_type: str | None = None) -> str | None:
        """A URL that fetches ``key`` for ``seconds``, or None where the back-end has none."""
        return None

    def check(self) -> None:
        """Raise StorageConfigError when the store is unusable (called at start-up)."""
        return None

    def media_origins(self) -> list[str]:
        """Origins other than the site's that ``/media/`` redirects browsers to (for the CSP)."""
        return []


class LocalMediaStore(MediaStore):
    """Files under one folder on this machine (or a shared mount)."""

    name = "local"

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).resolve()
        self.location = str(self.root)

    def path(self, key: str) -> Path:
        """Absolute path of ``key`` on this machine (local back-end only: sendfile, X-Accel)."""
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

    def delete_prefix(self, prefix: str) -> int:
        target = self.path(prefix)
        if not target.is_dir():
            return 0
        count = sum(1 for p in target.rglob("*") if p.is_file())
        shutil.rmtree(target, ignore_errors=True)
        return count

    def iter_keys(self, prefix: str) -> Iterator[str]:
        base = self.path(prefix)
        if base.is_dir():
            for _path, name in _files_under(base):
                yield f"{prefix.rstrip('/')}/{name}"

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        path = self.path(key)
        if not path.is_file():
            raise StorageError(f"Stored file {key} is missing.")
        yield path

    @contextlib.contextmanager
    def work_dir(self, near: str) -> Iterator[Path]:
        parent = self.path(near)
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=parent, prefix=WORK_PREFIX))
        try:
            # mkdtemp makes it 0700, which would hide a published set from nginx running as another user
            os.chmod(folder, 0o755)  # noqa: S103
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def children(self, prefix: str) -> set[str]:
        folder = self.path(prefix)
        # work folders of a run that died are children too, so sweeping a prefix removes them
        return {p.name for p in folder.iterdir()} if folder.is_dir() else set()

    def publish_dir(self, local_dir: str | os.PathLike, prefix: str) -> None:
        """Swap the folder in atomically (``renameat2``), as the transcoder always has.

        A folder on another file system is first copied beside the target.
        """
        source = Path(local_dir)
        final = self.path(prefix)
        final.parent.mkdir(parents=True, exist_ok=True)
        if os.stat(source).st_dev != os.stat(final.parent).st_dev:
            staged = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.new-"))
            shutil.copytree(source, staged, dirs_exist_ok=True)
            shutil.rmtree(source, ignore_errors=True)
            source = staged
        publish_directory(source, final)


class S3ReadStream(io.RawIOBase):
    """A seekable read-only view of one object: each read continues one ranged
    ``GetObject`` stream, and a seek starts a new one at the next read."""

    def __init__(self, client, bucket: str, key: str, size: int) -> None:
        self._client, self._bucket, self._key, self._size = client, bucket, key, size
        self._pos = 0
        self._body = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        position = max(0, base + offset)
        if position != self._pos:
            self._drop_body()
            self._pos = position
        return self._pos

    def readinto(self, buffer) -> int:
        if self._pos >= self._size or len(buffer) == 0:
            return 0
        if self._body is None:
            answer = self._client.get_object(Bucket=self._bucket, Key=self._key, Range=f"bytes={self._pos}-")
            self._body = answer["Body"]
        data = self._body.read(min(len(buffer), self._size - self._pos))
        if not data:
            raise StorageError(f"Stored file {self._key} ended early.")
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop_body()
        super().close()


class _CountingReader:
    """Wraps a stream to count the bytes boto3 reads from it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        return data


class S3MediaStore(MediaStore):
    """Objects in one bucket of an S3-compatible service.

    Uploads above :attr:`MULTIPART_BYTES` go in parts (boto3's managed
    transfer); reads are ranged ``GetObject`` streams; listings are paginated
    and deletes go in batches of 1,000 keys (the API's limit).
    """

    name = "s3"
    MULTIPART_BYTES = 16 * 1024 * 1024
    DELETE_BATCH = 1000

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        public_url: str | None = None,
    ) -> None:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.location = f"s3://{bucket}"
        self.public_url = public_url.rstrip("/") + "/" if public_url else None
        self._session = boto3.session.Session(
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            region_name=region or None,
        )
        self.client = self._session.client(
            "s3",
            endpoint_url=endpoint_url or None,
            config=BotoConfig(
                signature_version="s3v4",
                # path-style works on every S3-compatible service; virtual hosts need DNS per bucket
                s3={"addressing_style": "path"},
                retries={"max_attempts": 5, "mode": "standard"},
            ),
        )
        self.transfer = TransferConfig(
            multipart_threshold=self.MULTIPART_BYTES, multipart_chunksize=self.MULTIPART_BYTES, max_concurrency=4
        )

    def check(self) -> None:
        if self._session.get_credentials() is None:
            raise StorageConfigError(
                "EVENTSITE_STORAGE=s3 needs credentials: set EVENTSITE_S3_ACCESS_KEY_ID and "
                "EVENTSITE_S3_SECRET_ACCESS_KEY (or give the machine an AWS role)."
            )

    @staticmethod
    def _extra(key: str) -> dict[str, str]:
        # The type is stored with the object, so the bucket or a CDN serves it right.
        return {"ContentType": content_type_for(key)}

    def _error(self, exc: Exception, key: str, doing: str) -> StorageError:
        return StorageError(f"Could not {doing} {key} in bucket {self.bucket}: {exc}.")

    @staticmethod
    def _missing(exc: Exception) -> bool:
        from botocore.exceptions import ClientError

        if not isinstance(exc, ClientError):
            return False
        code = str(exc.response.get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except StorageError:
            return False
        return True

    def size(self, key: str) -> int:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=check_key(key))["ContentLength"])
        except (ClientError, BotoCoreError) as exc:
            if self._missing(exc):
                raise StorageError(f"Stored file {key} is missing.") from exc
            raise self._error(exc, key, "read") from exc

    def open(self, key: str) -> BinaryIO:
        return io.BufferedReader(S3ReadStream(self.client, self.bucket, key, self.size(key)), 1024 * 1024)

    def save(self, key: str, stream: BinaryIO) -> int:
        count = self._upload(key, stream)
        self._delete_keys([public_copy_key(key)])  # a new poster in place: the public copy is made again
        return count

    def _upload(self, key: str, stream: BinaryIO) -> int:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        counting = _CountingReader(stream)
        try:
            self.client.upload_fileobj(
                counting, self.bucket, check_key(key), ExtraArgs=self._extra(key), Config=self.transfer
            )
        except (ClientError, BotoCoreError, S3UploadFailedError) as exc:
            raise self._error(exc, key, "store") from exc
        return counting.count

    def adopt(self, local_path: str | os.PathLike, key: str) -> None:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.upload_file(
                os.fspath(local_path), self.bucket, check_key(key), ExtraArgs=self._extra(key), Config=self.transfer
            )
        except (ClientError, BotoCoreError, S3UploadFailedError) as exc:
            raise self._error(exc, key, "store") from exc
        self._delete_keys([public_copy_key(key)])  # a clip drawn again: the public copy is made again
        os.unlink(local_path)

    def delete(self, key: str) -> None:
        self._delete_keys([check_key(key)])  # the file, if it is one, and its public copy
        self.delete_prefix(key)  # a "folder" key (a rendition set) takes its files with it

    def delete_prefix(self, prefix: str) -> int:
        keys = list(self.iter_keys(prefix))
        # public copies whose own file went earlier (by another route) go with the prefix too
        orphans = [] if is_public_copy(prefix) else list(self.iter_keys(public_copy_key(prefix.rstrip("/"))))
        self._delete_keys(keys + orphans)
        return len(keys)

    def _delete_keys(self, keys: list[str]) -> int:
        """Delete ``keys`` in batches, each with its public copy: a copy never outlives its file."""
        from botocore.exceptions import BotoCoreError, ClientError

        count = len(keys)
        keys = list(dict.fromkeys(keys + [public_copy_key(k) for k in keys if not is_public_copy(k)]))
        for start in range(0, len(keys), self.DELETE_BATCH):
            batch = keys[start : start + self.DELETE_BATCH]
            try:
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
                )
            except (ClientError, BotoCoreError) as exc:
                raise self._error(exc, batch[0], "delete") from exc
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise StorageError(f"Could not delete {first.get('Key')}: {first.get('Message')}.")
        return count

    def iter_keys(self, prefix: str) -> Iterator[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        folder = check_key(prefix.rstrip("/")) + "/"
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=folder):
                for item in page.get("Contents", []):
                    yield item["Key"]
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, prefix, "list") from exc

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        from botocore.exceptions import BotoCoreError, ClientError

        folder = Path(tempfile.mkdtemp(prefix=temp_prefix("media")))
        try:
            target = folder / PurePosixPath(check_key(key)).name
            try:
                self.client.download_file(self.bucket, key, str(target), Config=self.transfer)
            except (ClientError, BotoCoreError) as exc:
                if self._missing(exc):
                    raise StorageError(f"Stored file {key} is missing.") from exc
                raise self._error(exc, key, "download") from exc
            yield target
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def publish_dir(self, local_dir: str | os.PathLike, prefix: str) -> None:
        """Upload every file, then delete what the previous set had and this one lacks.

        Not atomic (S3 has no rename): while it runs, a reader sees a mix of
        old and new files with the same names.
        """
        source = Path(local_dir)
        prefix = check_key(prefix.rstrip("/"))
        fresh = set()
        for path, name in _files_under(source):
            key = f"{prefix}/{name}"
            with path.open("rb") as stream:
                self._upload(key, stream)
            fresh.add(key)
        # what the new folder lacks goes (with its public copy), and so do the public copies of
        # files it replaced; both are usually none: rendition sets go to fresh prefixes
        replaced = [c for c in self.iter_keys(public_copy_key(prefix)) if c.removeprefix(PUBLIC_FOLDER + "/") in fresh]
        self._delete_keys([k for k in self.iter_keys(prefix) if k not in fresh] + replaced)
        shutil.rmtree(source, ignore_errors=True)

    @contextlib.contextmanager
    def work_dir(self, near: str) -> Iterator[Path]:
        check_key(near)
        folder = Path(tempfile.mkdtemp(prefix=temp_prefix("work")))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def media_origins(self) -> list[str]:
        from urllib.parse import urlsplit

        # Presigning is computed here, without a request, so this costs nothing.
        urls = [self.presigned_url("origin-check", 60), self.public_url]
        return sorted({f"{p.scheme}://{p.netloc}" for p in map(urlsplit, filter(None, urls))})

    def url_for_public(self, key: str) -> str | None:
        from urllib.parse import quote

        return self.public_url + quote(public_copy_key(key)) if self.public_url else None

    def copy(self, key: str, target: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        source = {"Bucket": self.bucket, "Key": check_key(key)}
        try:
            # managed: one CopyObject, or a multipart copy above 16 MiB (CopyObject stops at 5 GB)
            self.client.copy(
                source, self.bucket, check_key(target), ExtraArgs=self._extra(target), Config=self.transfer
            )
        except (ClientError, BotoCoreError) as exc:
            if self._missing(exc):
                raise StorageError(f"Stored file {key} is missing.") from exc
            raise self._error(exc, key, "copy") from exc

    def withdraw_public_copies(self, prefix: str, still_public) -> int:
        stale = [
            copy
            for copy in self.iter_keys(public_copy_key(prefix))
            if not still_public(copy.removeprefix(PUBLIC_FOLDER + "/"))
        ]
        return self._delete_keys(stale)

    def presigned_url(self, key: str, seconds: int, content_type: str | None = None) -> str | None:
        params = {"Bucket": self.bucket, "Key": check_key(key)}
        if content_type:
            params["ResponseContentType"] = content_type
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=int(seconds))


#: Back-ends by name, chosen with ``EVENTSITE_STORAGE``.
BACKENDS = {"local": LocalMediaStore, "s3": S3MediaStore}


def store_from_config(config) -> MediaStore:
    """Build the store ``config`` describes.

    :raise StorageConfigError: unknown back-end, or S3 without a bucket or credentials.
    """
    backend = config.get("STORAGE", "local")
    if backend == "local":
        Path(config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
        return LocalMediaStore(config["MEDIA_ROOT"])
    if backend != "s3":
        raise StorageConfigError(f"EVENTSITE_STORAGE={backend!r} is not a storage back-end; use 'local' or 's3'.")
    if not config.get("S3_BUCKET"):
        raise StorageConfigError("EVENTSITE_STORAGE=s3 needs EVENTSITE_S3_BUCKET (the bucket's name).")
    if bool(config.get("S3_ACCESS_KEY_ID")) != bool(config.get("S3_SECRET_ACCESS_KEY")):
        raise StorageConfigError(
            "Set both EVENTSITE_S3_ACCESS_KEY_ID and EVENTSITE_S3_SECRET_ACCESS_KEY, or neither (an AWS role)."
        )
    store = S3MediaStore(
        str(config["S3_BUCKET"]),
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region=config.get("S3_REGION") or None,
        access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
        secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
        public_url=config.get("MEDIA_PUBLIC_URL") or None,
    )
    store.check()
    return store


def init_app(app: Flask) -> None:
    """Create the configured store and keep it on the app.

    :raise StorageConfigError: the settings cannot work.
    """
    app.extensions["media_store"] = store_from_config(app.config)


def media_store() -> MediaStore:
    """The store of the current app."""
    return current_app.extensions["media_store"]
