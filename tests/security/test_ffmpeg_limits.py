"""ffmpeg and ffprobe decode only listed codecs, under memory and CPU limits, with a sensible timeout."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from eventsite import create_app
from eventsite.config import TestingConfig
from eventsite.transcode import ProbeError, TranscodeError, default_timeout, probe, run_ffmpeg
from eventsite.transcode import limits as transcode_limits
from eventsite.transcode.limits import GIB, ResourceLimits
from tests.transcode.media import LAVFI_AUDIO, LAVFI_VIDEO, av_clip, ffmpeg


@pytest.fixture(autouse=True)
def _default_limits():
    """Each test starts and ends with the default limits (create_app configures them per process)."""
    transcode_limits.configure(ResourceLimits())
    yield
    transcode_limits.configure(ResourceLimits())


def _clip_with(path: Path, *codecs: str) -> Path:
    ffmpeg(
        "-f", "lavfi", "-i", LAVFI_VIDEO.format(size="160x120", rate=10),
        "-f", "lavfi", "-i", LAVFI_AUDIO, "-t", "2", *codecs, str(path),
    )  # fmt: skip
    return path


@pytest.mark.parametrize(
    ("codecs", "named"),
    [
        (("-c:v", "ffv1", "-c:a", "aac"), "ffv1"),
        (("-c:v", "libx264", "-c:a", "wavpack"), "wavpack"),
        (("-c:v", "huffyuv", "-c:a", "pcm_s16le"), "huffyuv"),
    ],
)
def test_an_upload_in_an_unlisted_codec_is_refused_with_a_plain_message(tmp_path, codecs, named):
    path = _clip_with(tmp_path / f"{named}.mkv", *codecs)
    with pytest.raises(ProbeError) as refused:
        probe(path)
    assert refused.value.message.startswith(f"This file uses the {named} codec, which we do not convert.")
    assert "MP4" in refused.value.message


def test_a_second_stream_in_an_unlisted_codec_is_refused_too(tmp_path):
    """ffprobe would open every stream's decoder, not only the one we convert."""
    path = tmp_path / "two.mkv"
    ffmpeg(
        "-f", "lavfi", "-i", LAVFI_VIDEO.format(size="160x120", rate=10),
        "-f", "lavfi", "-i", LAVFI_VIDEO.format(size="160x120", rate=10),
        "-map", "0:v", "-map", "1:v", "-t", "2", "-c:v:0", "libx264", "-c:v:1", "ffv1", str(path),
    )  # fmt: skip
    with pytest.raises(ProbeError, match="ffv1 codec"):
        probe(path)


def test_listed_codecs_still_pass(tmp_path):
    assert probe(_clip_with(tmp_path / "ok.mkv", "-c:v", "libvpx-vp9", "-c:a", "libopus")).video.codec == "vp9"
    assert probe(av_clip(tmp_path / "ok.mp4", "160x120", 2)).audio.codec == "aac"


def test_a_running_ffmpeg_has_the_configured_memory_and_cpu_limits(tmp_path):
    """Read the limits of an ffmpeg started through the runner from /proc."""
    transcode_limits.configure(ResourceLimits(address_space=3 * GIB, cpu_per_media_second=30))
    marker = f"limits-{uuid.uuid4().hex}.mp4"
    seen: dict[str, str] = {}
    stop = threading.Event()

    def look(_progress) -> None:
        for proc in Path("/proc").iterdir():
            try:
                if marker.encode() in (proc / "cmdline").read_bytes():
                    seen["limits"] = (proc / "limits").read_text()
                    stop.set()
            except OSError:
                continue

    argv = ["ffmpeg", "-nostdin", "-v", "error", "-progress", "pipe:1", "-stats_period", "0.2", "-re"]
    argv += ["-f", "lavfi", "-i", LAVFI_VIDEO.format(size="160x120", rate=10), "-t", "60", marker]
    with pytest.raises(TranscodeError):  # cancelled as soon as we have looked
        run_ffmpeg(argv, duration=60, on_progress=look, cancel=stop, cwd=tmp_path, timeout=30)
    lines = {line[:26].strip(): line[26:].split() for line in seen["limits"].splitlines()}
    assert lines["Max address space"][:2] == [str(3 * GIB), str(3 * GIB)]
    assert lines["Max cpu time"][:2] == ["1800", "1801"]  # 30 s per media second x 60 s


def test_an_ffmpeg_past_its_memory_limit_ends_in_a_clean_error(tmp_path):
    argv = ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", LAVFI_VIDEO.format(size="1920x1080", rate=30)]
    argv += ["-t", "2", "-c:v", "libx264", "-preset", "veryfast", "out.mp4"]
    with pytest.raises(TranscodeError) as failed:
        run_ffmpeg(argv, duration=2, cwd=tmp_path, timeout=60, limits=ResourceLimits(address_space=400 * 1024**2))
    assert failed.value.message.startswith("Converting needed more memory than this server allows")
    # the same run with the default limit works: the limit is what stopped it
    run_ffmpeg(argv[:-1] + ["ok.mp4"], duration=2, cwd=tmp_path, timeout=60)
    assert (tmp_path / "ok.mp4").stat().st_size > 0


def test_ffprobe_runs_under_the_memory_limit_too(tmp_path):
    clip = av_clip(tmp_path / "clip.mp4", "160x120", 2)
    transcode_limits.configure(ResourceLimits(address_space=64 * 1024**2))
    with pytest.raises(ProbeError):
        probe(clip)  # 64 MiB cannot even load ffprobe's libraries
    transcode_limits.configure(ResourceLimits())
    assert probe(clip).duration == pytest.approx(2, abs=0.1)


def test_the_timeout_scales_with_the_duration_and_has_a_ceiling():
    assert default_timeout(30) == 600  # ten minutes at least
    assert default_timeout(3600) == 4 * 3600
    assert default_timeout(6 * 3600) == 12 * 3600  # not the 120 hours of 20x
    transcode_limits.configure(ResourceLimits(timeout_max=5 * 3600))
    assert default_timeout(6 * 3600) == 5 * 3600


def test_the_settings_reach_every_ffmpeg_of_the_process(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}",
            "FFMPEG_MEMORY_LIMIT": 2 * GIB,
            "FFMPEG_CPU_PER_SECOND": 7,
            "TRANSCODE_TIMEOUT_MAX": 3600,
            "MEDIA_ROOT": str(tmp_path / "media"),
        },
        config_class=TestingConfig,
    )
    current = transcode_limits.current()
    assert (current.address_space, current.cpu_seconds(1000), default_timeout(6 * 3600)) == (2 * GIB, 7000, 3600)
