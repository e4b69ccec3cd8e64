"""The flock video, made with real ffmpeg from a 3-second tone and a hand-made timeline."""

from __future__ import annotations

import json
import subprocess
import threading

import numpy as np
import pytest

from eventsite.flock.birds import BirdSpec
from eventsite.flock.render import render_flock
from eventsite.flock.scene import HOP, FlockScene, draw_poster
from eventsite.flock.timeline import SpeechTimeline, Turn
from eventsite.transcode.errors import TranscodeCancelled, TranscodeError

BIRDS = [BirdSpec("Gemma Went", "#7b3294"), BirdSpec("Joanne Jacobs", "#b2182b"), BirdSpec("Azeem Azhar", "#01665e")]
SECONDS = 3.0
#: Joanne speaks from 0.25 s to 1.75 s, then everyone is quiet
SPEAKING = (3, 21)
WIDTH, HEIGHT = 1280, 720


def make_timeline() -> SpeechTimeline:
    mouths = "X" * SPEAKING[0] + ("BCDCAEFGHDCB" * 3)[: SPEAKING[1] - SPEAKING[0]]
    mouths += "X" * (36 - len(mouths))
    return SpeechTimeline(SECONDS, [b.name for b in BIRDS], [Turn(0.25, 1.75, 1)], mouths, 12, "captions")


@pytest.fixture(scope="module")
def tone(tmp_path_factory):
    path = tmp_path_factory.mktemp("sound") / "tone.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=330:duration={SECONDS}", "-ac", "1", str(path)],
        check=True,
    )
    return path


@pytest.fixture(scope="module")
def flock(tone, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("renditions")
    reports = []
    result = render_flock(
        tone,
        out_dir,
        make_timeline(),
        BIRDS,
        colours=("#2166ac", "#fddbc7"),
        title="Influence",
        captions=[(0.25, 1.75, "Hello, birds.")],
        on_progress=reports.append,
    )
    return out_dir, result, reports


def ffprobe(path, *extra) -> dict:
    argv = ["ffprobe", "-v", "error", *extra, "-show_streams", "-show_format", "-of", "json", str(path)]
    return json.loads(subprocess.run(argv, capture_output=True, check=True).stdout)


def decoded_frames(path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, HEIGHT, WIDTH, 3)


def test_mp4_is_720p_h264_aac_at_12_fps_as_long_as_the_sound(flock):
    out_dir, result, _ = flock
    info = ffprobe(out_dir / "flock.mp4")
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", WIDTH, HEIGHT)
    assert video["r_frame_rate"] == "12/1"
    assert audio["codec_name"] == "aac"
    assert float(info["format"]["duration"]) == pytest.approx(SECONDS, abs=0.15)
    assert result.frames == 36 and 0 < result.frames_drawn <= 36
    # Faststart, so a browser plays it before it has all of it: the index comes before the media.
    head = (out_dir / "flock.mp4").read_bytes()
    assert 0 <= head.find(b"moov") < head.find(b"mdat")


def test_hls_master_lists_codecs_and_plays(flock):
    out_dir, _, _ = flock
    master = out_dir / "master.m3u8"
    text = master.read_text()
    assert 'CODECS="avc1.' in text and "mp4a.40.2" in text and "RESOLUTION=1280x720" in text
    info = ffprobe(master, "-protocol_whitelist", "file")
    kinds = {s["codec_type"] for s in info["streams"]}
    assert kinds == {"video", "audio"}
    assert float(info["format"]["duration"]) == pytest.approx(SECONDS, abs=0.25)


def test_outputs_are_described_like_renditions(flock):
    out_dir, result, reports = flock
    described = {o.kind: o for o in result.outputs}
    assert set(described) == {"hls", "mp4", "poster", "storyboard"}
    assert described["hls"].relpath == "master.m3u8" and described["hls"].bitrate > 0
    assert described["storyboard"].relpath == "storyboard/storyboard.vtt"
    for output in result.outputs:
        assert output.label == "flock" and output.size_bytes > 0
        assert (out_dir / output.relpath).is_file()
    assert "sprite-1.jpg#xywh=0,0,160,90" in (out_dir / described["storyboard"].relpath).read_text()
    assert not (out_dir / "thumbs").exists()
    assert reports[-1].fraction == 1.0
    assert all(a.fraction <= b.fraction for a, b in zip(reports, reports[1:], strict=False))


def test_the_folder_holds_only_what_is_published(flock):
    """The encoder's intermediate file is cut into the HLS set, then removed: never published."""
    out_dir, _, _ = flock
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "720p",
        "audio",
        "flock.mp4",
        "master.m3u8",
        "poster.jpg",
        "storyboard",
    ]


def test_speakers_beak_moves_while_speaking_and_rests_in_silence(flock):
    out_dir, _, _ = flock
    frames = decoded_frames(out_dir / "flock.mp4")
    perch = FlockScene(make_timeline(), BIRDS).perches[1]
    # the speaker's beak, below her eyes (so blinks do not count); she faces right
    beak = frames[:, perch.y - 68 : perch.y - 28, perch.x + 20 : perch.x + 95].astype(np.int16)
    steps = np.abs(np.diff(beak, axis=0)).mean(axis=(1, 2, 3))
    talking = steps[SPEAKING[0] + len(HOP) : SPEAKING[1] - 1]  # past the hop at the turn's start
    quiet = steps[SPEAKING[1] + 3 :]  # once she has sat back
    # talking: the beak changes in most frames; quiet: most frames are identical
    # (the idle breathing bob moves the bird by a pixel now and then)
    assert np.mean(talking > 0.5) >= 0.6, talking
    assert np.mean(quiet < 0.2) >= 0.6, quiet


def test_poster_shows_the_first_speaker_talking():
    poster = draw_poster(make_timeline(), BIRDS, colours=("#2166ac", "#fddbc7"))
    assert poster.size == (WIDTH, HEIGHT) and poster.mode == "RGB"


def test_cancel_stops_ffmpeg(tone, tmp_path):
    cancel = threading.Event()

    def cancel_after_first_report(progress):
        cancel.set()

    with pytest.raises(TranscodeCancelled):
        render_flock(tone, tmp_path, make_timeline(), BIRDS, on_progress=cancel_after_first_report, cancel=cancel)
    # (the job removes the half-drawn folder: tests/storage/test_rendition_sets.py)


def test_unreadable_sound_fails_with_ffmpegs_words(tmp_path):
    bad = tmp_path / "sound.wav"
    bad.write_bytes(b"RIFF nonsense" * 10)
    out_dir = tmp_path / "out"
    with pytest.raises(TranscodeError) as error:
        render_flock(bad, out_dir, make_timeline(), BIRDS)
    assert "flock video could not be made" in str(error.value)
    assert error.value.detail  # ffmpeg's stderr tail, for whoever debugs the job
