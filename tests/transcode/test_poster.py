"""take_poster(): the organiser picks a moment, we take a JPEG from there."""

from __future__ import annotations

import pytest

from eventsite.transcode import TranscodeError, take_poster

from .media import streams


@pytest.mark.parametrize("at", [0.0, 2.5, 3.9])
def test_poster_at_any_moment(clip, tmp_path, at):
    path = take_poster(clip, tmp_path / "poster.jpg", at, demuxer="mov", width=320, height=180, duration=4.0)
    assert path.read_bytes()[:2] == b"\xff\xd8"
    video = streams(path)["video"]
    assert (video["codec_name"], video["width"], video["height"]) == ("mjpeg", 320, 180)


def test_poster_past_the_end_is_moved_back_inside(clip, tmp_path):
    path = take_poster(clip, tmp_path / "p.jpg", 60, demuxer="mov", width=320, height=180, duration=4.0)
    assert path.stat().st_size > 0


def test_poster_past_the_end_without_duration_is_an_error(clip, tmp_path):
    with pytest.raises(TranscodeError, match="could not take a picture"):
        take_poster(clip, tmp_path / "p.jpg", 60, demuxer="mov", width=320, height=180)


def test_poster_of_rotated_clip_is_upright(rotated_clip, tmp_path):
    path = take_poster(rotated_clip, tmp_path / "p.jpg", 1, demuxer="mov", width=180, height=320)
    video = streams(path)["video"]
    assert (video["width"], video["height"]) == (180, 320)


def test_poster_name_is_not_a_pattern(clip, tmp_path):
    # image2 would read "%d" as a frame number pattern without -update 1
    path = take_poster(clip, tmp_path / "poster 100%d.jpg", 1, demuxer="mov", width=160, height=90)
    assert path.name == "poster 100%d.jpg" and path.is_file()
