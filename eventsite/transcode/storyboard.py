"""Seek-bar previews: tile the thumbnails into sprites and map time to tiles.

The thumbnails come out of the main run; tiling is a separate run afterwards
(about 0.1 s) because a ``tile`` filter inside the main graph holds back every
``-progress`` report until the first sprite is complete.
"""

from __future__ import annotations

import math
import shutil
import threading
from pathlib import Path

from ..times import vtt_timestamp
from .command import THUMB_PATTERN, THUMBS_DIR
from .errors import TranscodeError
from .plan import StoryboardPlan
from .run import QUIET_FLAGS, run_ffmpeg
from .settings import TranscodeSettings

STORYBOARD_DIR = "storyboard"
VTT_NAME = "storyboard.vtt"
SPRITE_PATTERN = "sprite-%d.jpg"


def build_storyboard(
    workdir: Path,
    board: StoryboardPlan,
    duration: float,
    *,
    settings: TranscodeSettings | None = None,
    timeout: float | None = 60,
    cancel: threading.Event | None = None,
) -> Path:
    """Turn ``workdir/thumbs/*.jpg`` into sprite sheets and a WebVTT index.

    The thumbnails are deleted afterwards. Returns the VTT path; its cues
    cover 0 to ``duration`` without gaps, each pointing at
    ``sprite-N.jpg#xywh=x,y,w,h``.
    """
    settings = settings or TranscodeSettings()
    thumbs_dir = workdir / THUMBS_DIR
    thumbs = sorted(thumbs_dir.glob("t*.jpg"))
    # the fps filter may emit one frame past the end; only whole intervals count
    wanted = max(1, math.ceil(duration / board.interval - 1e-6))
    if not thumbs:
        raise TranscodeError("The storyboard could not be made.", "no thumbnails")
    for extra in thumbs[wanted:]:
        extra.unlink()
    count = min(wanted, len(thumbs))

    out_dir = workdir / STORYBOARD_DIR
    out_dir.mkdir(exist_ok=True)
    argv = [
        settings.ffmpeg,
        *QUIET_FLAGS,
        # our own numbered files in our own folder: image2 is safe here, and
        # like every run we still allow only plain files to be opened
        "-protocol_whitelist",
        "file",
        "-f",
        "image2",
        "-framerate",
        "1",
        "-start_number",
        "0",
        "-i",
        THUMB_PATTERN,
        "-vf",
        f"tile={board.columns}x{board.rows}",
        "-q:v",
        str(settings.jpeg_quality),
        "-start_number",
        "1",
        f"{STORYBOARD_DIR}/{SPRITE_PATTERN}",
    ]
    run_ffmpeg(argv, duration=count, timeout=timeout, cancel=cancel, nice=0, cwd=workdir)
    shutil.rmtree(thumbs_dir)

    vtt = out_dir / VTT_NAME
    vtt.write_text(storyboard_vtt(board, count, duration), encoding="utf-8")
    return vtt


def storyboard_vtt(board: StoryboardPlan, count: int, duration: float) -> str:
    """WebVTT cues: thumbnail k covers [k*interval, (k+1)*interval).

    The last cue is stretched to ``duration`` so the whole recording is covered.
    """
    per_sheet = board.columns * board.rows
    lines = ["WEBVTT", ""]
    for k in range(count):
        start = k * board.interval
        end = duration if k == count - 1 else min(duration, start + board.interval)
        sheet, position = divmod(k, per_sheet)
        row, column = divmod(position, board.columns)
        x, y = column * board.thumb_width, row * board.thumb_height
        lines += [
            f"{vtt_timestamp(start)} --> {vtt_timestamp(end)}",
            f"{SPRITE_PATTERN % (sheet + 1)}#xywh={x},{y},{board.thumb_width},{board.thumb_height}",
            "",
        ]
    return "\n".join(lines)
