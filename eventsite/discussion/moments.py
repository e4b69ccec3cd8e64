"""Comments tied to moments of the video: the seek-bar markers' data."""

from __future__ import annotations

import html
import re

import nh3
import sqlalchemy as sa

from ..extensions import db
from .models import Comment, CommentStatus


def comment_moments(panel_id: int, limit: int = 500) -> list[dict]:
    """Approved comments tied to a moment of the video, for the seek-bar markers.

    A comment's moment is the one its author attached ("link my comment to
    the current moment"), else the first time written in it ("at 12:34").
    Each item carries the first line as plain text; the page's script puts
    it in with ``textContent``.
    """
    rows = db.session.execute(
        sa.select(Comment.id, Comment.author_name, Comment.body_html, Comment.video_time)
        .where(Comment.panel_id == panel_id, Comment.status == CommentStatus.APPROVED, ~Comment.deleted)
        .where(sa.or_(Comment.video_time.isnot(None), Comment.body_html.contains('data-t="')))
        .order_by(Comment.created_at, Comment.id)
        .limit(limit)
    ).all()
    moments = []
    for row in rows:
        seconds = row.video_time
        if seconds is None:
            found = _WRITTEN_TIME.search(row.body_html)
            seconds = float(found.group(1)) if found else None
        if seconds is not None:
            moments.append({"id": row.id, "t": seconds, "author": row.author_name, "text": first_line(row.body_html)})
    return moments


_WRITTEN_TIME = re.compile(r'data-t="(\d+)"')


def first_line(body_html: str, limit: int = 120) -> str:
    """The first line of a comment as plain text, shortened to ``limit`` characters."""
    text = html.unescape(nh3.clean(body_html.replace("</p>", "\n").replace("<br>", "\n"), tags=set()))
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
