"""Portraits and cartoon avatars: checked to be real images, then re-encoded.

Re-encoding with Pillow drops anything hidden in the upload (metadata, a
second file appended after the image) and gives us files of a known type.
"""

from __future__ import annotations

import io
import secrets
import warnings
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from ..storage import media_store, person_key

#: Formats we accept from organisers.
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000
MAX_SIDE = 1024


class ImageError(ValueError):
    """An upload that is not an image we can use, in plain words."""


def normalise_image(stream: BinaryIO, *, max_bytes: int, max_side: int = MAX_SIDE) -> tuple[bytes, str]:
    """Validate an uploaded image and re-encode it.

    Returns ``(data, extension)``: PNG when the image has transparency (cartoon
    avatars usually do), JPEG otherwise.

    :raise ImageError: not an image, an unsupported type, too large, or damaged.
    """
    raw = stream.read(max_bytes + 1)
    if not raw:
        raise ImageError("The file is empty.")
    if len(raw) > max_bytes:
        raise ImageError(f"The image is larger than {max_bytes // (1024 * 1024)} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ACCEPTED_FORMATS:
                raise ImageError("Please upload a JPEG, PNG, WebP or GIF image.")
            if image.width * image.height > MAX_PIXELS:
                raise ImageError("The image has too many pixels.")
            image.load()
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise ImageError("This file is not an image we can read. Please upload a JPEG, PNG, WebP or GIF.") from None

    image = ImageOps.exif_transpose(image)
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "jpg"


def store_person_image(panelist_id: int, kind: str, stream: BinaryIO, *, max_bytes: int) -> str:
    """Validate, re-encode and store a portrait (``kind="photo"``) or avatar.

    A fresh random name each time means browsers and caches never show a stale
    picture after a change. Returns the storage key.
    """
    data, ext = normalise_image(stream, max_bytes=max_bytes)
    key = person_key(panelist_id, f"{kind}-{secrets.token_hex(6)}.{ext}")
    media_store().save_bytes(key, data)
    return key
