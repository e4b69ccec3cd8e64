"""The clip's words as pictures: title, captions and end card, drawn with Pillow.

ffmpeg's ``drawtext`` needs libfreetype and ``subtitles`` needs libass, and
builds without them are common; Pillow draws the same text anywhere, and
ffmpeg only overlays the images. Text is fitted to its box: wrapped at word
boundaries, shrunk step by step, and cut with an ellipsis as a last resort,
so a long quote never runs off the frame. A link has no spaces: it breaks
only after a ``/``, ``.``, ``?``, ``&``, ``=`` or ``-`` and shrinks until its
longest piece fits, so it is never cut mid-word (nor shortened).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .layout import Box, Layout

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

WHITE = (255, 255, 255, 255)
SOFT = (220, 226, 235, 255)
#: The speaker's name and the link stand out in a warm yellow (readable on the dark plate).
ACCENT = (255, 209, 102, 255)
PLATE = (10, 14, 24, 178)
CARD_BACKGROUND = (22, 33, 62)


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu (Debian's fonts-dejavu-core), or Pillow's built-in font where it is missing."""
    try:
        return ImageFont.truetype(FONT_BOLD if bold else FONT, size)
    except OSError:
        return ImageFont.load_default(size)


@dataclass(frozen=True)
class Line:
    """A run of text to fit: its relative size, weight and colour."""

    text: str
    scale: float = 1.0
    bold: bool = False
    colour: tuple = WHITE
    max_lines: int = 4
    #: A link: broken only at :data:`URL_BREAKS`, never shortened.
    link: bool = False


#: A link may break after these (a URL's own boundaries), and nowhere else.
URL_BREAKS = re.compile(r"(?<=[/.?&=-])(?=.)")


def link_pieces(url: str) -> list[str]:
    """``https://a.org/events/x/`` → ``https://``, ``a.``, ``org/``, ``events/``, ``x/``:
    the pieces a link may be broken between."""
    return [piece for piece in URL_BREAKS.split(url.strip()) if piece]


def _wrap_link(draw, url: str, face, width: int) -> list[str]:
    """The link in lines no wider than ``width``, each break after one of :data:`URL_BREAKS`."""
    lines: list[str] = []
    for piece in link_pieces(url):
        if lines and draw.textlength(lines[-1] + piece, font=face) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines


def _pieces(draw, word: str, face, width: int) -> list[str]:
    """A word wider than the box (a URL has no spaces) cut into pieces that fit."""
    pieces, current = [], ""
    for char in word:
        if current and draw.textlength(current + char, font=face) > width:
            pieces.append(current)
            current = ""
        current += char
    return pieces + [current]


def _wrap(draw: ImageDraw.ImageDraw, text: str, face, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    words = [piece for word in text.split() for piece in _pieces(draw, word, face, width)]
    for word in words:
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=face) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _shorten(draw, line: str, face, width: int) -> str:
    while line and draw.textlength(line + "…", font=face) > width:
        line = line[:-1]
    return line.rstrip() + "…"


def _layout_text(draw, items: list[Line], width: int, base: int) -> list[tuple[str, object, tuple, int]]:
    """(text, font, colour, line height) per drawn line at base size ``base``."""
    out = []
    for item in items:
        size = max(8, round(base * item.scale))
        face = font(size, item.bold)
        if item.link:
            # smaller until the longest piece fits (and the lines allowed hold it all)
            while size > 8 and (
                max(draw.textlength(p, font=face) for p in link_pieces(item.text)) > width
                or len(_wrap_link(draw, item.text, face, width)) > item.max_lines
            ):
                size -= 1
                face = font(size, item.bold)
            out += [(w, face, item.colour, round(face.size * 1.25)) for w in _wrap_link(draw, item.text, face, width)]
            continue
        wrapped = _wrap(draw, item.text, face, width)
        if len(wrapped) > item.max_lines:
            wrapped = wrapped[: item.max_lines]
            wrapped[-1] = _shorten(draw, wrapped[-1], face, width)
        wrapped = [w if draw.textlength(w, font=face) <= width else _shorten(draw, w, face, width) for w in wrapped]
        height = round(face.size * 1.25)
        out += [(w, face, item.colour, height) for w in wrapped]
    return out


