"""Cartoon birds for panelists: a look made from each name, drawn once per pose.

A panelist's bird is decided by their name (and the organiser's colour, if
any) through a hash, so the same person gets the same bird on every page and
in every re-render, with no table of birds to store. ``variant`` lets an
organiser ask for another bird without renaming anyone.

Traits are picked per species so that combinations stay plausible (owls get
ear tufts and big eyes, parrots hooked beaks and long tails); every trait has
its own hash byte, so two birds of one species still differ in crest, eyes,
size and posture.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from .birds_artwork import CustomArtwork, artwork_sprite
from .birds_draw import ANCHOR, CANVAS, SPEAKING_LEAN, draw_bird
from .drawing import Rgb, hex_rgb, mix
from .timeline import Mouth

#: body radius in pixels of a size-1.0 bird at scale 1.0: six birds and their
#: name labels fit side by side in a 1280-pixel-wide frame
BASE_RADIUS = 50

SPECIES = ("songbird", "robin", "owl", "parrot", "penguin", "finch", "duckling")

#: what each species may wear; the hash picks within these
_CRESTS = {
    "songbird": ("tuft", "spiky", "curl", "none"),
    "robin": ("none", "tuft"),
    "owl": ("ears",),
    "parrot": ("plume", "spiky", "tuft"),
    "penguin": ("none", "spiky", "tuft"),
    "finch": ("curl", "tuft", "none", "spiky"),
    "duckling": ("curl", "tuft", "none"),
}
_BEAKS = {
    "songbird": ("cone", "long", "tiny"),
    "robin": ("cone", "tiny"),
    "owl": ("hooked",),
    "parrot": ("hooked",),
    "penguin": ("long", "cone"),
    "finch": ("cone", "tiny"),
    "duckling": ("duck",),
}
_TAILS = {
    "songbird": ("fan", "pointed", "up"),
    "robin": ("fan", "up"),
    "owl": ("stub", "fan"),
    "parrot": ("long",),
    "penguin": ("stub",),
    "finch": ("pointed", "fan", "up"),
    "duckling": ("stub", "up"),
}
#: (length, half height) of each beak in body radii
_BEAK_SIZES = {
    "cone": (0.7, 0.27),
    "long": (0.95, 0.2),
    "tiny": (0.52, 0.21),
    "hooked": (0.56, 0.29),
    "duck": (0.72, 0.22),
}
#: (body width, body height) of each build, in body radii
_PARROT_ACCENTS = ((255, 196, 61), (244, 109, 67), (102, 194, 165), (94, 129, 244), (240, 98, 146))
_BEAK_COLOURS = ((255, 196, 48), (250, 150, 40), (78, 70, 90), (246, 226, 170))
_BUILDS = {"round": (1.0, 0.96), "tall": (0.9, 1.08), "plump": (1.1, 0.92)}


@dataclass(frozen=True)
class BirdSpec:
    """Who a bird is: the panelist's name, an optional colour, optional artwork."""

    name: str
    #: "#rrggbb"; None derives a colour from the name
    colour: str | None = None
    #: organiser-supplied pictures replacing the generated bird
    artwork: CustomArtwork | None = field(default=None, compare=False, hash=False)
    #: bump to get a different generated bird for the same name
    variant: int = 0


@dataclass(frozen=True)
class BirdLook:
    """Every drawn trait of a generated bird (see ``design_bird``)."""

    species: str
    body: Rgb
    belly: Rgb
    breast: Rgb
    wing: Rgb
    tail_colour: Rgb
    crest: str  #: none | tuft | spiky | curl | plume | ears
    crest_colour: Rgb
    beak: str  #: cone | long | tiny | hooked | duck
    beak_colour: Rgb
    beak_length: float
    beak_height: float
    beak_angle: float  #: degrees below horizontal
    eye: str  #: round | bead | owl | sparkle | lash
    eye_size: float
    tail: str  #: fan | pointed | long | up | stub
    size: float  #: body radius relative to BASE_RADIUS
    body_width: float
    body_height: float
    tilt: float  #: resting posture, degrees forward (negative: proud chest)
    cheek: bool
    feet: Rgb


