"""Identicons: a symmetric 5×5 pattern on a soft background, drawn as SVG.

The pattern comes from the avatar key (a keyed hash of the e-mail, see
:func:`tokens.avatar_key`), so the same person gets the same picture on
every comment, and the picture reveals nothing about the address.
"""

from __future__ import annotations

import colorsys
import hashlib

GRID = 5
CELL = 8
MARGIN = 4


def identicon_svg(key: str) -> str:
    """An SVG identicon for ``key`` (any string; normally a 32-hex avatar key)."""
    digest = hashlib.sha256(key.encode()).digest()
    hue = digest[0] / 255
    # Dark enough for white page text nearby, light background for contrast.
    red, green, blue = colorsys.hls_to_rgb(hue, 0.38, 0.55)
    ink = f"#{int(red * 255):02x}{int(green * 255):02x}{int(blue * 255):02x}"
    size = GRID * CELL + 2 * MARGIN
    cells = []
    half = (GRID + 1) // 2
    for row in range(GRID):
        for col in range(half):
            if digest[1 + row * half + col] & 1:
                for x in {col, GRID - 1 - col}:
                    cells.append(
                        f'<rect x="{MARGIN + x * CELL}" y="{MARGIN + row * CELL}" width="{CELL}" height="{CELL}"/>'
                    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}">'
        f'<rect width="{size}" height="{size}" fill="#f1eee8"/>'
        f'<g fill="{ink}">{"".join(cells)}</g></svg>'
    )


def neutral_svg() -> str:
    """The one picture every unproven commenter gets: a plain head and shoulders."""
    size = GRID * CELL + 2 * MARGIN
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}">'
        f'<rect width="{size}" height="{size}" fill="#e4e1db"/>'
        '<g fill="#8c867c"><circle cx="24" cy="19" r="8"/><path d="M9 44c0-9 7-15 15-15s15 6 15 15z"/></g></svg>'
    )
