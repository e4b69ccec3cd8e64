"""Encoder knobs shared by every run, separate from the per-recording plan."""

from __future__ import annotations

from dataclasses import dataclass

from .loudness import LoudnessTarget


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
    #: libx264 preset of the first rung of an upload that must be encoded (quick.first_rung):
    #: the full ladder replaces it minutes later, so it trades size and quality for time,
    #: under the same ``-maxrate`` cap (bench/RESULTS.md "Transcoding")
    first_rung_preset: str = "ultrafast"
    #: constant-quality target for the ladder (lower is better and larger)
    crf: int = 23
    #: the cartoon's flat colours compress well; a higher CRF loses little
    cartoon_crf: int = 26
    audio_bitrate: int = 128_000
    #: ffmpeg's AAC encoder's quantiser search for the published sound (``-aac_coder``)
    aac_coder: str = "twoloop"
    #: the same for a quick set (quick.plan_quick), which the full ladder replaces with a sound of
    #: its own: ``fast`` costs half of ``twoloop``, the AAC encode being most of an hour's sound pass
    quick_aac_coder: str = "fast"
    #: parts the sound's AAC is encoded in at once, on as many cores (sound.py, aac_parts.py);
    #: 0 → one per core. The AAC encoder runs on one thread and is most of a quick set's wait.
    sound_parts: int = 0
    #: the shortest part worth a process of its own, in seconds of sound
    sound_part_seconds: float = 60.0
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
    #: every published sound is loudness-normalised to this (sound.py); None leaves it as recorded
    loudness: LoudnessTarget | None = LoudnessTarget()