def design_bird(spec: BirdSpec) -> BirdLook:
    """The look of ``spec``'s bird: the same spec always gives the same look."""
    key = f"{spec.name.strip().casefold()}|{spec.variant}".encode()
    h = hashlib.sha256(key).digest()

    def pick(options: tuple, byte: int):
        return options[h[byte] % len(options)]

    species = pick(SPECIES, 0)
    body = hex_rgb(spec.colour) if spec.colour else _colour_from_hash(h[1], h[2])
    hue, light, sat = colorsys.rgb_to_hls(*(c / 255 for c in body))
    white, cream = (255, 255, 255), (255, 244, 222)
    belly = mix(body, cream, 0.68)
    breast = belly
    wing = mix(body, (20, 16, 30), 0.28)
    tail_colour = wing
    crest_colour = mix(body, (20, 16, 30), 0.12)
    if species == "robin":
        # a robin's breast in orange, or cream on a bird that is orange already
        breast = (240, 128, 60) if not 0.02 < hue < 0.12 else (255, 236, 200)
    elif species == "parrot":
        # a parrot's bright wings, from a friendly palette, never the body's own hue
        accents = [c for c in _PARROT_ACCENTS if _hue_distance(c, body) > 0.12]
        accent = accents[h[3] % len(accents)]
        wing, tail_colour = accent, mix(accent, (20, 16, 30), 0.15)
        crest_colour = accents[(h[3] + 1) % len(accents)]
        belly = mix(body, (255, 226, 120), 0.55)
    elif species == "penguin":
        belly = white
    elif species == "owl":
        breast = mix(body, cream, 0.5)
    elif species == "finch":
        breast = mix(body, (255, 150, 110), 0.5)
    elif species == "duckling":
        belly = mix(body, (255, 240, 170), 0.6)
    beak = pick(_BEAKS[species], 4)
    # the beak colour that stands out most against the face and breast behind it
    beak_colour = max(_BEAK_COLOURS, key=lambda c: min(_distance(c, body), _distance(c, breast), _distance(c, belly)))
    warm_body = 0.03 < hue < 0.17 and sat > 0.35
    length, height = _BEAK_SIZES[beak]
    build = "tall" if species == "penguin" else pick(tuple(_BUILDS), 5)
    width_k, height_k = _BUILDS[build]
    eyes = ("owl",) if species == "owl" else ("round", "round", "bead", "sparkle", "lash")
    return BirdLook(
        species=species,
        body=body,
        belly=belly,
        breast=breast,
        wing=wing,
        tail_colour=tail_colour,
        crest=pick(_CRESTS[species], 6),
        crest_colour=crest_colour,
        beak=beak,
        beak_colour=beak_colour,
        beak_length=length,
        beak_height=height,
        beak_angle=8.0 + h[7] % 8,
        eye=pick(eyes, 8),
        eye_size=0.95 + (h[9] % 5) * 0.06,
        tail=pick(_TAILS[species], 10),
        size=0.9 + (h[11] % 6) * 0.04,
        body_width=width_k,
        body_height=height_k,
        tilt=(-4.0, 0.0, 0.0, 3.0)[h[12] % 4],
        cheek=h[13] % 3 != 0,
        feet=(240, 150, 60) if not warm_body else (120, 100, 110),
    )


