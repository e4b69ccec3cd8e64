"""The guide must be a whole, plain PDF: checked as images are, before anything is stored."""

from __future__ import annotations

import io

import pytest

from eventsite.offers.demo import guide_pdf
from eventsite.offers.pdf import PdfError, check_pdf, read_pdf

from .conftest import jpeg_bytes, pdf_bytes


def with_script(data: bytes) -> bytes:
    """``data`` with a script action, written over Pillow's comment so every offset still holds."""
    comment = b"% created by Pillow PDF driver"
    action = b"<< /S /JavaScript /JS (x) >>"
    assert comment in data
    return data.replace(comment, action.ljust(len(comment)))


@pytest.mark.parametrize("data", [pdf_bytes(), pdf_bytes(pages=3), guide_pdf()], ids=["pillow", "pages", "demo"])
def test_real_pdfs_pass(data):
    assert read_pdf(io.BytesIO(data), max_bytes=10**6) == data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (jpeg_bytes(), "This file is not a PDF."),
        (b"%PDF-1.4\n" + jpeg_bytes(), "This PDF is incomplete"),
        (pdf_bytes()[: len(pdf_bytes()) // 2], "This PDF is incomplete"),
        (pdf_bytes()[:-30], "This PDF is incomplete"),
        (pdf_bytes().replace(b"\nxref\n", b"\nxrex\n"), "table of contents is missing"),
        (b"%PDF-1.4\nstartxref\n999999\n%%EOF\n", "points outside the file"),
        (with_script(pdf_bytes()), "contains scripts"),
        (b"", "The file is empty."),
    ],
    ids=["renamed-jpeg", "jpeg-with-header", "half", "cut-end", "no-xref", "bad-offset", "javascript", "empty"],
)
def test_bad_files_are_refused_in_plain_words(data, message):
    with pytest.raises(PdfError, match=message):
        read_pdf(io.BytesIO(data), max_bytes=10**6)


def test_too_large_is_refused():
    with pytest.raises(PdfError, match="larger than 1 MB"):
        read_pdf(io.BytesIO(pdf_bytes() + b"\n" * (1024 * 1024)), max_bytes=1024 * 1024)


def test_check_pdf_accepts_an_xref_stream():
    """PDF 1.5+ writers put the table of contents in a stream object."""
    body = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    offset = len(body)
    body += b"3 0 obj\n<< /Type /XRef /Size 4 /Root 1 0 R /W [1 2 1] /Length 0 >>\nstream\n\nendstream\nendobj\n"
    check_pdf(body + b"startxref\n%d\n%%%%EOF\n" % offset)
