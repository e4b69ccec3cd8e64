"""Helpers for the discussion tests: a panel, and posting through the real form."""

from __future__ import annotations

import time

import pytest

from eventsite.discussion import tokens
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.discussion.rules import Submission
from eventsite.extensions import db
from tests.conftest import csrf_token


@pytest.fixture(autouse=True)
def generous_rate_limit(app):
    """Most tests post many comments from 127.0.0.1; the rate-limit tests tighten this."""
    app.config["COMMENT_RATE_LIMIT"] = "1000 per minute"


@pytest.fixture
def panel(make_panel):
    return make_panel()


def panel_url(panel) -> str:
    return f"/events/{panel.event.slug}/{panel.slug}/"


def human_started(app, seconds_ago: float = 10) -> str:
    """A signed form time from ``seconds_ago``: a person who took a moment to type."""
    with app.test_request_context():
        return tokens.form_token(time.time() - seconds_ago)


@pytest.fixture
def post_form(app):
    """Post the comment form as a browser without JavaScript would; returns the response."""

    def do_post(client, panel, *, json=False, **fields):
        page = client.get(panel_url(panel))
        assert page.status_code == 200
        data = {
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "started": human_started(app),
            "name": "Anne",
            "email": "anne@example.com",
            "website": "",
            "body": "Influence is about trust.",
            "parent_id": "",
            "video_time": "",
            "company": "",
        }
        data.update({k: v for k, v in fields.items() if v is not None})
        headers = {"Accept": "application/json"} if json else {}
        return client.post(panel_url(panel) + "comments", data=data, headers=headers)

    return do_post


@pytest.fixture
def approved_comment(app_ctx, panel):
    """Store an approved comment directly (a trusted author's)."""

    def factory(body="An approved comment.", email="trusted@example.com", name="Trusted", parent=None, **kwargs):
        from eventsite.discussion.markup import render_comment

        comment = Comment(
            panel_id=kwargs.pop("panel_id", panel.id),
            parent=parent,
            depth=parent.depth + 1 if parent else 1,
            author_name=name,
            author_email=email,
            body_source=body,
            body_html=render_comment(body),
            status=kwargs.pop("status", CommentStatus.APPROVED),
            **kwargs,
        )
        db.session.add(comment)
        db.session.commit()
        return comment

    return factory


def submission(**fields) -> Submission:
    """A human-looking submission for calling the operations directly."""
    values = {"name": "Anne", "email": "anne@example.com", "body": "Hello there.", "form_age": 30.0}
    values.update(fields)
    return Submission(**values)