class BirdSprites:
    """Every pose of one bird, drawn on first use and kept.

    :param scale: 1.0 suits six birds in a 1280x720 frame; smaller for more.
    :param facing: "right" or "left" (mirrored), so birds can face the middle.
    :param drawn: the poses already drawn by the same bird facing the other way
        (``other.drawn``): a mirror image costs a flip, not a second drawing.
    """

    def __init__(self, spec: BirdSpec, *, scale: float = 1.0, facing: str = "right", drawn: dict | None = None) -> None:
        self.spec = spec
        self.look = design_bird(spec)
        self.radius = BASE_RADIUS * scale
        self.facing = facing
        self._cache: dict[tuple[Mouth, bool, bool, bool], tuple[Image.Image, tuple[int, int]]] = {}
        #: every pose drawn so far facing right: (cropped sprite, its box on the canvas, canvas width),
        #: shared with the same bird facing the other way
        self.drawn: dict[tuple, tuple[Image.Image, tuple[int, int, int, int], int]] = {} if drawn is None else drawn
        width = round(CANVAS[0] * self.radius)
        #: the full sprite canvas, (width, height)
        self.size = (width, round(CANVAS[1] * self.radius))
        x = ANCHOR[0] * self.radius
        #: where the feet meet the branch, in sprite pixels
        self.anchor = (round(width - x) if facing == "left" else round(x), round(ANCHOR[1] * self.radius))

    def sprite(self, mouth: Mouth = Mouth.REST, *, blink: bool = False, speaking: bool = False) -> Image.Image:
        """The RGBA sprite for a mouth shape, eyes shut or open, leaning in or not (full canvas)."""
        image, offset = self.placed(mouth, blink=blink, speaking=speaking)
        canvas = Image.new("RGBA", self.size, (0, 0, 0, 0))
        canvas.paste(image, offset)
        return canvas

    def placed(
        self, mouth: Mouth = Mouth.REST, *, blink: bool = False, speaking: bool = False, wing_up: bool = False
    ) -> tuple[Image.Image, tuple[int, int]]:
        """The sprite cropped to the bird, and where its corner sits on the full canvas.

        Cropping the transparent margin halves the memory and the pasting time.
        ``wing_up``: a gesture (generated birds only; uploaded artwork has no wing to lift).
        """
        key = (mouth, blink, speaking, wing_up)
        found = self._cache.get(key)
        if found is None:
            right = self.drawn.get(key)
            if right is None:
                lean = SPEAKING_LEAN if speaking else 0.0
                if self.spec.artwork is not None:
                    image = artwork_sprite(self.spec.artwork, self.radius, mouth, lean)
                else:
                    image = draw_bird(self.look, self.radius, mouth, blink, lean, wing_up)
                box = image.getbbox() or (0, 0, 1, 1)
                right = (image.crop(box), box, image.width)
                self.drawn[key] = right
            crop, box, width = right
            if self.facing == "left":  # the mirror image: flipped, and its margin on the other side
                found = (crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (width - box[2], box[1]))
            else:
                found = (crop, (box[0], box[1]))
            self._cache[key] = found
        return found


def bird_portrait_png(spec: BirdSpec, size: int = 256, *, mouth: Mouth = Mouth.CLOSED) -> bytes:
    """A square PNG of the bird on a soft round badge, for profiles and line-ups."""
    look = design_bird(spec)
    sprite, _ = BirdSprites(spec, scale=size / 4.1 / BASE_RADIUS).placed(mouth)
    # long tails and beaks: shrink to fit, then centre the bird itself, not its canvas
    fit = min(1.0, 0.9 * size / sprite.width, 0.86 * size / sprite.height)
    if fit < 1.0:
        sprite = sprite.resize((round(sprite.width * fit), round(sprite.height * fit)), Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    badge = Image.new("RGBA", (size * 3, size * 3), (0, 0, 0, 0))
    ImageDraw.Draw(badge).ellipse(
        (6, 6, size * 3 - 6, size * 3 - 6), fill=(*mix(look.body, (255, 255, 255), 0.82), 255)
    )
    canvas.alpha_composite(badge.resize((size, size), Image.Resampling.LANCZOS))
    canvas.alpha_composite(sprite, ((size - sprite.width) // 2, round(size * 0.93) - sprite.height))
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _colour_from_hash(a: int, b: int) -> Rgb:
    """A friendly saturated colour: any hue, mid lightness, never muddy."""
    hue = (a * 256 + b) / 65536
    red, green, blue = colorsys.hls_to_rgb(hue, 0.42, 0.62)
    return round(red * 255), round(green * 255), round(blue * 255)


def _distance(a: Rgb, b: Rgb) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def _hue_distance(a: Rgb, b: Rgb) -> float:
    ha = colorsys.rgb_to_hls(*(c / 255 for c in a))[0]
    hb = colorsys.rgb_to_hls(*(c / 255 for c in b))[0]
    return min(abs(ha - hb), 1 - abs(ha - hb))
