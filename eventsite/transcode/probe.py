"""Read the facts of an upload with ffprobe, and refuse what we will not convert.

Safety first: ffprobe opens the upload with ``-protocol_whitelist file`` and
``-format_whitelist`` set to plain container demuxers. Demuxers that follow
references to other files (hls, concat, image2 patterns, playlists) have had
several CVEs that read local files or reach the network; with the allow-list
ffprobe detects such a file but refuses to open it before it reads any
reference. The detected demuxer is handed on so the transcoder forces it with
``-f`` instead of letting ffmpeg guess again from the file name.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from . import limits
from .codecs import DECODER_WHITELIST, check_codecs, refused_in, refused_message
from .errors import ProbeError
from .mediainfo import (
    MediaInfo,
    VideoStream,
    container_duration,
    parse_float,
    pick_audio,
    pick_video,
)

#: Demuxers we accept for uploads: plain containers that never open other files.
ALLOWED_DEMUXERS = (
    "mov",  # also mp4, m4a, 3gp
    "matroska",  # also webm
    "avi",
    "mpegts",
    "mpeg",
    "flv",
    "asf",
    "mp3",
    "wav",
    "w64",
    "aiff",
    "ogg",
    "flac",
    "aac",
)

#: How every ffmpeg and ffprobe opens an upload or a copy of it (the probe here, and the background
#: runs on originals: listening for the flock, captions, alignment, posters): plain files only, and
#: only the demuxers and decoders above, so no playlist or concat list makes it read other files.
UNTRUSTED_INPUT_FLAGS = (
    "-protocol_whitelist",
    "file",
    "-format_whitelist",
    ",".join(ALLOWED_DEMUXERS),
    "-codec_whitelist",
    DECODER_WHITELIST,
)

NOT_MEDIA = "This file has no video or audio we can read."
DAMAGED = "This file seems incomplete or damaged. Was the upload cut short?"
NO_DURATION = "We could not tell how long this recording is; the file may be damaged."

# ffprobe's words for a file that stops before its own index says it should.
_TRUNCATION_SIGNS = ("partial file", "ended prematurely", "moov atom not found")


def probe(
    path: str | Path,
    timeout: float = 30,
    *,
    max_width: int = 7680,
    max_height: int = 4320,
    max_duration: float = 6 * 3600,
    ffprobe: str = "ffprobe",
) -> MediaInfo:
    """Describe the audio/video file at ``path`` or explain why we refuse it.

    A video-only or an audio-only file is fine. Limits apply to either
    orientation (a 4320x7680 portrait video is as big as a landscape one).

    :raise ProbeError: empty, not audio/video, truncated or undecodable, no
        duration, picture larger than ``max_width`` x ``max_height``, longer
        than ``max_duration`` seconds, or ffprobe ran past ``timeout``.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise ProbeError("We could not find the uploaded file.")
    size = path.stat().st_size
    if size == 0:
        raise ProbeError("This file is empty (0 bytes). Please upload it again.")

    args = ["-show_format", "-show_streams", "-print_format", "json"]
    result = _ffprobe(ffprobe, path, args, timeout)
    if result.returncode != 0:
        raise ProbeError(_explain_failure(path, result.stderr), _tail(result.stderr))
    try:
        data = json.loads(result.stdout or "{}")
    except ValueError as exc:
        raise ProbeError(NOT_MEDIA, str(exc)) from exc

    fmt = data.get("format") or {}
    format_name = str(fmt.get("format_name") or "")
    demuxer = format_name.split(",")[0]
    # ffprobe names a demuxer by its first alias ("mov" for mp4 and m4a)
    if demuxer not in ALLOWED_DEMUXERS:
        raise ProbeError(NOT_MEDIA, f"demuxer {format_name!r} is not allowed")

    streams = data.get("streams") or []
    video = pick_video(streams)
    audio = pick_audio(streams)
    if video is None and audio is None:
        raise ProbeError(NOT_MEDIA, f"no usable streams in {format_name}")
    check_codecs(video and video.codec, audio and audio.codec)

    duration = container_duration(fmt, streams)
    if duration <= 0:
        raise ProbeError(NO_DURATION)
    if duration > max_duration:
        raise ProbeError(
            f"This recording is {duration / 3600:.1f} hours long; the longest we "
            f"accept is {max_duration / 3600:g} hours."
        )
    if video is not None:
        _check_picture_size(video, max_width, max_height)

    start = parse_float(fmt.get("start_time")) or 0.0
    _check_complete(ffprobe, path, start, duration, timeout)
    return MediaInfo(
        duration=duration,
        format_name=format_name,
        demuxer=demuxer,
        size=size,
        video=video,
        audio=audio,
    )


