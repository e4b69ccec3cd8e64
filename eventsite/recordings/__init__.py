"""Recordings, renditions, transcode jobs, captions and chapters."""

from . import models  # noqa: F401  (tables known to SQLAlchemy and Alembic)
