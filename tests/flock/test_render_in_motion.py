"""The flock as a visitor watches it: steady highlights through pauses, one name per caption.

Real renders with ffmpeg (a 3-second tone, a hand-made timeline, 640x360), read back frame by frame.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from eventsite.flock.birds import BirdSpec
from eventsite.flock.render import render_flock
from eventsite.flock.scene import DIRECTED, LINEUP, FlockScene
from eventsite.flock.scene_backdrop import caption_box
from eventsite.flock.timeline import SpeechTimeline, Turn

BIRDS = [BirdSpec("Gemma Went", "#7b3294"), BirdSpec("Joanne Jacobs", "#b2182b"), BirdSpec("Azeem Azhar", "#01665e")]
SIZE = (640, 360)
FPS = 12
#: Joanne speaks, pauses for 0.6 s in the middle of her turn, and goes on
SPOKEN = [Turn(0.25, 1.2, 1), Turn(1.8, 2.6, 1)]
PAUSE = (1.2, 1.8)


def timeline_with_a_pause() -> SpeechTimeline:
    mouths = ["X"] * 36
    for turn in SPOKEN:
        for frame in range(round(turn.start * FPS), round(turn.end * FPS)):
            mouths[frame] = "BCDCAEFGHD"[frame % 10]
    return SpeechTimeline(3.0, [b.name for b in BIRDS], SPOKEN, "".join(mouths), FPS, "captions")


@pytest.fixture(scope="module", params=[LINEUP, DIRECTED])
def rendered(request, tmp_path_factory):
    """The pause drawn both ways the flock is filmed (3 s directed is one wide shot: same positions)."""
    folder = tmp_path_factory.mktemp("pause")
    tone = folder / "tone.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=3", "-ac", "1", str(tone)],
        check=True,
    )
    render_flock(tone, folder / "out", timeline_with_a_pause(), BIRDS, size=SIZE, style=request.param)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(folder / "out" / "flock.mp4"), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, SIZE[1], SIZE[0], 3).astype(np.int16)


def test_the_highlight_holds_through_a_pause_inside_a_turn(rendered):
    """Joanne's name pill stays lit through her 0.6 s pause, and she hops once, not twice."""
    perch = FlockScene(timeline_with_a_pause(), BIRDS, size=SIZE).perches[1]
    x, y = perch.label_at
    w, h = perch.label.size
    # the lit pill is in her (dark) colour, the quiet one white: the label's mean brightness tells them apart
    pill = rendered[:, y + 2 : y + h - 2, x + 4 : x + w - 4].mean(axis=(1, 2, 3))
    lit = pill < 150
    start, end = round(SPOKEN[0].start * FPS) + 1, round(SPOKEN[-1].end * FPS) - 1
    pause = range(round(PAUSE[0] * FPS), round(PAUSE[1] * FPS))
    assert lit[start:end].all(), f"the pill went out in frames {np.flatnonzero(~lit[start:end]) + start}"
    assert lit[pause].all() and not lit[: round(SPOKEN[0].start * FPS) - 1].any()
    assert not lit[round(SPOKEN[-1].end * FPS) + 1 :].any()  # and goes out when she is done
    # Her bird's top edge (its dark outline): it rises (a hop) once at the start of the turn, never after the pause.
    ink = rendered[:, : perch.y, perch.x - 30 : perch.x + 30].sum(axis=3) < 240
    top = np.array([np.flatnonzero(rows.any(axis=1))[0] if rows.any() else perch.y for rows in ink])
    rest = int(np.median(top[:3]))
    after_pause = top[round(PAUSE[1] * FPS) : round(PAUSE[1] * FPS) + 8]
    turn_start = top[round(SPOKEN[0].start * FPS) : round(SPOKEN[0].start * FPS) + 8]
    assert rest - turn_start.min() >= 5, "a hop when the turn starts"
    assert rest - after_pause.min() <= 3, f"no second hop after the pause: {rest} vs {after_pause}"


def test_a_burned_in_caption_names_the_lit_bird_once():
    """Cue text that already starts with a name ("Gemma Went: …", stale after a correction, or the
    voice's own) is drawn with the lit bird's name once, as caption_box would draw those words."""
    timeline = timeline_with_a_pause()
    cue = (0.3, 1.1, "Gemma Went: We can measure the conversation")
    scene = FlockScene(timeline, BIRDS, size=(1280, 720), captions=[cue])
    frame = round(0.6 * FPS)
    drawn = np.asarray(scene.draw(frame), np.int16)
    plain = np.asarray(FlockScene(timeline, BIRDS, size=(1280, 720)).draw(frame), np.int16)
    once = caption_box("Joanne Jacobs", "We can measure the conversation", 1280 - 160)
    twice = caption_box("Joanne Jacobs", cue[2], 1280 - 160)
    rows = np.flatnonzero(np.abs(drawn - plain).sum(axis=(1, 2)) > 0)
    cols = np.flatnonzero(np.abs(drawn - plain)[rows].sum(axis=(0, 2)) > 0)
    # the box drawn is exactly as wide as the name once plus the words, not the name twice
    assert abs((cols[-1] - cols[0] + 1) - once.width) <= 2, (cols[-1] - cols[0] + 1, once.width, twice.width)
    assert once.width < twice.width
