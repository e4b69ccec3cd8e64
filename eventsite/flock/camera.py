"""The directed flock's camera: shots chosen from the speech timeline, as an editor cuts a panel.

A "directed" flock is the line-up drawn as usual and then framed by a virtual
camera (a crop of the drawn frame, scaled back up), so drawing stays
sprite-based and deterministic. The shots follow what podcast auto-editors
and vision mixers do:

- a **wide** shot of everyone at the start, and while several people talk at
  once (cross-talk) or in quick exchanges too short to follow;
- a **close** shot on whoever holds a turn long enough to be worth it;
- no shot shorter than ``MIN_SHOT`` (a cut that short reads as a glitch) and
  none longer than ``MAX_SHOT`` without a change (a long turn alternates a
  close and a medium framing of the same speaker);
- between shots the camera **moves** (eased over ``MOVE_SECONDS``) instead of
  jumping, so a change of speaker is followed, not cut to;
- a held shot's edges keep off slivers: a bird and its name pill are in the
  picture, out of it, or (a neighbour's shoulder) mostly in, never a tail tip or
  a few letters at the edge (watched in motion, that reads as a mistake).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .timeline import SpeechTimeline, Turn, held_turns

#: shortest and longest shot, seconds (podcast auto-editors' defaults are 3 and 10)
MIN_SHOT = 3.0
MAX_SHOT = 10.0
#: MIN_SHOT as compared, so that a shot made exactly MIN_SHOT long by float sums counts as long enough
SHORT = MIN_SHOT - 1e-6
#: the opening wide shot, seconds: everyone is seen before the camera picks anyone
OPENING = 4.0
#: turns overlapping by more than this are cross-talk (seconds): a wide shot
CROSSTALK = 0.3
#: how long a camera move between two shots takes, seconds (eased in and out)
MOVE_SECONDS = 0.7
#: the closest zoom (1: the whole line-up): a close shot shows about two birds' width of the
#: branch, so with few (larger) birds it zooms less; a medium shot is halfway
CLOSE_BIRDS = 1.8
ZOOM_RANGE = (1.3, 2.0)
#: the closest the camera goes while keeping a whole bird and its name in the picture
MAX_ZOOM = 2.3
#: clear space (pixels of the drawn frame) between a framed bird and the picture's edge
MARGIN = 8
#: less than this share of a bird or a name pill showing at an edge is a sliver
SLIVER = 0.4
#: how far a held shot may move off its bird to keep slivers out (a share of the picture's width), in steps
PAN, PAN_STEPS = 0.12, 24
#: birds this close in height (a share of the frame) sit on the same branch
SAME_ROW = 0.12


@dataclass(frozen=True)
class Shot:
    """One shot: from ``start`` to ``end`` seconds, ``kind`` ("wide", "medium", "close") on ``bird`` (-1: all)."""

    start: float
    end: float
    kind: str
    bird: int = -1

    @property
    def length(self) -> float:
        return self.end - self.start


def plan_shots(timeline: SpeechTimeline, birds: int) -> list[Shot]:
    """The shots of the whole recording, covering 0 to its end without gaps."""
    duration = timeline.duration
    if duration < MIN_SHOT:  # too short to cut at all: everyone, throughout
        return [Shot(0.0, max(0.0, duration), "wide")]
    turns = [t for t in held_turns(timeline.turns) if 0 <= t.speaker < birds and t.end > t.start]
    raw: list[Shot] = []
    for turn in turns:
        crosstalk = any(_overlap(turn, other) > CROSSTALK for other in turns if other is not turn)
        raw.append(Shot(turn.start, turn.end, "wide" if crosstalk else "close", -1 if crosstalk else turn.speaker))
    shots = _fill(raw, duration)
    shots = _open_wide(shots)
    shots = _no_short_shots(shots, duration)
    return _no_long_shots(shots)


def _overlap(a: Turn, b: Turn) -> float:
    return max(0.0, min(a.end, b.end) - max(a.start, b.start))


def _fill(raw: list[Shot], duration: float) -> list[Shot]:
    """Shots end to end: a turn's shot runs until the next one starts; silence before the first is wide."""
    shots: list[Shot] = []
    at = 0.0
    for shot in sorted(raw, key=lambda s: s.start):
        start = max(at, shot.start)
        if start >= duration:
            break
        if shots and start > at:
            shots[-1] = Shot(shots[-1].start, start, shots[-1].kind, shots[-1].bird)  # hold through the gap
        elif not shots and start > 0:
            shots.append(Shot(0.0, start, "wide"))
        shots.append(Shot(start, max(start, shot.end), shot.kind, shot.bird))
        at = shots[-1].end
    if not shots:
        return [Shot(0.0, duration, "wide")]
    last = shots[-1]
    shots[-1] = Shot(last.start, duration, last.kind, last.bird)
    return _merge_same(shots)


