"""probe() on real files: what it reports, and what it refuses in plain words."""

from __future__ import annotations

import subprocess

import pytest

from eventsite.transcode import ProbeError, probe
from eventsite.transcode.probe import DAMAGED, NO_DURATION, NOT_MEDIA

from .media import av_clip


def test_probe_reports_streams_and_demuxer(clip):
    info = probe(clip)
    assert info.demuxer == "mov"
    assert info.format_name.startswith("mov,mp4")
    assert info.duration == pytest.approx(4.0, abs=0.1)
    assert info.size == clip.stat().st_size
    assert info.video is not None and info.audio is not None
    assert (info.video.codec, info.video.width, info.video.height) == ("h264", 640, 360)
    assert (info.video.display_width, info.video.display_height, info.video.rotation) == (640, 360, 0)
    assert info.video.fps == 30
    assert (info.audio.codec, info.audio.sample_rate) == ("aac", 48000)


def test_rotated_clip_reports_display_size(rotated_clip):
    video = probe(rotated_clip).video
    assert video is not None
    assert (video.width, video.height) == (640, 360)
    assert video.rotation in (90, 270)
    assert (video.display_width, video.display_height) == (360, 640)


def test_video_only_is_valid(video_only_clip):
    info = probe(video_only_clip)
    assert info.video is not None and info.audio is None


def test_audio_only_with_cover_art_is_audio_only(audio_only_clip):
    info = probe(audio_only_clip)
    assert info.demuxer == "mp3"
    assert info.video is None  # the attached picture is not a video
    assert info.audio is not None and info.audio.codec == "mp3"


def test_matroska_is_accepted(odd_clip):
    info = probe(odd_clip)
    assert info.demuxer == "matroska"
    assert info.video is not None and (info.video.width, info.video.height) == (853, 481)


def test_zero_bytes(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(ProbeError, match="empty"):
        probe(empty)


def test_missing_file(tmp_path):
    with pytest.raises(ProbeError, match="could not find"):
        probe(tmp_path / "nope.mp4")


def test_text_renamed_mp4(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("Panel notes: remember to bring the HDMI adapter.\n" * 20)
    with pytest.raises(ProbeError) as caught:
        probe(text)
    assert caught.value.message == NOT_MEDIA


def test_truncated_mp4_without_index(clip, tmp_path):
    # moov at the end (no faststart): half a file has no index at all
    whole = av_clip(tmp_path / "whole.mp4", "320x180", 4)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ProbeError) as caught:
        probe(cut)
    assert caught.value.message == DAMAGED


def test_truncated_faststart_mp4(clip, tmp_path):
    # the index is complete and claims 4 s; the samples after the cut are missing
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    with pytest.raises(ProbeError) as caught:
        probe(cut)
    assert caught.value.message == DAMAGED


PLAYLISTS = {
    "evil.m3u8": "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n/etc/passwd\n#EXT-X-ENDLIST\n",
    "evil-hls.mp4": "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
    "evil.ffconcat": "ffconcat version 1.0\nfile '/etc/passwd'\n",
    "evil-concat.mp4": "ffconcat version 1.0\nfile '/etc/passwd'\nfile 'http://example.com/x.mp4'\n",
    "evil.srt": "1\n00:00:00,000 --> 00:00:01,000\nhello\n",
}


@pytest.mark.parametrize("name", sorted(PLAYLISTS))
def test_playlists_and_references_are_refused(tmp_path, name):
    upload = tmp_path / name
    upload.write_text(PLAYLISTS[name])
    with pytest.raises(ProbeError) as caught:
        probe(upload)
    assert caught.value.message == NOT_MEDIA
    # nothing of the referenced file leaks into what we store or show
    assert "root:" not in caught.value.message + caught.value.detail
    assert "/bin/" not in caught.value.detail


def test_image_is_not_a_recording(artwork):
    with pytest.raises(ProbeError) as caught:
        probe(artwork)
    assert caught.value.message == NOT_MEDIA


def test_huge_declared_resolution(huge_clip):
    with pytest.raises(ProbeError, match="8192x4608.*largest we accept is 7680x4320"):
        probe(huge_clip)


def test_resolution_limit_is_configurable_and_covers_portrait(clip, rotated_clip):
    with pytest.raises(ProbeError, match="largest we accept"):
        probe(clip, max_width=320, max_height=240)
    # a portrait 4320x7680 fits a 7680x4320 limit; 360x640 fits 640x360
    assert probe(rotated_clip, max_width=640, max_height=360).video is not None


def test_duration_limit(clip):
    with pytest.raises(ProbeError, match="longest we accept"):
        probe(clip, max_duration=2)


def test_probe_timeout_is_a_probe_error(clip):
    with pytest.raises(ProbeError, match="took too long"):
        probe(clip, timeout=0.0001)


def test_no_duration(tmp_path):
    # FLV written to a pipe never gets its duration filled in
    path = tmp_path / "live.flv"
    with path.open("wb") as out:
        subprocess.run(
            ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1"]
            + ["-c:v", "libx264", "-f", "flv", "pipe:1"],
            stdout=out,
            check=True,
        )
    with pytest.raises(ProbeError) as caught:
        probe(path)
    assert caught.value.message == NO_DURATION
