"""In Chromium: a comment form left open too long says so, keeps the text, and posts on the second try."""

from __future__ import annotations

import sqlalchemy as sa

from eventsite.discussion.models import Comment
from eventsite.extensions import db
from tests.conftest import assert_no_axe_violations
from tests.discussion import conftest as discussion
from tests.discussion.conftest import panel_url

separate_csrf_tokens = discussion.separate_csrf_tokens  # autouse: one CSRF token per client


def test_a_stale_form_keeps_the_text_and_posts_again(app, app_ctx, page, make_panel):
    app.config.update(COMMENT_FORM_MAX_AGE=1, COMMENT_MIN_SUBMIT_SECONDS=0)
    panel = make_panel()
    page.goto(panel_url(panel))
    page.fill("#body", "I left this tab open overnight.")
    page.fill("#name", "Night Owl")
    page.fill("#email", "owl@example.com")
    shown_at = page.input_value("input[name=started]")
    page.wait_for_timeout(2100)  # the form is now older than its 1-second limit
    page.click("#submit")
    page.locator(".form-message").wait_for()
    page.wait_for_function("() => document.querySelector('.form-message').textContent.includes('too old')")
    assert "This form is too old, please reload the page." in page.inner_text(".form-message")
    assert page.input_value("#body") == "I left this tab open overnight."
    assert db.session.scalars(sa.select(Comment)).all() == []
    page.screenshot(path="/tmp/eventsite-form-too-old.png", full_page=True)
    assert_no_axe_violations(page)

    # the server sent a fresh form time with its answer
    assert page.input_value("input[name=started]") != shown_at
    app.config["COMMENT_FORM_MAX_AGE"] = 60  # room for the axe run above
    page.click("#submit")
    page.locator(".comment-pending").wait_for()
    db.session.expire_all()
    assert [c.body_source for c in db.session.scalars(sa.select(Comment))] == ["I left this tab open overnight."]
