"""Helpers for the discussion tests: a panel, and posting through the real form."""

from __future__ import annotations

import time

import pytest

from eventsite.discussion import tokens, trust
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.discussion.rules import Submission
from eventsite.extensions import db
from tests.conftest import csrf_token
from tests.mailbox import Inbox, body_of, free_port  # noqa: F401  (the tests import them from here)


@pytest.fixture(autouse=True)
def generous_rate_limit(app):
    """Most tests post many comments from 127.0.0.1; the rate-limit tests tighten this."""
    app.config["COMMENT_RATE_LIMIT"] = "1000 per minute"


@pytest.fixture(autouse=True)
def separate_csrf_tokens(app):
    """Several browsers in one test: each gets its own form token.

    Tests using ``app_ctx`` keep one app context open, which Flask reuses for
    every request, and Flask-WTF caches the token in ``g``; one client's token
    would otherwise be handed to the next client, whose session doesn't know it.
    """

    @app.teardown_request
    def forget_csrf_token(_exc):
        from flask import g

        g.pop("csrf_token", None)


@pytest.fixture
def panel(make_panel):
    return make_panel()


def panel_url(panel) -> str:
    return f"/events/{panel.event.slug}/{panel.slug}/"


def human_started(app, seconds_ago: float = 10, client=None) -> str:
    """A signed form time from ``seconds_ago``: a person who took a moment to type.

    Bound to ``client``'s session (form times count only in the session that
    was shown the form); ``client`` must have loaded a page with the form.
    """
    secret = ""
    if client is not None:
        with client.session_transaction() as session:
            secret = session.get("csrf_token", "")
    with app.test_request_context():
        return tokens.form_token(time.time() - seconds_ago, tag=tokens.session_tag(secret))


@pytest.fixture
def post_form(app):
    """Post the comment form as a browser without JavaScript would; returns the response."""

    def do_post(client, panel, *, json=False, **fields):
        page = client.get(panel_url(panel))
        assert page.status_code == 200
        data = {
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "started": human_started(app, client=client),
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


def confirm_addresses(*emails: str) -> None:
    """Record ``emails`` as confirmed, as if their owners had followed their links."""
    trust.mark_confirmed(list(emails))
    db.session.commit()


@pytest.fixture
def proven(app_ctx):
    """Submissions from a browser that confirmed its address (it followed the mailed link)."""

    def make(**fields) -> Submission:
        sub = submission(proven=True, **fields)
        confirm_addresses(sub.email)
        return sub

    return make


def commenter_cookie(app, *emails: str) -> str:
    """The signed cookie a browser gets by following confirmation links for ``emails``."""
    with app.test_request_context():
        value: list[str] = []
        for email in emails:
            value = tokens.read_commenter_cookie(tokens.write_commenter_cookie(value, tokens.address_hash(email)))
        return tokens.write_commenter_cookie(value[:-1], value[-1])


@pytest.fixture
def confirmed_browser(app, app_ctx):
    """Make a test client (or a Playwright page) a browser that confirmed ``emails``."""

    def confirm(browser, *emails: str):
        confirm_addresses(*emails)
        value = commenter_cookie(app, *emails)
        if hasattr(browser, "context"):  # a Playwright page
            cookie = {"name": tokens.COMMENTER_COOKIE, "value": value, "url": app.config["BASE_URL"]}
            browser.context.add_cookies([cookie])
        else:
            browser.set_cookie(tokens.COMMENTER_COOKIE, value)
        return browser

    return confirm
