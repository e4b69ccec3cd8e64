"""Subscribers as CSV for a spreadsheet, with no formula hiding in a cell.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some programs skip before looking) is a formula to Excel,
LibreOffice and Google Sheets; a visitor could type one into a field. Such
cells get a leading apostrophe, OWASP's advice, so they show as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .models import Offer, Subscriber

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["email", "offer", "signed up (UTC)", "confirmed (UTC)", "unsubscribed (UTC)", "consent text"]


def safe_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet will not run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _moment(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def subscribers_csv(offer: Offer, subscribers: Iterable[Subscriber]) -> str:
    """One row per subscriber: address, offer, when they signed up, confirmed and left, what they agreed to."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for s in subscribers:
        row = [s.email, offer.title, _moment(s.created_at), _moment(s.confirmed_at)]
        writer.writerow([safe_cell(cell) for cell in [*row, _moment(s.unsubscribed_at), s.consent_text]])
    return out.getvalue()
