"""Recordings, renditions, transcode jobs, captions and chapters; the tus upload
endpoint (``/uploads/``) and media serving (``/media/<key>``)."""

from __future__ import annotations

from flask import Flask

from . import models  # noqa: F401  (tables known to SQLAlchemy and Alembic)


def init_app(app: Flask) -> None:
    """Register the upload, media and studio blueprints, template filters and commands."""
    from ..extensions import csrf, limiter

    # imported for what they do: media_auth adds a route; public_copies withdraws public copies
    from . import cli, display, media_auth, public_copies, serving, tus, views  # noqa: F401

    # tus requests carry their CSRF token in a header, checked by access.py
    # (cookie requests only; bearer-token clients need none).
    csrf.exempt(tus.bp)
    app.register_blueprint(tus.bp, url_prefix="/uploads")
    # Media requests are many and small (HLS segments); nothing there is rate-limited.
    limiter.exempt(serving.bp)
    app.register_blueprint(serving.bp)
    app.register_blueprint(views.bp)
    app.add_template_filter(display.format_size, "filesize")
    app.add_template_filter(display.describe_streams, "streams")
    cli.init_app(app)
