"""Quote clips: a passage of a panel, up to a minute, rendered for social media.

A visitor (or an organiser, in the studio) picks a stretch of the transcript,
a view the panelists agreed to and a shape; the clip job
(``eventsite/jobs/clip_job.py``, on the one job runner) renders it with
ffmpeg (``render.py``, ``cards.py``, ``layout.py``: no Flask there) and the
clip gets its own page with Open Graph video and a Twitter player card.
"""

from __future__ import annotations

from flask import Flask

from . import models  # noqa: F401  (tables known to SQLAlchemy and Alembic)


def init_app(app: Flask) -> None:
    """Register the clip routes and the form's template helper."""
    from .operations import clip_choices
    from .views import bp

    app.register_blueprint(bp)

    @app.template_global()
    def clip_form_for(panel, media):
        """The "Make a clip" form's choices from the page's already-built player data (no queries)."""
        return clip_choices(panel, media, media.start_time() if media else None)
