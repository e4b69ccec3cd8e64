"""The sound pass: a recording's audio decoded once, measured, normalised and encoded once.

Two-pass loudness normalisation needs the whole recording's loudness before the
first sample is encoded, so the audio cannot be normalised inside the one run
that encodes the picture. Instead the sound goes first:

1. **measure** (only when normalising): the one decode of the upload's audio, mixed
   to the published channel layout, through ``ebur128`` (integrated loudness,
   range, true peak) and into a lossless FLAC copy beside the set. Only the audio
   stream is read (MP4 demuxers skip the video's bytes), so an hour costs seconds.
2. **encode**: the gain and limiter those figures call for (loudness.py) over the
   FLAC copy, then AAC (and the MP3 of an audio-only recording) once. The FLAC copy is deleted. A quick set's AAC
   uses the encoder's ``fast`` search (half the CPU of the AAC encode, most of the
   pass); the full ladder that replaces it encodes its own at ``twoloop``.

The picture's run then copies this AAC into the HLS audio group, every MP4 and
the cartoon (command.py), and the flock copies ``audio.m4a`` as its soundtrack, so
every published sound is the normalised one and no sound is decoded twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from .codecs import DECODER_WHITELIST
from .errors import TranscodeError
from .loudness import Loudness, normalising_chain, parse_ebur128_summary
from .plan import AudioRendition, Plan
from .run import QUIET_FLAGS, Progress, run_ffmpeg
from .settings import TranscodeSettings

#: the lossless copy made by the measuring step; deleted once the sound is encoded
MEASURED_COPY = ".sound.flac"
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
        def report(progress: Progress) -> None:
            if on_progress is not None:
                on_progress(progress, start, share)

        return run_ffmpeg(
            argv,
            duration=plan.duration,
            on_progress=report,
            timeout=timeout(),
            cancel=cancel,
            nice=settings.nice,
            cwd=workdir,
        )

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
        run(encode_argv(copy, plan, settings, chain), 0.4, 0.6)
    finally:
        copy.unlink(missing_ok=True)
    return measured


def measure_argv(input_path: Path, plan: Plan, settings: TranscodeSettings) -> list[str]:
    """Decode the upload's sound once: measure it and keep a lossless copy (``MEASURED_COPY``).

    The sound is mixed to the published layout before ``ebur128``: a mono track
    played on both channels measures 3 LU louder than the mono track alone.
    """
    layout = _layout(_aac(plan).channels)
    graph = f"[0:{plan.audio_index}]aformat=channel_layouts={layout},ebur128=peak=true:framelog=verbose[sound]"
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
    source: Path, plan: Plan, settings: TranscodeSettings, chain: str | None, *, original: bool = False
) -> list[str]:
    """Encode every audio rendition of ``plan`` once from ``source``, through ``chain`` if given.

    :param original: ``source`` is the upload (normalisation off), not the measured FLAC copy.
    """
    if original:
        opened, stream = _open_upload(source, plan), f"0:{plan.audio_index}"
    else:
        opened, stream = ["-protocol_whitelist", "file", "-f", "flac", "-i", f"file:{source.resolve()}"], "0:a:0"
    argv = [settings.ffmpeg, *QUIET_FLAGS, "-progress", "pipe:1", *opened]
    coder = settings.quick_aac_coder if plan.copy_picture else settings.aac_coder
    labels = [f"[a{i}]" for i in range(len(plan.audio))]
    steps = [chain] if chain else ["anull"]
    if len(labels) > 1:
        steps.append(f"asplit={len(labels)}")
    argv += ["-filter_complex", f"[{stream}]{','.join(steps)}{''.join(labels)}"]
    for label, rendition in zip(labels, plan.audio, strict=True):
        argv += ["-map", label, *rendition_options(rendition, coder), rendition.relpath]
    return argv


def rendition_options(rendition: AudioRendition, coder: str = "twoloop") -> list[str]:
    """Encoder and container options of one audio file (``-c:a`` … ``-f``); ``coder`` is the AAC one's search."""
    options = [
        "-b:a", str(rendition.bitrate), "-ac", str(rendition.channels), "-ar", str(rendition.sample_rate),
        "-map_metadata", "-1",
    ]  # fmt: skip
    if rendition.codec == "aac":
        return ["-c:a", "aac", "-aac_coder", coder, *options, "-movflags", "+faststart", "-f", "mp4"]
    return ["-c:a", "libmp3lame", *options, "-f", "mp3"]


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
