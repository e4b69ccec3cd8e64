"""The parts of a flock frame that are drawn once: sky, branches, labels, spotlight, captions.

All of it is cached by ``scene.FlockScene``; nothing here runs per frame
except ``caption_box``, once per caption cue.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .birds import BASE_RADIUS, BirdSprites
from .drawing import Rgb, luminance, mix

if TYPE_CHECKING:
    from .scene import Perch

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def branch_y(x: float, y0: float, width: int) -> float:
    """A branch sagging gently in the middle."""
    return y0 + 14 * math.sin(math.pi * x / width)


def sky(top: Rgb, bottom: Rgb, size: tuple[int, int]) -> Image.Image:
    """The event's colours as a sky, softened towards white so every bird stands out, with a few clouds."""
    width, height = size
    top, bottom = mix(top, (255, 255, 255), 0.25), mix(bottom, (255, 255, 255), 0.45)
    ramp = Image.linear_gradient("L").resize((width, height), Image.Resampling.BILINEAR)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)
    rng = random.Random("clouds")
    s = 2
    clouds = Image.new("RGBA", (width // s, height // s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(clouds)
    for _ in range(6):
        x, y, w = rng.uniform(0, width / s), rng.uniform(20, height / 5 / s * 2), rng.uniform(40, 80)
        for dx, dy, k in ((-0.45, 0.1, 0.35), (0.0, -0.1, 0.5), (0.45, 0.05, 0.38), (0.2, 0.2, 0.4)):
            r = w * k
            cx, cy = x + dx * w, y + dy * w
            draw.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), fill=(255, 255, 255, 140))
    clouds = clouds.filter(ImageFilter.GaussianBlur(2)).resize(size, Image.Resampling.BICUBIC)
    image.paste(clouds, (0, 0), clouds)
    return image


def paint_branches(image: Image.Image, perches: list[Perch], title: str | None, size: tuple[int, int]) -> None:
    width, _ = size
    draw = ImageDraw.Draw(image)
    scale = perches[0].sprites.radius / BASE_RADIUS
    wood, ink = (122, 84, 56), (70, 46, 34)
    for y0 in sorted({round(p.y - 14 * math.sin(math.pi * p.x / width)) for p in perches}):
        branch(image, y0, wood, ink, scale, size)
    if title:
        font = ImageFont.truetype(FONT_BOLD, 26)
        text_w = draw.textlength(title, font=font)
        draw.rounded_rectangle((24, 20, 24 + text_w + 32, 68), 24, fill=(255, 255, 255))
        draw.text((40, 44), title, font=font, fill=(40, 36, 52), anchor="lm")
    for perch in perches:
        image.paste(perch.label, perch.label_at, perch.label)


