"""The discussion under every panel."""

from . import models  # noqa: F401  (tables known to SQLAlchemy and Alembic)
