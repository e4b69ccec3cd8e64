"""One frame of the flock: birds on a branch, the speaker leaning in.

Everything that does not move is drawn once: the sky, clouds, branch and the
name labels go into one cached background. A frame is a copy of it with a few
cached sprites pasted on top, a few milliseconds at 1280x720. ``frame_key``
says what a frame shows, so the renderer can reuse the previous frame's bytes
when nothing changed (long silences, steady beaks).
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageFont

from .birds import BASE_RADIUS, BirdSpec, BirdSprites
from .camera import Camera, plan_shots
from .captions import split_speaker
from .drawing import hex_rgb
from .scene_backdrop import FONT, FONT_BOLD, branch_y, caption_box, name_labels, paint_branches, sky, spotlight_glow
from .timeline import LitSpeakers, Mouth, SpeechTimeline

#: a hop when a turn starts: height per frame (pixels at scale 1), ~0.4 s at 12 fps
HOP = (0, 9, 15, 17, 15, 9, 3)
#: idle breathing: a slow bob of one pixel up and down (rounded), period 2.6-3.6 s
BOB_PIXELS = 1.2
#: blinks every 2.5-6 s, lasting two frames (1/6 s), now and then a double blink
BLINK_GAP = (30, 72)
BLINK_FRAMES = 2
#: directed flocks: now and then a listener nods to the speaker (leans in and dips), every 6-14 s
NOD_GAP = (72, 168)
NOD = (2, 4, 4, 3, 1)

Caption = tuple[float, float, str]
#: the two ways to film a panel: everyone in one fixed view, or shots chosen from who speaks
LINEUP, DIRECTED = "lineup", "directed"


@dataclass(frozen=True)
class Perch:
    """Where one bird sits: branch point (x, y) in frame pixels and its sprites."""

    x: int
    y: int
    sprites: BirdSprites
    label: Image.Image
    label_speaking: Image.Image
    label_at: tuple[int, int]
    blinks: frozenset[int]
    bob_period: float
    bob_phase: float
    #: the same bird facing the other way (directed flocks: listeners turn to the speaker)
    turned: BirdSprites | None = None
    #: first frames of this bird's nods (directed flocks; a listener nods only while someone speaks)
    nods: tuple[int, ...] = ()


class FlockScene:
    """Draw frames of ``birds`` (seat order) acting out ``timeline``.

    :param colours: the event's two colours ("#rrggbb"), sky top and bottom.
    :param captions: (start, end, text) cues burned in at the bottom, or None: only for a copy
        no player shows (the rendition the player streams has none; the player draws its track).
    :param style: "lineup" (everyone in one fixed view) or "directed" (``camera`` shots,
        listeners turned to the speaker, the speaker's wing up in ``gestures`` frames).
    """

    def __init__(
        self,
        timeline: SpeechTimeline,
        birds: Sequence[BirdSpec],
        *,
        colours: tuple[str, str] = ("#9ecae1", "#f7fbff"),
        title: str | None = None,
        captions: Sequence[Caption] | None = None,
        size: tuple[int, int] = (1280, 720),
        style: str = LINEUP,
        gestures: frozenset[int] = frozenset(),
    ) -> None:
        if not 1 <= len(birds) <= 12:
            raise ValueError("A flock has between 1 and 12 birds.")
        self.timeline = timeline
        self.size = size
        self.fps = timeline.fps
        self.frames = max(1, math.ceil(timeline.duration * timeline.fps - 1e-6))
        self.captions = sorted(captions or [], key=lambda cue: cue[0])
        self._caption_starts = [cue[0] for cue in self.captions]
        self._speakers = self._speaker_track(len(birds))
        self._turn_starts = self._turn_start_frames()
        self._caption_cache: dict[int, Image.Image] = {}
        self.directed = style == DIRECTED
        self.gestures = gestures if self.directed else frozenset()
        self.perches = _layout(birds, size, self.frames, turned=self.directed)
        self.camera = (
            Camera(
                plan_shots(timeline, len(birds)),
                [(p.x, p.y) for p in self.perches],
                size,
                self.fps,
                extents=self._extents,
            )
            if self.directed
            else None
        )
        self._sky = sky(hex_rgb(colours[0]), hex_rgb(colours[1]), size)
        self._title = title
        scale = self.perches[0].sprites.radius / BASE_RADIUS
        self._glow = spotlight_glow(round(165 * scale))
        #: the background without a speaker (key 255), and each speaker's spotlight patch
        self._backgrounds: dict[int, Image.Image] = {}
        self._spotlights: dict[int, tuple[Image.Image, tuple[int, int]]] = {}
        #: the last frame through the camera: (framing, speaker and caption), the birds' poses, the picture
        self._shown: tuple[tuple, tuple, Image.Image] | None = None

    def frame_key(self, frame: int) -> tuple:
        """Everything frame ``frame`` shows; equal keys mean identical pictures."""
        speaker = self._speakers[frame]
        birds = tuple(self._pose(i, perch, frame, speaker) for i, perch in enumerate(self.perches))
        view = self.camera.box(frame) if self.camera else None
        return speaker, birds, self._caption_index(frame / self.fps), view

    def draw(self, frame: int, key: tuple | None = None) -> Image.Image:
        """Frame ``frame`` as an RGB image (a fresh copy the caller may keep)."""
        speaker, birds, cue, view = key or self.frame_key(frame)
        image = self.background().copy()
        if speaker < len(self.perches):
            patch, at = self._spotlight(speaker)
            image.paste(patch, at)
        for i, (perch, pose) in enumerate(zip(self.perches, birds, strict=True)):
            mouth, blink, speaking, lift, wing, turned = pose
            sprites = perch.turned if turned and perch.turned else perch.sprites
            sprite, (dx, dy) = sprites.placed(mouth, blink=blink, speaking=speaking, wing_up=wing)
            ax, ay = sprites.anchor
            image.paste(sprite, (perch.x - ax + dx, perch.y - ay - lift + dy), sprite)
            if i == speaker:
                image.paste(perch.label_speaking, perch.label_at, perch.label_speaking)
        if cue is not None:
            box = self._caption_image(cue)
            image.paste(box, ((self.size[0] - box.width) // 2, self.size[1] - box.height - 18), box)
        if view is None:
            self._shown = None
            return image
        return self._through_camera(image, (speaker, cue, view), birds)

    def _through_camera(self, image: Image.Image, still: tuple, birds: tuple) -> Image.Image:
        """``image`` as the camera frames it: a crop of the drawn frame scaled back up (bilinear).

        Scaling the whole picture up was most of a directed frame's cost. While the shot holds
        (same framing, speaker and caption as the frame before), only the birds whose pose
        changed are scaled again, each over the part of the picture it covers, and pasted on
        the frame before: the same sampling as the whole picture's (PIL samples a sub-box at
        the same points and clips the filter at the image's bounds, not the box's).
        """
        view = still[2]
        shown, self._shown = self._shown, None
        if shown is None or shown[0] != still:
            out = image.resize(self.size, Image.Resampling.BILINEAR, box=view)
        else:
            width, height = self.size
            sx, sy = (view[2] - view[0]) / width, (view[3] - view[1]) / height
            pad = math.ceil(1 / min(sx, sy)) + 2  # the filter reaches one drawn pixel either side
            out = shown[2].copy()
            for i, (old, new) in enumerate(zip(shown[1], birds, strict=True)):
                if old == new:
                    continue
                a, b = self._placement(i, old), self._placement(i, new)
                x0 = max(0, math.floor((min(a[0], b[0]) - view[0]) / sx) - pad)
                y0 = max(0, math.floor((min(a[1], b[1]) - view[1]) / sy) - pad)
                x1 = min(width, math.ceil((max(a[2], b[2]) - view[0]) / sx) + pad)
                y1 = min(height, math.ceil((max(a[3], b[3]) - view[1]) / sy) + pad)
                if x0 >= x1 or y0 >= y1:
                    continue  # out of the picture
                box = (view[0] + x0 * sx, view[1] + y0 * sy, view[0] + x1 * sx, view[1] + y1 * sy)
                out.paste(image.resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR, box=box), (x0, y0))
        self._shown = (still, birds, out)
        return out

    def _placement(self, index: int, pose: tuple) -> tuple[int, int, int, int]:
        """Where bird ``index`` in ``pose`` is pasted on the drawn frame: (left, top, right, bottom)."""
        perch = self.perches[index]
        mouth, blink, speaking, lift, wing, turned = pose
        sprites = perch.turned if turned and perch.turned else perch.sprites
        sprite, (dx, dy) = sprites.placed(mouth, blink=blink, speaking=speaking, wing_up=wing)
        left, top = perch.x - sprites.anchor[0] + dx, perch.y - sprites.anchor[1] - lift + dy
        return left, top, left + sprite.width, top + sprite.height

    def poster(self) -> Image.Image:
        """Everyone awake and still, the first speaker talking with an open beak."""
        first = next((t.speaker for t in self.timeline.turns if 0 <= t.speaker < len(self.perches)), 0)
        poses = tuple(
            (Mouth.OPEN, False, True, 0, False, False) if i == first else (Mouth.REST, False, False, 0, False, False)
            for i in range(len(self.perches))
        )
        return self.draw(0, (first, poses, None, None))

    def background(self, speaker: int = 255) -> Image.Image:
        """Sky, spotlight (behind the branch) for ``speaker``, branch and name labels."""
        image = self._backgrounds.get(speaker)
        if image is None:
            image = self._sky.copy()
            if speaker < len(self.perches):
                image.paste(self._glow, self._glow_at(speaker), self._glow)
            paint_branches(image, self.perches, self._title, self.size)
            if speaker == 255:
                self._backgrounds[speaker] = image  # only the plain one is kept whole
        return image

    def _glow_at(self, speaker: int) -> tuple[int, int]:
        perch = self.perches[speaker]
        return perch.x - self._glow.width // 2, perch.y - round(self._glow.height * 0.6)

    def _spotlight(self, speaker: int) -> tuple[Image.Image, tuple[int, int]]:
        """The part of the background the speaker's spotlight changes (a whole copy per speaker is 2.7 MB)."""
        found = self._spotlights.get(speaker)
        if found is None:
            x, y = self._glow_at(speaker)
            box = (
                max(0, x),
                max(0, y),
                min(self.size[0], x + self._glow.width),
                min(self.size[1], y + self._glow.height),
            )
            found = (self.background(speaker).crop(box), (box[0], box[1]))
            self._spotlights[speaker] = found
        return found

    def _pose(self, index: int, perch: Perch, frame: int, speaker: int) -> tuple[Mouth, bool, bool, int, bool, bool]:
        """(mouth, eyes shut, speaking, lift in pixels, wing up, turned round) of one bird in one frame."""
        blink = frame in perch.blinks
        if index == speaker:
            since = frame - self._turn_started(frame)
            lift = HOP[since] if since < len(HOP) else 0
            scale = perch.sprites.radius / BASE_RADIUS
            wing = frame in self.gestures
            return self.timeline.mouth_at_frame(frame), blink, True, round(lift * scale), wing, False
        seconds = frame / self.fps
        bob = round(BOB_PIXELS * math.sin(2 * math.pi * seconds / perch.bob_period + perch.bob_phase))
        dip = _nod_at(perch.nods, frame) if speaker < len(self.perches) else 0
        nod = round(dip * perch.sprites.radius / BASE_RADIUS)
        # a nod leans in like a speaker (the same sprite) and dips
        return Mouth.REST, blink, dip > 0, bob - nod, False, self._looks_away(perch, speaker)

    def _extents(self, index: int, speaker: int | None) -> list[tuple[float, float]]:
        """The stretches (left, right) of the drawn frame that bird ``index`` and its name pill take
        while ``speaker`` (None: anyone) is filmed, in every pose it may take then (for the camera)."""
        perch = self.perches[index]
        if speaker is None:
            facings = [perch.sprites, perch.turned or perch.sprites]
        else:
            facings = [perch.turned if self._looks_away(perch, speaker) and perch.turned else perch.sprites]
        poses = ((True, False), (True, True)) if index == speaker else ((False, False), (True, False))
        lefts, rights = [], []
        for sprites in facings:
            for speaking, wing in poses:
                sprite, (dx, _dy) = sprites.placed(Mouth.REST, speaking=speaking, wing_up=wing)
                lefts.append(perch.x - sprites.anchor[0] + dx)
                rights.append(lefts[-1] + sprite.width)
        label = (perch.label_at[0], perch.label_at[0] + perch.label.width)
        return [(min(lefts), max(rights)), label]

    def _looks_away(self, perch: Perch, speaker: int) -> bool:
        """Whether a listener turns round to face the speaker (directed flocks only)."""
        if perch.turned is None or speaker >= len(self.perches):
            return False
        other = self.perches[speaker].x
        return other < perch.x if perch.sprites.facing == "right" else other > perch.x

    def _speaker_track(self, count: int) -> bytearray:
        """Speaker per frame (255 for nobody): one pass over the turns, not one per frame.

        Drawn from the held turns, not the moment's voice: a pause inside a turn keeps the
        speaker lit (glow, name pill, lean) and only a new turn makes a bird hop.
        """
        track = bytearray([255]) * self.frames
        for turn in LitSpeakers(self.timeline).lit:
            if turn.speaker < count:
                first, last = round(turn.start * self.fps), min(self.frames, round(turn.end * self.fps))
                track[first:last] = bytes([turn.speaker]) * max(0, last - first)
        return track

    def _turn_start_frames(self) -> list[int]:
        starts = [0]
        for frame in range(1, self.frames):
            if self._speakers[frame] != self._speakers[frame - 1]:
                starts.append(frame)
        return starts

    def _turn_started(self, frame: int) -> int:
        return self._turn_starts[bisect.bisect_right(self._turn_starts, frame) - 1]

    def _caption_index(self, seconds: float) -> int | None:
        i = bisect.bisect_right(self._caption_starts, seconds) - 1
        if i >= 0 and seconds < self.captions[i][1]:
            return i
        return None

    def _caption_image(self, index: int) -> Image.Image:
        image = self._caption_cache.get(index)
        if image is None:
            start, _, text = self.captions[index]
            # one name per caption, the lit bird's: a name the text already starts with comes off
            written, words = split_speaker(text, self.timeline.speakers)
            who = self._speakers[min(self.frames - 1, round(start * self.fps))]
            name = self.perches[who].sprites.spec.name if who < len(self.perches) else written
            image = caption_box(name, words, self.size[0] - 160)
            self._caption_cache = {index: image}  # cues come in order: keep one
        return image


