"""The directed flock: shots chosen from who speaks, listeners turned to the speaker, wings on emphasis.

Shot rules on the turns of a real espeak-ng panel (tests/flock/speech_fixtures.py), and real
renders with ffmpeg (640x360) read back frame by frame.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from eventsite.flock.birds import BirdSpec
from eventsite.flock.camera import MAX_SHOT, MIN_SHOT, OPENING, Shot, plan_shots
from eventsite.flock.emphasis import gesture_frames, loudness_per_frame
from eventsite.flock.render import render_flock
from eventsite.flock.scene import DIRECTED, FlockScene
from eventsite.flock.synth import DEMO_VOICES, speak_script
from eventsite.flock.timeline import SpeechTimeline, Turn
from tests.flock.speech_fixtures import SCRIPT, SEATS

BIRDS = [BirdSpec("Gemma Went", "#7b3294"), BirdSpec("Joanne Jacobs", "#b2182b"), BirdSpec("Azeem Azhar", "#01665e")]
SIZE = (640, 360)
FPS = 12


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    return speak_script(SCRIPT, DEMO_VOICES, tmp_path_factory.mktemp("panel"), gap=0.7)


def timeline_of(cues, duration: float, names=SEATS) -> SpeechTimeline:
    mouths = ["X"] * round(duration * FPS + 1)
    for cue in cues:
        for frame in range(int(cue.start * FPS), int(cue.end * FPS)):
            mouths[frame] = "BCDCAEFGHD"[frame % 10]
    turns = [Turn(round(c.start, 2), round(c.end, 2), c.speaker) for c in cues]
    return SpeechTimeline(duration, list(names), turns, "".join(mouths), FPS, "captions")


def test_shots_follow_the_rules_an_editor_follows(spoken):
    duration = max(c.end for c in spoken.cues) + 0.5
    shots = plan_shots(timeline_of(spoken.cues, duration), len(SEATS))
    assert shots[0].start == 0 and shots[-1].end == pytest.approx(duration)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(shots, shots[1:], strict=False))  # no gaps
    assert shots[0].kind == "wide" and shots[0].length >= OPENING  # everyone first
    assert all(MIN_SHOT - 1e-6 <= s.length <= MAX_SHOT + 1e-6 for s in shots), [(s.start, s.length) for s in shots]
    assert all((a.kind, a.bird) != (b.kind, b.bird) for a, b in zip(shots, shots[1:], strict=False))  # each cut changes
    # a close shot is on whoever speaks then (never held on a bird while another talks)
    for shot in shots:
        if shot.kind == "close":
            middle = (shot.start + shot.end) / 2
            speaking = {c.speaker for c in spoken.cues if c.start <= middle < c.end}
            assert not speaking or speaking == {shot.bird}, (shot, speaking)
    assert {s.bird for s in shots if s.kind == "close"} >= {1, 2}


def test_cross_talk_and_long_turns_change_the_shot():
    # two people at once for 4 s, then one long monologue of 25 s
    turns = [Turn(0.0, 5.0, 0), Turn(5.0, 12.0, 1), Turn(8.0, 12.0, 2), Turn(12.5, 37.5, 0)]
    shots = plan_shots(SpeechTimeline(38.0, SEATS, turns, "X" * 456, FPS), 3)
    crosstalk = next(s for s in shots if s.start <= 9.0 < s.end)
    assert crosstalk.kind in ("wide", "medium") and crosstalk.bird == -1  # everyone, nobody picked
    monologue = [s for s in shots if s.start >= 12.0]
    assert len(monologue) >= 3 and all(s.length <= MAX_SHOT + 1e-6 and s.bird == 0 for s in monologue)
    assert {s.kind for s in monologue} == {"close", "medium"}


@pytest.fixture(scope="module")
def directed(tmp_path_factory):
    """4 s: Gemma (left) speaks, then Azeem (right); the opening wide shot shows all three."""
    folder = tmp_path_factory.mktemp("directed")
    tone = folder / "tone.wav"
    # a tone that swells twice in Gemma's turn: two loudness peaks for her wing
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=4", "-af"]
        + ["volume='if(between(t,0.6,0.8)+between(t,1.3,1.5),1,0.1)':eval=frame", "-ac", "1", str(tone)],
        check=True,
    )
    timeline = SpeechTimeline(4.0, [b.name for b in BIRDS], [Turn(0.2, 1.8, 0), Turn(2.2, 3.8, 2)], "B" * 48, FPS)
    render_flock(tone, folder / "out", timeline, BIRDS, size=SIZE, style=DIRECTED)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(folder / "out" / "flock.mp4"), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, SIZE[1], SIZE[0], 3).astype(np.int16)
    return timeline, frames, loudness_per_frame(tone, FPS, 48)


def facing(frame: np.ndarray, scene: FlockScene, bird: int) -> str:
    """Which way a bird faces in a decoded frame: the one of its two sprites that matches it better."""
    perch = scene.perches[bird]
    r = round(perch.sprites.radius)
    box = (perch.x - 2 * r, perch.y - 3 * r, perch.x + 2 * r, perch.y)
    seen = frame[box[1] : box[3], box[0] : box[2]]
    distance = {}
    for sprites in (perch.sprites, perch.turned):
        picture = scene.background().copy()
        sprite, (dx, dy) = sprites.placed()
        ax, ay = sprites.anchor
        picture.paste(sprite, (perch.x - ax + dx, perch.y - ay + dy), sprite)
        drawn = np.asarray(picture.crop(box), np.int16)
        distance[sprites.facing] = np.abs(seen - drawn).mean()
    return min(distance, key=distance.get)


def test_listeners_turn_to_whoever_speaks(directed):
    timeline, frames, _loudness = directed
    scene = FlockScene(timeline, BIRDS, size=SIZE, style=DIRECTED)
    # Joanne sits in the middle: she looks left at Gemma, then right at Azeem (all in the opening wide shot)
    assert facing(frames[round(1.0 * FPS)], scene, 1) == "left"
    assert facing(frames[round(3.0 * FPS)], scene, 1) == "right"
    # Azeem looks left at Gemma while she speaks; Gemma looks right at Azeem while he does
    assert facing(frames[round(1.0 * FPS)], scene, 2) == "left"
    assert facing(frames[round(3.0 * FPS)], scene, 0) == "right"


def test_the_speaker_lifts_a_wing_on_loudness_peaks(directed):
    timeline, frames, loudness = directed
    up = gesture_frames(timeline, loudness)
    # the tone swells at 0.6 s and at 1.3 s, too close together for two gestures: one, on a swell
    assert up and max(up) < round(1.8 * FPS) and max(up) - min(up) < 6
    assert min(up) in range(6, 10) or min(up) in range(14, 18)
    # a longer turn with two peaks far enough apart gets two gestures
    long_turn = SpeechTimeline(4.0, timeline.speakers, [Turn(0.2, 3.8, 0)], "B" * 48, FPS)
    peaks = np.full(48, -40.0)
    peaks[[8, 32]] = -10.0
    twice = gesture_frames(long_turn, peaks)
    assert any(f in twice for f in range(6, 10)) and any(f in twice for f in range(30, 34))
    # in the render: Gemma's body with the wing up, as the scene draws it, unlike the frame before
    scene = FlockScene(timeline, BIRDS, size=SIZE, style=DIRECTED, gestures=up)
    first = min(up)
    still, lifted = (np.asarray(scene.draw(f), np.int16) for f in (first - 1, first))
    perch = scene.perches[0]
    r = round(perch.sprites.radius)
    box = (slice(perch.y - 3 * r, perch.y), slice(perch.x - 2 * r, perch.x + 2 * r))
    assert np.abs(lifted[box] - still[box]).mean() > 1.0
    assert np.abs(frames[first][box] - lifted[box]).mean() < np.abs(frames[first][box] - still[box]).mean()


def test_the_camera_moves_in_on_the_speaker_after_the_opening(tmp_path):
    """Past the opening wide shot, a long turn is filmed closer: the speaker's bird grows in the frame."""
    timeline = SpeechTimeline(12.0, [b.name for b in BIRDS], [Turn(0.5, 11.5, 2)], "B" * 144, FPS)
    scene = FlockScene(timeline, BIRDS, size=SIZE, style=DIRECTED)
    assert scene.camera.box(round(1.0 * FPS)) is None  # wide: the whole frame
    box = scene.camera.box(round(7.0 * FPS))
    assert box is not None and (box[2] - box[0]) < SIZE[0] * 0.8
    perch = scene.perches[2]
    assert box[0] <= perch.x <= box[2] and box[1] <= perch.y <= box[3]
    # the move is eased: a frame in the middle of it is between the two framings
    moving = scene.camera.box(round((OPENING + 0.35) * FPS))
    assert moving is not None and box[2] - box[0] < moving[2] - moving[0] < SIZE[0]


