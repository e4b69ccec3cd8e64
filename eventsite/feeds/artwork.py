"""The podcast's cover: a square picture with the event's name, drawn with Pillow.

Podcast directories want square artwork between 1400 and 3000 pixels; an
event has no picture of its own, so one is drawn from its name.
"""

from __future__ import annotations

import hashlib
import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from ..events.models import Event

SIZE = 1400
BACKGROUND = "#1d1d1f"
INK = "#ffffff"
ACCENT = "#f2e9d8"


def artwork_version(event: Event, site_name: str) -> str:
    """Changes whenever the picture would (for ETags and the URL)."""
    facts = f"{event.name}|{event.host_organisation}|{site_name}"
    return hashlib.sha256(facts.encode()).hexdigest()[:12]


def podcast_artwork(event: Event, site_name: str) -> bytes:
    """A 1400×1400 PNG: the event's name, its host and the site's name."""
    card = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(card)
    title_font = ImageFont.load_default(size=120)
    small_font = ImageFont.load_default(size=64)
    lines = textwrap.wrap(event.name, width=18)[:5] or [site_name]
    y = 420
    for line in lines:
        draw.text((120, y), line, fill=INK, font=title_font, anchor="ls")
        y += 150
    if event.host_organisation:
        draw.text((120, y + 40), event.host_organisation[:40], fill=ACCENT, font=small_font, anchor="ls")
    draw.rectangle((120, SIZE - 220, 420, SIZE - 200), fill=ACCENT)
    draw.text((120, SIZE - 120), site_name[:40], fill=ACCENT, font=small_font, anchor="ls")
    out = io.BytesIO()
    card.save(out, "PNG", optimize=True)
    return out.getvalue()
