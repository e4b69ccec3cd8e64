"""A quote clip of the feathered friends carries one caption set: the clip's own, its speaker named once."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from eventsite.clips.layout import plan_layout
from eventsite.clips.models import ClipShape
from eventsite.clips.operations import quote_of
from eventsite.clips.render import CaptionCue, captions_in, render_clip
from eventsite.flock.birds import BirdSpec
from eventsite.flock.render import render_flock
from eventsite.flock.timeline import SpeechTimeline, Turn
from eventsite.recordings.captions import Cue
from eventsite.transcode import TranscodeSettings
from tests.clips.test_render import spec_for

FAST = TranscodeSettings(preset="ultrafast")
BIRDS = [BirdSpec("Gemma Went", "#7b3294"), BirdSpec("Azeem Azhar", "#01665e")]


def flock(folder, captions) -> object:
    folder.mkdir(parents=True, exist_ok=True)
    tone = folder / "tone.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=330:duration=4", str(tone)], check=True
    )
    mouths = "X" * 3 + "BCDCAEFGHD" * 4
    timeline = SpeechTimeline(4.0, [b.name for b in BIRDS], [Turn(0.25, 3.5, 0)], mouths[:48], 12, "captions")
    render_flock(tone, folder / "out", timeline, BIRDS, size=(640, 360), captions=captions)
    return folder / "out" / "flock.mp4"


def caption_plates(video, at: float, short_side: int) -> tuple[int, int]:
    """(dark caption plates over the picture, plates in the caption band) in one frame of a vertical clip."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(video), "-frames:v", "1", "-f", "rawvideo"]
        + ["-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    layout = plan_layout(ClipShape.VERTICAL, short_side, 640, 360)
    image = np.frombuffer(raw, np.uint8).reshape(layout.height, layout.width, 3).astype(int)

    def plates(box) -> int:
        """Runs of at least 10 rows whose middle third is mostly dark (a plate; a branch's outline is thinner)."""
        part = image[box.y : box.y + box.h, box.x + box.w // 3 : box.x + 2 * box.w // 3]
        dark = (part.sum(axis=2) < 240).mean(axis=1) > 0.3
        edges = np.flatnonzero(np.diff(np.concatenate([[0], dark.astype(int), [0]])))
        return sum(1 for start, end in zip(edges[::2], edges[1::2], strict=True) if end - start >= 10)

    return plates(layout.picture), plates(layout.caption)


def test_a_clip_of_the_flock_shows_exactly_one_caption_set(tmp_path):
    cue = CaptionCue(0.0, 2.0, "Gemma Went", "Influence is about trust, not reach.")
    streamed = flock(tmp_path / "streamed", None)  # the flock as the job draws it now: no captions
    clip = render_clip(spec_for(streamed, ClipShape.VERTICAL, [cue]), tmp_path / "clip", settings=FAST)
    assert caption_plates(clip.video, 1.0, 240) == (0, 1)
    # what clips showed while the flock burned its own captions in: two plates, two texts
    burned = flock(tmp_path / "burned", [(0.0, 4.0, "Gemma Went: Welcome to the panel.")])
    old = render_clip(spec_for(burned, ClipShape.VERTICAL, [cue]), tmp_path / "old", settings=FAST)
    assert caption_plates(old.video, 1.0, 240)[0] >= 1


@pytest.mark.parametrize(
    ("text", "speaker", "words"),
    [
        ("<v Gemma Went>Gemma Went: Welcome to the panel.", "Gemma Went", "Welcome to the panel."),
        ("<v Gemma Went>Welcome to the panel.", "Gemma Went", "Welcome to the panel."),
        ("Azeem: Trust, not reach.", "Azeem Azhar", "Trust, not reach."),
        ("Welcome: what is influence?", "", "Welcome: what is influence?"),
    ],
)
def test_a_quote_names_its_speaker_once(make_panel, make_panelist, text, speaker, words):
    panel = make_panel()
    make_panelist("Gemma Went", panel=panel)
    make_panelist("Azeem Azhar", panel=panel, position=1)
    assert quote_of(panel, [Cue(1.0, 2.0, text)], 0.0, 3.0) == [
        {"start": 1.0, "end": 2.0, "speaker": speaker, "text": words}
    ]


def caption_band(video, at: float) -> np.ndarray:
    """The caption band of one frame of a vertical clip (240 px short side)."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(video), "-frames:v", "1", "-f", "rawvideo"]
        + ["-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    layout = plan_layout(ClipShape.VERTICAL, 240, 640, 360)
    image = np.frombuffer(raw, np.uint8).reshape(layout.height, layout.width, 3).astype(np.int16)
    box = layout.caption
    return image[box.y : box.y + box.h, box.x : box.x + box.w]


def test_a_rendered_quote_shows_its_speakers_name_once(make_panel, make_panelist, tmp_path):
    """A caption whose words repeat its voice ("<v Gemma Went>Gemma Went: Welcome…") is burned into
    the clip as the name once and the words: the very picture of the clip made from the clean cue."""
    panel = make_panel()
    make_panelist("Gemma Went", panel=panel)
    streamed = flock(tmp_path / "streamed", None)
    quote = quote_of(panel, [Cue(0.5, 3.5, "<v Gemma Went>Gemma Went: Welcome to the panel.")], 1.0, 4.0)
    cues = captions_in([(q["start"], q["end"], q["speaker"], q["text"]) for q in quote], 1.0, 4.0)

    def band(name: str, captions) -> np.ndarray:
        return caption_band(render_clip(spec_for(streamed, ClipShape.VERTICAL, captions), tmp_path / name).video, 1.0)

    shown = band("quote", cues)
    once = band("once", [CaptionCue(0.0, 2.5, "Gemma Went", "Welcome to the panel.")])
    twice = band("twice", [CaptionCue(0.0, 2.5, "Gemma Went", "Gemma Went: Welcome to the panel.")])
    assert np.abs(once - twice).mean() > 3 * max(np.abs(shown - once).mean(), 0.1)  # the check sees a double
    assert np.abs(shown - once).mean() < 1.0
