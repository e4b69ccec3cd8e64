"""The ffmpeg layer: probe an upload, plan its renditions, make them.

Pure Python plus the ffmpeg/ffprobe executables; nothing here knows about
Flask or the database. The job layer (``eventsite/jobs.py``) calls::

    info = probe(path)                       # ProbeError explains refusals
    plan = plan_renditions(info)
    outputs = transcode(path, final_dir, plan, on_progress=..., cancel=event)
"""

from .command import build_argv
from .errors import ProbeError, TranscodeCancelled, TranscodeError, TranscodeTimeout
from .hls import write_master_playlist
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
from .run import Progress, RunResult, run_ffmpeg
from .settings import TranscodeSettings
from .storyboard import build_storyboard

__all__ = [
    "AudioRendition",
    "AudioStream",
    "CartoonPlan",
    "MediaInfo",
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
    "plan_renditions",
    "probe",
    "run_ffmpeg",
    "take_poster",
    "transcode",
    "write_master_playlist",
]
