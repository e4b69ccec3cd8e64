"""Helpers that make and inspect tiny media with the real ffmpeg/ffprobe."""

from __future__ import annotations

import json
import os
import subprocess
from fractions import Fraction
from pathlib import Path

from eventsite.transcode import AudioStream, MediaInfo, VideoStream

LAVFI_VIDEO = "testsrc2=size={size}:rate={rate}"
LAVFI_AUDIO = "sine=frequency=440:sample_rate=48000"
FAST_H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; fail the test with its stderr if it fails."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def ffprobe_json(path: Path, *args: str) -> dict:
    """ffprobe's JSON for ``path`` (streams and format unless ``args`` say otherwise)."""
    argv = ["ffprobe", "-v", "error", "-print_format", "json"]
    argv += list(args) or ["-show_streams", "-show_format"]
    result = subprocess.run([*argv, str(path)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def av_clip(path: Path, size: str = "640x360", seconds: float = 4, rate: int = 30, *extra: str) -> Path:
    """A video + audio clip: moving test pattern and a 440 Hz tone."""
    ffmpeg(
        "-f", "lavfi", "-i", LAVFI_VIDEO.format(size=size, rate=rate),
        "-f", "lavfi", "-i", LAVFI_AUDIO,
        "-t", str(seconds), *FAST_H264, "-c:a", "aac", *extra, str(path),
    )  # fmt: skip
    return path


def media_info(
    width: int = 1920,
    height: int = 1080,
    *,
    rotation: int = 0,
    avg: str = "30/1",
    real: str | None = None,
    duration: float = 60.0,
    video: bool = True,
    audio: bool = True,
    sample_rate: int = 48000,
) -> MediaInfo:
    """Probe facts as probe() would return them, without a file."""
    display = (height, width) if rotation in (90, 270) else (width, height)
    stream = VideoStream(
        index=0,
        codec="h264",
        width=width,
        height=height,
        display_width=display[0],
        display_height=display[1],
        rotation=rotation,
        fps=float(Fraction(avg)),
        avg_frame_rate=avg,
        r_frame_rate=real or avg,
        pix_fmt="yuv420p",
        bitrate=None,
    )
    sound = AudioStream(index=1, codec="aac", channels=1, sample_rate=sample_rate, bitrate=None)
    return MediaInfo(
        duration=duration,
        format_name="mov,mp4,m4a,3gp,3g2,mj2",
        demuxer="mov",
        size=1000,
        video=stream if video else None,
        audio=sound if audio else None,
    )


def top_level_boxes(path: Path) -> list[str]:
    """The MP4 box types at the top of ``path``, in file order."""
    boxes, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return boxes


def keyframe_times(path: Path) -> list[float]:
    """Presentation times of the video keyframes in ``path``."""
    frames = ffprobe_json(path, "-select_streams", "v", "-skip_frame", "nokey", "-show_entries", "frame=pts_time")
    return [round(float(f["pts_time"]), 3) for f in frames["frames"]]


def streams(path: Path) -> dict[str, dict]:
    """The first video and audio stream of ``path`` by type."""
    found: dict[str, dict] = {}
    for stream in ffprobe_json(path)["streams"]:
        found.setdefault(stream["codec_type"], stream)
    return found


def duration(path: Path) -> float:
    """Container duration of ``path`` in seconds."""
    return float(ffprobe_json(path, "-show_format")["format"]["duration"])


def ffmpeg_children() -> list[int]:
    """Our live (not zombie) ffmpeg child processes, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if name == "ffmpeg" and int(ppid) == os.getpid() and state != "Z":
            found.append(int(entry.name))
    return found
