"""One recording on many workers: its picture cut into keyframe-aligned chunks, each encoded alone.

A long recording's ladder is encoded chunk by chunk, each chunk a separate ffmpeg
run that any worker may take, and the chunks are stitched back by stream copy
(chunked.py). What makes the joins invisible is decided here, in frames, never in
rounded seconds:

- every rung of the one-run ladder gets the same frames at one constant rate
  (``fps``) and a fixed GOP (``plan.gop`` frames, no scene-cut keyframes), so its
  keyframes sit at frame 0, gop, 2·gop…; a chunk is a whole number of HLS segments'
  worth of GOPs, so an encoder that starts each chunk on a keyframe puts every
  keyframe exactly where the one run would, and every chunk starts on one;
- a chunk is the frames ``[first_frame, end_frame)`` of that constant-rate picture.
  The input is opened with ``-copyts`` and a fast seek a second before the chunk, so
  ``fps`` numbers frames on one grid from 0 in every chunk, and ``trim`` cuts on
  those frame numbers (``start_pts``/``end_pts`` in ``fps``' time base of 1/rate),
  exact integers: no frame is lost or doubled at a join;
- each chunk's streams start at 0 and last exactly their frame count, so the
  concat demuxer lays them end to end without a gap or an overlap.

The sound is not cut: the sound pass encodes it once for the whole recording
(sound.py) and the stitch copies it beside the joined picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import ffmpeg

from . import command
from .codecs import DECODER_WHITELIST
from .plan import Plan
from .settings import TranscodeSettings

#: a chunk's length the planner aims at: one to two minutes keeps the per-chunk
#: overhead (a seek, an encoder start, a job) small and still spreads an hour over many workers
DEFAULT_CHUNK_SECONDS = 90.0
#: a last chunk shorter than this share of a chunk joins the one before
MIN_LAST_SHARE = 0.5
#: seconds the fast seek lands before a chunk, so its first frame is decoded from a keyframe
SEEK_MARGIN = 1.0
#: where a chunk's thumbnails go inside its folder
CHUNK_THUMBS = "thumbs/t%04d.jpg"
#: containers whose keyframe index lets a chunk seek straight to its start (Matroska without
#: cues builds one by reading). MPEG-TS and the like seek by guessing, so a chunk could start
#: decoding past a keyframe and lose frames: such a recording stays one job.
SEEKABLE_DEMUXERS = frozenset({"mov", "matroska"})


@dataclass(frozen=True)
class ChunkSpan:
    """Frames ``[first_frame, end_frame)`` of the constant-rate picture (``end_frame`` None: to the end)."""

    index: int
    first_frame: int
    end_frame: int | None

    def start(self, plan: Plan) -> float:
        """Seconds into the recording where this chunk starts."""
        return float(self.first_frame / Fraction(plan.fps))

    def duration(self, plan: Plan) -> float:
        """The chunk's length in seconds (the last one's from the recording's duration)."""
        if self.end_frame is None:
            return max(0.0, plan.duration - self.start(plan))
        return float((self.end_frame - self.first_frame) / Fraction(plan.fps))


def chunk_frames(plan: Plan, chunk_seconds: float, segment_seconds: float) -> int:
    """Frames per chunk: a whole number of HLS segments (each a whole number of GOPs) near ``chunk_seconds``."""
    fps = Fraction(plan.fps)
    segment = plan.gop * max(1, round(segment_seconds * fps / plan.gop))
    return segment * max(1, round(chunk_seconds * fps / segment))


def plan_chunks(plan: Plan, chunk_seconds: float, segment_seconds: float) -> tuple[ChunkSpan, ...]:
    """The chunks of ``plan``'s picture, or ``()`` when the recording is one job as before.

    Only an encoded picture in a container with a keyframe index is cut (not a copied
    quick set, not an audio-only title card), and only when it makes at least two
    chunks: a short recording gains nothing from a second worker and would pay a stitch.
    """
    if plan.video_index is None or plan.copy_picture or not plan.rungs or chunk_seconds <= 0:
        return ()
    if plan.demuxer not in SEEKABLE_DEMUXERS:
        return ()
    size = chunk_frames(plan, chunk_seconds, segment_seconds)
    total = math.ceil(plan.duration * Fraction(plan.fps) - Fraction(1, 1000))
    count = total // size
    if total - count * size >= MIN_LAST_SHARE * size:
        count += 1  # the rest is long enough to be a chunk of its own
    if count < 2:
        return ()
    return tuple(ChunkSpan(i, i * size, (i + 1) * size if i < count - 1 else None) for i in range(count))


def chunk_rung(label: str) -> str:
    """Relative path of one rung's picture inside a chunk's folder."""
    return f"{label}.mp4"


CHUNK_CARTOON = "cartoon.mp4"


