"""Title cards: a still picture for a panel, drawn with Pillow; and the check
that an organiser's cartoon avatar can stand in for a panelist's bird.

Title cards are the picture of audio-only recordings (so they still get a
video for the player and social cards) and of the generated demo recording.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageDraw, ImageFont

from ..flock.birds_artwork import BirdArtworkError, load_custom_artwork
from ..storage import media_store
from .images import ImageError, normalise_image
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
    portrait = None
    if host:
        with media_store().open(host.photo_key) as handle:
            portrait = handle.read()
    title_card(panel.title, panel.event.name, portrait, "#1d1d1f").save(target)
    return target


def check_bird_artwork(upload: BinaryIO, *, max_bytes: int) -> None:
    """Refuse a cartoon avatar that could not be drawn as the panelist's bird.

    The avatar is the panelist's bird artwork (one picture the flock gives a
    beak), so it is checked at upload as the flock will read it: normalised
    the way it will be stored, then loaded as bird artwork. The upload is
    rewound afterwards so it can be stored.

    :raise ImageError: damaged, not an image, too small, or with nothing visible in it.
    """
    try:
        data, _ext = normalise_image(upload, max_bytes=max_bytes)
    except ImageError as exc:
        raise ImageError(f"The cartoon avatar was refused. {exc}") from None
    finally:
        upload.seek(0)
    try:
        artwork = load_custom_artwork(data)
    except BirdArtworkError as exc:
        raise ImageError(f"The cartoon avatar cannot be used as a bird. {exc}") from None
    if artwork.single is None or artwork.single.getchannel("A").getbbox() is None:
        raise ImageError("The cartoon avatar is completely transparent: there is no bird in it to draw.")
