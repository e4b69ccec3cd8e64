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
from .drawing import hex_rgb
from .scene_backdrop import FONT, FONT_BOLD, branch_y, caption_box, name_labels, paint_branches, sky, spotlight_glow
from .timeline import Mouth, SpeechTimeline

#: a hop when a turn starts: height per frame (pixels at scale 1), ~0.4 s at 12 fps
HOP = (0, 9, 15, 17, 15, 9, 3)
#: idle breathing: a slow bob of one pixel up and down (rounded), period 2.6-3.6 s
BOB_PIXELS = 1.2
#: blinks every 2.5-6 s, lasting two frames (1/6 s), now and then a double blink
BLINK_GAP = (30, 72)
BLINK_FRAMES = 2

Caption = tuple[float, float, str]


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


class FlockScene:
    """Draw frames of ``birds`` (seat order) acting out ``timeline``.

    :param colours: the event's two colours ("#rrggbb"), sky top and bottom.
    :param captions: (start, end, text) cues burned in at the bottom, or None.
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
        self.perches = _layout(birds, size, self.frames)
        self._sky = sky(hex_rgb(colours[0]), hex_rgb(colours[1]), size)
        self._title = title
        scale = self.perches[0].sprites.radius / BASE_RADIUS
        self._glow = spotlight_glow(round(165 * scale))
        #: the background without a speaker (key 255), and each speaker's spotlight patch
        self._backgrounds: dict[int, Image.Image] = {}
        self._spotlights: dict[int, tuple[Image.Image, tuple[int, int]]] = {}

    def frame_key(self, frame: int) -> tuple:
        """Everything frame ``frame`` shows; equal keys mean identical pictures."""
        speaker = self._speakers[frame]
        birds = tuple(self._pose(i, perch, frame, speaker) for i, perch in enumerate(self.perches))
        return speaker, birds, self._caption_index(frame / self.fps)

    def draw(self, frame: int, key: tuple | None = None) -> Image.Image:
        """Frame ``frame`` as an RGB image (a fresh copy the caller may keep)."""
        speaker, birds, cue = key or self.frame_key(frame)
        image = self.background().copy()
        if speaker < len(self.perches):
            patch, at = self._spotlight(speaker)
            image.paste(patch, at)
        for i, (perch, (mouth, blink, speaking, lift)) in enumerate(zip(self.perches, birds, strict=True)):
            sprite, (dx, dy) = perch.sprites.placed(mouth, blink=blink, speaking=speaking)
            ax, ay = perch.sprites.anchor
            image.paste(sprite, (perch.x - ax + dx, perch.y - ay - lift + dy), sprite)
            if i == speaker:
                image.paste(perch.label_speaking, perch.label_at, perch.label_speaking)
        if cue is not None:
            box = self._caption_image(cue)
            image.paste(box, ((self.size[0] - box.width) // 2, self.size[1] - box.height - 18), box)
        return image

    def poster(self) -> Image.Image:
        """Everyone awake and still, the first speaker talking with an open beak."""
        first = next((t.speaker for t in self.timeline.turns if 0 <= t.speaker < len(self.perches)), 0)
        poses = tuple(
            (Mouth.OPEN, False, True, 0) if i == first else (Mouth.REST, False, False, 0)
            for i in range(len(self.perches))
        )
        return self.draw(0, (first, poses, None))

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

    def _pose(self, index: int, perch: Perch, frame: int, speaker: int) -> tuple[Mouth, bool, bool, int]:
        """(mouth, eyes shut, speaking, lift in pixels) of one bird in one frame."""
        blink = frame in perch.blinks
        if index == speaker:
            since = frame - self._turn_started(frame)
            lift = HOP[since] if since < len(HOP) else 0
            scale = perch.sprites.radius / BASE_RADIUS
            return self.timeline.mouth_at_frame(frame), blink, True, round(lift * scale)
        seconds = frame / self.fps
        bob = round(BOB_PIXELS * math.sin(2 * math.pi * seconds / perch.bob_period + perch.bob_phase))
        return Mouth.REST, blink, False, bob

    def _speaker_track(self, count: int) -> bytearray:
        """Speaker per frame (255 for nobody): one pass over the turns, not one per frame."""
        track = bytearray([255]) * self.frames
        for turn in self.timeline.turns:
            if 0 <= turn.speaker < count:
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
            who = self._speakers[min(self.frames - 1, round(start * self.fps))]
            name = self.perches[who].sprites.spec.name if who < len(self.perches) else None
            image = caption_box(name, text, self.size[0] - 160)
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


def _layout(birds: Sequence[BirdSpec], size: tuple[int, int], frames: int) -> list[Perch]:
    """Seats along one branch, or two for more than seven birds; birds face the middle."""
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
            )
    return [perch for perch in perches if perch is not None]


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
