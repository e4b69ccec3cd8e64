"""Events, panels and panelists, their public pages, and the one panel loader."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the public pages and the view-count beacon."""
    from ..extensions import csrf
    from . import stats  # noqa: F401  (its view-count tables belong to this area)
    from .birds import bird_version
    from .views import bp, count_view

    # The beacon carries no cookie-based authority: it only counts, once a day per visitor.
    csrf.exempt(count_view)
    app.register_blueprint(bp)
    app.add_template_global(bird_version)
