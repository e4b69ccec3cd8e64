"""plan_renditions() is pure: no ffmpeg, just probe facts in and a plan out."""

from __future__ import annotations

from fractions import Fraction

import pytest

from eventsite.transcode import plan_renditions
from eventsite.transcode.plan import output_fps, plan_storyboard, poster_time

from .media import media_info


@pytest.mark.parametrize(
    ("size", "ladder", "expected"),
    [
        ((1920, 1080), (1080, 720, 480, 360), [(1920, 1080), (1280, 720), (854, 480), (640, 360)]),
        ((1280, 720), (1080, 720, 480, 360), [(1280, 720), (854, 480), (640, 360)]),
        # in between two rungs: never upscale, never invent a 900p rung
        ((1600, 900), (1080, 720, 360), [(1280, 720), (640, 360)]),
        # smaller than the smallest rung: one rung at the source size
        ((320, 180), (1080, 720, 480, 360), [(320, 180)]),
        # odd sizes become even, aspect kept
        ((853, 481), (1080, 720, 480, 360), [(852, 480), (638, 360)]),
        ((641, 361), (1080, 720), [(640, 360)]),
        # ladder order and duplicates do not matter
        ((1280, 720), (360, 720, 360), [(1280, 720), (640, 360)]),
        # non-16:9
        ((1440, 1080), (720, 480), [(960, 720), (640, 480)]),
    ],
)
def test_ladder_never_upscales_and_stays_even(size, ladder, expected):
    plan = plan_renditions(media_info(*size), ladder=ladder)
    assert [(r.width, r.height) for r in plan.rungs] == expected
    for rung in plan.rungs:
        assert rung.width % 2 == 0 and rung.height % 2 == 0
        assert rung.label == f"{min(rung.width, rung.height)}p"


def test_portrait_phone_video_uses_display_size_after_rotation():
    # stored 1920x1080 with a 90° display matrix: people see 1080x1920
    plan = plan_renditions(media_info(1920, 1080, rotation=90), ladder=(720, 360))
    assert [(r.width, r.height) for r in plan.rungs] == [(720, 1280), (360, 640)]
    assert plan.cartoon is not None and plan.cartoon.height > plan.cartoon.width
    assert plan.storyboard is not None and plan.storyboard.thumb_height > plan.storyboard.thumb_width


@pytest.mark.parametrize(
    ("avg", "real", "expected"),
    [
        ("30/1", "30/1", Fraction(30)),
        ("30000/1001", "30000/1001", Fraction(30000, 1001)),
        ("25/1", "50/1", Fraction(25)),  # interlaced PAL reports field rate as r
        ("60/1", "60/1", Fraction(60)),
        ("120/1", "120/1", Fraction(60)),  # slow-motion capture halved
        ("120000/1001", "120000/1001", Fraction(60000, 1001)),
        ("100/1", "100/1", Fraction(50)),
        ("240/1", "240/1", Fraction(60)),
        ("180/11", "30/1", Fraction(30)),  # variable rate phone clip: keep all frames
        ("2997/100", "90000/1", Fraction(2997, 100)),  # base rate is a timebase
        ("0/0", "0/0", Fraction(30)),  # unknown: a sane default
    ],
)
def test_output_fps(avg, real, expected):
    assert output_fps(avg, real) == expected


@pytest.mark.parametrize(("avg", "gop"), [("30/1", 60), ("25/1", 50), ("60000/1001", 120), ("120/1", 120)])
def test_gop_is_two_seconds_on_every_rung(avg, gop):
    plan = plan_renditions(media_info(avg=avg))
    assert plan.gop == gop


def test_bitrate_caps_grow_with_size_and_bufsize_is_twice_maxrate():
    plan = plan_renditions(media_info())
    rates = [r.maxrate for r in plan.rungs]
    assert rates == sorted(rates, reverse=True)
    assert 4_000_000 < rates[0] < 8_000_000  # 1080p30
    assert all(r.bufsize == 2 * r.maxrate for r in plan.rungs)
    faster = plan_renditions(media_info(avg="60/1"))
    assert faster.rungs[0].maxrate > plan.rungs[0].maxrate


@pytest.mark.parametrize(
    ("duration", "interval"),
    [(4, 2), (30, 2), (250, 3), (600, 6), (1000, 10), (3600, 18), (7200, 36)],
)
def test_storyboard_interval_from_duration(duration, interval):
    board = plan_storyboard(duration, 1920, 1080)
    assert board.interval == interval
    assert board.count <= 200
    assert board.count * board.interval >= duration
    assert (board.thumb_width, board.thumb_height) == (160, 90)
    assert board.columns <= 10 and board.rows <= 10


def test_storyboard_interval_can_be_chosen():
    plan = plan_renditions(media_info(duration=60), storyboard_interval=5)
    assert plan.storyboard is not None
    assert (plan.storyboard.interval, plan.storyboard.count) == (5, 12)
    assert (plan.storyboard.columns, plan.storyboard.rows) == (10, 2)


@pytest.mark.parametrize(("duration", "expected"), [(4, 0.4), (100, 10), (7200, 60)])
def test_poster_time_is_a_little_way_in(duration, expected):
    assert poster_time(duration) == expected


def test_audio_is_aac_stereo_128k():
    plan = plan_renditions(media_info(sample_rate=22050))
    assert [(a.codec, a.channels, a.bitrate, a.sample_rate, a.relpath) for a in plan.audio] == [
        ("aac", 2, 128_000, 48000, "audio.m4a")
    ]
    assert plan.has_audio


def test_video_only_has_no_audio():
    plan = plan_renditions(media_info(audio=False))
    assert plan.audio == () and not plan.has_audio
    assert plan.rungs


def test_audio_only_gets_audio_renditions_and_no_ladder():
    plan = plan_renditions(media_info(video=False, sample_rate=44100))
    assert plan.rungs == ()
    assert plan.cartoon is None and plan.storyboard is None and plan.poster_time is None
    assert [(a.codec, a.sample_rate, a.relpath) for a in plan.audio] == [
        ("aac", 44100, "audio.m4a"),
        ("mp3", 44100, "audio.mp3"),
    ]


def test_audio_only_with_artwork_gets_a_cheap_still_rung():
    plan = plan_renditions(media_info(video=False), artwork="/tmp/face.png")
    assert [(r.width, r.height) for r in plan.rungs] == [(1280, 720)]
    assert plan.fps == "1/1" and plan.artwork == "/tmp/face.png"
    assert plan.poster_time == 0.0


def test_cartoon_is_optional_and_never_larger_than_the_source():
    assert plan_renditions(media_info(), cartoon=False).cartoon is None
    small = plan_renditions(media_info(320, 180), cartoon_height=360).cartoon
    assert small is not None and (small.width, small.height, small.label) == (320, 180, "180p")
    default = plan_renditions(media_info()).cartoon
    assert default is not None and (default.width, default.height) == (640, 360)


def test_plan_keeps_the_probed_demuxer_and_streams():
    plan = plan_renditions(media_info())
    assert (plan.demuxer, plan.video_index, plan.audio_index) == ("mov", 0, 1)
