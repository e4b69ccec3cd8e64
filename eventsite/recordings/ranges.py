"""Serve one file with HTTP Range, If-Range and conditional GET, by seeking.

Werkzeug's ``send_file`` answers a Range request under gunicorn by reading
and throwing away every byte before the offset (gunicorn's file wrapper is
not seekable), so a seek near the end of a 500 MB video read 500 MB. Here we
``seek`` first and hand the server a file object that stops after the
range: gunicorn then ``sendfile``\\ s exactly ``Content-Length`` bytes from the
file's current position, and other servers read just the range.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from flask import Response, request
from werkzeug.http import http_date, is_resource_modified, parse_date

BLOCK_SIZE = 256 * 1024


class BoundedFile:
    """A read-only view of ``length`` bytes of an open file from its current position.

    ``fileno`` is the real descriptor, so servers that ``sendfile`` start at
    the position we seeked to and stop at Content-Length.
    """

    def __init__(self, file: BinaryIO, length: int) -> None:
        self._file = file
        self._left = length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._file.read(size)
        self._left -= len(data)
        return data

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()


def file_response(path: Path, content_type: str, cache_control: str) -> Response:
    """A 200, 206, 304 or 416 response for the file at ``path``.

    One byte range per request is served as 206; a request for several
    ranges gets the whole file (RFC 9110 lets a server ignore Range, and
    players only ever ask for one). ``If-Range`` with a stale validator
    also gets the whole file.
    """
    stat = path.stat()
    size = stat.st_size
    etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
    last_modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
    }
    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        return Response(status=304, headers=headers)

    start, stop, status = 0, size, 200
    if request.range is not None and _if_range_holds(etag, last_modified):
        byte_range = request.range.range_for_length(size)
        if byte_range is not None:
            (start, stop), status = byte_range, 206
            headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
        elif len(request.range.ranges) == 1:
            headers["Content-Range"] = f"bytes */{size}"
            return Response("Requested range not satisfiable.", 416, headers, mimetype="text/plain")

    headers["Content-Length"] = str(stop - start)
    file = path.open("rb")
    file.seek(start, os.SEEK_SET)
    body = BoundedFile(file, stop - start)
    wrapper = request.environ.get("wsgi.file_wrapper")
    iterable = wrapper(body, BLOCK_SIZE) if wrapper else _blocks(body)
    return Response(iterable, status=status, headers=headers, content_type=content_type, direct_passthrough=True)


def accel_response(location: str, content_type: str, cache_control: str) -> Response:
    """Hand the bytes to nginx: it serves ``location`` (an ``internal`` path) with ranges itself.

    nginx keeps Content-Type and Cache-Control from this response but drops
    most other headers, ``X-Content-Type-Options`` among them, so the
    ``internal`` location must add it itself (see the README's nginx snippet).
    """
    headers = {
        "X-Accel-Redirect": location,
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
    }
    return Response(status=200, headers=headers, content_type=content_type)


def _if_range_holds(etag: str, last_modified: datetime) -> bool:
    """False when ``If-Range`` names another version of the file (then send all of it)."""
    value = request.headers.get("If-Range")
    if not value:
        return True
    if value.startswith(('"', "W/")):
        return value == etag  # only a strong, identical validator counts
    when = parse_date(value)
    return when is not None and when == last_modified


def _blocks(body: BoundedFile):
    try:
        while block := body.read(BLOCK_SIZE):
            yield block
    finally:
        body.close()
