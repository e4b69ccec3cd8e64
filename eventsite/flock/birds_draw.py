"""Draw one cartoon bird with Pillow: every part, every mouth shape, a blink.

A bird is a round body seen three-quarters on, facing right (sprites facing
left are mirrored later). Everything is drawn at ``SUPERSAMPLE`` times the
final size and shrunk with a Lanczos filter, which gives smooth anti-aliased
outlines from Pillow's hard-edged primitives. Outlines are a slightly larger
copy of each part in a dark ink drawn first, so parts overlap like cel art.

Sizes are in units of the body radius ``r`` so one bird can be drawn at any
scale; the numbers below are what looked right, judged by eye on the demo flock.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PIL import Image, ImageChops, ImageDraw

from .drawing import (
    Rgb,
    drop_points,
    ellipse_box,
    fill_shape,
    mix,
    oval_points,
    rotate_point,
)
from .timeline import Mouth

if TYPE_CHECKING:
    from .birds import BirdLook

#: drawn this many times larger, then reduced: 3x is as smooth as 4x to the eye
#: at these sizes and takes half the time
SUPERSAMPLE = 3
#: canvas and anchor (where the feet meet the branch) in body radii
CANVAS = (4.4, 4.0)
ANCHOR = (2.2, 3.8)
#: forward tilt of a speaking bird, degrees
SPEAKING_LEAN = 9.0
#: dark outline colour the body colour is mixed into
INK = (36, 28, 44)

#: lower-beak opening in degrees per mouth shape, and how the beak is shaped:
#: (jaw angle, beak length factor, beak height factor, inner mouth shape)
MOUTH_POSES: dict[Mouth, tuple[float, float, float, str]] = {
    Mouth.CLOSED: (0.0, 1.0, 1.0, "none"),
    Mouth.REST: (0.0, 1.0, 1.0, "none"),
    Mouth.SLIGHTLY_OPEN: (12.0, 1.0, 1.0, "wedge"),
    Mouth.OPEN: (27.0, 1.0, 1.0, "wedge"),
    Mouth.WIDE: (42.0, 1.0, 1.05, "wedge"),
    Mouth.ROUNDED: (22.0, 0.88, 1.15, "round"),
    # pursed: a shorter, narrower beak pushed forward, opening only at the tip
    Mouth.PUCKERED: (10.0, 0.8, 0.78, "tip"),
    # F/V: the lower beak tucks back under the upper one
    Mouth.FV: (6.0, 1.0, 1.0, "tuck"),
    Mouth.L: (22.0, 1.0, 1.0, "tongue"),
}


def draw_bird(
    look: BirdLook, radius: float, mouth: Mouth, blink: bool, lean: float, wing_up: bool = False
) -> Image.Image:
    """An RGBA sprite of ``look`` with body radius ``radius`` (final pixels).

    The canvas is ``CANVAS`` radii; the feet touch the branch at ``ANCHOR``.
    ``lean`` tilts the body forward (degrees) around the hips; the feet stay put.
    ``wing_up``: the near wing raised in a gesture (a speaker stressing a word).
    """
    s = SUPERSAMPLE
    r = radius * look.size * s
    width, height = round(CANVAS[0] * radius * s), round(CANVAS[1] * radius * s)
    ax, ay = ANCHOR[0] * radius * s, ANCHOR[1] * radius * s
    lw = max(2.0, 0.07 * r)
    ink = mix(look.wing, INK, 0.7)
    rx, ry = r * look.body_width, r * look.body_height
    leg = 0.28 * r
    cx, cy = ax - 0.08 * r, ay - leg - ry * 0.92

    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    _feet(ImageDraw.Draw(canvas), ax, ay, r, leg, lw, look.feet, ink)

    body = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(body)
    _tail(draw, look, cx, cy, rx, ry, r, lw, ink)
    _crest(draw, look, cx, cy, rx, ry, r, lw, ink)
    fill_shape(draw, oval_points(cx, cy, rx + lw, ry + lw), ink)
    fill_shape(draw, oval_points(cx, cy, rx, ry), look.body)
    _markings(body, look, cx, cy, rx, ry, r)
    _wing(draw, look, cx, cy, rx, ry, r, lw, ink, wing_up)
    if look.cheek:
        blush = mix(look.body, (255, 130, 150), 0.55)
        draw.ellipse(ellipse_box(cx + 0.05 * r, cy - 0.05 * r, 0.15 * r, 0.09 * r), fill=blush)
    eye_y = cy - 0.38 * ry
    _eye(draw, look, cx + 0.12 * r, eye_y, 0.21 * r * look.eye_size, blink, lw, ink)
    _eye(draw, look, cx + 0.6 * r, eye_y - 0.02 * r, 0.18 * r * look.eye_size, blink, lw, ink)
    _beak(draw, look, cx + 0.66 * r, cy - 0.04 * ry, r, lw, ink, mouth)

    tilt = look.tilt + lean
    if tilt:
        # rotate around the hips so the body rocks on its feet
        body = body.rotate(-tilt, resample=Image.Resampling.BICUBIC, center=(ax, ay - leg))
    canvas.alpha_composite(body)
    return canvas.resize((round(width / s), round(height / s)), Image.Resampling.LANCZOS)


# --------------------------------------------------------------------------- parts


def _feet(draw: ImageDraw.ImageDraw, ax: float, ay: float, r: float, leg: float, lw: float, colour: Rgb, ink) -> None:
    for dx in (-0.22 * r, 0.2 * r):
        x = ax + dx
        draw.line([(x, ay - leg - 0.2 * r), (x, ay)], fill=ink, width=round(lw * 2.4))
        draw.line([(x, ay - leg - 0.2 * r), (x, ay)], fill=colour, width=round(lw * 1.1))
        for toe in (-0.12, 0.0, 0.14):
            end = (x + toe * r * 1.3, ay + 0.04 * r)
            draw.line([(x, ay - 0.03 * r), end], fill=ink, width=round(lw * 1.9))
            draw.line([(x, ay - 0.03 * r), end], fill=colour, width=round(lw * 0.8))


def _tail(draw, look: BirdLook, cx, cy, rx, ry, r, lw, ink) -> None:
    base = (cx - rx * 0.8, cy + ry * 0.25)
    feathers = {
        "fan": [(195, 0.75, 0.32), (172, 0.8, 0.32), (150, 0.7, 0.3)],
        "pointed": [(178, 0.85, 0.45)],
        "long": [(192, 1.35, 0.24), (180, 1.45, 0.24), (168, 1.3, 0.22)],
        "up": [(140, 0.8, 0.3), (125, 0.72, 0.28)],
        "stub": [(175, 0.45, 0.4)],
    }[look.tail]
    for colour, grow in ((ink, lw), (look.tail_colour, 0.0)):
        for angle, length, width in feathers:
            pts = drop_points(
                base[0], base[1], length * r + grow * 1.6, width * r + grow * 2, math.radians(angle), 0.25 * r
            )
            fill_shape(draw, pts, colour)


def _crest(draw, look: BirdLook, cx, cy, rx, ry, r, lw, ink) -> None:
    top = (cx + 0.08 * r, cy - ry * 0.9)
    shapes: list[tuple[float, float, float, float]] = []  # angle, length, width, x offset
    if look.crest == "tuft":
        shapes = [(-125, 0.5, 0.24, -0.14), (-95, 0.68, 0.27, 0.0), (-68, 0.48, 0.23, 0.13)]
    elif look.crest == "spiky":
        shapes = [(-140 + 22 * i, 0.55 + 0.14 * (2 - abs(i - 2)), 0.24, -0.3 + 0.15 * i) for i in range(5)]
    elif look.crest == "plume":
        shapes = [(-150, 0.95, 0.2, -0.1), (-135, 1.05, 0.22, 0.0), (-120, 0.85, 0.2, 0.1)]
    elif look.crest == "ears":
        shapes = [(-118, 0.62, 0.4, -0.5), (-62, 0.62, 0.4, 0.5)]
    for colour, grow in ((ink, lw), (look.crest_colour, 0.0)):
        for angle, length, width, dx in shapes:
            x = top[0] + dx * r
            y = top[1] + (0.12 * r if look.crest == "ears" else 0.1 * r) + abs(dx) * r * 0.35
            pts = drop_points(x, y, length * r + grow * 1.6, width * r + grow * 2, math.radians(angle), 0.15 * r)
            fill_shape(draw, pts, colour)
    if look.crest == "curl":
        # a quail's plume: a curved stem with a drop at its end, nodding forward
        stem = [
            (top[0] + 0.02 * r + 0.25 * r * math.sin(t / 10), top[1] + 0.1 * r - 0.55 * r * t / 10) for t in range(11)
        ]
        draw.line(stem, fill=ink, width=round(lw * 2.6), joint="curve")
        draw.line(stem, fill=look.crest_colour, width=round(lw * 1.0), joint="curve")
        tip = stem[-1]
        for colour, grow in ((ink, lw), (look.crest_colour, 0.0)):
            fill_shape(
                draw,
                drop_points(tip[0], tip[1], 0.32 * r + grow * 1.6, 0.3 * r + grow * 2, math.radians(15), 0.1),
                colour,
            )


def _markings(body: Image.Image, look: BirdLook, cx, cy, rx, ry, r) -> None:
    """Belly, breast and face patches, clipped to the body outline."""
    layer = Image.new("RGBA", body.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    # a soft sheen on the crown gives the ball of feathers some volume
    fill_shape(
        draw, oval_points(cx - 0.25 * rx, cy - 0.62 * ry, rx * 0.42, ry * 0.2), mix(look.body, (255, 255, 255), 0.22)
    )
    if look.species == "penguin":
        fill_shape(draw, oval_points(cx + 0.25 * rx, cy + 0.12 * ry, rx * 0.78, ry * 0.95), look.belly)
    else:
        fill_shape(draw, oval_points(cx + 0.22 * rx, cy + 0.38 * ry, rx * 0.72, ry * 0.62), look.belly)
    if look.species == "robin":
        fill_shape(draw, oval_points(cx + 0.45 * rx, cy + 0.12 * ry, rx * 0.55, ry * 0.5), look.breast)
    if look.species == "owl":
        for dx in (0.12, 0.6):
            draw.ellipse(ellipse_box(cx + dx * r, cy - 0.38 * ry, 0.34 * r, 0.34 * r), fill=look.breast)
        for dx, dy in [(0.0, 0.35), (0.3, 0.35), (0.15, 0.55), (0.45, 0.55), (0.3, 0.75)]:
            x, y, w = cx + dx * rx, cy + dy * ry, 0.09 * r
            draw.line([(x - w, y - w * 0.6), (x, y), (x + w, y - w * 0.6)], fill=look.wing, width=round(0.04 * r))
    if look.species == "finch":
        draw.ellipse(ellipse_box(cx + 0.35 * r, cy + 0.02 * ry, 0.22 * r, 0.16 * r), fill=look.breast)
    clip = Image.new("L", body.size, 0)
    ImageDraw.Draw(clip).polygon(oval_points(cx, cy, rx, ry), fill=255)
    layer.putalpha(ImageChops.darker(layer.getchannel("A"), clip))
    body.alpha_composite(layer)


def _wing(draw, look: BirdLook, cx, cy, rx, ry, r, lw, ink, raised: bool = False) -> None:
    penguin = look.species == "penguin"
    # the near wing folded on the flank: round shoulder in front, tip to the back;
    # raised, it swings up and back from the shoulder, like a hand lifted to make a point
    x, y = cx - (0.3 if penguin else 0.1) * rx, cy + (0.0 if penguin else 0.02) * ry
    angle = math.radians(120 if penguin else 158)
    length, width = (0.9 * r, 0.3 * r) if penguin else (0.82 * r, 0.42 * r)
    if raised:
        # out in front of the breast and up, its tip past the body's edge
        x, y = cx + 0.05 * rx, cy + 0.2 * ry
        angle, length = math.radians(-38), length * 1.2
    fill_shape(draw, drop_points(x, y, length + lw * 1.6, width + lw * 1.6, angle, 0.12 * r), ink)
    fill_shape(draw, drop_points(x, y, length, width, angle, 0.12 * r), look.wing)
    if not penguin:
        # two feather scallops along the wing
        for k in (0.35, 0.6):
            fx, fy = x + math.cos(angle) * length * k, y + math.sin(angle) * length * k
            draw.arc(
                ellipse_box(fx, fy, 0.14 * r, 0.14 * r), 300, 400, fill=mix(look.wing, INK, 0.4), width=round(lw * 0.7)
            )


def _eye(draw, look: BirdLook, x: float, y: float, e: float, blink: bool, lw: float, ink) -> None:
    if blink:
        # a closed eye is a happy upward curve
        draw.arc(ellipse_box(x, y - 0.35 * e, e * 0.85, e * 0.75), 20, 160, fill=ink, width=round(lw * 1.1))
        return
    if look.eye == "bead":
        draw.ellipse(ellipse_box(x, y, e * 0.62, e * 0.72), fill=ink)
        draw.ellipse(ellipse_box(x + 0.15 * e, y - 0.25 * e, e * 0.22, e * 0.22), fill=(255, 255, 255))
        return
    sclera = e * (1.25 if look.eye == "owl" else 1.0)
    draw.ellipse(ellipse_box(x, y, sclera + lw, sclera + lw), fill=ink)
    draw.ellipse(ellipse_box(x, y, sclera, sclera), fill=(255, 255, 255))
    if look.eye == "owl":
        draw.ellipse(ellipse_box(x + 0.1 * e, y, 0.8 * e, 0.8 * e), fill=(246, 176, 40))
    pupil = 0.55 * e
    draw.ellipse(ellipse_box(x + 0.22 * e, y + 0.05 * e, pupil, pupil * 1.08), fill=(24, 18, 30))
    draw.ellipse(ellipse_box(x + 0.33 * e, y - 0.18 * e, 0.2 * e, 0.2 * e), fill=(255, 255, 255))
    if look.eye == "sparkle":
        # a second, smaller highlight: a starry-eyed look
        draw.ellipse(ellipse_box(x + 0.05 * e, y + 0.2 * e, 0.1 * e, 0.1 * e), fill=(255, 255, 255))
    if look.eye == "lash":
        for angle in (-60, -30, -5):
            a = math.radians(angle)
            p = (x + math.cos(a) * sclera, y + math.sin(a) * sclera)
            q = (x + math.cos(a) * sclera * 1.45, y + math.sin(a) * sclera * 1.45)
            draw.line([p, q], fill=ink, width=round(lw * 0.8))


def _beak(draw, look: BirdLook, bx: float, by: float, r: float, lw: float, ink, mouth: Mouth) -> None:
    jaw, length_k, height_k, inner = MOUTH_POSES[mouth]
    length, half = look.beak_length * r * length_k, look.beak_height * r * height_k
    axis = math.radians(look.beak_angle)
    if mouth is Mouth.PUCKERED:
        bx += 0.12 * r
    upper_tip = length
    hook = look.beak == "hooked"
    duck = look.beak == "duck"
    # upper half: from the hinge (0, 0) over the top (y = -half) to the tip
    upper = [(0.0, 0.0), (0.0, -half)]
    for i in range(1, 9):
        t = i / 8
        bulge = math.sqrt(1 - t) if duck else (1 - t) ** (0.8 if hook else 1.1)
        upper.append((t * upper_tip, -half * bulge + (0.35 * half * t * t if hook else 0.0)))
    if hook:
        upper += [(upper_tip * 1.04, 0.35 * half), (upper_tip * 0.9, 0.3 * half)]
    elif duck:
        upper += [(upper_tip * 1.02, -0.05 * half)]
    upper.append((upper_tip * 0.85, 0.02 * half))
    lower_len = length * (0.62 if inner == "tuck" else (0.78 if hook else 0.92))
    lower_half = half * (0.62 if not duck else 0.8)
    # lower half: along the closed line to its tip, then back along the chin
    chin = [(t * lower_len, lower_half * (1 - t) ** (0.5 if duck else 1.0)) for t in (i / 8 for i in range(8, -1, -1))]
    lower = [(0.0, 0.0), *chin]
    open_angle = math.radians(jaw)
    lower = [rotate_point(p, open_angle) for p in lower]
    if inner == "tuck":
        lower = [(x - 0.08 * length, y + 0.05 * half) for x, y in lower]

    def place(points):
        return [
            (bx + x * math.cos(axis) - y * math.sin(axis), by + x * math.sin(axis) + y * math.cos(axis))
            for x, y in points
        ]

    if inner != "none":
        mouth_colour = (120, 28, 44)
        tip_up = (upper_tip * 0.85, 0.0)
        tip_low = rotate_point((lower_len * 0.95, 0.0), open_angle)
        if inner == "round":
            mid = ((tip_up[0] + tip_low[0]) / 2 * 0.8, tip_low[1] / 2)
            draw.ellipse(
                ellipse_box(*place([mid])[0], 0.2 * length, abs(tip_low[1]) * 0.55 + 0.06 * r), fill=mouth_colour
            )
        elif inner == "tip":
            mid = (length * 0.72, tip_low[1] * 0.5)
            draw.ellipse(ellipse_box(*place([mid])[0], 0.1 * length, 0.08 * r), fill=mouth_colour)
        else:
            fill_shape(draw, place([(0.0, 0.0), tip_up, tip_low]), mouth_colour)
        if inner == "tongue":
            tongue = [
                (0.2 * length, tip_low[1] * 0.4),
                (0.62 * length, -0.02 * half),
                (0.72 * length, 0.1 * half),
                (0.6 * length, tip_low[1] * 0.6),
            ]
            fill_shape(draw, place(tongue), (240, 110, 130))
    colour = look.beak_colour
    lower_colour = mix(colour, INK, 0.15)
    for pts, fill in ((lower, lower_colour), (upper, colour)):
        placed = place(pts)
        draw.polygon(placed, fill=fill, outline=ink, width=round(lw))
    if look.beak != "long":
        nostril = place([(0.28 * length, -0.55 * half)])[0]
        draw.ellipse(ellipse_box(*nostril, 0.035 * r, 0.025 * r), fill=mix(colour, INK, 0.5))
