"""Poster frames: a separate, fast-seeking ffmpeg run (about a second).

Kept out of the main run on purpose: a late ``select`` in the main graph
would hold back every progress report until the poster's moment is decoded.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .errors import TranscodeError
from .probe import UNTRUSTED_INPUT_FLAGS
from .run import QUIET_FLAGS, run_ffmpeg
from .settings import TranscodeSettings

#: seconds of video the ``thumbnail`` filter chooses the poster from
WINDOW_SECONDS = 2.0


def take_poster(
    input_path: str | Path,
    output_path: str | Path,
    at: float,
    *,
    demuxer: str,
    width: int,
    height: int,
    fps: float = 30.0,
    video_index: int | None = None,
    duration: float | None = None,
    settings: TranscodeSettings | None = None,
    timeout: float | None = 60,
    cancel: threading.Event | None = None,
) -> Path:
    """Write a JPEG poster from around ``at`` seconds into ``input_path``.

    ffmpeg seeks to ``at`` (fast input seek, so a poster from the last minute
    of a two-hour recording costs the same as one from the first), then the
    ``thumbnail`` filter picks the most typical frame of the next couple of
    seconds, which avoids a blurred or mid-blink frame. Use it for the
    automatic poster or whenever an organiser picks a moment.

    :param demuxer: the probed demuxer, forced with ``-f``.
    :param width: poster size; pass the top rung's so it matches the player.
    :param video_index: input stream to use; the first video stream if None.
    :param duration: when given, ``at`` is moved back inside the recording.
    """
    settings = settings or TranscodeSettings()
    if duration is not None:
        at = min(at, max(0.0, duration - WINDOW_SECONDS / 2))
    at = max(0.0, at)
    output_path = Path(output_path).resolve()
    frames = max(1, round(fps * WINDOW_SECONDS))
    argv = [
        settings.ffmpeg,
        *QUIET_FLAGS,
        *UNTRUSTED_INPUT_FLAGS,
        "-f",
        demuxer,
        "-ss",
        f"{at:.3f}",
        "-t",
        f"{WINDOW_SECONDS + 1:.3f}",
        "-i",
        f"file:{Path(input_path).resolve()}",
        "-map",
        "0:v:0" if video_index is None else f"0:{video_index}",
        "-vf",
        f"thumbnail={frames},scale={width}:{height},setsar=1",
        "-frames:v",
        "1",
        "-q:v",
        str(min(settings.jpeg_quality, 3)),
        "-map_metadata",
        "-1",
        # one plain file: no %d pattern expansion of the output name
        "-f",
        "image2",
        "-update",
        "1",
        "-y",
        str(output_path),
    ]
    run_ffmpeg(argv, duration=WINDOW_SECONDS, timeout=timeout, cancel=cancel)
    # seeking past the end is not an error to ffmpeg: it just writes nothing
    if not output_path.is_file() or output_path.stat().st_size == 0:
        raise TranscodeError("We could not take a picture at that moment of the recording.", f"at={at:.3f}")
    return output_path
