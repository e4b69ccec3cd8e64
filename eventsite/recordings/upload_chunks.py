"""Appending the bytes of one tus PATCH to an upload, with or without a checksum.

Bytes are read from the request stream in fixed blocks, so memory stays flat
whatever the size of the upload or the chunk.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import os
from typing import BinaryIO

from werkzeug.exceptions import ClientDisconnected

from .upload_store import (
    ChecksumMismatch,
    OffsetMismatch,
    Upload,
    UploadError,
    UploadStorageFull,
    UploadTooLarge,
)

#: Read and write in blocks of this size.
BLOCK_SIZE = 1024 * 1024
#: Checksum algorithms of the tus checksum extension that we accept.
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """Parse ``Upload-Checksum: <algorithm> <base64 digest>``.

    :raise UploadError: malformed header or an algorithm we do not support (400).
    """
    if header is None:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise UploadError(f"Unsupported checksum algorithm {algorithm[:20]!r}; use sha1 or sha256.")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise UploadError("Upload-Checksum is not valid base64.") from None
    return algorithm, digest


def append_chunk(
    upload: Upload,
    offset: int,
    stream: BinaryIO,
    *,
    content_length: int | None = None,
    checksum: tuple[str, bytes] | None = None,
) -> int:
    """Append the bytes of one PATCH at ``offset``; return the new offset.

    Call with the upload's lock held. Without a checksum, bytes go straight
    to the data file and whatever arrived before a dropped connection is
    kept. With a checksum the chunk waits in a side file and joins the data
    only once verified, so a crash or a mismatch never leaves unverified
    bytes in the upload.

    :raise OffsetMismatch: ``offset`` is not where the upload stands (409).
    :raise UploadTooLarge: the chunk would pass the declared length (413).
    :raise ChecksumMismatch: the chunk does not match its checksum; discarded (460).
    :raise UploadStorageFull: the disk is full; what was written is kept (507).
    """
    current = upload.offset
    if offset != current:
        raise OffsetMismatch(f"Upload-Offset {offset} does not match the current offset {current}.")
    remaining = upload.length - current
    if content_length is not None and content_length > remaining:
        raise UploadTooLarge(f"This chunk would pass the upload length ({upload.length} bytes).")
    try:
        if checksum is None:
            return _append_unverified(upload, stream, remaining)
        return _append_verified(upload, stream, remaining, checksum)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadStorageFull("The server ran out of space; the upload can resume later.") from exc
        raise


def _copy(stream: BinaryIO, out: BinaryIO, remaining: int, hasher=None) -> tuple[int, bool, bool]:
    """Copy from ``stream`` to ``out``; return (bytes, whether it ended early, whether it overflowed)."""
    written = 0
    while True:
        try:
            block = stream.read(BLOCK_SIZE)
        except (ClientDisconnected, OSError):
            return written, True, False
        if not block:
            return written, False, False
        if written + len(block) > remaining:
            return written, False, True
        out.write(block)
        if hasher is not None:
            hasher.update(block)
        written += len(block)


def _append_unverified(upload: Upload, stream: BinaryIO, remaining: int) -> int:
    with upload.data_path.open("r+b") as out:
        start = out.seek(0, os.SEEK_END)
        try:
            _written, _interrupted, overflow = _copy(stream, out, remaining)
            if overflow:
                # Only a chunked request without Content-Length gets here.
                out.truncate(start)
                raise UploadTooLarge(f"This chunk would pass the upload length ({upload.length} bytes).")
        finally:
            # Acknowledge only what is on disk: the client resumes from here.
            out.flush()
            os.fsync(out.fileno())
    return upload.offset


def _append_verified(upload: Upload, stream: BinaryIO, remaining: int, checksum: tuple[str, bytes]) -> int:
    algorithm, expected = checksum
    hasher = CHECKSUM_ALGORITHMS[algorithm]()
    try:
        with upload.chunk_path.open("w+b") as chunk:
            _written, interrupted, overflow = _copy(stream, chunk, remaining, hasher)
            if overflow:
                raise UploadTooLarge(f"This chunk would pass the upload length ({upload.length} bytes).")
            if interrupted:
                raise UploadError("The connection dropped before the chunk could be verified.")
            if hasher.digest() != expected:
                raise ChecksumMismatch(f"The chunk does not match its {algorithm} checksum; it was discarded.")
            chunk.seek(0)
            with upload.data_path.open("r+b") as out:
                out.seek(0, os.SEEK_END)
                while block := chunk.read(BLOCK_SIZE):
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
    finally:
        upload.chunk_path.unlink(missing_ok=True)
    return upload.offset
