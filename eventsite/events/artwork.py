"""Title cards: a still picture for a panel, drawn with Pillow.

Used as the picture of audio-only recordings (so they still get a video for
the player and social cards) and for the generated demo recording.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..storage import media_store
from .models import Panel

WIDTH, HEIGHT = 1280, 720


def title_card(title: str, subtitle: str, portrait: bytes | None, colour: str) -> Image.Image:
    """A 1280×720 card: optional round portrait on the left, title and subtitle."""
    card = Image.new("RGB", (WIDTH, HEIGHT), colour)
    draw = ImageDraw.Draw(card)
    x = 120
    if portrait is not None:
        face = Image.open(io.BytesIO(portrait)).convert("RGB").resize((360, 360))
        mask = Image.new("L", face.size, 0)
        ImageDraw.Draw(mask).ellipse((0, 0, 359, 359), fill=255)
        card.paste(face, (120, 180), mask)
        x = 540
    draw.text((x, 300), title, fill="white", font=ImageFont.load_default(size=64), anchor="ls")
    draw.text((x, 380), subtitle, fill="#f2e9d8", font=ImageFont.load_default(size=36), anchor="ls")
    return card


def panel_artwork(panel: Panel, target: Path) -> Path:
    """Write the panel's title card (with the host's portrait, if any) as a PNG."""
    host = next((seat.panelist for seat in panel.seats if seat.panelist.photo_key), None)
    portrait = media_store().path(host.photo_key).read_bytes() if host else None
    title_card(panel.title, panel.event.name, portrait, "#1d1d1f").save(target)
    return target
