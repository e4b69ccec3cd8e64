"""The ffmpeg layer: probe an upload, plan its renditions, make them.

Pure Python plus the ffmpeg/ffprobe executables; nothing here knows about
Flask or the database. The job layer (``eventsite/jobs.py``) calls::

    info = probe(path)                       # ProbeError explains refusals
    plan = plan_renditions(info)
    outputs = transcode(path, final_dir, plan, on_progress=..., cancel=event)

``transcode`` runs the sound pass (sound.py: measured, normalised, encoded once)
and then one ffmpeg run for the whole picture ladder (command.py).
"""

from .chunks import ChunkSpan, plan_chunks
from .command import build_argv
from .errors import ProbeError, TranscodeCancelled, TranscodeError, TranscodeTimeout
from .hls import write_master_playlist
from .loudness import Loudness, LoudnessTarget
from .mediainfo import AudioStream, MediaInfo, VideoStream
from .pipeline import RenditionOutput, default_timeout, transcode
from .plan import (
    AudioRendition,
    CartoonPlan,
    Plan,
    StoryboardPlan,
    VideoRung,
    plan_renditions,
)
from .poster import take_poster
from .probe import probe
from .quick import NotWebReady, first_rung, first_rung_settings, plan_quick, web_ready_refusal
from .run import Progress, RunResult, run_ffmpeg
from .settings import TranscodeSettings
from .storyboard import build_storyboard

__all__ = [
    "AudioRendition",
    "AudioStream",
    "ChunkSpan",
    "CartoonPlan",
    "Loudness",
    "LoudnessTarget",
    "MediaInfo",
    "NotWebReady",
    "Plan",
    "ProbeError",
    "Progress",
    "RenditionOutput",
    "RunResult",
    "StoryboardPlan",
    "TranscodeCancelled",
    "TranscodeError",
    "TranscodeSettings",
    "TranscodeTimeout",
    "VideoRung",
    "VideoStream",
    "build_argv",
    "build_storyboard",
    "default_timeout",
    "first_rung",
    "first_rung_settings",
    "plan_chunks",
    "plan_quick",
    "plan_renditions",
    "probe",
    "run_ffmpeg",
    "take_poster",
    "transcode",
    "web_ready_refusal",
    "write_master_playlist",
]
