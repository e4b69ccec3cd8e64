"""Organiser-supplied bird pictures: checked, normalised, and given a beak.

Two kinds of upload are accepted. One picture per mouth shape (named by the
``Mouth`` letter, "A" … "X"); shapes left out borrow the nearest one given.
Or one single picture, over which a generated beak opens and closes.

Uploads are untrusted: each is checked with Pillow's ``verify()`` and then
opened again to decode it (``verify`` leaves the image unusable), its size is
checked before decoding so a decompression bomb is refused without being
expanded, and only a few still-image formats are allowed.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageDraw, UnidentifiedImageError

from .birds_draw import ANCHOR, CANVAS, MOUTH_POSES, SUPERSAMPLE
from .drawing import mix
from .timeline import Mouth

#: a bird picture is shown at most ~250 px tall; 10 MB and 4096 px are generous
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_SIDE = 4096
MIN_SIDE = 16
FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}

#: shapes to borrow, nearest first, when an organiser leaves one out
FALLBACKS: dict[Mouth, tuple[Mouth, ...]] = {
    Mouth.CLOSED: (Mouth.REST,),
    Mouth.REST: (Mouth.CLOSED,),
    Mouth.SLIGHTLY_OPEN: (Mouth.OPEN, Mouth.FV, Mouth.CLOSED),
    Mouth.OPEN: (Mouth.SLIGHTLY_OPEN, Mouth.WIDE, Mouth.ROUNDED),
    Mouth.WIDE: (Mouth.OPEN, Mouth.ROUNDED, Mouth.SLIGHTLY_OPEN),
    Mouth.ROUNDED: (Mouth.PUCKERED, Mouth.OPEN, Mouth.SLIGHTLY_OPEN),
    Mouth.PUCKERED: (Mouth.ROUNDED, Mouth.SLIGHTLY_OPEN, Mouth.CLOSED),
    Mouth.FV: (Mouth.SLIGHTLY_OPEN, Mouth.CLOSED),
    Mouth.L: (Mouth.OPEN, Mouth.SLIGHTLY_OPEN),
}

Upload = bytes | BinaryIO | Path | str


class BirdArtworkError(ValueError):
    """An uploaded bird picture was refused; ``str(error)`` says why in plain words."""


@dataclass(frozen=True, eq=False)
class CustomArtwork:
    """Validated pictures: one per mouth shape, or a single one with a generated beak."""

    #: RGBA pictures by mouth shape, complete after fallbacks (empty for a single picture)
    mouths: dict[Mouth, Image.Image] = field(default_factory=dict)
    single: Image.Image | None = None
    #: for a single picture: where the beak hinge goes, as fractions of its width and height
    beak_at: tuple[float, float] = (0.8, 0.4)
    #: beak length as a fraction of the picture's width
    beak_size: float = 0.22


def load_custom_artwork(
    files: Mapping[str, Upload] | Upload,
    *,
    beak_at: tuple[float, float] = (0.8, 0.4),
    beak_size: float = 0.22,
) -> CustomArtwork:
    """Check and load organiser artwork.

    :param files: {"A": png bytes, "D": path, …} keyed by ``Mouth`` letter,
        or one picture (bytes, path or binary file) to animate with a generated beak.
    :raise BirdArtworkError: a file is not a picture we accept, is damaged,
        too large, or no closed-beak picture ("A" or "X") was given.
    """
    if not isinstance(files, Mapping):
        return CustomArtwork(single=_load_one(files, "The picture"), beak_at=beak_at, beak_size=beak_size)
    given: dict[Mouth, Image.Image] = {}
    for key, upload in files.items():
        try:
            mouth = Mouth(str(key).strip().upper())
        except ValueError:
            raise BirdArtworkError(
                f"“{key}” is not a mouth shape; name the pictures A, B, C, D, E, F, G, H or X."
            ) from None
        given[mouth] = _load_one(upload, f"The picture for mouth shape {mouth.value}")
    if not given:
        raise BirdArtworkError("No pictures were given.")
    if Mouth.CLOSED not in given and Mouth.REST not in given:
        raise BirdArtworkError("Please include a picture with the beak closed (mouth shape A).")
    complete = {}
    for mouth in Mouth:
        source = mouth if mouth in given else next((m for m in FALLBACKS[mouth] if m in given), None)
        complete[mouth] = given[source] if source else given.get(Mouth.CLOSED, given.get(Mouth.REST))
    return CustomArtwork(mouths=complete, beak_at=beak_at, beak_size=beak_size)


def _load_one(upload: Upload, what: str) -> Image.Image:
    data = _read(upload, what)
    if len(data) > MAX_FILE_BYTES:
        raise BirdArtworkError(f"{what} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse instead
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind, (width, height) = probe.format, probe.size
                if kind not in FORMATS:
                    raise BirdArtworkError(f"{what} must be a PNG, JPEG, WebP or GIF image.")
                if max(width, height) > MAX_SIDE:
                    raise BirdArtworkError(
                        f"{what} is {width}×{height} pixels; at most {MAX_SIDE} on each side, please."
                    )
                if min(width, height) < MIN_SIDE:
                    raise BirdArtworkError(f"{what} is too small ({width}×{height} pixels).")
                probe.verify()
            # verify() leaves the image unusable: open again and decode for real
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                picture = image.convert("RGBA")
    except BirdArtworkError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BirdArtworkError(f"{what} is not an image we can read.") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise BirdArtworkError(f"{what} seems to be damaged; please export it again.") from None
    return picture


def _read(upload: Upload, what: str) -> bytes:
    if isinstance(upload, bytes):
        return upload
    if isinstance(upload, str | Path):
        path = Path(upload)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise BirdArtworkError(f"{what} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
            return path.read_bytes()
        except OSError:
            raise BirdArtworkError(f"{what} could not be read.") from None
    return upload.read(MAX_FILE_BYTES + 1)


def artwork_sprite(art: CustomArtwork, radius: float, mouth: Mouth, lean: float) -> Image.Image:
    """A sprite on the same canvas and anchor as a generated bird's."""
    width, height = round(CANVAS[0] * radius), round(CANVAS[1] * radius)
    box = (round(2.9 * radius), round(3.3 * radius))  # the space a generated bird fills
    picture = art.mouths.get(mouth) if art.mouths else art.single
    assert picture is not None
    fitted = picture.copy()
    fitted.thumbnail(box, Image.Resampling.LANCZOS)
    if art.single is not None:
        fitted = _with_beak(fitted, art, mouth)
    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    x = round(ANCHOR[0] * radius - fitted.width / 2)
    y = round(ANCHOR[1] * radius - fitted.height)
    canvas.alpha_composite(fitted, (x, max(0, y)))
    if lean:
        canvas = canvas.rotate(
            -lean, resample=Image.Resampling.BICUBIC, center=(ANCHOR[0] * radius, ANCHOR[1] * radius)
        )
    return canvas


