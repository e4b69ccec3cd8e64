"""Small drawing helpers shared by the birds and the scene: colours and shapes.

Shapes are lists of points for ``ImageDraw.polygon``, so a part can be drawn
once larger in ink (its outline) and once in its colour on top.
"""

from __future__ import annotations

import math

from PIL import ImageDraw

Rgb = tuple[int, int, int]


def hex_rgb(colour: str) -> Rgb:
    """``#7b3294`` → (123, 50, 148)."""
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def mix(a: Rgb, b: Rgb, amount: float) -> Rgb:
    """``amount`` of the way from colour ``a`` to colour ``b``."""
    return tuple(round(x + (y - x) * amount) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def luminance(colour: Rgb) -> float:
    """Relative luminance (WCAG), 0 black .. 1 white."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def fill_shape(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], colour) -> None:
    draw.polygon(points, fill=colour)


def ellipse_box(x: float, y: float, rx: float, ry: float) -> tuple[float, float, float, float]:
    return (x - rx, y - ry, x + rx, y + ry)


def oval_points(cx: float, cy: float, rx: float, ry: float, steps: int = 72) -> list[tuple[float, float]]:
    return [
        (cx + rx * math.cos(2 * math.pi * i / steps), cy + ry * math.sin(2 * math.pi * i / steps)) for i in range(steps)
    ]


def drop_points(
    x: float, y: float, length: float, width: float, angle: float, back: float
) -> list[tuple[float, float]]:
    """A teardrop whose round end sits ``back`` behind (x, y) and whose point is ``length`` along ``angle``.

    The curve is (cos t, sin t * (1 - cos t) / 2): round at t = pi, a cusp at t = 0.
    """
    a = length / 2
    pts = []
    for i in range(48):
        t = 2 * math.pi * i / 48
        px = a * math.cos(t) + a - back
        py = width * math.sin(t) * (1 - math.cos(t)) / 2 * 1.3
        pts.append((x + px * math.cos(angle) - py * math.sin(angle), y + px * math.sin(angle) + py * math.cos(angle)))
    return pts


def rotate_point(point: tuple[float, float], angle: float) -> tuple[float, float]:
    x, y = point
    return (x * math.cos(angle) - y * math.sin(angle), x * math.sin(angle) + y * math.cos(angle))
