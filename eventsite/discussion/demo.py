"""The seed page's thread: Anne and Rich comment, Gemma Went answers each.

Anne's and Rich's addresses are seeded as confirmed (they followed their
links long ago), and Gemma answers as the verified panelist she is.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from ..events.models import Panel, Panelist
from ..extensions import db
from ..recordings.models import Chapter, Recording
from ..times import clock
from .markup import render_comment
from .models import Comment, CommentStatus
from .trust import mark_confirmed

#: (key, parent key, name, e-mail, badge, posted, text); example.com addresses only.
DEMO_COMMENTS = [
    (
        "anne",
        None,
        "Anne",
        "anne@example.com",
        "",
        datetime(2012, 10, 2, 9, 14, tzinfo=UTC),
        "Great write-up. For me influence is about whether people *act* on what you say, "
        "not how many of them follow you. A score can count reach; it can't see trust.",
    ),
    (
        "gemma-anne",
        "anne",
        "Gemma Went",
        "gemma.went@example.com",
        "Panelist",
        datetime(2012, 10, 2, 11, 40, tzinfo=UTC),
        "Thanks Anne, and I agree. The panel kept coming back to trust: you can measure the "
        "conversation, but the influence happens when someone changes their mind.",
    ),
    (
        "rich",
        None,
        "Rich",
        "rich@example.com",
        "",
        datetime(2012, 10, 3, 16, 5, tzinfo=UTC),
        "Isn't influence always relative to a topic, though? I'd listen to a friend about "
        "restaurants long before I'd listen to them about pensions. Around {azeem} Azeem makes "
        "exactly this point.",
    ),
    (
        "gemma-rich",
        "rich",
        "Gemma Went",
        "gemma.went@example.com",
        "Panelist",
        datetime(2012, 10, 3, 18, 22, tzinfo=UTC),
        "Interesting thoughts Rich. Context is everything, and it is exactly what the single-number scores leave out.",
    ),
]


def seed_demo_comments(panel: Panel) -> bool:
    """Add the demo thread to ``panel`` once, all approved; False if it is already there."""
    emails = {row[3] for row in DEMO_COMMENTS}
    already = db.session.scalar(
        sa.select(sa.exists().where(Comment.panel_id == panel.id, Comment.author_email.in_(emails)))
    )
    if already:
        return False
    made: dict[str, Comment] = {}
    moments = {"azeem": clock(_first_chapter_of(panel, "Azeem Azhar"))}
    seated = {seat.panelist.name: seat.panelist_id for seat in panel.seats}
    for key, parent_key, name, email, badge, posted, text in DEMO_COMMENTS:
        text = text.format(**moments)
        parent = made.get(parent_key) if parent_key else None
        made[key] = Comment(
            panel_id=panel.id,
            parent=parent,
            depth=parent.depth + 1 if parent else 1,
            author_name=name,
            author_email=email,
            badge=badge,
            # The badge is the verified panelist's only when she is seated on the panel.
            panelist_id=seated.get(name) if badge == "Panelist" else None,
            confirmed=True,
            body_source=text,
            body_html=render_comment(text),
            status=CommentStatus.APPROVED,
            created_at=posted,
        )
        db.session.add(made[key])
    mark_confirmed(sorted(emails))
    db.session.commit()
    return True


def _first_chapter_of(panel: Panel, name: str) -> float:
    """When ``name`` first speaks in the panel's recording (their first chapter), 0 if unknown."""
    start = db.session.scalar(
        sa.select(Chapter.start)
        .join(Recording, Recording.id == Chapter.recording_id)
        .join(Panelist, Panelist.id == Chapter.panelist_id)
        .where(Recording.panel_id == panel.id, Panelist.name == name)
        .order_by(Chapter.start)
        .limit(1)
    )
    return start or 0.0
