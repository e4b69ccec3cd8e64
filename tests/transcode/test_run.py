"""run_ffmpeg(): progress, timeout, cancel and failures, with a real ffmpeg.

``-re`` makes ffmpeg read the generated input at its native rate, so a
"3 second" run really lasts about 3 s at almost no CPU cost.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from eventsite.transcode import TranscodeCancelled, TranscodeError, TranscodeTimeout, run_ffmpeg
from eventsite.transcode.run import parse_progress

from .media import ffmpeg_children


def realtime_argv(seconds: float) -> list[str]:
    return [
        "ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-progress", "pipe:1",
        "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30",
        "-t", str(seconds), "-f", "null", "-",
    ]  # fmt: skip


def test_progress_reports_rise_and_start_early():
    reports = []
    started = time.monotonic()
    result = run_ffmpeg(
        realtime_argv(2.5), duration=2.5, on_progress=lambda p: reports.append((time.monotonic() - started, p))
    )
    assert result.returncode == 0
    assert len(reports) >= 4
    first_at, _ = reports[0]
    assert first_at < 1.0
    fractions = [p.fraction for _, p in reports]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    middle = reports[len(reports) // 2][1]
    assert 0 < middle.fraction < 1
    assert middle.speed == pytest.approx(1.0, abs=0.3)
    assert middle.eta_seconds is not None and 0 < middle.eta_seconds < 2.5
    assert result.last_progress is not None and result.last_progress.fraction == 1.0


def test_cancel_kills_ffmpeg_within_a_second():
    cancel = threading.Event()
    threading.Timer(0.8, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(TranscodeCancelled) as caught:
        run_ffmpeg(realtime_argv(30), duration=30, cancel=cancel)
    assert time.monotonic() - started < 0.8 + 1.0
    assert "cancelled" in caught.value.message
    assert ffmpeg_children() == []


def test_timeout_kills_ffmpeg():
    started = time.monotonic()
    with pytest.raises(TranscodeTimeout) as caught:
        run_ffmpeg(realtime_argv(30), duration=30, timeout=1)
    assert time.monotonic() - started < 2.0
    assert "longer than" in caught.value.message
    assert ffmpeg_children() == []


def test_failure_has_plain_words_and_stderr_tail(tmp_path):
    argv = ["ffmpeg", "-nostdin", "-progress", "pipe:1", "-i", str(tmp_path / "missing.mp4"), "-f", "null", "-"]
    with pytest.raises(TranscodeError) as caught:
        run_ffmpeg(argv, duration=1)
    assert "could not be converted" in caught.value.message
    assert "No such file or directory" in caught.value.detail
    assert "missing.mp4" not in caught.value.message


def test_missing_executable_is_a_transcode_error():
    with pytest.raises(TranscodeError, match="could not be started"):
        run_ffmpeg(["/nonexistent/ffmpeg"], duration=1)


def test_an_error_in_the_callback_still_stops_ffmpeg():
    def explode(progress):
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        run_ffmpeg(realtime_argv(30), duration=30, on_progress=explode)
    assert ffmpeg_children() == []


def test_runs_niced():
    seen = []

    def look(progress):
        if not seen:
            seen.extend(os.getpriority(os.PRIO_PROCESS, pid) for pid in ffmpeg_children())

    run_ffmpeg(realtime_argv(1), duration=1, on_progress=look, nice=7)
    assert seen == [os.getpriority(os.PRIO_PROCESS, 0) + 7]


@pytest.mark.parametrize(
    ("report", "fraction", "speed"),
    [
        ({"out_time_us": "N/A", "speed": "N/A", "progress": "continue"}, 0.0, None),
        ({"out_time_us": "-23220", "speed": "0x", "progress": "continue"}, 0.0, None),
        ({"out_time_us": "5000000", "speed": "2.5x", "fps": "75.1", "progress": "continue"}, 0.5, 2.5),
        ({"out_time_ms": "5000000", "progress": "continue"}, 0.5, None),  # also microseconds
        ({"out_time_us": "12000000", "progress": "continue"}, 1.0, None),  # clamped
        ({"out_time_us": "9000000", "progress": "end"}, 1.0, None),
    ],
)
def test_parse_progress(report, fraction, speed):
    progress = parse_progress(report, duration=10, elapsed=4)
    assert progress.fraction == pytest.approx(fraction)
    assert progress.speed == speed
    if speed:
        assert progress.eta_seconds == pytest.approx((10 - progress.out_time) / speed)
