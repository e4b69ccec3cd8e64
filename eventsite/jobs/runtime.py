"""State the job modules share: the app whose context tasks run in."""

from __future__ import annotations

from flask import Flask

from ..transcode import LoudnessTarget, TranscodeSettings

#: Set by :func:`eventsite.jobs.init_app`; tasks open their own app context with it.
app: Flask | None = None


def transcode_settings() -> TranscodeSettings:
    """The encoder knobs every job's ffmpeg run uses, from the app's configuration."""
    loudness = LoudnessTarget(integrated=float(app.config["LOUDNESS_TARGET"])) if app.config["LOUDNORM"] else None
    return TranscodeSettings(
        preset=app.config["TRANSCODE_PRESET"],
        first_rung_preset=app.config["FIRST_RUNG_PRESET"],
        filter_threads=app.config["TRANSCODE_FILTER_THREADS"],
        sound_parts=app.config["SOUND_PARTS"],
        loudness=loudness,
    )
