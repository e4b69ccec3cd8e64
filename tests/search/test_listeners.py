"""Search follows the content by listening: no write path calls it by hand."""

from __future__ import annotations

import ast
from pathlib import Path

from eventsite import signals
from eventsite.events.models import PanelStatus
from eventsite.events.operations import publish_panel
from eventsite.search.results import run_search
from eventsite.studio import operations as studio

PACKAGE = Path(__file__).resolve().parents[2] / "eventsite"


def panel_hits(query: str) -> list:
    return next((g.hits for g in run_search(query).groups if g.kind == "panel"), [])


def test_renaming_a_panel_through_its_operation_updates_search(request_ctx, said_panel):
    heard = []
    data = {"title": "Pelicans and podcasts", "abstract": "", "comments_open": True}
    with signals.panel_saved.connected_to(heard.append):  # a second follower hears the same announcement
        studio.save_panel(data, said_panel.event, said_panel)
    assert heard == [said_panel]
    assert panel_hits("pelicans")[0].url.endswith("/events/social-media-week/pelicans-and-podcasts/")
    publish_panel(said_panel, PanelStatus.DRAFT)
    assert panel_hits("pelicans") == []


def test_no_module_outside_search_calls_it():
    """The operations announce; only the search package's listeners reindex (the factory mounts it)."""
    callers = []
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(PACKAGE / "search") or path == PACKAGE / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
            if name.startswith("reindex_") or name == "forget":
                callers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            elif isinstance(node, ast.ImportFrom) and (
                (node.module or "").endswith("search") or any(alias.name == "search" for alias in node.names)
            ):
                callers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert callers == []
