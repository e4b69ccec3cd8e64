"""Turning stored text into safe HTML, and the small template helpers."""

from __future__ import annotations

from datetime import datetime

import nh3
from flask import Flask, request
from markdown_it import MarkdownIt
from markupsafe import Markup

from .times import clock
from .urls import absolute, absolute_for

# CommonMark without raw HTML: organisers and visitors write markdown, not HTML.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

#: Tags the markdown subset may produce; everything else is dropped by nh3.
ALLOWED_TAGS = {
    "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(source: str, *, link_rel: str = "noopener") -> Markup:
    """Render markdown to sanitised HTML.

    nh3 removes anything not on the allow-list (scripts, event handlers,
    ``javascript:`` URLs), so the output is safe to mark as Markup.
    """
    html = _markdown.render(source or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=link_rel,
    )
    return Markup(clean)  # noqa: S704  (nh3 output is safe by construction)


def format_date(value: datetime | None, fmt: str = "%-d %B %Y") -> str:
    """``25 November 2026``; empty for None."""
    return value.strftime(fmt) if value else ""


def init_app(app: Flask) -> None:
    """Register template filters and globals."""
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(clock, "clock")

    @app.context_processor
    def site_globals():
        return {
            "site_name": app.config["SITE_NAME"],
            "absolute_url": absolute_for,
            "canonical_url": absolute(request.path),
        }
