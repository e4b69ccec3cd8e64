"""Render the flock video: frames drawn in Python, piped into one ffmpeg.

Frames are drawn here (``scene.FlockScene``) and streamed as raw RGB into a
single ffmpeg that encodes H.264 once and writes it, with the AAC soundtrack,
as one fragmented MP4; the fMP4 HLS set is cut from that by a stream copy, and
the MP4 is then remuxed from those segments (seconds each). Nothing is held but
a few frames in bounded queues, and what grows with the length (the HLS muxer's
segment list, the MP4 muxer's sample index) lives in the short copies, not
beside the encoder, so the encoder's memory stays flat for a recording of any
length (bench/flock.py, bench/RESULTS.md). The poster and the storyboard thumbnails come from frames drawn
anyway; the master playlist is then rewritten with CODECS (``transcode.hls``).

Everything goes into a temporary folder beside ``out_dir/flock`` and is
swapped into place only when complete, as ``transcode.pipeline`` does; a
failure, timeout or cancel leaves the previous flock (if any) untouched.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
import m3u8

from ..transcode.errors import TranscodeError
from ..transcode.hls import HlsRung, write_master_playlist
from ..transcode.pipeline import RenditionOutput
from ..transcode.plan import plan_storyboard
from ..transcode.probe import UNTRUSTED_INPUT_FLAGS
from ..transcode.run import QUIET_FLAGS, Progress, run_ffmpeg
from ..transcode.settings import TranscodeSettings
from ..transcode.storyboard import STORYBOARD_DIR, VTT_NAME, build_storyboard
from .audio import ListenError
from .birds import BirdSpec
from .emphasis import gesture_frames, loudness_per_frame
from .render_pipe import FrameCommands, FramePipe
from .scene import DIRECTED, LINEUP, Caption, FlockScene
from .timeline import SpeechTimeline

MP4 = "flock.mp4"
MASTER = "master.m3u8"
POSTER = "poster.jpg"
#: the encoder's output, cut into the HLS set and then removed (never published)
ENCODED = "encoded.tmp.mp4"
VIDEO_VARIANT = "720p"
AUDIO_VARIANT = "audio"
#: flat cartoon colours: x264's animation tuning and a higher CRF lose nothing
#: visible and keep the encoder well ahead of the drawing on two cores
CRF = 26
TUNE = "animation"
#: a keyframe every 2 s, so 4 s HLS segments (TranscodeSettings) cut cleanly
KEYFRAME_SECONDS = 2


@dataclass(frozen=True)
class FlockOutput:
    """What ``render_flock`` published, and how the run went."""

    #: described like the transcoder's renditions; relpaths are relative to out_dir (the flock's folder)
    outputs: list[RenditionOutput]
    frames: int
    #: frames actually drawn (the rest repeated the previous frame's bytes)
    frames_drawn: int
    elapsed: float


def render_flock(
    audio_path: str | Path,
    out_dir: str | Path,
    timeline: SpeechTimeline,
    birds: Sequence[BirdSpec],
    *,
    colours: tuple[str, str] = ("#9ecae1", "#f7fbff"),
    title: str | None = None,
    captions: Sequence[Caption] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float | None = None,
    size: tuple[int, int] = (1280, 720),
    audio_demuxer: str | None = None,
    audio_copy: bool = False,
    settings: TranscodeSettings | None = None,
    style: str = LINEUP,
) -> FlockOutput:
    """Draw the flock of ``timeline`` into the empty folder ``out_dir`` (MP4, HLS, poster, storyboard).

    The caller publishes the folder (``MediaStore.publish_dir``) and removes it on failure.

    :param birds: one per speaker, in seat order (``timeline.speakers``).
    :param audio_demuxer: the probed demuxer of ``audio_path`` (``probe().demuxer``),
        forced with ``-f`` so an upload is never opened by a demuxer that follows
        references; None lets ffmpeg guess (only for files we made ourselves).
    :param audio_copy: ``audio_path``'s first sound is already the AAC the site serves (the
        transcoder's ``audio.m4a``): copy it rather than encode it again. Encoding AAC was a
        fifth of the encoder's CPU, and it ran on the thread that feeds x264.
    :param timeout: wall-clock seconds for the whole render (default 2x the duration, at least 2 minutes).
    :param style: ``scene.LINEUP`` (one fixed view) or ``scene.DIRECTED`` (camera shots from who
        speaks, listeners turned to the speaker, wing gestures on the loudness peaks of the sound).
    :raise TranscodeError: (or TranscodeTimeout / TranscodeCancelled) ``detail`` has ffmpeg's stderr tail.
    """
    settings = settings or TranscodeSettings()
    audio_path = Path(audio_path).resolve()
    out_dir = Path(out_dir).resolve()
    if not audio_path.is_file():
        raise TranscodeError("The recording's sound is missing.", str(audio_path))
    started = time.monotonic()
    limit = max(120.0, 2.0 * timeline.duration) if timeout is None else timeout
    gestures = frozenset()
    if style == DIRECTED:
        frames = max(1, math.ceil(timeline.duration * timeline.fps - 1e-6))
        try:
            loudness = loudness_per_frame(audio_path, timeline.fps, frames, timeline.duration)
        except ListenError as exc:
            raise TranscodeError("The flock video could not be made.", str(exc)) from None
        gestures = gesture_frames(timeline, loudness)
    scene = FlockScene(
        timeline, birds, colours=colours, title=title, captions=captions, size=size, style=style, gestures=gestures
    )
    board = plan_storyboard(timeline.duration, size[0], size[1])
    workdir = out_dir
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o755)  # noqa: S103 (a 0700 temporary folder would hide it from the web server)
    (workdir / "thumbs").mkdir()
    argv = build_flock_argv(audio_path, scene.frames, timeline.fps, size, settings, audio_demuxer, audio_copy)
    pipe = FramePipe(
        argv,
        cwd=workdir,
        nice=settings.nice,
        cancel=cancel,
        deadline=started + limit,
        limit=limit,
        duration=timeline.duration,
    )
    drawn = _stream_frames(scene, pipe, board.interval, workdir, on_progress, started)
    pipe.finish()
    _remux_mp4(workdir, timeline.duration, settings, cancel, max(60.0, started + limit - time.monotonic()))
    scene.poster().save(workdir / POSTER, quality=88, optimize=True)
    build_storyboard(workdir, board, timeline.duration, settings=settings, timeout=60, cancel=cancel)
    write_master_playlist(
        workdir,
        [HlsRung(VIDEO_VARIANT, size[0], size[1], float(timeline.fps))],
        audio_name=AUDIO_VARIANT,
        master_name=MASTER,
    )
    outputs = describe_flock(workdir, timeline.duration, size, board.thumb_width, board.thumb_height)
    if cancel is not None and cancel.is_set():
        pipe.raise_cancelled()
    elapsed = time.monotonic() - started
    if on_progress is not None:
        on_progress(Progress(1.0, None, timeline.duration / elapsed if elapsed else None, 0.0, timeline.duration))
    return FlockOutput(outputs, scene.frames, drawn, elapsed)


def build_flock_argv(
    audio_path: Path,
    frames: int,
    fps: int,
    size: tuple[int, int],
    settings: TranscodeSettings,
    audio_demuxer: str | None = None,
    audio_copy: bool = False,
) -> FrameCommands:
    """The ffmpeg runs (cwd = the work folder): raw frames on stdin + the sound file → the HLS set.

    The encoder writes one fragmented MP4 (``ENCODED``), whose muxer keeps nothing per
    fragment; the HLS set is then cut from it by a stream copy. Writing HLS from the
    encoder itself kept the muxer's segment list (9 KB per segment and variant) and its
    fragments beside x264, about 0.45 MiB more per recorded minute.
    """
    # ffmpeg queues 8 packets per input by default: 22 MB of raw 720p frames; 3 keep the encoder fed
    video = ffmpeg.input(
        "pipe:", format="rawvideo", pix_fmt="rgb24", s=f"{size[0]}x{size[1]}", framerate=fps, thread_queue_size=3
    )
    # The sound may be the upload itself: opened as the upload probe opens it (transcode.probe).
    flags = UNTRUSTED_INPUT_FLAGS
    audio_options = {flag.removeprefix("-"): value for flag, value in zip(flags[::2], flags[1::2], strict=True)}
    if audio_demuxer:
        audio_options["format"] = audio_demuxer
    audio = ffmpeg.input(f"file:{audio_path}", **audio_options)
    gop = fps * KEYFRAME_SECONDS
    options = {
        "c:v": "libx264",
        "preset": settings.preset,
        "tune": TUNE,
        "crf": CRF,
        "pix_fmt": "yuv420p",
        "g": gop,
        "keyint_min": gop,
        "sc_threshold": 0,
        # a shorter lookahead and two threads instead of three: ~50 MB less
        # memory and less CPU; the drawing keeps the other core half busy anyway
        "x264-params": "rc-lookahead=8:sync-lookahead=0",
        "threads:v": 2,
        "flags:v": "+global_header",
        **({"c:a": "copy"} if audio_copy else {"c:a": "aac", "b:a": settings.audio_bitrate, "ac": 2, "ar": 48000}),
        "t": f"{frames / fps:.3f}",
        "map_metadata": -1,
        "map_chapters": -1,
        # a fragment per keyframe; delay_moov waits for the first packets, so the AAC
        # encoder's priming is written as an edit list, as the HLS muxer writes it
        "movflags": "+frag_keyframe+empty_moov+delay_moov+default_base_moof",
    }
    encode = ffmpeg.output(video, audio["a:0"], ENCODED, format="mp4", **options)
    return FrameCommands(
        encode=[settings.ffmpeg, *QUIET_FLAGS, *ffmpeg.get_args(encode)],
        then=(_hls_copy_argv(settings),),
        scratch=(ENCODED,),
    )


def _hls_copy_argv(settings: TranscodeSettings) -> list[str]:
    """The HLS set (fMP4 segments, an audio group) cut from ``ENCODED`` without re-encoding."""
    encoded = ffmpeg.input(f"file:{ENCODED}", format="mp4", protocol_whitelist="file")
    out = ffmpeg.output(
        encoded["v:0"],
        encoded["a:0"],
        "%v/index.m3u8",
        format="hls",
        c="copy",
        map_metadata=-1,
        hls_time=settings.segment_seconds,
        hls_playlist_type="vod",
        hls_segment_type="fmp4",
        hls_flags="independent_segments",
        hls_segment_filename="%v/seg%03d.m4s",
        master_pl_name=MASTER,
        var_stream_map=f"a:0,agroup:aud,name:{AUDIO_VARIANT} v:0,agroup:aud,name:{VIDEO_VARIANT}",
    )
    return [settings.ffmpeg, *QUIET_FLAGS, *ffmpeg.get_args(out)]


def _remux_mp4(
    workdir: Path, duration: float, settings: TranscodeSettings, cancel: threading.Event | None, timeout: float
) -> None:
    """The downloadable MP4 from the HLS segments just written: stream copy, faststart.

    Only our own playlists are read, from the work folder, through the file protocol.
    """
    playlists = [f"{VIDEO_VARIANT}/index.m3u8", f"{AUDIO_VARIANT}/index.m3u8"]
    inputs = [ffmpeg.input(p, f="hls", protocol_whitelist="file") for p in playlists]
    out = ffmpeg.output(
        inputs[0]["v:0"], inputs[1]["a:0"], MP4, c="copy", movflags="+faststart", map_metadata=-1, f="mp4"
    )
    argv = [settings.ffmpeg, *QUIET_FLAGS, *ffmpeg.get_args(out)]
    run_ffmpeg(argv, duration=duration, timeout=timeout, cancel=cancel, nice=settings.nice, cwd=workdir)


def describe_flock(
    folder: Path, duration: float, size: tuple[int, int], thumb_width: int, thumb_height: int
) -> list[RenditionOutput]:
    """The flock's files as RenditionOutputs (label "flock"), relpaths relative to the folder."""
    width, height = size
    master = m3u8.load(str(folder / MASTER))
    peak = max((v.stream_info.bandwidth or 0 for v in master.playlists), default=0)
    hls_bytes = sum(p.stat().st_size for name in (VIDEO_VARIANT, AUDIO_VARIANT) for p in (folder / name).rglob("*"))
    hls_bytes += (folder / MASTER).stat().st_size
    mp4_bytes = (folder / MP4).stat().st_size
    board_bytes = sum(p.stat().st_size for p in (folder / STORYBOARD_DIR).rglob("*") if p.is_file())
    return [
        RenditionOutput("hls", "flock", width, height, peak, MASTER, hls_bytes),
        RenditionOutput(
            "mp4",
            "flock",
            width,
            height,
            round(mp4_bytes * 8 / duration) if duration else 0,
            MP4,
            mp4_bytes,
        ),
        RenditionOutput("poster", "flock", width, height, 0, POSTER, (folder / POSTER).stat().st_size),
        RenditionOutput(
            "storyboard", "flock", thumb_width, thumb_height, 0, f"{STORYBOARD_DIR}/{VTT_NAME}", board_bytes
        ),
    ]


def _stream_frames(
    scene: FlockScene,
    pipe: FramePipe,
    interval: float,
    workdir: Path,
    on_progress: Callable[[Progress], None] | None,
    started: float,
) -> int:
    """Draw every frame into the pipe; unchanged frames resend the previous bytes."""
    fps, total = scene.fps, scene.frames
    thumb_every = max(1, round(interval * fps))
    previous_key, data, image = None, b"", None
    drawn = 0
    next_report = 0.0
    for frame in range(total):
        key = scene.frame_key(frame)
        if key != previous_key:
            image = scene.draw(frame, key)
            data = image.tobytes()
            previous_key = key
            drawn += 1
        pipe.write(data)
        if frame % thumb_every == 0 and image is not None:
            thumb = image.resize((160, 90), reducing_gap=2.0)
            thumb.save(workdir / "thumbs" / f"t{frame // thumb_every:04d}.jpg", quality=80)
        now = time.monotonic()
        if on_progress is not None and now >= next_report:
            next_report = now + 0.5
            media = frame / fps
            speed = media / (now - started) if now > started and media else None
            eta = (total - frame) / fps / speed if speed else None
            on_progress(Progress(0.97 * frame / total, None, speed, eta, media))
    return drawn
