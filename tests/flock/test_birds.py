"""Generated birds: deterministic, distinct, every mouth shape visible; organiser artwork checked."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw

from eventsite.flock.birds import BirdSpec, BirdSprites, bird_portrait_png, design_bird
from eventsite.flock.birds_artwork import BirdArtworkError, load_custom_artwork
from eventsite.flock.timeline import Mouth

DEMO = [
    ("Gemma Went", "#7b3294"),
    ("Andrew Gerrard", "#1b7837"),
    ("Joanne Jacobs", "#b2182b"),
    ("Benjamin Ellis", "#2166ac"),
    ("Matt Rhodes", "#8c510a"),
    ("Azeem Azhar", "#01665e"),
]
SPOKEN = [m for m in Mouth if m not in (Mouth.CLOSED, Mouth.REST)]


def changed_pixels(a: Image.Image, b: Image.Image) -> int:
    """How many pixels differ noticeably (any channel, alpha included, by more than 24)."""
    assert a.size == b.size
    diff = np.asarray(ImageChops.difference(a.convert("RGBA"), b.convert("RGBA")))
    return int(np.count_nonzero((diff > 24).any(axis=2)))


def png(size=(64, 64), colour=(200, 40, 40, 255)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, size[0] - 4, size[1] - 4), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_same_name_gives_the_same_portrait_bytes():
    assert bird_portrait_png(BirdSpec("Gemma Went", "#7b3294")) == bird_portrait_png(BirdSpec("Gemma Went", "#7b3294"))
    # the name is normalised: spacing and case do not change the bird
    assert design_bird(BirdSpec(" gemma went ")) == design_bird(BirdSpec("Gemma Went"))


def test_portrait_is_a_square_png_with_transparency():
    image = Image.open(io.BytesIO(bird_portrait_png(BirdSpec("Azeem Azhar"), size=128)))
    assert image.format == "PNG" and image.size == (128, 128) and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0  # corners outside the round badge are clear


def test_demo_birds_differ_in_shape_not_only_colour():
    looks = [design_bird(BirdSpec(name, colour)) for name, colour in DEMO]
    traits = {(look.species, look.crest, look.beak, look.tail, look.eye) for look in looks}
    assert len(traits) == len(DEMO)
    # the same colour on two names still gives two visibly different birds
    a = BirdSprites(BirdSpec("Gemma Went", "#2166ac")).sprite(Mouth.CLOSED)
    b = BirdSprites(BirdSpec("Matt Rhodes", "#2166ac")).sprite(Mouth.CLOSED)
    assert changed_pixels(a, b) > 2000


def test_variant_gives_another_bird_for_the_same_name():
    assert design_bird(BirdSpec("Joanne Jacobs", variant=1)) != design_bird(BirdSpec("Joanne Jacobs"))


@pytest.mark.parametrize(("name", "colour"), DEMO)
def test_every_mouth_shape_differs_from_closed(name, colour):
    sprites = BirdSprites(BirdSpec(name, colour))
    closed = sprites.sprite(Mouth.CLOSED, speaking=True)
    shapes = {}
    for mouth in SPOKEN:
        shapes[mouth] = sprites.sprite(mouth, speaking=True)
        assert changed_pixels(closed, shapes[mouth]) > 15, mouth
    # rest is the closed beak of a bird that is not talking
    assert sprites.sprite(Mouth.REST).tobytes() == sprites.sprite(Mouth.CLOSED).tobytes()
    # the wide beak opens further than the slight one
    assert changed_pixels(closed, shapes[Mouth.WIDE]) > changed_pixels(closed, shapes[Mouth.SLIGHTLY_OPEN])


def test_blink_and_lean_change_the_sprite():
    sprites = BirdSprites(BirdSpec("Benjamin Ellis", "#2166ac"))
    still = sprites.sprite(Mouth.REST)
    assert changed_pixels(still, sprites.sprite(Mouth.REST, blink=True)) > 100
    assert changed_pixels(still, sprites.sprite(Mouth.REST, speaking=True)) > 500
    # drawn once: the same cropped image comes back
    assert sprites.placed(Mouth.REST)[0] is sprites.placed(Mouth.REST)[0]


def test_left_facing_sprites_are_mirrored():
    spec = BirdSpec("Matt Rhodes", "#8c510a")
    right = BirdSprites(spec).sprite(Mouth.OPEN)
    left = BirdSprites(spec, facing="left").sprite(Mouth.OPEN)
    assert left.tobytes() == right.transpose(Image.Transpose.FLIP_LEFT_RIGHT).tobytes()


def test_artwork_per_mouth_shape_fills_missing_shapes_with_the_nearest():
    closed, wide = png(colour=(10, 200, 10, 255)), png(colour=(10, 10, 200, 255))
    art = load_custom_artwork({"A": closed, "d": io.BytesIO(wide)})
    assert set(art.mouths) == set(Mouth)
    assert art.mouths[Mouth.REST] is art.mouths[Mouth.CLOSED]
    assert art.mouths[Mouth.OPEN] is art.mouths[Mouth.WIDE]  # C borrows D, the nearest given
    sprites = BirdSprites(BirdSpec("Gemma Went", artwork=art))
    assert changed_pixels(sprites.sprite(Mouth.CLOSED), sprites.sprite(Mouth.WIDE)) > 500


def test_single_artwork_gets_a_beak_that_opens(tmp_path):
    path = tmp_path / "bird.png"
    path.write_bytes(png(size=(200, 180)))
    sprites = BirdSprites(BirdSpec("Gemma Went", artwork=load_custom_artwork(path)))
    assert changed_pixels(sprites.sprite(Mouth.CLOSED), sprites.sprite(Mouth.WIDE)) > 30


@pytest.mark.parametrize(
    ("files", "words"),
    [
        (b"this is not a picture", "not an image"),
        (png()[:80], "damaged"),
        ({"A": png(), "Q": png()}, "not a mouth shape"),
        ({"D": png()}, "beak closed"),
        (png(size=(5000, 20)), "at most 4096"),
        (png(size=(8, 8)), "too small"),
    ],
    ids=["not-an-image", "truncated", "bad-key", "no-closed-beak", "too-large", "too-small"],
)
def test_bad_artwork_is_refused_in_plain_words(files, words):
    with pytest.raises(BirdArtworkError) as error:
        load_custom_artwork(files)
    assert words in str(error.value)


def test_other_formats_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (32, 32)).save(out, format="TIFF")
    with pytest.raises(BirdArtworkError, match="PNG, JPEG, WebP or GIF"):
        load_custom_artwork(out.getvalue())
