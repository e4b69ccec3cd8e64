"""The pure renderer: layouts per shape, captions burned where they belong, precise cuts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from eventsite.clips.layout import plan_layout
from eventsite.clips.models import ClipShape
from eventsite.clips.render import END_CARD_SECONDS, CaptionCue, ClipSpec, captions_in, render_clip
from eventsite.transcode import TranscodeSettings, probe
from tests.transcode.media import av_clip, ffprobe_json

FAST = TranscodeSettings(preset="ultrafast")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return av_clip(tmp_path_factory.mktemp("clip-source") / "talk.mp4", "640x360", 6, 25)


def spec_for(source: Path, shape: ClipShape, captions: list[CaptionCue]) -> ClipSpec:
    info = probe(source)
    return ClipSpec(
        source=source,
        demuxer=info.demuxer,
        source_width=640,
        source_height=360,
        has_audio=True,
        start=1.0,
        end=4.0,
        shape=shape,
        title="What is social influence?",
        event="Social Media Week",
        card_url="http://localhost/events/smw/influence/?t=1s",
        site_name="eventsite",
        captions=captions,
        short_side=240,
    )


def frame(video: Path, at: float, out: Path) -> Image.Image:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", str(at), "-i", str(video), "-frames:v", "1", str(out)], check=True
    )
    return Image.open(out).convert("RGB")


@pytest.mark.parametrize("shape", list(ClipShape))
def test_the_picture_keeps_its_aspect_and_everything_stays_in_frame(shape):
    layout = plan_layout(shape, 720, 1280, 720)
    for box in (layout.picture, layout.title, layout.caption):
        assert 0 <= box.x and box.x + box.w <= layout.width and 0 <= box.y and box.y + box.h <= layout.height
    assert layout.picture.w / layout.picture.h == pytest.approx(16 / 9, rel=0.01)
    if shape is not ClipShape.WIDE:  # title above the picture, captions below it
        assert layout.title.y + layout.title.h <= layout.picture.y
        assert layout.caption.y >= layout.picture.y + layout.picture.h


def test_cues_are_clipped_to_the_stretch_and_never_overlap():
    cues = [(0.0, 2.5, "Gemma Went", "Welcome."), (2.0, 4.5, "Azeem Azhar", "Trust."), (5.0, 6.0, "G", "Bye.")]
    assert captions_in(cues, 1.0, 4.0) == [
        CaptionCue(0.0, 1.0, "Gemma Went", "Welcome."),  # gives way when Azeem starts
        CaptionCue(1.0, 3.0, "Azeem Azhar", "Trust."),
    ]


def test_captions_are_burned_into_the_caption_band(source, tmp_path):
    cue = CaptionCue(0.0, 3.0, "Gemma Went", "Influence is about trust, not reach.")
    with_words = render_clip(spec_for(source, ClipShape.VERTICAL, [cue]), tmp_path / "with", settings=FAST)
    without = render_clip(spec_for(source, ClipShape.VERTICAL, []), tmp_path / "without", settings=FAST)
    layout = plan_layout(ClipShape.VERTICAL, 240, 640, 360)
    box = layout.caption
    band = (box.x, box.y, box.x + box.w, box.y + box.h)
    a, b = frame(with_words.video, 1.5, tmp_path / "a.png"), frame(without.video, 1.5, tmp_path / "b.png")
    difference = ImageChops.difference(a, b)
    # The caption band differs a lot; the picture itself (above it) hardly at all.
    assert max(ImageStat.Stat(difference.crop(band)).mean) > 8
    pic = layout.picture
    assert max(ImageStat.Stat(difference.crop((pic.x, pic.y, pic.x + pic.w, pic.y + pic.h))).mean) < 3


def test_the_cut_is_precise_and_ends_with_the_card(source, tmp_path):
    result = render_clip(spec_for(source, ClipShape.WIDE, []), tmp_path / "wide", settings=FAST)
    probe_out = ffprobe_json(result.video)
    assert float(probe_out["format"]["duration"]) == pytest.approx(3.0 + END_CARD_SECONDS, abs=0.1)
    assert (result.width, result.height) == (426, 240)
    # testsrc2 prints its clock; the first frame of the clip is the source's second 1.0,
    # so it matches a frame taken from the source at 1.0 better than one at 0.8 or 1.2.
    first = frame(result.video, 0, tmp_path / "first.png")
    picture = plan_layout(ClipShape.WIDE, 240, 640, 360).picture

    def source_at(t: float) -> Image.Image:
        image = frame(source, t, tmp_path / f"src-{t}.png")
        return image.resize((picture.w, picture.h))

    region = first.crop((picture.x, picture.y + 60, picture.x + picture.w, picture.y + picture.h))

    def distance(t: float) -> float:
        other = source_at(t).crop((0, 60, picture.w, picture.h))
        return sum(ImageStat.Stat(ImageChops.difference(region, other)).mean)

    assert distance(1.0) < distance(0.8) and distance(1.0) < distance(1.2)
    # The last second is the end card: flat dark blue, not the test pattern.
    card = frame(result.video, 4.5, tmp_path / "card.png")
    assert card.getpixel((5, 5)) == pytest.approx((22, 33, 62), abs=6)