def fit_text(items: list[Line], width: int, height: int, largest: int, smallest: int):
    """Lines laid out at the largest size (down to ``smallest``) whose height fits ``height``."""
    draw = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    size = largest
    while True:
        laid = _layout_text(draw, items, width, size)
        if sum(h for *_, h in laid) <= height or size <= smallest:
            return laid
        size = max(smallest, size - max(1, size // 10))


def _draw_block(image: Image.Image, laid, x: int, y: int, width: int, centred: bool) -> None:
    draw = ImageDraw.Draw(image)
    for text, face, colour, height in laid:
        left = x + (width - draw.textlength(text, font=face)) / 2 if centred else x
        draw.text((left, y), text, font=face, fill=colour)
        y += height


def _block_height(laid) -> int:
    return sum(h for *_, h in laid)


def title_image(layout: Layout, title: str, event: str) -> Image.Image:
    """The event name and panel title, sized to the layout's title box (transparent elsewhere)."""
    box = layout.title
    pad = round(layout.width * 0.02) if layout.title_plate else 0
    items = [Line(event, 0.62, False, SOFT, 1), Line(title, 1.0, True, WHITE, 3)]
    largest = round(min(layout.width, layout.height) * 0.06)
    laid = fit_text(items, box.w - 2 * pad, box.h - 2 * pad, largest, 10)
    image = Image.new("RGBA", (box.w, box.h), (0, 0, 0, 0))
    used = _block_height(laid) + 2 * pad
    if layout.title_plate:
        widest = max(ImageDraw.Draw(image).textlength(t, font=f) for t, f, *_ in laid)
        plate_w = min(box.w, round(widest) + 2 * pad)
        ImageDraw.Draw(image).rounded_rectangle((0, 0, plate_w, used), radius=pad, fill=PLATE)
        _draw_block(image, laid, pad, pad, box.w - 2 * pad, centred=False)
    else:
        # Sits just above the picture, centred, like a headline over a photograph.
        _draw_block(image, laid, 0, max(0, box.h - used), box.w, centred=True)
    return image


def caption_image(layout: Layout, speaker: str, text: str) -> Image.Image:
    """One cue: the speaker's name over their words, on a dark plate within the caption box."""
    box = layout.caption
    pad = round(layout.width * 0.025)
    items = ([Line(speaker, 0.8, True, ACCENT, 1)] if speaker else []) + [Line(text, 1.0, False, WHITE, 6)]
    largest = round(min(layout.width, layout.height) * 0.052)
    laid = fit_text(items, box.w - 2 * pad, box.h - 2 * pad, largest, 10)
    image = Image.new("RGBA", (box.w, box.h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    widest = max(draw.textlength(t, font=f) for t, f, *_ in laid)
    plate_w = min(box.w, round(widest) + 2 * pad)
    plate_h = min(box.h, _block_height(laid) + 2 * pad)
    left = (box.w - plate_w) // 2
    top = 0 if layout.caption_anchor == "top" else box.h - plate_h
    draw.rounded_rectangle((left, top, left + plate_w, top + plate_h), radius=pad, fill=PLATE)
    _draw_block(image, laid, left + pad, top + pad, plate_w - 2 * pad, centred=True)
    return image


#: Said on the end card of a clip whose words are unchecked automatic captions.
DRAFT_NOTE = "Captions: automatic, not yet checked"


def _card_inner(layout: Layout) -> Box:
    margin = round(layout.width * 0.08)
    return Box(margin, margin, layout.width - 2 * margin, layout.height - 2 * margin)


def end_card_lines(layout: Layout, title: str, event: str, url: str, *, draft: bool = False):
    """The end card's lines as :func:`fit_text` lays them out, and the base size."""
    items = [
        Line("Watch the whole panel", 0.7, False, SOFT, 2),
        Line(title, 1.0, True, WHITE, 4),
        Line(event, 0.7, False, SOFT, 2),
        Line(url, 0.6, True, ACCENT, 4, link=True),
    ]
    if draft:
        items.append(Line(DRAFT_NOTE, 0.55, False, SOFT, 2))
    largest = round(min(layout.width, layout.height) * 0.075)
    inner = _card_inner(layout)
    return fit_text(items, inner.w, inner.h, largest, 10), largest


def end_card(layout: Layout, title: str, event: str, url: str, site: str, *, draft: bool = False) -> Image.Image:
    """The last seconds: where to watch the whole panel (and, for unchecked automatic
    captions, that the words shown were a draft)."""
    image = Image.new("RGB", (layout.width, layout.height), CARD_BACKGROUND)
    inner = _card_inner(layout)
    margin = inner.x
    laid, largest = end_card_lines(layout, title, event, url, draft=draft)
    top = inner.y + (inner.h - _block_height(laid)) // 2
    _draw_block(image, laid, inner.x, top, inner.w, centred=True)
    footer = font(max(10, round(largest * 0.45)))
    draw = ImageDraw.Draw(image)
    draw.text(
        ((layout.width - draw.textlength(site, font=footer)) / 2, layout.height - margin),
        site,
        font=footer,
        fill=SOFT,
    )
    return image


def save_png(image: Image.Image, path: Path) -> Path:
    image.save(path, "PNG", optimize=False, compress_level=1)
    return path
