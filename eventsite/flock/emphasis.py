"""When a speaking bird gestures: the loudness peaks of each turn.

People stress a word by saying it louder; a speaking bird lifts a wing on
those peaks, not only its beak. Read once from the soundtrack in blocks (the
memory stays flat for an hour), at the flock's frame rate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .audio import frame_levels_db, pcm_blocks
from .timeline import SpeechTimeline, held_turns

#: a peak stands this far above the turn's typical loudness (its median frame), dB
PEAK_DB = 6.0
#: gestures at least this far apart, seconds (a wing that never rests looks frantic)
SPACING = 1.6
#: how long a gesture lasts, frames at 12 fps (up and down again, 0.5 s)
GESTURE_FRAMES = 6


def loudness_per_frame(audio: str | Path, fps: int, frames: int, duration: float = 0.0) -> np.ndarray:
    """The loudest 10 ms of each video frame, dBFS (-100 past the end of the sound)."""
    levels = np.concatenate([frame_levels_db(block) for block in pcm_blocks(audio, duration=duration)] or [[]])
    out = np.full(frames, -100.0, dtype=np.float32)
    if not len(levels):
        return out
    edges = (np.arange(frames + 1) * 100 / fps).astype(int)
    for frame in range(frames):
        a, b = edges[frame], min(edges[frame + 1], len(levels))
        if a < b:
            out[frame] = levels[a:b].max()
    return out


def gesture_frames(timeline: SpeechTimeline, loudness: np.ndarray) -> frozenset[int]:
    """Frames in which the speaker's wing is up: from each loudness peak of a turn, GESTURE_FRAMES long."""
    fps = timeline.fps
    up: set[int] = set()
    for turn in held_turns(timeline.turns):
        if turn.speaker < 0:
            continue
        a, b = round(turn.start * fps), min(len(loudness), round(turn.end * fps))
        if b - a < fps:  # under a second: no time for a gesture
            continue
        level = loudness[a:b]
        floor = float(np.median(level)) + PEAK_DB
        last = -(10**9)
        # loudest first, each at least SPACING from the ones taken
        taken = []
        for i in np.argsort(-level, kind="stable"):
            if level[i] < floor:
                break
            if all(abs(i - t) >= SPACING * fps for t in taken):
                taken.append(int(i))
        for i in sorted(taken):
            start = a + max(0, i - 1)
            if start - last >= SPACING * fps:
                up.update(range(start, min(b, start + GESTURE_FRAMES)))
                last = start
    return frozenset(up)
