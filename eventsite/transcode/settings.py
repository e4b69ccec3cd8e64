"""Encoder knobs shared by every run, separate from the per-recording plan."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TranscodeSettings:
    """How to encode, as opposed to what to encode (that is the :class:`Plan`).

    The defaults suit a small two-core server: ``veryfast`` x264 is roughly
    realtime at 1080p30 there, and CRF with a ``-maxrate`` cap keeps easy
    scenes small while bounding the bandwidth a player must sustain.
    """

    #: executables, so a deployment can point at a newer static build
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    #: libx264 speed/size trade-off
    preset: str = "veryfast"
    #: constant-quality target for the ladder (lower is better and larger)
    crf: int = 23
    #: the cartoon's flat colours compress well; a higher CRF loses little
    cartoon_crf: int = 26
    audio_bitrate: int = 128_000
    #: HLS segment length; must be a whole number of keyframe intervals
    segment_seconds: int = 4
    #: JPEG quality scale for thumbnails, sprites and posters (2 best .. 31 worst)
    jpeg_quality: int = 5
    #: threads of the filter graph (``-filter_complex_threads``; 0 → ffmpeg's one per core).
    #: On two cores one is faster: x264's frame threads already fill both, and a frame's
    #: scaling split in slices waits for slice workers the encoders have pushed off the CPU,
    #: stalling the one thread that feeds every encoder (bench/RESULTS.md "Transcoding").
    filter_threads: int = 1
    #: added to the worker's niceness so the web server stays responsive
    nice: int = 10