@pytest.mark.parametrize("duration", [0.0, 0.5, 2.9])
def test_a_recording_too_short_to_cut_is_one_wide_shot(duration):
    timeline = SpeechTimeline(duration, SEATS, [Turn(0.0, duration, 1)] if duration else [], "B", FPS)
    assert plan_shots(timeline, 3) == [Shot(0.0, duration, "wide")]
    scene = FlockScene(timeline, BIRDS, size=SIZE, style=DIRECTED)
    assert scene.draw(0).size == SIZE


def test_listeners_nod_now_and_then_while_someone_speaks():
    """Seeded by name (the same nods in every re-render), only while someone speaks, only when directed."""
    timeline = SpeechTimeline(40.0, [b.name for b in BIRDS], [Turn(0.0, 30.0, 0)], "B" * 480, FPS)
    scene = FlockScene(timeline, BIRDS, size=SIZE, style=DIRECTED)
    listener = scene.perches[1]
    nods = [f for f in listener.nods if f + 5 < 30 * FPS]
    assert 2 <= len(nods) <= 5 and all(6 * FPS <= b - a <= 14 * FPS for a, b in zip(nods, nods[1:], strict=False))
    assert FlockScene(timeline, BIRDS, size=SIZE, style=DIRECTED).perches[1].nods == listener.nods
    nodding = nods[0] + 2
    before, during = (np.asarray(scene.draw(f), np.int16) for f in (nods[0] - 1, nodding))
    r = round(listener.sprites.radius)
    box = (slice(listener.y - 3 * r, listener.y), slice(listener.x - 2 * r, listener.x + 2 * r))
    assert np.abs(during[box] - before[box]).mean() > 1.0  # the head has moved
    _mouth, _blink, leaning, lift, _wing, _turned = scene.frame_key(nodding)[1][1]
    assert leaning and lift < 0
    quiet = [f for f in listener.nods if f > 30 * FPS + 1]
    assert all(not scene.frame_key(f + 2)[1][1][2] for f in quiet)  # nobody speaks: no nod
    assert FlockScene(timeline, BIRDS, size=SIZE).perches[1].nods == ()  # the line-up stays still