def _open_wide(shots: list[Shot]) -> list[Shot]:
    """Everything before ``OPENING`` is one wide shot."""
    out = [Shot(0.0, min(OPENING, shots[-1].end), "wide")]
    for shot in shots:
        if shot.end > out[0].end:
            out.append(Shot(max(shot.start, out[0].end), shot.end, shot.kind, shot.bird))
    return _merge_same(out)


def _no_short_shots(shots: list[Shot], duration: float) -> list[Shot]:
    """No shot under MIN_SHOT: a short turn of the same bird joins its shot; anyone else's is
    seen in a wide shot (never held on the wrong bird), lengthened into the next shot, or
    joined with it, until it lasts MIN_SHOT."""
    out: list[Shot] = []
    queue = list(shots)
    while queue:
        shot = queue.pop(0)
        if shot.length >= SHORT:
            out.append(shot)
            continue
        previous = out[-1] if out else None
        if previous is not None and (previous.kind, previous.bird) == (shot.kind, shot.bird):
            out[-1] = Shot(previous.start, shot.end, previous.kind, previous.bird)
            continue
        if previous is not None and previous.kind == "wide":
            out[-1] = Shot(previous.start, shot.end, "wide")
            continue
        wide = Shot(shot.start, shot.end, "wide")
        while wide.length < SHORT and queue:
            following = queue[0]
            if following.end - (wide.start + MIN_SHOT) >= SHORT:
                # the next shot starts a little later and still lasts long enough
                queue[0] = Shot(wide.start + MIN_SHOT, following.end, following.kind, following.bird)
                wide = Shot(wide.start, wide.start + MIN_SHOT, "wide")
            else:
                queue.pop(0)
                wide = Shot(wide.start, following.end, "wide")
        if wide.length < SHORT and previous is not None:  # the recording ends: the last shot holds
            out[-1] = Shot(previous.start, wide.end, previous.kind, previous.bird)
        else:
            out.append(wide)
    return _merge_same(out)


def _no_long_shots(shots: list[Shot]) -> list[Shot]:
    """Shots past MAX_SHOT are cut in equal parts, alternating their framing."""
    out: list[Shot] = []
    for shot in shots:
        parts = max(1, math.ceil(shot.length / MAX_SHOT - 1e-9))
        step = shot.length / parts
        for i in range(parts):
            if shot.kind == "wide":
                kind, bird = ("wide", -1) if i % 2 == 0 else ("medium", -1)
            else:
                kind, bird = ("close" if i % 2 == 0 else "medium"), shot.bird
            out.append(Shot(shot.start + i * step, shot.start + (i + 1) * step, kind, bird))
    return out


def _merge_same(shots: list[Shot]) -> list[Shot]:
    out: list[Shot] = []
    for shot in shots:
        if shot.length <= 0:
            continue
        if out and (out[-1].kind, out[-1].bird) == (shot.kind, shot.bird):
            out[-1] = Shot(out[-1].start, shot.end, shot.kind, shot.bird)
        else:
            out.append(shot)
    return out


