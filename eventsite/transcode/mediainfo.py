"""The facts probe() reports, parsed from ffprobe's JSON."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class VideoStream:
    """The picture we will convert (cover art is never this)."""

    index: int
    codec: str
    #: coded size, as stored
    width: int
    height: int
    #: size as players show it: after rotation and non-square pixels
    display_width: int
    display_height: int
    #: display-matrix angle in degrees as ffprobe reports it (0, 90, 180, 270)
    rotation: int
    fps: float
    avg_frame_rate: str
    r_frame_rate: str
    pix_fmt: str
    bitrate: int | None
    #: first timestamp in seconds (ffprobe's ``start_time``)
    start: float = 0.0


@dataclass(frozen=True)
class AudioStream:
    """The sound we will convert."""

    index: int
    codec: str
    channels: int
    sample_rate: int
    bitrate: int | None
    #: first timestamp in seconds; a sound that starts after the picture keeps its delay
    start: float = 0.0


@dataclass(frozen=True)
class MediaInfo:
    """What ffprobe found, reduced to what the plan needs."""

    duration: float
    #: ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    format_name: str
    #: the demuxer to force on the transcoder's input, e.g. "mov"
    demuxer: str
    size: int
    video: VideoStream | None
    audio: AudioStream | None


def pick_video(streams: list[dict]) -> VideoStream | None:
    """The first real video stream (not cover art) with a codec ffmpeg knows."""
    for s in streams:
        if s.get("codec_type") != "video" or not s.get("codec_name"):
            continue
        # cover art in an MP3/M4A is a one-frame "video" stream, not a picture
        if (s.get("disposition") or {}).get("attached_pic"):
            continue
        width, height = int(s.get("width") or 0), int(s.get("height") or 0)
        rotation = _rotation(s)
        sar = _fraction(s.get("sample_aspect_ratio")) or Fraction(1)
        display_width, display_height = round(width * sar), height
        if rotation in (90, 270):
            display_width, display_height = display_height, display_width
        avg, real = s.get("avg_frame_rate", "0/0"), s.get("r_frame_rate", "0/0")
        fps = _fraction(avg) or _fraction(real) or Fraction(0)
        return VideoStream(
            index=int(s["index"]),
            codec=s["codec_name"],
            width=width,
            height=height,
            display_width=display_width,
            display_height=display_height,
            rotation=rotation,
            fps=float(fps),
            avg_frame_rate=avg,
            r_frame_rate=real,
            pix_fmt=s.get("pix_fmt", ""),
            bitrate=_int(s.get("bit_rate")),
            start=parse_float(s.get("start_time")) or 0.0,
        )
    return None


def pick_audio(streams: list[dict]) -> AudioStream | None:
    """The first audio stream with a known codec and at least one channel."""
    for s in streams:
        if s.get("codec_type") == "audio" and s.get("codec_name"):
            channels = int(s.get("channels") or 0)
            if channels <= 0:
                continue
            return AudioStream(
                index=int(s["index"]),
                codec=s["codec_name"],
                channels=channels,
                sample_rate=int(s.get("sample_rate") or 0),
                bitrate=_int(s.get("bit_rate")),
                start=parse_float(s.get("start_time")) or 0.0,
            )
    return None


def _rotation(stream: dict) -> int:
    """Rotation from the display matrix (ffmpeg 5.1) or the older ``rotate`` tag."""
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return round(float(side["rotation"])) % 360
    tag = (stream.get("tags") or {}).get("rotate")
    return round(float(tag)) % 360 if tag else 0


def container_duration(fmt: dict, streams: list[dict]) -> float:
    """The container's duration, else the longest stream's; 0 when unknown."""
    value = parse_float(fmt.get("duration"))
    if value:
        return value
    return max((parse_float(s.get("duration")) or 0.0 for s in streams), default=0.0)


def _fraction(text: str | None) -> Fraction | None:
    """Parse "30000/1001" or "1:1"; None for "0/0", "N/A" and the like."""
    if not text:
        return None
    try:
        num, _, den = str(text).replace(":", "/").partition("/")
        value = Fraction(int(num), int(den or 1))
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None


def parse_float(value: object) -> float | None:
    """A number from ffprobe's text, None for "N/A" and missing values."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _int(value: object) -> int | None:
    number = parse_float(value)
    return int(number) if number is not None else None