def _ffprobe(ffprobe: str, path: Path, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    argv = [
        ffprobe,
        "-v",
        "error",
        *UNTRUSTED_INPUT_FLAGS,
        *args,
        # "file:" so a name such as "x:y.mp4" is never taken for a protocol
        "-i",
        f"file:{path}",
    ]
    try:
        return subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
            # duration unknown yet: the shortest CPU allowance, the usual memory cap
            preexec_fn=limits.current().preexec(0),  # noqa: PLW1509
        )
    except subprocess.TimeoutExpired as exc:
        raise ProbeError(
            "Reading this file took too long; it may be damaged.",
            f"ffprobe ran past {timeout:g} s",
        ) from exc


def _explain_failure(path: Path, stderr: str) -> str:
    """Tell a damaged upload apart from something that was never media."""
    codec = refused_in(stderr)
    if codec:
        return refused_message(codec)
    if "not on whitelist" in stderr:
        return NOT_MEDIA
    if _looks_like_media(path) and any(s in stderr for s in _TRUNCATION_SIGNS):
        return DAMAGED
    return NOT_MEDIA


def _looks_like_media(path: Path) -> bool:
    """Does the file start like an MP4/MOV or Matroska file?"""
    with path.open("rb") as fh:
        head = fh.read(12)
    mp4_boxes = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")
    return head[4:8] in mp4_boxes or head.startswith(b"\x1a\x45\xdf\xa3")


def _check_complete(ffprobe: str, path: Path, start: float, duration: float, timeout: float) -> None:
    """Read the last seconds of packets: a cut-off upload fails here.

    A faststart MP4 cut in half still has its full index, so the first probe
    passes; only reading the packets near the end shows the hole.
    """
    seek = max(0.0, start + duration - 3)
    args = ["-read_intervals", f"{seek:.3f}%", "-show_entries", "packet=pts_time"]
    try:
        result = _ffprobe(ffprobe, path, [*args, "-of", "csv=p=0"], timeout)
    except ProbeError:
        # a container without a seek index is read from the start; on a big
        # file that can outlast the timeout without anything being wrong, and
        # the transcoder has its own limit
        return
    times = [parse_float(line.strip().rstrip(",")) for line in result.stdout.splitlines()]
    last = max((t for t in times if t is not None), default=None)
    tolerance = max(2.0, 0.05 * duration)
    if (
        result.returncode != 0
        or any(s in result.stderr for s in _TRUNCATION_SIGNS)
        or last is None
        or last < start + duration - tolerance
    ):
        raise ProbeError(DAMAGED, _tail(result.stderr) or f"last packet at {last}")


def _check_picture_size(video: VideoStream, max_width: int, max_height: int) -> None:
    if video.width <= 0 or video.height <= 0:
        raise ProbeError("This video has no picture size; the file may be damaged.")
    long_side, short_side = sorted((video.width, video.height), reverse=True)
    if long_side > max(max_width, max_height) or short_side > min(max_width, max_height):
        raise ProbeError(
            f"This video is {video.width}x{video.height}; the largest we accept is {max_width}x{max_height}."
        )


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
