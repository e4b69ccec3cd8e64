"""Make a recording's whole rendition set, atomically.

Everything is written into a temporary folder beside ``final_dir``; only when
the sound pass, the main run, the storyboard, the poster and the master playlist are all done
is it swapped into place. A failure, timeout or cancel deletes the temporary
folder and leaves the previous set (if any) untouched. The input is only read.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import m3u8

from . import command, limits
from .chunked import clean_stitch, prepare_stitch
from .errors import TranscodeCancelled, TranscodeError, TranscodeTimeout
from .hls import HlsRung, write_master_playlist
from .plan import Plan
from .poster import take_poster
from .quick import quick_argv
from .run import Progress, run_ffmpeg
from .settings import TranscodeSettings
from .sound import make_sound
from .storyboard import STORYBOARD_DIR, VTT_NAME, build_storyboard

POSTER = "poster.jpg"
#: share of the progress bar given to the sound pass (an hour's sound takes about a minute)
SOUND_SHARE = 0.03
#: where the main run's share ends; the rest is quick
MAIN_RUN_END = 0.95


@dataclass(frozen=True)
class RenditionOutput:
    """One published file (or, for HLS and storyboards, its entry point)."""

    #: hls | mp4 | audio | poster | storyboard | cartoon
    kind: str
    #: "720p", "aac", "mp3", "adaptive", "poster", "storyboard"
    label: str
    width: int
    height: int
    #: bits per second: measured for media files, peak BANDWIDTH for HLS
    bitrate: int
    #: path relative to final_dir, with forward slashes
    relpath: str
    #: bytes on disk (for HLS and storyboards, the whole folder)
    size_bytes: int


def default_timeout(duration: float) -> float:
    """Wall-clock limit for a recording: see :meth:`ResourceLimits.default_timeout`."""
    return limits.current().default_timeout(duration)


def transcode(
    input_path: str | Path,
    out_dir: str | Path,
    plan: Plan,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float | None = None,
    settings: TranscodeSettings | None = None,
    sound: str | Path | None = None,
    chunks: list[Path] | None = None,
) -> list[RenditionOutput]:
    """Make every rendition in ``plan`` in the empty folder ``out_dir``.

    The caller publishes the folder (``MediaStore.publish_dir``) and removes it on failure.
    A quick plan (``quick.plan_quick``) copies the upload's picture instead of encoding it.

    :param on_progress: receives Progress with ``fraction`` over the whole job.
    :param cancel: set it to stop; ffmpeg is killed within a fraction of a second.
    :param timeout: wall-clock seconds for the whole job; see default_timeout().
    :param sound: the normalised ``audio.m4a`` an earlier set of this recording made (the
        quick one, or the sound pass of a chunked one); it is copied instead of measuring and
        encoding the sound again.
    :param chunks: the folders of every chunk of ``plan`` (chunks.plan_chunks, chunked.encode_chunk),
        in order; their picture is joined by stream copy instead of encoded.
    :raise TranscodeError: (or TranscodeTimeout / TranscodeCancelled) with ffmpeg's stderr tail in ``detail``.
    """
    settings = settings or TranscodeSettings()
    input_path = Path(input_path).resolve()
    workdir = Path(out_dir).resolve()
    if not input_path.is_file():
        raise TranscodeError("The uploaded file is missing.", str(input_path))
    limit = default_timeout(plan.duration) if timeout is None else timeout
    deadline = time.monotonic() + limit

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TranscodeTimeout(f"Converting took longer than the {limit:g} second limit.")
        return left

    def report(progress: Progress, start: float, share: float) -> None:
        if on_progress is not None:
            on_progress(replace(progress, fraction=start + share * progress.fraction))

    def step_done(fraction: float) -> None:
        if cancel is not None and cancel.is_set():
            raise TranscodeCancelled("The conversion was cancelled.")
        if on_progress is not None:
            on_progress(Progress(fraction, None, None, None, plan.duration))

    workdir.mkdir(parents=True, exist_ok=True)
    for folder in command.output_dirs(plan):
        (workdir / folder).mkdir(parents=True, exist_ok=True)
    # Leaving the block waits for the poster, so nothing writes into workdir after a failure.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="poster") as alongside:
        poster = None
        if plan.poster_time is not None and plan.rungs and plan.video_index is not None:
            # The poster seeks in the original, so it need not wait for the main run: alongside
            # it, its second of single-threaded work takes moments the encoders leave idle.
            poster = alongside.submit(_make_poster, input_path, workdir, plan, settings, remaining(), cancel)
        # first the sound, normalised and encoded once; the picture's run copies it
        if sound is not None and plan.has_audio:
            shutil.copyfile(sound, workdir / command.sound_m4a(plan))
        else:
            make_sound(
                input_path,
                workdir,
                plan,
                settings,
                timeout=remaining,
                cancel=cancel,
                on_progress=lambda p, start, share: report(p, SOUND_SHARE * start, SOUND_SHARE * share),
            )
        if plan.rungs:
            if chunks is not None:
                argv = prepare_stitch(workdir, plan, chunks, settings)
            else:
                argv = (quick_argv if plan.copy_picture else command.build_argv)(input_path, plan, settings)
            try:
                run_ffmpeg(
                    argv,
                    duration=plan.duration,
                    on_progress=lambda p: report(p, SOUND_SHARE, MAIN_RUN_END - SOUND_SHARE),
                    timeout=remaining(),
                    cancel=cancel,
                    nice=settings.nice,
                    cwd=workdir,
                )
            finally:
                clean_stitch(workdir)
    _check_outputs(workdir, plan)
    step_done(MAIN_RUN_END)
    if plan.storyboard:
        build_storyboard(
            workdir,
            plan.storyboard,
            plan.duration,
            settings=settings,
            timeout=remaining(),
            cancel=cancel,
        )
    step_done(0.97)
    if poster is not None:
        poster.result()
    elif plan.poster_time is not None and plan.rungs:
        _make_poster(input_path, workdir, plan, settings, remaining(), cancel)  # from the still rung
    step_done(0.99)
    if plan.rungs:
        _write_master(workdir, plan)
    outputs = describe_outputs(workdir, plan)
    step_done(0.995)  # the last moment a cancel can still stop publishing
    if on_progress is not None:
        on_progress(Progress(1.0, None, None, None, plan.duration))
    return outputs


def describe_outputs(folder: Path, plan: Plan) -> list[RenditionOutput]:
    """The renditions found in ``folder`` for ``plan``, largest video first."""
    outputs = []
    if plan.rungs:
        master = m3u8.load(str(folder / command.MASTER_PLAYLIST))
        top = plan.rungs[0]
        peak = max((v.stream_info.bandwidth or 0 for v in master.playlists), default=0)
        outputs.append(
            _output(
                folder,
                "hls",
                "adaptive",
                top.width,
                top.height,
                peak,
                command.MASTER_PLAYLIST,
                sized=command.HLS_DIR,
            )
        )
    for rung in plan.rungs:
        path = command.rung_mp4(rung.label)
        bitrate = _measured_bitrate(folder / path, plan.duration)
        outputs.append(_output(folder, "mp4", rung.label, rung.width, rung.height, bitrate, path))
    for audio in plan.audio:
        bitrate = _measured_bitrate(folder / audio.relpath, plan.duration)
        outputs.append(_output(folder, "audio", audio.codec, 0, 0, bitrate, audio.relpath))
    if plan.cartoon:
        path = command.cartoon_mp4(plan)
        c = plan.cartoon
        bitrate = _measured_bitrate(folder / path, plan.duration)
        outputs.append(_output(folder, "cartoon", c.label, c.width, c.height, bitrate, path))
    if (folder / POSTER).exists() and plan.rungs:
        top = plan.rungs[0]
        outputs.append(_output(folder, "poster", "poster", top.width, top.height, 0, POSTER))
    if plan.storyboard:
        b = plan.storyboard
        outputs.append(
            _output(
                folder,
                "storyboard",
                "storyboard",
                b.thumb_width,
                b.thumb_height,
                0,
                f"{STORYBOARD_DIR}/{VTT_NAME}",
                sized=STORYBOARD_DIR,
            )
        )
    return outputs


def _check_outputs(workdir: Path, plan: Plan) -> None:
    """tee carries on when one slave fails; make sure every file was written."""
    expected = [command.rung_mp4(r.label) for r in plan.rungs]
    expected += [a.relpath for a in plan.audio]
    if plan.rungs:
        expected.append(command.MASTER_PLAYLIST)
    if plan.cartoon:
        expected.append(command.cartoon_mp4(plan))
    missing = [p for p in expected if not _non_empty(workdir / p)]
    if plan.storyboard and not any((workdir / command.THUMBS_DIR).glob("*.jpg")):
        missing.append(command.THUMB_PATTERN)
    if missing:
        raise TranscodeError(
            "The video could not be converted completely.",
            "missing outputs: " + ", ".join(missing),
        )


def _make_poster(
    input_path: Path,
    workdir: Path,
    plan: Plan,
    settings: TranscodeSettings,
    timeout: float,
    cancel: threading.Event | None,
) -> None:
    top = plan.rungs[0]
    if plan.video_index is None:
        # artwork recording: the still rung is the picture
        source, demuxer = workdir / command.rung_mp4(top.label), "mov"
    else:
        source, demuxer = input_path, plan.demuxer
    take_poster(
        source,
        workdir / POSTER,
        plan.poster_time or 0.0,
        demuxer=demuxer,
        width=top.width,
        height=top.height,
        fps=float(Fraction(plan.fps)),
        video_index=plan.video_index,
        duration=plan.duration,
        settings=settings,
        timeout=timeout,
        cancel=cancel,
    )


def _write_master(workdir: Path, plan: Plan) -> None:
    fps = float(Fraction(plan.fps))
    rungs = [HlsRung(r.label, r.width, r.height, fps) for r in plan.rungs]
    audio_name = command.AUDIO_VARIANT if plan.has_audio else None
    write_master_playlist(workdir / command.HLS_DIR, rungs, audio_name=audio_name)


def _output(
    folder: Path,
    kind: str,
    label: str,
    width: int,
    height: int,
    bitrate: int,
    relpath: str,
    sized: str | None = None,
) -> RenditionOutput:
    """Describe ``relpath``; its size is that of ``sized`` (a folder) if given."""
    size = _size(folder / (sized or relpath))
    return RenditionOutput(kind, label, width, height, bitrate, relpath, size)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _measured_bitrate(path: Path, duration: float) -> int:
    return round(path.stat().st_size * 8 / duration) if duration > 0 else 0


def _non_empty(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0