def _with_beak(picture: Image.Image, art: CustomArtwork, mouth: Mouth) -> Image.Image:
    """Draw an opening beak over a single picture at ``art.beak_at``."""
    s = SUPERSAMPLE
    layer = Image.new("RGBA", (picture.width * s, picture.height * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    length = art.beak_size * picture.width * s
    half = 0.35 * length
    hx, hy = art.beak_at[0] * picture.width * s, art.beak_at[1] * picture.height * s
    jaw = math.radians(MOUTH_POSES[mouth][0] * 1.2)
    ink, beak = (40, 30, 40), (250, 170, 50)
    lw = max(2, round(length * 0.06))
    lower = [(0, 0), (length * 0.9 * math.cos(jaw), length * 0.9 * math.sin(jaw)), (0, half * 0.7)]
    lower = [(hx + x - (y * math.sin(jaw) if i == 2 else 0), hy + y) for i, (x, y) in enumerate(lower)]
    if jaw:
        draw.polygon([(hx, hy), (hx + length, hy), lower[1]], fill=(120, 28, 44))
    draw.polygon(lower, fill=mix(beak, ink, 0.15), outline=ink, width=lw)
    draw.polygon([(hx, hy), (hx, hy - half), (hx + length, hy)], fill=beak, outline=ink, width=lw)
    picture = picture.copy()
    picture.alpha_composite(layer.resize(picture.size, Image.Resampling.LANCZOS))
    return picture