def branch(image: Image.Image, y0: float, wood: Rgb, ink: Rgb, scale: float, size: tuple[int, int]) -> None:
    """A branch with a few leaves, drawn at 2x and shrunk for smooth edges."""
    width, _ = size
    s = 2
    layer = Image.new("RGBA", (width * s, round(90 * s * scale) + 40 * s), (0, 0, 0, 0))
    top = y0 - 20 * s
    draw = ImageDraw.Draw(layer)
    thick = 13 * scale

    def y_at(x: float) -> float:
        return (branch_y(x, y0, width) - top) * s

    upper = [(x * s, y_at(x) - thick * s * (1.0 - 0.3 * x / width)) for x in range(-10, width + 11, 20)]
    lower = [(x * s, y_at(x) + thick * s * (1.0 - 0.3 * x / width)) for x in range(width + 10, -11, -20)]
    outline = [(x, y - 3 * s) for x, y in upper] + [(x, y + 3 * s) for x, y in lower]
    draw.polygon(outline, fill=ink)
    draw.polygon(upper + lower, fill=wood)
    rng = random.Random("leaves")
    for x in range(60, width, 150):
        lx = x + rng.uniform(-30, 30)
        ly = y_at(lx) + rng.choice((-1, 1)) * thick * s * 0.6
        angle = rng.uniform(-0.9, 0.9) + (math.pi / 2 if ly > y_at(lx) else -math.pi / 2)
        length = rng.uniform(22, 32) * s * scale
        tip = (lx * s + math.cos(angle) * length, ly + math.sin(angle) * length)
        leaf = []
        for i in range(24):
            t = 2 * math.pi * i / 24
            # a lens: pointed at both ends
            u, v = (1 - math.cos(t)) / 2, 0.32 * math.sin(t) * abs(math.sin(t)) ** 0.3
            leaf.append(
                (
                    lx * s + (math.cos(angle) * u - math.sin(angle) * v) * length,
                    ly + (math.sin(angle) * u + math.cos(angle) * v) * length,
                )
            )
        draw.polygon(leaf, fill=(104, 168, 86), outline=(52, 96, 50), width=2 * s)
        draw.line([(lx * s, ly), tip], fill=(66, 118, 58), width=s)
    layer = layer.resize((width, layer.height // s), Image.Resampling.LANCZOS)
    image.paste(layer, (0, round(top)), layer)


def name_labels(name: str, sprites: BirdSprites, font, bold) -> tuple[Image.Image, Image.Image]:
    """A quiet white name pill, and a bold one in the bird's colour for the speaker."""
    colour = sprites.look.body
    while luminance(colour) > 0.18:
        # white text needs a contrast of at least 4.5:1 (WCAG AA): darken the pill until it has it
        colour = mix(colour, (0, 0, 0), 0.15)
    # both pills the same size, so the bold one covers the quiet one exactly
    size = (round(max(bold.getlength(name), font.getlength(name)) + 26), round(font.size * 1.6))
    quiet = pill(name, font, (255, 255, 255, 230), (34, 30, 44), size)
    loud = pill(name, bold, (*colour, 255), (255, 255, 255), size)
    return quiet, loud


def pill(text: str, font: ImageFont.FreeTypeFont, fill, ink, size: tuple[int, int]) -> Image.Image:
    """Text centred on a rounded label, drawn at 2x for smooth edges."""
    s = 2
    width, height = size
    big = font.font_variant(size=font.size * s)
    image = Image.new("RGBA", (width * s, height * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width * s - 1, height * s - 1), height * s // 2, fill=fill)
    draw.text((width * s / 2, height * s / 2), text, font=big, fill=ink, anchor="mm")
    return image.resize((width, height), Image.Resampling.LANCZOS)


def spotlight_glow(radius: int) -> Image.Image:
    """A soft warm spotlight behind the speaker."""
    size = radius * 2
    glow = Image.radial_gradient("L").resize((size, size))
    # radial_gradient is 181 at the middle of each edge: fade out before it, or the square shows
    alpha = glow.point(lambda v: round(215 * max(0.0, 1 - v / 178) ** 1.1))
    image = Image.new("RGBA", (size, size), (255, 246, 200, 0))
    image.putalpha(alpha)
    return image


def caption_box(name: str | None, text: str, max_width: int) -> Image.Image:
    font, bold = ImageFont.truetype(FONT, 30), ImageFont.truetype(FONT_BOLD, 30)
    prefix = f"{name}: " if name else ""
    words, lines, line = text.split(), [], prefix
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    for word in words:
        trial = f"{line}{word} " if line else f"{word} "
        if measure.textlength(trial, font=bold) > max_width - 40 and line.strip() and line != prefix:
            lines.append(line.rstrip())
            line = f"{word} "
        else:
            line = trial
    lines.append(line.rstrip())
    lines = lines[-2:]  # two lines at most; long cues keep their end, which is being said

    def line_width(i: int, line: str) -> float:
        if i == 0 and prefix and line.startswith(prefix):
            return measure.textlength(prefix, font=bold) + measure.textlength(line[len(prefix) :], font=font)
        return measure.textlength(line, font=font)

    width = round(max(line_width(i, x) for i, x in enumerate(lines))) + 44
    height = 44 * len(lines) + 20
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), 14, fill=(20, 18, 28, 215))
    for i, line in enumerate(lines):
        y = 10 + 44 * i + 22
        if i == 0 and prefix and line.startswith(prefix):
            draw.text((22, y), prefix, font=bold, fill=(255, 221, 120), anchor="lm")
            draw.text(
                (22 + measure.textlength(prefix, font=bold), y),
                line[len(prefix) :],
                font=font,
                fill=(255, 255, 255),
                anchor="lm",
            )
        else:
            draw.text((22, y), line, font=font, fill=(255, 255, 255), anchor="lm")
    return image
