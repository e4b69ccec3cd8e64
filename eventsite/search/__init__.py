"""One search across events, panels, people and what was said in them.

SQLite FTS5 on the embedded default, PostgreSQL full text on PostgreSQL,
chosen from the database's dialect (:mod:`.engines`). No area calls search:
operations announce what they changed (:mod:`eventsite.signals`) and
:mod:`.listeners` keeps the index in step.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from ..database import needs_schema
from . import listeners  # noqa: F401  (connects the index to the content's signals)
from .index import forget, reindex_all, reindex_event, reindex_panel, reindex_panelist

__all__ = ["forget", "init_app", "reindex_all", "reindex_event", "reindex_panel", "reindex_panelist"]


@click.command("search-reindex")
@with_appcontext
def search_reindex_command():
    """Rebuild the search index from every event, panel, panelist and transcript."""
    counts = needs_schema(reindex_all)()
    if not counts:
        raise click.ClickException("This database has no search engine (SQLite or PostgreSQL needed).")
    click.echo(
        f"Indexed {counts['event']} events, {counts['panel']} panels, {counts['person']} people and "
        f"{counts['said']} transcript passages in {counts['seconds']:.2f} s."
    )


def init_app(app: Flask) -> None:
    """Register the search page and command; create the index with ``create_all``."""
    from ..extensions import db
    from .schema import follow_metadata
    from .views import bp

    follow_metadata(db.metadata)
    app.register_blueprint(bp)
    app.cli.add_command(search_reindex_command)
