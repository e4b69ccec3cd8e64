"""State the job modules share: the app whose context tasks run in."""

from __future__ import annotations

from flask import Flask

from ..transcode import TranscodeSettings

#: Set by :func:`eventsite.jobs.init_app`; tasks open their own app context with it.
app: Flask | None = None


def transcode_settings() -> TranscodeSettings:
    """The encoder knobs every job's ffmpeg run uses, from the app's configuration."""
    return TranscodeSettings(
        preset=app.config["TRANSCODE_PRESET"], filter_threads=app.config["TRANSCODE_FILTER_THREADS"]
    )


def claim(model, row_id: int, queued, running) -> bool:
    """Move a job-like row (a transcode job, a quote clip) from ``queued`` to ``running``
    in one conditional UPDATE; False if another worker has it or it is no longer queued."""
    import sqlalchemy as sa

    from ..database import utcnow
    from ..extensions import db

    now = utcnow()
    result = db.session.execute(
        sa.update(model)
        .where(model.id == row_id, model.status == queued)
        .values(
            status=running,
            attempts=model.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0.0,
            error=None,
            stderr_tail=None,
        )
    )
    db.session.commit()
    return result.rowcount == 1