def draw_poster(
    timeline: SpeechTimeline,
    birds: Sequence[BirdSpec],
    *,
    colours: tuple[str, str] = ("#9ecae1", "#f7fbff"),
    title: str | None = None,
    size: tuple[int, int] = (1280, 720),
) -> Image.Image:
    """A still for the flock's poster: everyone awake, the first speaker talking."""
    return FlockScene(timeline, birds, colours=colours, title=title, size=size).poster()


# --------------------------------------------------------------------------- drawn once


def _layout(birds: Sequence[BirdSpec], size: tuple[int, int], frames: int, *, turned: bool = False) -> list[Perch]:
    """Seats along one branch, or two for more than seven birds; birds face the middle.

    :param turned: also draw each bird facing the other way (to look at a speaker behind it).
    """
    width, height = size
    half = math.ceil(len(birds) / 2)
    rows = [list(range(len(birds)))] if len(birds) <= 7 else [list(range(half)), list(range(half, len(birds)))]
    per_row = max(len(row) for row in rows)
    # six birds fill the frame at scale 1; fewer sit larger, more sit smaller
    scale = min(1.4, 6.2 / per_row) * (0.8 if len(rows) > 1 else 1.0) * height / 720
    label_font = ImageFont.truetype(FONT, round(19 * max(scale, 0.8)))
    bold_font = ImageFont.truetype(FONT_BOLD, round(19 * max(scale, 0.8)))
    branch_ys = [round(height * 0.66)] if len(rows) == 1 else [round(height * 0.37), round(height * 0.68)]
    perches: list[Perch | None] = [None] * len(birds)
    for row, y0 in zip(rows, branch_ys, strict=True):
        step = width / (len(row) + 0.4)
        for seat, index in enumerate(row):
            x = round(step * (seat + 0.7))
            facing = "right" if x <= width / 2 else "left"
            sprites = BirdSprites(birds[index], scale=scale, facing=facing)
            y = round(branch_y(x, y0, width))
            # seeded by name: the same bird blinks at the same moments in every re-render
            rng = random.Random(f"{birds[index].name}|blink")
            label, label_speaking = name_labels(birds[index].name, sprites, label_font, bold_font)
            perches[index] = Perch(
                x=x,
                y=y,
                sprites=sprites,
                label=label,
                label_speaking=label_speaking,
                label_at=(x - label.width // 2, y + round(26 * scale)),
                blinks=_blinks(rng, frames),
                bob_period=rng.uniform(2.6, 3.6),
                bob_phase=rng.uniform(0, 2 * math.pi),
                turned=BirdSprites(
                    birds[index], scale=scale, facing="left" if facing == "right" else "right", drawn=sprites.drawn
                )
                if turned
                else None,
                nods=_nods(random.Random(f"{birds[index].name}|nod"), frames) if turned else (),
            )
    return [perch for perch in perches if perch is not None]


def _nods(rng: random.Random, frames: int) -> tuple[int, ...]:
    """First frames of a bird's nods, NOD_GAP frames apart (seeded: the same in every re-render)."""
    starts, at = [], rng.randint(*NOD_GAP)
    while at < frames:
        starts.append(at)
        at += rng.randint(*NOD_GAP)
    return tuple(starts)


def _nod_at(starts: tuple[int, ...], frame: int) -> int:
    """How far (pixels at scale 1) a bird dips in ``frame`` for a nod; 0 when it is not nodding."""
    i = bisect.bisect_right(starts, frame) - 1
    since = frame - starts[i] if i >= 0 else len(NOD)
    return NOD[since] if since < len(NOD) else 0


def _blinks(rng: random.Random, frames: int) -> frozenset[int]:
    """Frames with eyes shut: a blink every BLINK_GAP frames, sometimes a double one."""
    shut: set[int] = set()
    at = rng.randint(6, BLINK_GAP[1])
    while at < frames:
        shut.update(range(at, at + BLINK_FRAMES))
        if rng.random() < 0.15:
            shut.update(range(at + BLINK_FRAMES + 2, at + 2 * BLINK_FRAMES + 2))
        at += rng.randint(*BLINK_GAP)
    return frozenset(shut)
