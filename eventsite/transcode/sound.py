"""The sound pass: a recording's audio decoded once, measured, normalised and encoded once.

Two-pass loudness normalisation needs the whole recording's loudness before the
first sample is encoded, so the audio cannot be normalised inside the one run
that encodes the picture. Instead the sound goes first:

1. **measure** (only when normalising): the one decode of the upload's audio, mixed
   to the published channel layout, through ``ebur128`` (integrated loudness,
   range, true peak) and into a lossless FLAC copy beside the set. Only the audio
   stream is read (MP4 demuxers skip the video's bytes), so an hour costs seconds.
2. **encode**: the gain and limiter those figures call for (loudness.py) over the
   FLAC copy, then AAC (and the MP3 of an audio-only recording) once. The FLAC copy
   is deleted. A quick set's AAC uses the encoder's ``fast`` search (half the CPU of
   the AAC encode, most of the pass); the full ladder that replaces it encodes its
   own at ``twoloop``.

The picture's run then copies this AAC into the HLS audio group, every MP4 and
the cartoon (command.py), and the flock copies ``audio.m4a`` as its soundtrack, so
every published sound is the normalised one and no sound is decoded twice.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

from . import aac_parts
from .aac_parts import AAC_FRAME, Part
from .codecs import DECODER_WHITELIST
from .errors import TranscodeCancelled, TranscodeError
from .loudness import Loudness, normalising_chain, parse_ebur128_summary
from .plan import AudioRendition, Plan
from .run import QUIET_FLAGS, Progress, run_ffmpeg
from .settings import TranscodeSettings

#: the lossless copy made by the measuring step; deleted once the sound is encoded
MEASURED_COPY = ".sound.flac"
#: a part's AAC frames (ADTS) and the joined stream, while a sound is encoded in parts
PART_STREAM, JOINED_STREAM = ".sound-part{}.aac", ".sound-joined.aac"
#: the measuring step logs at "info": ebur128 writes its summary at that level
_MEASURE_FLAGS = ("-nostdin", "-hide_banner", "-nostats", "-loglevel", "info", "-progress", "pipe:1")


def make_sound(
    input_path: Path,
    workdir: Path,
    plan: Plan,
    settings: TranscodeSettings,
    *,
    timeout: Callable[[], float],
    cancel: threading.Event | None = None,
    on_progress: Callable[[Progress, float, float], None] | None = None,
) -> Loudness | None:
    """Write the plan's audio renditions into ``workdir``; return what was measured.

    Returns None when normalisation is off (``settings.loudness`` is None) or the
    plan has no sound.

    :param timeout: returns the seconds left for each ffmpeg run.
    :param on_progress: receives (progress, start, share) of this pass's two steps.
    """
    if not plan.audio or plan.audio_index is None:
        return None

    def run(argv: list[str], start: float, share: float):
        report = (lambda p: on_progress(p, start, share)) if on_progress is not None else None
        return _run(argv, workdir, settings, timeout, cancel, plan.duration, report)

    if settings.loudness is None:
        run(encode_argv(input_path, plan, settings, None, original=True), 0.0, 1.0)
        return None
    copy = workdir / MEASURED_COPY
    try:
        result = run(measure_argv(input_path, plan, settings), 0.0, 0.4)
        measured = parse_ebur128_summary(result.stderr_tail)
        if measured is None:
            raise TranscodeError("The sound could not be measured.", result.stderr_tail)
        chain = normalising_chain(measured, settings.loudness, _aac(plan).sample_rate)
        parts = _parts(copy, plan, settings)
        if len(parts) == 1:
            run(encode_argv(copy, plan, settings, chain), 0.4, 0.6)
        else:
            _encode_in_parts(
                copy, plan, settings, chain, parts, timeout=timeout, cancel=cancel, on_progress=on_progress
            )
    finally:
        copy.unlink(missing_ok=True)
        for leftover in (*workdir.glob(PART_STREAM.format("*")), workdir / JOINED_STREAM):
            leftover.unlink(missing_ok=True)
    return measured


def _parts(copy: Path, plan: Plan, settings: TranscodeSettings) -> list[Part]:
    """How the measured copy's sound is shared among the cores (one part: not shared)."""
    # the cores this worker may use (a worker held to one core by taskset gets one part)
    cores = settings.sound_parts or len(os.sched_getaffinity(0)) or 1
    with copy.open("rb") as handle:
        try:
            samples = aac_parts.flac_samples(handle.read(42))
        except aac_parts.BadStream:
            samples = 0  # not known: one part, as a short sound
    rate = _aac(plan).sample_rate
    return aac_parts.plan_parts(samples, cores, round(settings.sound_part_seconds * rate))


