"""One search across events, panels, people and what was said in them.

SQLite FTS5 on the embedded default, PostgreSQL full text on PostgreSQL,
chosen from the database's dialect (:mod:`.engines`). Content operations
keep the index current with one call each; the functions here import their
work late, so any area can call them without an import circle.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def reindex_panel(panel) -> None:
    """Index a panel afresh (after publishing, edits, seating, captions, a new recording)."""
    from .index import reindex_panel as run

    run(panel)


def reindex_event(event) -> None:
    """Index an event afresh (after an edit)."""
    from .index import reindex_event as run

    run(event)


def reindex_panelist(panelist) -> None:
    """Index a panelist and the panels they sit on afresh (after an edit)."""
    from .index import reindex_panelist as run

    run(panelist)


def forget(row) -> None:
    """Remove what deleting ``row`` (event, panel, panelist or seat) removes; call before the delete."""
    from .index import forget as run

    run(row)


def reindex_all() -> dict[str, int]:
    """Rebuild the whole index."""
    from .index import reindex_all as run

    return run()


@click.command("search-reindex")
@with_appcontext
def search_reindex_command():
    """Rebuild the search index from every event, panel, panelist and transcript."""
    from ..cli import needs_schema

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