def camera_changes(video, fps: int = FPS) -> list[float]:
    """When the camera starts to move in a decoded video, found from the pixels alone.

    Between two frames of a held shot only the birds change (beaks, blinks, a nod, the
    spotlight jumping to a new speaker in one frame: under 15 % of the picture); while the
    camera moves (eased, over several frames), the branch, clouds and labels all shift (25-45 %).
    """
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(video), "-vf", "scale=160:90", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
        check=True,
    ).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, 90, 160).astype(np.int16)
    moving = (np.abs(np.diff(frames, axis=0)) > 6).mean(axis=(1, 2)) > 0.15
    edges = np.flatnonzero(np.diff(np.concatenate([[0], moving.astype(int), [0]])))
    # a move lasts several frames; one busy frame is a spotlight jumping, not the camera
    return [(start + 1) / fps for start, end in zip(edges[::2], edges[1::2], strict=True) if end - start >= 3]


def test_a_rendered_directed_flock_holds_each_shot_3_to_10_seconds(spoken, tmp_path):
    """In the real video: the camera changes where the plan cuts, never sooner than about 3 s
    after the last change and never more than about 10 s later (the end counts as a change)."""
    duration = max(c.end for c in spoken.cues) + 0.5
    timeline = timeline_of(spoken.cues, duration)
    render_flock(spoken.mixed, tmp_path / "out", timeline, BIRDS, size=SIZE, style=DIRECTED, timeout=900)
    seen = camera_changes(tmp_path / "out" / "flock.mp4")
    planned = [s.start for s in plan_shots(timeline, len(BIRDS))[1:]]
    assert len(seen) == len(planned) >= 5, (seen, planned)
    assert all(abs(a - b) <= 0.25 for a, b in zip(seen, planned, strict=True)), (seen, planned)
    held = np.diff([0.0, *seen, duration])
    # the rules, as podcast auto-editors cut: no shot under about 3 s, none over about 10 s
    assert held.min() >= 3.0 - 0.25 and held.max() <= 10.0 + 0.25, held


