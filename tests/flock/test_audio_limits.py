"""The listener's ffprobe and ffmpeg run under the same memory and CPU limits as the transcoder's."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from eventsite.flock.audio import SAMPLE_RATE, ListenError, pcm_blocks, probe_audio, read_pcm
from eventsite.transcode import limits as transcode_limits
from eventsite.transcode.limits import GIB, ResourceLimits


@pytest.fixture(autouse=True)
def _default_limits():
    """Each test starts and ends with the default limits (create_app configures them per process)."""
    transcode_limits.configure(ResourceLimits())
    yield
    transcode_limits.configure(ResourceLimits())


def _tone(path: Path, seconds: float) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}", str(path)],
        check=True,
    )
    return path


def test_the_decoding_ffmpeg_has_the_configured_limits(tmp_path):
    """Read the limits of the ffmpeg that streams the sound, from /proc, while it runs."""
    sound = _tone(tmp_path / f"limits-{uuid.uuid4().hex}.wav", 60)
    transcode_limits.configure(ResourceLimits(address_space=3 * GIB, cpu_per_media_second=30))
    blocks = pcm_blocks(sound, duration=60)
    next(blocks)  # ffmpeg now waits on the full pipe for us to read on
    limits = next(
        (proc / "limits").read_text()
        for proc in Path("/proc").iterdir()
        if proc.name.isdigit() and str(sound).encode() in _cmdline(proc) and _cmdline(proc).startswith(b"ffmpeg")
    )
    blocks.close()
    lines = {line[:26].strip(): line[26:].split() for line in limits.splitlines()}
    assert lines["Max address space"][:2] == [str(3 * GIB), str(3 * GIB)]
    assert lines["Max cpu time"][:2] == ["1800", "1801"]  # 30 s per second of a 60 s recording


def test_a_read_past_the_memory_limit_fails_in_plain_words(tmp_path):
    sound = _tone(tmp_path / "tone.wav", 2)
    transcode_limits.configure(ResourceLimits(address_space=64 * 1024**2))  # too little to load ffmpeg
    with pytest.raises(ListenError) as failed:
        list(pcm_blocks(sound, duration=2))
    assert str(failed.value) == (
        "Reading the sound of tone.wav needed more memory than this server allows (EVENTSITE_FFMPEG_MEMORY_LIMIT)."
    )
    with pytest.raises(ListenError):
        probe_audio(sound)
    # with the default limits the same file reads: the limit is what stopped it
    transcode_limits.configure(ResourceLimits())
    assert probe_audio(sound).duration == pytest.approx(2, abs=0.05)
    assert len(read_pcm(sound)) == 2 * SAMPLE_RATE


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""
