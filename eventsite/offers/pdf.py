"""The check every guide passes before it is stored: is this really a PDF?

No PDF library is needed for the question we ask. A PDF starts with
``%PDF-1.x`` (or ``2.0``), ends with ``startxref`` / byte offset / ``%%EOF``,
and that offset points at the cross-reference table (``xref`` … ``trailer``)
or a cross-reference stream (``N G obj << /Type /XRef …``) whose dictionary
names the document catalogue (``/Root``). A renamed JPEG fails the first
test, a download cut short fails the second, and a file stitched together
by hand usually fails the third. Readers (and our visitors) get exactly the
bytes that passed, under a name and type we choose.
"""

from __future__ import annotations

import re
from typing import BinaryIO

#: The header: version 1.0–1.7 or 2.0, then a line end (ISO 32000 7.5.2).
HEADER = re.compile(rb"%PDF-(1\.[0-7]|2\.0)[\r\n% \t]")
#: The end of the file: "startxref", the offset, "%%EOF", optional trailing line ends.
TAIL = re.compile(rb"startxref[\r\n\s]+(\d{1,12})[\r\n\s]+%%EOF[\r\n\s\x00]*$")
XREF_STREAM = re.compile(rb"\d{1,10}\s+\d{1,5}\s+obj\s*<<(.{0,4096}?)>>", re.S)
#: Actions a guide has no business running in a reader.
ACTIVE_CONTENT = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile)\b")
#: How far from the end "%%EOF" may sit (some writers pad with blank lines).
TAIL_WINDOW = 2048


class PdfError(ValueError):
    """A file that is not a PDF we can offer, in plain words."""


def read_pdf(stream: BinaryIO, *, max_bytes: int) -> bytes:
    """Read an uploaded guide and check that it is a whole, plain PDF.

    :raise PdfError: empty, too large, not a PDF, cut short, damaged, or with
        scripts or embedded files.
    """
    data = stream.read(max_bytes + 1)
    if not data:
        raise PdfError("The file is empty.")
    if len(data) > max_bytes:
        raise PdfError(f"The guide is larger than {max_bytes / (1024 * 1024):g} MB. Please upload a smaller PDF.")
    check_pdf(data)
    return data


def check_pdf(data: bytes) -> None:
    """:raise PdfError: ``data`` is not a complete PDF document (see the module docstring)."""
    if not HEADER.match(data[:16]):
        raise PdfError("This file is not a PDF. Please upload the guide as a PDF document.")
    tail = TAIL.search(data[-TAIL_WINDOW:])
    if tail is None:
        raise PdfError(
            "This PDF is incomplete (its end is missing): it may have been cut short. Please upload it again."
        )
    offset = int(tail.group(1))
    if not 0 < offset < len(data):
        raise PdfError("This PDF is damaged (its table of contents points outside the file). Please export it again.")
    if not _names_catalogue(data, offset):
        raise PdfError("This PDF is damaged (its table of contents is missing). Please export it again.")
    if ACTIVE_CONTENT.search(data):
        raise PdfError("This PDF contains scripts or embedded files. Please upload a plain PDF document.")


def _names_catalogue(data: bytes, offset: int) -> bool:
    """True when the cross-reference section at ``offset`` exists and names a ``/Root``."""
    if data.startswith(b"xref", offset):
        trailer = data.find(b"trailer", offset)
        return trailer != -1 and b"/Root" in data[trailer : trailer + 4096]
    stream = XREF_STREAM.match(data, offset)
    return bool(stream and b"/XRef" in stream.group(1) and b"/Root" in stream.group(1))