def test_held_shots_cut_no_bird_or_name_to_a_sliver():
    """Six birds filmed close and medium in turn: at each held shot's edges a bird (in the pose it
    takes then) and its name pill are in, out, or mostly in, never a tail tip or a few letters."""
    six = [*BIRDS, BirdSpec("Benjamin Ellis", "#2166ac"), BirdSpec("Matt Rhodes", "#8c510a"), BirdSpec("Azeem")]
    turns = [Turn(1.0 + 24 * i, 24.0 * (i + 1), i) for i in range(6)]  # long turns: close, then medium
    timeline = SpeechTimeline(146.0, [b.name for b in six], turns, "B" * 1752, FPS)
    scene = FlockScene(timeline, six, style=DIRECTED)
    held = [s for s in scene.camera.shots if s.kind != "wide"]
    assert {s.kind for s in held} == {"close", "medium"} and {s.bird for s in held} == set(range(6))
    for shot in held:
        left, _top, right, _bottom = scene.camera.box(round((shot.start + shot.end) / 2 * FPS))
        speaker = shot.bird if shot.bird >= 0 else None
        for bird in range(6):
            for a, b in scene._extents(bird, speaker):
                shown = max(0, min(b, right) - max(a, left))
                assert shown == 0 or shown >= 0.4 * (b - a), (shot, bird, (a, b), (left, right))
        assert all(left <= a and b <= right for a, b in scene._extents(shot.bird, shot.bird))


def test_a_held_shot_redrawn_in_parts_is_the_picture_drawn_whole():
    """While a shot holds, only the birds that moved are scaled again (the speed of a directed
    render): every frame is the one drawn from scratch, to the rounding of one level."""
    turns = [Turn(0.5, 9.0, 0), Turn(9.5, 19.5, 2)]  # close shots, moves, blinks, nods, a hop
    timeline = SpeechTimeline(20.0, [b.name for b in BIRDS], turns, ("BCDCAEFGHD" * 24)[:240], FPS)
    scene, fresh = (FlockScene(timeline, BIRDS, size=SIZE, style=DIRECTED) for _ in range(2))
    parts = 0
    for frame in range(scene.frames):
        key = scene.frame_key(frame)
        parts += scene._shown is not None and scene._shown[0] == (key[0], key[2], key[3])
        fresh._shown = None
        drawn, whole = np.asarray(scene.draw(frame, key), np.int16), np.asarray(fresh.draw(frame, key), np.int16)
        assert np.abs(drawn - whole).max() <= 1, frame
    assert parts > scene.frames / 2  # most frames were redrawn in parts