def thumb_numbers(plan: Plan, span: ChunkSpan) -> dict[int, int]:
    """The storyboard thumbnails that fall in ``span``: ``{frame in the chunk: thumbnail number}``.

    Thumbnail ``j`` is the frame nearest ``j × interval`` seconds, as in the one run.
    """
    board = plan.storyboard
    if board is None:
        return {}
    fps, every = Fraction(plan.fps), Fraction(board.interval).limit_denominator(1000)
    picked = {}
    for j in range(board.count):
        frame = math.floor(j * every * fps + Fraction(1, 2))
        if frame >= span.first_frame and (span.end_frame is None or frame < span.end_frame):
            picked[frame - span.first_frame] = j
    return picked


def chunk_argv(
    input_path: str | Path, plan: Plan, span: ChunkSpan, settings: TranscodeSettings | None = None
) -> list[str]:
    """The ffmpeg argv that encodes one chunk's picture, every rung (and the cartoon, the thumbnails) once.

    Outputs are relative to the cwd: a video-only MP4 per rung (:func:`chunk_rung`),
    :data:`CHUNK_CARTOON`, and the chunk's thumbnails numbered as in the whole recording.
    The input is opened like the one run's (file protocol only, the probed demuxer, the
    listed decoders).
    """
    settings = settings or TranscodeSettings()
    assert plan.video_index is not None and plan.rungs, "plan_chunks() cuts only an encoded picture"
    fps = Fraction(plan.fps)
    first = round(plan.video_start * fps)  # fps numbers frames from 0 s, the file's first frame is this one
    seek = max(0.0, float(span.first_frame / fps) - SEEK_MARGIN)
    source = ffmpeg.input(
        f"file:{Path(input_path).resolve()}",
        format=plan.demuxer,
        protocol_whitelist="file",
        codec_whitelist=DECODER_WHITELIST,
        # a keyframe at or before the seek point; trim below makes it frame-exact
        **({"ss": f"{seek:.6f}", "noaccurate_seek": None} if seek > 0 else {}),
    )
    trim = {"start_pts": first + span.first_frame}
    if span.end_frame is not None:
        trim["end_pts"] = first + span.end_frame
    picture = (
        source[str(plan.video_index)]
        .filter("fps", fps=plan.fps)
        .filter("trim", **trim)
        .filter("setpts", "PTS-STARTPTS")
    )
    rungs, board, cartoon = command.picture_branches(picture, plan)
    outputs = []
    for stream, rung in zip(rungs, plan.rungs, strict=True):
        options = {**command.x264_options(plan, settings, settings.crf), "maxrate": rung.maxrate}
        outputs.append(ffmpeg.output(stream, chunk_rung(rung.label), format="mp4", bufsize=rung.bufsize, **options))
    if board is not None:
        numbers = thumb_numbers(plan, span)
        if numbers:
            chosen = "+".join(f"eq(n,{n})" for n in sorted(numbers))
            picked = board.filter("select", chosen)
            outputs.append(command.thumbs_output(picked, plan, settings, min(numbers.values()), CHUNK_THUMBS))
        else:
            outputs.append(ffmpeg.output(board, "-", format="null"))  # a split's branch must go somewhere
    if cartoon is not None:
        look = command.cartoon_look(cartoon, plan)
        outputs.append(ffmpeg.output(look, CHUNK_CARTOON, format="mp4", **command.cartoon_options(plan, settings)))
    args = ffmpeg.get_args(ffmpeg.merge_outputs(*outputs))
    threads = ["-filter_complex_threads", str(settings.filter_threads)] if settings.filter_threads else []
    return [settings.ffmpeg, *command.GLOBAL_FLAGS, "-copyts", *threads, *args]


def concat_list(chunk_dirs: list[str], name: str) -> str:
    """An ``ffconcat`` list of one stream's chunk files, paths relative to the list's folder.

    Only our own chunk files are listed; the concat demuxer (which follows the paths it
    reads) never opens an upload, and ``-safe 1`` refuses anything but plain relative names.
    """
    return "ffconcat version 1.0\n" + "".join(f"file {folder}/{name}\n" for folder in chunk_dirs)


def stitch_argv(plan: Plan, lists: dict[str, str], settings: TranscodeSettings | None = None) -> list[str]:
    """Join the chunks by stream copy into the same HLS set and MP4s as the one run, with the sound.

    :param lists: the ``ffconcat`` list (relative to the cwd) of each rung's label and,
        with a cartoon, of ``"cartoon"``.
    """
    settings = settings or TranscodeSettings()

    def joined(key: str):
        return ffmpeg.input(lists[key], format="concat", safe=1, protocol_whitelist="file").video

    audio = command.sound_input(plan)
    streams = [joined(rung.label) for rung in plan.rungs]
    options: dict[str, object] = {"c:v": "copy", "map_metadata": -1, "map_chapters": -1}
    if audio is not None:
        streams.append(audio)
        options["c:a"] = "copy"
    outputs = [ffmpeg.output(*streams, command.tee_target(plan, settings), format="tee", **options)]
    if plan.cartoon:
        cartoon = [joined("cartoon"), *([audio] if audio is not None else [])]
        outputs.append(
            ffmpeg.output(*cartoon, command.cartoon_mp4(plan), format="mp4", movflags="+faststart", **options)
        )
    return [settings.ffmpeg, *command.GLOBAL_FLAGS, *ffmpeg.get_args(ffmpeg.merge_outputs(*outputs))]
