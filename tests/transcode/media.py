"""Helpers that make and inspect tiny media with the real ffmpeg/ffprobe."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

from eventsite.transcode import AudioStream, MediaInfo, VideoStream

LAVFI_VIDEO = "testsrc2=size={size}:rate={rate}"
LAVFI_AUDIO = "sine=frequency=440:sample_rate=48000"
FAST_H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def quiet_room(seconds: float, size: str = "640x360") -> list[str]:
    """ffmpeg inputs and maps for a picture with a whisper-quiet room's sound.

    Mono pink noise swelling like speech at -30 LUFS; its peaks (-14 dBTP) are too
    high for one constant +14 dB gain under -1 dBTP, so loudnorm needs its limiter.
    """
    return [
        "-f", "lavfi", "-i", f"anoisesrc=color=pink:sample_rate=48000:amplitude=0.5:seed=7:duration={seconds}",
        "-f", "lavfi", "-i", LAVFI_VIDEO.format(size=size, rate=30) + f":duration={seconds}",
        "-filter_complex", "[0:a]volume='0.55+0.45*sin(2*PI*t*0.8)':eval=frame,volume=-6dB[a]",
        "-map", "1:v", "-map", "[a]",
    ]  # fmt: skip


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


def web_ready(path: Path, seconds: float = 6) -> Path:
    """640x360 H.264 (yuv420p, 30 fps, ~0.4 Mb/s, faststart) with a quiet room's sound: what an editor exports."""
    ffmpeg(
        *quiet_room(seconds), "-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-maxrate", "500k",
        "-bufsize", "1M", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", str(path),
    )  # fmt: skip
    return path


def short_clip(path: Path, rate: int, *codecs: str) -> Path:
    """One second of 320x180 test pattern and tone, encoded with ``codecs``."""
    ffmpeg(
        "-f", "lavfi", "-i", LAVFI_VIDEO.format(size="320x180", rate=rate), "-f", "lavfi", "-i", LAVFI_AUDIO,
        "-t", "1", *codecs, str(path),
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


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of the first audio stream, by ffmpeg's ebur128."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
         "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    integrated = re.findall(r"^\s+I:\s+(\S+) LUFS", result.stderr, re.MULTILINE)[-1]
    peak = re.findall(r"^\s+Peak:\s+(\S+) dBFS", result.stderr, re.MULTILINE)[-1]
    return float(integrated), float(peak)


def packet_hashes(path: Path, stream: str = "v:0") -> list[str]:
    """MD5 of every packet of ``path``'s ``stream`` (video by default), as stored (``-c copy``: nothing is decoded)."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:{stream}", "-c", "copy",
         "-f", "framemd5", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [line.rsplit(",", 1)[1].strip() for line in result.stdout.splitlines() if not line.startswith("#")]


def x264_settings(path: Path) -> dict[str, str]:
    """The encoder settings x264 writes into its first SEI (``x264 - core … options: cabac=1 ref=3 …``)."""
    found = re.search(rb"x264 - core \d+.*? options: ([^\x00]*)", path.read_bytes())
    assert found, f"{path.name} carries no x264 settings"
    return dict(option.split("=", 1) for option in found[1].decode().split() if "=" in option)


def x264_preset_settings(preset: str) -> dict[str, str]:
    """What a preset alone decides in x264's settings (motion search, CABAC, ...), from a tiny encode at it."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "preset.mp4"
        ffmpeg("-f", "lavfi", "-i", LAVFI_VIDEO.format(size="320x180", rate=30), "-t", "0.2",
               "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p", str(probe))  # fmt: skip
        found = x264_settings(probe)
    return {key: found[key] for key in PRESET_KEYS}


#: x264 settings that differ between ultrafast, superfast, veryfast and the slower presets
PRESET_KEYS = ("cabac", "me", "subme", "trellis", "mixed_ref", "8x8dct", "analyse", "deblock")
