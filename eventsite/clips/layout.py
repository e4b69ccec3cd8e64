"""Where things go in a clip's frame, per shape. Pure: numbers in, numbers out.

A panel is filmed 16:9; a clip may be square or upright. Rather than crop
people out of the picture, the whole picture is kept and centred, and the
space around it (filled with the same picture, blurred and darkened) carries
the panel's title above and the words being said below. The 16:9 shape is
the picture itself, with the title in a corner and captions over its foot.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import ClipShape


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    #: Where the recording's picture goes (scaled to fit, aspect kept).
    picture: Box
    #: Where the panel's title and event go.
    title: Box
    #: Where captions go; ``caption_anchor`` says which edge they hug.
    caption: Box
    caption_anchor: str
    #: Fill around the picture with the picture itself, blurred (else black bars).
    blurred_fill: bool
    #: Title on a dark plate (it sits over the picture) rather than on the fill.
    title_plate: bool


def _even(value: float) -> int:
    """Encoders want even sizes for 4:2:0 video."""
    return max(2, int(round(value / 2)) * 2)


def frame_size(shape: ClipShape, short_side: int) -> tuple[int, int]:
    """Output width and height: the short side given, the long side by the shape."""
    long_side = _even(short_side * 16 / 9)
    short_side = _even(short_side)
    return {
        ClipShape.VERTICAL: (short_side, long_side),
        ClipShape.SQUARE: (short_side, short_side),
        ClipShape.WIDE: (long_side, short_side),
    }[shape]


def _fit(source_w: int, source_h: int, max_w: int, max_h: int) -> tuple[int, int]:
    """The largest size with the source's aspect ratio inside max_w × max_h."""
    source_w, source_h = max(source_w, 1), max(source_h, 1)
    scale = min(max_w / source_w, max_h / source_h)
    return min(_even(source_w * scale), max_w), min(_even(source_h * scale), max_h)


def plan_layout(shape: ClipShape, short_side: int, source_w: int, source_h: int) -> Layout:
    """The layout of a ``shape`` clip of a ``source_w`` × ``source_h`` picture."""
    width, height = frame_size(shape, short_side)
    margin = _even(width * 0.04)
    if shape is ClipShape.WIDE:
        pw, ph = _fit(source_w, source_h, width, height)
        picture = Box((width - pw) // 2, (height - ph) // 2, pw, ph)
        title = Box(margin, margin, _even(width * 0.62), _even(height * 0.17))
        caption = Box(_even(width * 0.06), _even(height * 0.70), _even(width * 0.88), _even(height * 0.26))
        return Layout(width, height, picture, title, caption, "bottom", blurred_fill=False, title_plate=True)
    if shape is ClipShape.VERTICAL:
        # The picture a little above centre: a phone's own buttons cover the foot.
        pw, ph = _fit(source_w, source_h, width, _even(height * 0.42))
        top = _even((height - ph) * 0.46)
        title_top = _even(height * 0.09)
        caption_bottom = _even(height * 0.90)
    else:
        pw, ph = _fit(source_w, source_h, width, _even(height * 0.56))
        top = _even(height * 0.19)
        title_top = margin // 2
        caption_bottom = height - margin // 2
    picture = Box((width - pw) // 2, top, pw, ph)
    title = Box(margin, title_top, width - 2 * margin, max(2, top - title_top - margin // 2))
    caption_top = top + ph + margin // 2
    caption = Box(margin, caption_top, width - 2 * margin, max(2, caption_bottom - caption_top))
    return Layout(width, height, picture, title, caption, "top", blurred_fill=True, title_plate=False)