class Camera:
    """Where the camera looks in each frame: a crop box of the drawn frame.

    :param points: where each bird sits in the drawn frame (x, y), for framing it.
    :param extents: ``extents(i, speaker)``: the (left, right) stretches of the drawn frame that bird
        ``i`` and its name pill take while ``speaker`` is filmed (None: anyone), so held shots keep
        their edges off them; None frames by zoom alone.
    """

    def __init__(
        self,
        shots: Sequence[Shot],
        points: Sequence[tuple[int, int]],
        size: tuple[int, int],
        fps: int,
        extents: Callable[[int, int | None], list[tuple[float, float]]] | None = None,
    ) -> None:
        self.shots = list(shots)
        self.points = list(points)
        self.extents = extents
        self._framings: dict[tuple[str, int], tuple[float, float, float]] = {}
        self.size = size
        self.fps = fps
        self._starts = [round(s.start * fps) for s in self.shots]
        close = min(ZOOM_RANGE[1], max(ZOOM_RANGE[0], len(self.points) / CLOSE_BIRDS))
        self.zoom = {"wide": 1.0, "medium": 1 + (close - 1) / 2, "close": close}

    def box(self, frame: int) -> tuple[int, int, int, int] | None:
        """The crop box (left, top, right, bottom) of ``frame``, or None for the whole frame."""
        i = max(0, bisect.bisect_right(self._starts, frame) - 1)
        x, y, zoom = self._framing(self.shots[i])
        since = (frame - self._starts[i]) / self.fps
        if i > 0 and since < MOVE_SECONDS:
            # ease from the last shot's framing into this one's
            t = since / MOVE_SECONDS
            ease = t * t * (3 - 2 * t)
            px, py, pzoom = self._framing(self.shots[i - 1])
            x, y, zoom = px + (x - px) * ease, py + (y - py) * ease, pzoom + (zoom - pzoom) * ease
        if zoom <= 1.001:
            return None
        width, height = self.size
        w, h = width / zoom, height / zoom
        left = min(max(0.0, x - w / 2), width - w)
        top = min(max(0.0, y - h / 2), height - h)
        return round(left), round(top), round(left + w), round(top + h)

    def _framing(self, shot: Shot) -> tuple[float, float, float]:
        """(centre x, centre y, zoom) of a shot (worked out once per framing)."""
        key = (shot.kind, shot.bird)
        if key not in self._framings:
            self._framings[key] = self._frame(shot)
        return self._framings[key]

    def _frame(self, shot: Shot) -> tuple[float, float, float]:
        width, height = self.size
        bird = shot.bird if 0 <= shot.bird < len(self.points) else None
        if bird is None:
            x, y = width / 2, height / 2
        else:
            x, y = self.points[bird]
            # the bird a little below the middle, its name under it still in the shot
            y -= height * 0.06
        zoom = self.zoom[shot.kind]
        fitted = self._clear_edges(bird, zoom) if zoom > 1.001 else None
        if fitted is not None:
            x, zoom = fitted
            if bird is None:
                y = sum(py for _px, py in self.points) / len(self.points) - height * 0.06
        return x, y, zoom

    def _clear_edges(self, bird: int | None, zoom: float) -> tuple[float, float] | None:
        """(centre x, zoom) near ``zoom`` and the aimed-at spot whose edges cut no bird or name pill
        to a sliver, ``bird`` (None: the middle of the branch) wholly in; None without extents.

        A bird or pill the edge crosses costs 1 when less than ``SLIVER`` of it shows (a tail tip,
        a few letters: it reads as a mistake) and a third when more does (a neighbour's shoulder,
        as in a filmed panel); the camera moves off its mark by up to ``PAN`` of the picture for it.
        """
        if self.extents is None:
            return None
        width, height = self.size
        heights = [y for _x, y in self.points]
        if max(heights) - min(heights) > height * SAME_ROW:
            return None  # two branches: the other one's birds are cut top or bottom whatever we do
        aim = self.points[bird][0] if bird is not None else width / 2
        parts = [part for i in range(len(self.points)) for part in self.extents(i, bird)]
        own = self.extents(bird, bird) if bird is not None else []
        best: tuple[float, float, float] | None = None
        for scale in (1.0, 0.95, 1.05, 0.9, 1.1):
            z = min(MAX_ZOOM, zoom * scale)
            w = width / z
            for step in range(-PAN_STEPS, PAN_STEPS + 1):
                left = min(max(0.0, aim - w / 2 + step * PAN * w / PAN_STEPS), width - w)
                right = left + w
                if any(a < left + MARGIN or b > right - MARGIN for a, b in own):
                    continue
                cost = sum(_cut_cost(a, b, left, right) for a, b in parts)
                cost += abs(left + w / 2 - aim) / width + abs(scale - 1.0)
                if best is None or cost < best[0] - 1e-9:
                    best = (cost, left + w / 2, z)
        return None if best is None else (best[1], best[2])


def _cut_cost(a: float, b: float, left: float, right: float) -> float:
    """What the picture's edges do to the stretch a..b of the drawn frame (see ``Camera._clear_edges``)."""
    shown = max(0.0, min(b, right) - max(a, left))
    if shown <= 0 or shown >= b - a:
        return 0.0
    return 1.0 if shown < SLIVER * (b - a) else 1 / 3