def _encode_in_parts(
    copy: Path,
    plan: Plan,
    settings: TranscodeSettings,
    chain: str | None,
    parts: list[Part],
    *,
    timeout: Callable[[], float],
    cancel: threading.Event | None,
    on_progress: Callable[[Progress, float, float], None] | None,
) -> None:
    """Encode the AAC in ``parts`` at once (the MP3 beside them), then join its frames into one file."""
    workdir, aac = copy.parent, _aac(plan)
    rate = aac.sample_rate
    ends = [p.end if p.end is not None else max(p.start, round(plan.duration * rate)) for p in parts]
    lengths = [max(end - p.start, 1) / rate for p, end in zip(parts, ends, strict=True)]
    done = [0.0] * len(parts)

    def report(i: int, progress: Progress) -> None:
        done[i] = progress.fraction
        if on_progress is not None:
            overall = sum(d * n for d, n in zip(done, lengths, strict=True)) / sum(lengths)
            on_progress(replace(progress, fraction=overall), 0.4, 0.55)

    def job(argv: list[str], duration: float, i: int | None = None):
        part_report = (lambda p: report(i, p)) if i is not None else None
        return lambda stop: _run(argv, workdir, settings, timeout, stop, duration, part_report)

    jobs = [job(part_argv(copy, plan, settings, chain, part, i), lengths[i], i) for i, part in enumerate(parts)]
    others = [a for a in plan.audio if a is not aac]
    if others:
        jobs.append(job(encode_argv(copy, plan, settings, chain, renditions=others), plan.duration))
    _run_together(jobs, cancel)
    streams = [(workdir / PART_STREAM.format(i)).read_bytes() for i in range(len(parts))]
    try:
        joined = aac_parts.join(parts, streams)
    except aac_parts.BadStream as exc:
        raise TranscodeError("The sound's parts could not be joined.", str(exc)) from exc
    (workdir / JOINED_STREAM).write_bytes(joined)
    join_report = (lambda p: on_progress(p, 0.95, 0.05)) if on_progress is not None else None
    _run(join_argv(plan, settings), workdir, settings, timeout, cancel, plan.duration, join_report)


def _run(
    argv: list[str],
    workdir: Path,
    settings: TranscodeSettings,
    timeout: Callable[[], float],
    cancel: threading.Event | None,
    duration: float,
    on_progress: Callable[[Progress], None] | None,
):
    """One ffmpeg of the sound pass, in ``workdir``, with the time left and the worker's niceness."""
    return run_ffmpeg(
        argv,
        duration=duration,
        on_progress=on_progress,
        timeout=timeout(),
        cancel=cancel,
        nice=settings.nice,
        cwd=workdir,
    )


def _run_together(jobs: list[Callable[[threading.Event], object]], cancel: threading.Event | None) -> None:
    """Run ``jobs`` (each given the event that stops it) at once; the first failure stops the rest.

    :raise TranscodeError: the first job's own failure (not the others' stopping), or
        TranscodeCancelled when ``cancel`` was set.
    """
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="sound") as pool:
        futures: list[Future] = [pool.submit(work, stop) for work in jobs]
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
            if any(f.exception() is not None for f in finished) or (cancel is not None and cancel.is_set()):
                stop.set()
    errors = [f.exception() for f in futures if f.exception() is not None]
    if cancel is not None and cancel.is_set():
        raise TranscodeCancelled("The conversion was cancelled.")
    own = [e for e in errors if not isinstance(e, TranscodeCancelled)]
    if own or errors:
        raise (own or errors)[0]


def part_argv(source: Path, plan: Plan, settings: TranscodeSettings, chain: str | None, part: Part, index: int):
    """Encode one part of the measured copy (its samples ``part.start``..``part.end``) to ADTS."""
    trim = f"atrim=start_sample={part.start}" + (f":end_sample={part.end}" if part.end is not None else "")
    steps = [trim, "asetpts=PTS-STARTPTS", *([chain] if chain else [])]
    aac = _aac(plan)
    return [
        settings.ffmpeg, *QUIET_FLAGS, "-progress", "pipe:1",
        "-protocol_whitelist", "file", "-f", "flac", "-i", f"file:{source.resolve()}",
        "-filter_complex", f"[0:a:0]{','.join(steps)}[a]", "-map", "[a]",
        *_codec_options(aac, settings.quick_aac_coder if plan.copy_picture else settings.aac_coder),
        "-f", "adts", PART_STREAM.format(index),
    ]  # fmt: skip


