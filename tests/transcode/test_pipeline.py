"""transcode() end to end on tiny clips, checked the way a viewer would notice."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import m3u8
import pytest

from eventsite.transcode import (
    TranscodeCancelled,
    TranscodeSettings,
    TranscodeTimeout,
    plan_renditions,
    probe,
    transcode,
)

from .media import av_clip, duration, ffmpeg_children, keyframe_times, streams, top_level_boxes

# the timestamps a player shows must match the source within this
DURATION_SLACK = 0.15


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(clip, tmp_path_factory):
    """The everyday clip, two rungs, published under an awkward folder name."""
    # ":", "|", "'" and "%" would all break tee/HLS options if paths leaked in
    final_dir = tmp_path_factory.mktemp("pub") / "rec:1 |it's 100%"
    before = sha256(clip)
    plan = plan_renditions(probe(clip), ladder=(360, 240))
    reports = []
    started = time.monotonic()
    outputs = transcode(
        clip, final_dir, plan, on_progress=lambda p: reports.append((time.monotonic() - started, p.fraction))
    )
    return {
        "final_dir": final_dir,
        "plan": plan,
        "outputs": outputs,
        "reports": reports,
        "elapsed": time.monotonic() - started,
        "source_unchanged": sha256(clip) == before,
    }


def test_outputs_are_listed_with_real_sizes(published):
    final_dir, outputs = published["final_dir"], published["outputs"]
    kinds = [(o.kind, o.label) for o in outputs]
    assert kinds == [
        ("hls", "adaptive"),
        ("mp4", "360p"),
        ("mp4", "240p"),
        ("audio", "aac"),
        ("cartoon", "360p"),
        ("poster", "poster"),
        ("storyboard", "storyboard"),
    ]
    for output in outputs:
        path = final_dir / output.relpath
        assert path.is_file(), output
        assert output.size_bytes >= path.stat().st_size > 0
    mp4 = next(o for o in outputs if o.label == "360p" and o.kind == "mp4")
    assert 100_000 < mp4.bitrate < 2_000_000


def test_source_untouched_and_no_temporary_folders_left(published):
    assert published["source_unchanged"]
    assert not (published["final_dir"] / "thumbs").exists()


def test_mp4s_play_everywhere(published, clip):
    final_dir = published["final_dir"]
    source = duration(clip)
    for label, size in [("360p", (640, 360)), ("240p", (426, 240))]:
        path = final_dir / "mp4" / f"{label}.mp4"
        found = streams(path)
        video, audio = found["video"], found["audio"]
        assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
        assert (video["width"], video["height"]) == size
        assert (audio["codec_name"], audio["channels"]) == ("aac", 2)
        assert duration(path) == pytest.approx(source, abs=DURATION_SLACK)
        boxes = top_level_boxes(path)
        assert boxes.index("moov") < boxes.index("mdat"), "faststart: index before the media"


def test_audio_file(published, clip):
    path = published["final_dir"] / "audio.m4a"
    assert set(streams(path)) == {"audio"}
    assert duration(path) == pytest.approx(duration(clip), abs=DURATION_SLACK)


def test_master_playlist_lists_codecs_resolution_and_bandwidth(published):
    master = m3u8.load(str(published["final_dir"] / "hls" / "master.m3u8"))
    assert master.is_variant
    assert [v.stream_info.resolution for v in master.playlists] == [(640, 360), (426, 240)]
    for variant in master.playlists:
        info = variant.stream_info
        assert info.codecs.startswith("avc1.64") and info.codecs.endswith(",mp4a.40.2")
        assert info.bandwidth > info.average_bandwidth * 0.9 > 0
        assert info.audio == "aud"
        assert (published["final_dir"] / "hls" / variant.uri).is_file()
    bandwidths = [v.stream_info.bandwidth for v in master.playlists]
    assert bandwidths[0] > bandwidths[1]
    (audio,) = [m for m in master.media if m.type == "AUDIO"]
    assert audio.group_id == "aud" and (published["final_dir"] / "hls" / audio.uri).is_file()


def test_hls_media_playlists_are_vod_fmp4(published):
    playlist = m3u8.load(str(published["final_dir"] / "hls" / "360p" / "index.m3u8"))
    assert playlist.is_endlist and playlist.playlist_type == "vod"
    assert playlist.segment_map and playlist.segment_map[0].uri.endswith(".mp4")
    assert all(s.uri.endswith(".m4s") for s in playlist.segments)
    assert sum(s.duration for s in playlist.segments) == pytest.approx(4.0, abs=DURATION_SLACK)


def test_storyboard_covers_the_whole_recording(published):
    folder = published["final_dir"] / "storyboard"
    vtt = (folder / "storyboard.vtt").read_text()
    assert vtt.startswith("WEBVTT")
    cues = [block.splitlines() for block in vtt.split("\n\n")[1:] if block.strip()]
    times = [tuple(cue[0].split(" --> ")) for cue in cues]
    assert times[0][0] == "00:00:00.000"
    assert times[-1][1] == "00:00:04.000"
    for (_, end), (start, _) in zip(times, times[1:], strict=False):
        assert end == start, "no gaps between cues"
    for cue in cues:
        sprite, _, xywh = cue[1].partition("#xywh=")
        x, y, w, h = map(int, xywh.split(","))
        sheet = streams(folder / sprite)["video"]
        assert (w, h) == (160, 90)
        assert x + w <= sheet["width"] and y + h <= sheet["height"]


def test_poster_is_a_jpeg_of_the_top_rung_size(published):
    poster = published["final_dir"] / "poster.jpg"
    assert poster.read_bytes()[:2] == b"\xff\xd8"
    video = streams(poster)["video"]
    assert (video["width"], video["height"]) == (640, 360)


def test_cartoon(published, clip):
    path = published["final_dir"] / "cartoon" / "360p.mp4"
    found = streams(path)
    assert (found["video"]["codec_name"], found["video"]["height"]) == ("h264", 360)
    assert "audio" in found
    assert duration(path) == pytest.approx(duration(clip), abs=DURATION_SLACK)


def test_progress_starts_early_and_only_rises(published):
    reports = published["reports"]
    fractions = [f for _, f in reports]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert any(0 < f < 0.95 for f in fractions)
    assert reports[0][0] < max(1.0, published["elapsed"] / 2)


def test_ladder_of_three_has_aligned_keyframes(clip_720, tmp_path):
    final_dir = tmp_path / "rec720"
    plan = plan_renditions(probe(clip_720), ladder=(720, 480, 360))
    transcode(clip_720, final_dir, plan)
    hls = final_dir / "hls"
    master = m3u8.load(str(hls / "master.m3u8"))
    assert [v.stream_info.resolution for v in master.playlists] == [(1280, 720), (854, 480), (640, 360)]
    keyframes, segment_lengths = [], []
    for variant in master.playlists:
        playlist = m3u8.load(str(hls / variant.uri))
        folder = (hls / variant.uri).parent
        joined = folder / "joined.mp4"
        parts = [playlist.segment_map[0].uri] + [s.uri for s in playlist.segments]
        joined.write_bytes(b"".join((folder / part).read_bytes() for part in parts))
        keyframes.append(keyframe_times(joined))
        segment_lengths.append([s.duration for s in playlist.segments])
    assert keyframes[0] == keyframes[1] == keyframes[2]
    assert len(keyframes[0]) == 3  # every 2 s in 6 s
    assert segment_lengths[0] == segment_lengths[1] == segment_lengths[2] == [4.0, 2.0]


def test_rotated_phone_clip_comes_out_upright(rotated_clip, tmp_path):
    plan = plan_renditions(probe(rotated_clip), ladder=(360, 240))
    transcode(rotated_clip, tmp_path / "rot", plan)
    for name, size in [("mp4/360p.mp4", (360, 640)), ("mp4/240p.mp4", (240, 426)), ("cartoon/360p.mp4", (360, 640))]:
        video = streams(tmp_path / "rot" / name)["video"]
        assert (video["width"], video["height"]) == size
        # upright pixels, not a rotation flag players may ignore
        assert not video.get("side_data_list")
    poster = streams(tmp_path / "rot" / "poster.jpg")["video"]
    assert poster["height"] > poster["width"]


def test_odd_sized_source_gives_even_outputs(odd_clip, tmp_path):
    plan = plan_renditions(probe(odd_clip), ladder=(480, 360))
    outputs = transcode(odd_clip, tmp_path / "odd", plan)
    sizes = {(o.kind, o.label): (o.width, o.height) for o in outputs}
    assert sizes[("mp4", "480p")] == (852, 480) and sizes[("mp4", "360p")] == (638, 360)
    for name in ("mp4/480p.mp4", "mp4/360p.mp4", "cartoon/360p.mp4"):
        video = streams(tmp_path / "odd" / name)["video"]
        assert video["width"] % 2 == 0 and video["height"] % 2 == 0
    master = m3u8.load(str(tmp_path / "odd" / "hls" / "master.m3u8"))
    assert not [m for m in master.media if m.type == "AUDIO"]  # video only
    assert all(v.stream_info.codecs.count(",") == 0 for v in master.playlists)


def test_variable_frame_rate_becomes_constant(vfr_clip, tmp_path):
    plan = plan_renditions(probe(vfr_clip), ladder=(240,))
    transcode(vfr_clip, tmp_path / "vfr", plan)
    video = streams(tmp_path / "vfr" / "mp4" / "240p.mp4")["video"]
    assert video["avg_frame_rate"] == video["r_frame_rate"] == "30/1"
    assert duration(tmp_path / "vfr" / "mp4" / "240p.mp4") == pytest.approx(duration(vfr_clip), abs=DURATION_SLACK)


def test_video_only_source(video_only_clip, tmp_path):
    plan = plan_renditions(probe(video_only_clip), ladder=(180,))
    outputs = transcode(video_only_clip, tmp_path / "silent", plan)
    assert "audio" not in {o.kind for o in outputs}
    assert set(streams(tmp_path / "silent" / "mp4" / "180p.mp4")) == {"video"}


def test_audio_only_source(audio_only_clip, tmp_path):
    plan = plan_renditions(probe(audio_only_clip))
    outputs = transcode(audio_only_clip, tmp_path / "talk", plan)
    assert [(o.kind, o.label, o.relpath) for o in outputs] == [
        ("audio", "aac", "audio.m4a"),
        ("audio", "mp3", "audio.mp3"),
    ]
    for output in outputs:
        path = tmp_path / "talk" / output.relpath
        assert set(streams(path)) == {"audio"}  # the cover art is not carried over
        assert duration(path) == pytest.approx(4.0, abs=DURATION_SLACK)


def test_audio_only_with_artwork_gets_a_still_video(audio_only_clip, artwork, tmp_path):
    plan = plan_renditions(probe(audio_only_clip), artwork=str(artwork))
    outputs = transcode(audio_only_clip, tmp_path / "talk", plan)
    assert {o.kind for o in outputs} == {"hls", "mp4", "audio", "poster"}
    found = streams(tmp_path / "talk" / "mp4" / "720p.mp4")
    assert (found["video"]["width"], found["video"]["height"]) == (1280, 720)
    assert duration(tmp_path / "talk" / "mp4" / "720p.mp4") == pytest.approx(4.0, abs=DURATION_SLACK)
    assert (tmp_path / "talk" / "poster.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_cancel_mid_run_stops_within_a_second(long_clip, tmp_path):
    cancel = threading.Event()
    cancelled_at = []

    def on_progress(progress):
        if progress.fraction > 0 and not cancel.is_set():
            cancelled_at.append(time.monotonic())
            cancel.set()

    plan = plan_renditions(probe(long_clip), ladder=(360, 240))
    with pytest.raises(TranscodeCancelled):
        transcode(long_clip, tmp_path / "set", plan, on_progress=on_progress, cancel=cancel)
    assert time.monotonic() - cancelled_at[0] < 1.0
    # the poster, taken alongside the main run, was stopped with it: nothing writes on
    assert ffmpeg_children() == []


def test_timeout_stops_the_run(long_clip, tmp_path):
    plan = plan_renditions(probe(long_clip), ladder=(360,))
    started = time.monotonic()
    with pytest.raises(TranscodeTimeout):
        transcode(long_clip, tmp_path / "set", plan, timeout=0.5, settings=TranscodeSettings(preset="medium"))
    assert time.monotonic() - started < 2.0


def rfc8216_peak(playlist_path: Path) -> int:
    """The peak segment bit rate as RFC 8216 (4.3.4.2) defines it, written out from the definition:
    the largest bit rate of any run of consecutive segments lasting 0.5 to 1.5 target durations."""
    playlist = m3u8.load(str(playlist_path))
    sizes = [(playlist_path.parent / s.uri).stat().st_size * 8 for s in playlist.segments]
    seconds = [float(s.duration) for s in playlist.segments]
    target = playlist.target_duration
    rates = [
        sum(sizes[i:j]) / sum(seconds[i:j])
        for i in range(len(sizes))
        for j in range(i + 1, len(sizes) + 1)
        if 0.5 * target <= sum(seconds[i:j]) <= 1.5 * target
    ]
    return max(rates)


@pytest.fixture(scope="module", params=[8.2, 5.1])
def short_tail(request, media, tmp_path_factory) -> Path:
    """The HLS folder of a clip whose last segment is short: 4 s, 4 s and a denser 0.2 s one (its
    headers weigh more), or 4 s and 1.1 s (long enough alone for a per-segment measure, not for the RFC)."""
    source = av_clip(media / f"tail-{request.param}.mp4", "640x360", request.param, 30)
    final_dir = tmp_path_factory.mktemp("tail") / "set"
    transcode(source, final_dir, plan_renditions(probe(source), ladder=(240,)))
    return final_dir / "hls"


def assert_bandwidth_is_the_rfc_8216_peak(hls: Path) -> None:
    master = m3u8.load(str(hls / "master.m3u8"))
    (audio,) = [m for m in master.media if m.type == "AUDIO"]
    audio_peak = rfc8216_peak(hls / audio.uri)
    for variant in master.playlists:
        expected = rfc8216_peak(hls / variant.uri) + audio_peak
        # video's and sound's peaks added: an upper bound of the variant's, never below it
        assert variant.stream_info.bandwidth == pytest.approx(expected, abs=2), variant.uri


def test_bandwidth_is_the_peak_segment_bit_rate_of_rfc_8216(published):
    assert_bandwidth_is_the_rfc_8216_peak(published["final_dir"] / "hls")


def test_bandwidth_counts_a_short_last_segment_as_the_rfc_does(short_tail):
    assert_bandwidth_is_the_rfc_8216_peak(short_tail)
