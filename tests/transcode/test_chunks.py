"""One recording in chunks: keyframe-aligned cuts, encoded apart, joined without a gap, an overlap or a lost frame.

The joins are checked on real output with ffprobe (every packet's timestamp) and
against the same plan made by the one run (the frames decoded from both).
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from eventsite.transcode import TranscodeSettings, plan_renditions, probe, transcode
from eventsite.transcode.chunked import encode_chunk
from eventsite.transcode.chunks import ChunkSpan, plan_chunks
from eventsite.transcode.sound import make_sound

from .media import av_clip, ffprobe_json

#: 4 s chunks of a 13 s clip at 29.97 fps: 120 frames each, the last one 150 (its 30-frame tail joins it)
CHUNK_SECONDS = 4
SETTINGS = TranscodeSettings()


@pytest.fixture(scope="module")
def source(media) -> Path:
    """13 s at 30000/1001 fps, 320x240, with sound: the NTSC rate, where seconds are never whole frames."""
    return av_clip(media / "chunky.mp4", "320x240", 13, "30000/1001", "-g", "250")


@pytest.fixture(scope="module")
def plan(source):
    return plan_renditions(probe(source), ladder=(240, 120), cartoon_height=120)


@pytest.fixture(scope="module")
def sets(source, plan, tmp_path_factory) -> dict[str, Path]:
    """The same plan made twice: by the one run, and in chunks encoded apart and joined."""
    root = tmp_path_factory.mktemp("chunks")
    spans = plan_chunks(plan, CHUNK_SECONDS, SETTINGS.segment_seconds)
    folders = []
    for span in reversed(spans):  # in any order, as workers finish them
        folder = root / f"chunk{span.index}"
        encode_chunk(source, folder, plan, span, settings=SETTINGS)
        folders.insert(0, folder)
    (root / "sound").mkdir()
    make_sound(source, root / "sound", plan, SETTINGS, timeout=lambda: 60)
    transcode(source, root / "joined", plan, settings=SETTINGS, sound=root / "sound/audio.m4a", chunks=folders)
    transcode(source, root / "one", plan, settings=SETTINGS)
    return {"joined": root / "joined", "one": root / "one", "spans": spans}


def packets(path: Path, stream: str = "v:0") -> list[dict]:
    found = ffprobe_json(path, "-select_streams", stream, "-show_entries", "packet=pts,duration,flags")["packets"]
    return sorted(found, key=lambda p: int(p["pts"]))


def test_chunks_are_whole_segments_of_whole_gops(plan):
    spans = plan_chunks(plan, CHUNK_SECONDS, 4)
    assert spans == (ChunkSpan(0, 0, 120), ChunkSpan(1, 120, 240), ChunkSpan(2, 240, None))
    assert plan.gop == 60 and all(s.first_frame % (2 * plan.gop) == 0 for s in spans)
    # a minute and a half of chunk in a 10-minute talk at 25 fps: 2,200 frames (88 s), 7 chunks
    talk = dataclasses.replace(plan, duration=600.0, fps="25/1", gop=50)
    spans = plan_chunks(talk, 90, 4)
    assert [s.first_frame for s in spans] == [2200 * i for i in range(7)] and spans[-1].end_frame is None


def test_short_recordings_and_unindexed_containers_stay_one_job(plan):
    assert plan_chunks(plan, 20, 4) == ()  # 13 s is one chunk of 20 s
    assert plan_chunks(dataclasses.replace(plan, demuxer="mpegts"), CHUNK_SECONDS, 4) == ()
    assert plan_chunks(dataclasses.replace(plan, copy_picture=True), CHUNK_SECONDS, 4) == ()


@pytest.mark.parametrize("output", ["hls/240p/index.m3u8", "hls/120p/index.m3u8", "mp4/240p.mp4", "cartoon/120p.mp4"])
def test_joins_have_no_gap_or_overlap_and_the_one_runs_timestamps(sets, output):
    joined, one = packets(sets["joined"] / output), packets(sets["one"] / output)
    times = [int(p["pts"]) for p in joined]
    steps = {b - a for a, b in zip(times, times[1:], strict=False)}
    assert len(steps) == 1, f"a gap or an overlap: steps {sorted(steps)}"
    assert times == [int(p["pts"]) for p in one] and len(times) == 390


def test_keyframes_line_up_on_every_rung_and_every_chunk_starts_on_one(sets):
    folder = sets["joined"]

    def keyframes(output: str) -> list[int]:
        found = packets(folder / output)
        return [n for n, p in enumerate(found) if "K" in p["flags"]]

    top = keyframes("hls/240p/index.m3u8")
    assert top == keyframes("hls/120p/index.m3u8") == keyframes("mp4/240p.mp4") == list(range(0, 390, 60))
    assert {s.first_frame for s in sets["spans"]} <= set(top)


def psnr(joined: Path, one: Path, shift: int) -> list[float]:
    """Per-frame PSNR of the joined frames against the one run's, moved ``shift`` frames later."""
    graph = f"[1:v]trim=start_frame={shift},setpts=PTS-STARTPTS[one];[0:v][one]psnr=stats_file=-"
    if shift < 0:
        graph = f"[0:v]trim=start_frame={-shift},setpts=PTS-STARTPTS[joined];[joined][1:v]psnr=stats_file=-"
    stats = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(joined), "-i", str(one), "-lavfi", graph, "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [float(v) for v in re.findall(r"psnr_avg:(\S+)", stats.replace("inf", "99"))]


def test_no_frame_is_repeated_or_lost_at_a_join(sets):
    """Around each join, every joined frame looks most like the one run's frame at the same place."""
    joined, one = sets["joined"] / "mp4/240p.mp4", sets["one"] / "mp4/240p.mp4"
    same, earlier, later = psnr(joined, one, 0), psnr(joined, one, -1), psnr(joined, one, 1)
    assert len(same) == 390
    for join in (120, 240):
        for n in range(join - 2, join + 3):
            # earlier[n - 1] pairs joined frame n with the one run's n - 1; later[n] with n + 1
            assert same[n] > earlier[n - 1] + 3 and same[n] > later[n] + 3, (n, same[n], earlier[n - 1], later[n])


def test_the_sound_is_copied_whole_and_in_sync_at_the_end(sets):
    folder = sets["joined"]
    sound, one = packets(folder / "hls/audio/index.m3u8", "a:0"), packets(sets["one"] / "hls/audio/index.m3u8", "a:0")
    assert [p["pts"] for p in sound] == [p["pts"] for p in one]
    info = ffprobe_json(folder / "mp4/240p.mp4")
    ends = {s["codec_type"]: float(s["start_time"]) + float(s["duration"]) for s in info["streams"]}
    assert abs(ends["video"] - ends["audio"]) < 0.05, ends
    assert float(Fraction(1001, 30000) * 390) == pytest.approx(ends["video"], abs=0.02)


def test_the_storyboard_and_master_are_the_one_runs(sets):
    joined, one = sets["joined"], sets["one"]
    assert (joined / "storyboard/storyboard.vtt").read_text() == (one / "storyboard/storyboard.vtt").read_text()
    master = (joined / "hls/master.m3u8").read_text()
    assert master.count("#EXT-X-STREAM-INF") == 2 and 'CODECS="avc1.' in master
    assert not (joined / ".chunks").exists()