def join_argv(plan: Plan, settings: TranscodeSettings) -> list[str]:
    """Copy the joined frames into the published ``.m4a``, started ``AAC_FRAME`` samples earlier.

    A single encode's MP4 says to skip the encoder's priming (an edit list); raw ADTS
    cannot, so the stream's timestamps are moved back by it and the MP4 muxer writes
    the same edit list: the sound plays from sample 0, as one encode's does.
    """
    aac = _aac(plan)
    return [
        settings.ffmpeg, *QUIET_FLAGS, "-progress", "pipe:1",
        "-protocol_whitelist", "file", "-itsoffset", f"-{AAC_FRAME / aac.sample_rate:.9f}",
        "-f", "aac", "-i", f"file:{JOINED_STREAM}", "-map", "0:a:0", "-c:a", "copy",
        "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", aac.relpath,
    ]  # fmt: skip


def measure_argv(input_path: Path, plan: Plan, settings: TranscodeSettings) -> list[str]:
    """Decode the upload's sound once: measure it and keep a lossless copy (``MEASURED_COPY``).

    The sound is mixed to the published layout before ``ebur128``: a mono track
    played on both channels measures 3 LU louder than the mono track alone.
    """
    aac = _aac(plan)
    # at the published rate, so that the copy can be cut in parts on the AAC frame grid
    graph = (
        f"[0:{plan.audio_index}]aformat=channel_layouts={_layout(aac.channels)},aresample={aac.sample_rate},"
        "ebur128=peak=true:framelog=verbose[sound]"
    )
    return [
        settings.ffmpeg,
        *_MEASURE_FLAGS,
        *_open_upload(input_path, plan),
        "-filter_complex",
        graph,
        "-map",
        "[sound]",
        # the fastest FLAC: this copy lives for seconds
        "-c:a",
        "flac",
        "-compression_level",
        "0",
        "-map_metadata",
        "-1",
        "-f",
        "flac",
        "-y",
        MEASURED_COPY,
    ]


def encode_argv(
    source: Path,
    plan: Plan,
    settings: TranscodeSettings,
    chain: str | None,
    *,
    original: bool = False,
    renditions: list[AudioRendition] | None = None,
) -> list[str]:
    """Encode every audio rendition of ``plan`` (or ``renditions``) once from ``source``, through ``chain`` if given.

    :param original: ``source`` is the upload (normalisation off), not the measured FLAC copy.
    """
    renditions = list(plan.audio) if renditions is None else renditions
    if original:
        opened, stream = _open_upload(source, plan), f"0:{plan.audio_index}"
    else:
        opened, stream = ["-protocol_whitelist", "file", "-f", "flac", "-i", f"file:{source.resolve()}"], "0:a:0"
    argv = [settings.ffmpeg, *QUIET_FLAGS, "-progress", "pipe:1", *opened]
    coder = settings.quick_aac_coder if plan.copy_picture else settings.aac_coder
    labels = [f"[a{i}]" for i in range(len(renditions))]
    steps = [chain] if chain else ["anull"]
    if len(labels) > 1:
        steps.append(f"asplit={len(labels)}")
    argv += ["-filter_complex", f"[{stream}]{','.join(steps)}{''.join(labels)}"]
    for label, rendition in zip(labels, renditions, strict=True):
        argv += ["-map", label, *rendition_options(rendition, coder), rendition.relpath]
    return argv


def rendition_options(rendition: AudioRendition, coder: str = "twoloop") -> list[str]:
    """Encoder and container options of one audio file (``-c:a`` … ``-f``); ``coder`` is the AAC one's search."""
    if rendition.codec == "aac":
        return [*_codec_options(rendition, coder), "-movflags", "+faststart", "-f", "mp4"]
    return [*_codec_options(rendition, coder), "-f", "mp3"]


def _codec_options(rendition: AudioRendition, coder: str) -> list[str]:
    codec = ["-c:a", "aac", "-aac_coder", coder] if rendition.codec == "aac" else ["-c:a", "libmp3lame"]
    return [
        *codec, "-b:a", str(rendition.bitrate), "-ac", str(rendition.channels), "-ar", str(rendition.sample_rate),
        "-map_metadata", "-1",
    ]  # fmt: skip


def _open_upload(input_path: Path, plan: Plan) -> list[str]:
    """Open the upload as the main run does: file protocol only, the probed demuxer, listed decoders."""
    return [
        "-protocol_whitelist", "file", "-codec_whitelist", DECODER_WHITELIST, "-f", plan.demuxer,
        "-i", f"file:{Path(input_path).resolve()}",
    ]  # fmt: skip


def _aac(plan: Plan) -> AudioRendition:
    return next((a for a in plan.audio if a.codec == "aac"), plan.audio[0])


def _layout(channels: int) -> str:
    return {1: "mono", 2: "stereo"}.get(channels, f"{channels}c")
