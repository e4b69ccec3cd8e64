"""The demo's free guide: a short PDF about influence, offered on the demo panel."""

from __future__ import annotations

import io

from ..events.models import Panel
from .operations import OfferFields, save_offer

TITLE = "Be worth listening to: a field guide to influence online"
PITCH = (
    "Five habits the panel kept coming back to, on one page each: earn trust before reach, "
    "answer your readers, and measure conversations rather than followers."
)
CONSENT = (
    "Send me the guide, and the occasional e-mail from Likeminds about new panels. "
    "I can unsubscribe with one click in any of them."
)
#: The guide's pages: a heading and a few lines each.
PAGES = [
    (
        "Be worth listening to",
        ["A field guide to influence online", "", "From the Social Media Week panel", '"What is social influence?"'],
    ),
    ("1. Earn trust before reach", ["People follow those who help them decide.", "Be useful in public, often."]),
    ("2. Answer your readers", ["Every reply is a small talk given to one person,", "and read by a hundred more."]),
    ("3. Measure conversations", ["Count replies, shares with a comment, and saves,", "not followers."]),
    ("4. Borrow no authority", ["Say where your numbers come from.", "Influence that is checked lasts."]),
    ("5. Keep showing up", ["Influence is a habit, not a campaign."]),
]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def guide_pdf() -> bytes:
    """A small, valid, text (not image) PDF, written by hand: one page per heading."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for heading, lines in PAGES:
        text = [f"BT /F1 26 Tf 72 720 Td ({_escape(heading)}) Tj ET"]
        text += [f"BT /F1 14 Tf 72 {680 - 22 * i} Td ({_escape(line)}) Tj ET" for i, line in enumerate(lines)]
        stream = "\n".join(text).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def seed_demo_offer(panel: Panel) -> None:
    """Offer the demo guide on the demo panel (its consent text written as an organiser would)."""
    fields = OfferFields(title=TITLE, pitch=PITCH, button_text="It's free!", consent_text=CONSENT, panel_id=panel.id)
    save_offer(fields, upload=io.BytesIO(guide_pdf()))
