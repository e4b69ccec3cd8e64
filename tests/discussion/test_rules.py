"""Each posting rule, through the operation and (for what visitors see) through HTTP."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsite.database import utcnow
from eventsite.discussion.models import BlockKind, Comment, CommentStatus
from eventsite.discussion.moderation import add_block
from eventsite.discussion.operations import post_comment
from eventsite.discussion.rules import CommentRefused, Policy, Verdict, judge, word_list
from eventsite.extensions import db

from .conftest import human_started, panel_url, submission

IP = "198.51.100.7"


def stored() -> list[Comment]:
    return list(db.session.scalars(sa.select(Comment).order_by(Comment.id)))


def test_first_comment_is_held_then_the_email_is_trusted(app, panel, proven):
    first = post_comment(panel, proven(body="First words."), IP)
    assert first.verdict is Verdict.HOLD
    assert post_comment(panel, proven(body="Second words."), IP).verdict is Verdict.HOLD
    first.comment.status = CommentStatus.APPROVED
    db.session.commit()
    assert post_comment(panel, proven(body="Third words."), IP).verdict is Verdict.APPROVE
    # Trust is per address, case-insensitively.
    assert post_comment(panel, proven(body="Fourth.", email="ANNE@example.com"), IP).verdict is Verdict.APPROVE
    # ...and only for a browser that proved it owns the address.
    assert post_comment(panel, submission(body="Fifth."), IP).verdict is Verdict.HOLD


def test_unproven_comments_are_held_whatever_the_settings(app, panel, proven, approved_comment):
    app.config["COMMENT_HOLD_FIRST"] = False
    approved_comment(email="anne@example.com")
    proven(body="(confirms the address)")
    assert post_comment(panel, submission(body="Typed Anne's address"), IP).verdict is Verdict.HOLD
    assert post_comment(panel, proven(body="Anne's own browser"), IP).verdict is Verdict.APPROVE


def test_hold_first_can_be_switched_off(app, panel, proven):
    app.config["COMMENT_HOLD_FIRST"] = False
    assert post_comment(panel, proven(), IP).verdict is Verdict.APPROVE


def test_two_links_are_held_one_is_fine(app, panel, approved_comment, proven):
    approved_comment(email="anne@example.com")
    assert post_comment(panel, proven(body="See https://a.example"), IP).verdict is Verdict.APPROVE
    held = post_comment(panel, proven(body="See https://a.example and [b](https://b.example)"), IP)
    assert held.verdict is Verdict.HOLD


def test_moderation_words_hold_and_block_words_spam(app, panel, approved_comment):
    approved_comment(email="anne@example.com")
    app.config["COMMENT_MODERATION_WORDS"] = "crypto, giveaway"
    app.config["COMMENT_BLOCK_WORDS"] = ["casino"]
    assert post_comment(panel, submission(body="A CRYPTO thing"), IP).verdict is Verdict.HOLD
    assert post_comment(panel, submission(body="Best Casino here"), IP).verdict is Verdict.SPAM
    assert post_comment(panel, submission(body="Hi", name="casino king"), IP).verdict is Verdict.SPAM
    assert [c.status for c in stored()][-3:] == [CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.SPAM]


def test_honeypot_and_fast_or_forged_forms_are_discarded_silently(app, panel):
    for sub in (
        submission(honeypot="ACME Ltd"),
        submission(form_age=1.0),
        submission(form_age=None),
    ):
        result = post_comment(panel, sub, IP)
        assert result.verdict is Verdict.DISCARD and result.comment is None
    assert stored() == []


def test_honeypot_over_http_looks_like_success(client, panel, post_form):
    response = post_form(client, panel, company="ACME Ltd")
    assert response.status_code == 303
    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_min_time_to_submit_over_http(app, client, panel, post_form):
    assert post_form(client, panel, started=human_started(app, seconds_ago=1, client=client)).status_code == 303
    assert post_form(client, panel, started="forged").status_code == 303
    slow = human_started(app, seconds_ago=4, client=client)
    assert post_form(client, panel, started=slow, body="Slow human").status_code == 303
    with app.app_context():
        assert [c.body_source for c in stored()] == ["Slow human"]


def test_rate_limit_counts_in_the_database(app, panel):
    app.config["COMMENT_RATE_LIMIT"] = "3 per minute"
    for n in range(3):
        post_comment(panel, submission(body=f"Comment {n}"), IP)
    with pytest.raises(CommentRefused) as refused:
        post_comment(panel, submission(body="One too many", email="other@example.com"), IP)
    assert refused.value.status == 429
    # Another address is not affected; an hour later the first one may post again.
    post_comment(panel, submission(body="From elsewhere"), "203.0.113.9")
    post_comment(panel, submission(body="Later"), IP, now=utcnow() + timedelta(minutes=2))


def test_rate_limit_over_http_is_a_friendly_429(app, client, panel, post_form):
    app.config["COMMENT_RATE_LIMIT"] = "2 per minute"
    post_form(client, panel, body="one")
    post_form(client, panel, body="two")
    response = post_form(client, panel, body="three")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "faster than we allow" in html
    assert "three</textarea>" in html  # the visitor's text is still in the form
    json = post_form(client, panel, body="four", json=True)
    assert json.status_code == 429 and "faster than we allow" in json.get_json()["message"]


def test_duplicates_are_refused(app, client, panel, post_form, proven):
    post_comment(panel, submission(body="Same words."), IP)
    with pytest.raises(CommentRefused, match="already said that"):
        post_comment(panel, submission(body="Same words."), IP)
    # A proven author is refused from anywhere...
    post_comment(panel, proven(body="Proven words."), IP)
    with pytest.raises(CommentRefused, match="already said that"):
        post_comment(panel, proven(body="Proven words."), "203.0.113.9")
    # ...but an unproven repeat from elsewhere is only held: a refusal would tell
    # whoever typed the address that its owner wrote those public words.
    assert post_comment(panel, submission(body="Same words."), "203.0.113.9").verdict is Verdict.HOLD
    post_form(client, panel, body="Said twice")
    response = post_form(client, panel, body="Said twice")
    assert response.status_code == 409
    assert "Looks like you already said that." in response.get_data(as_text=True)


def test_closed_panels_take_no_comments(app, client, panel, post_form):
    panel.comments_open = False
    db.session.commit()
    with pytest.raises(CommentRefused) as refused:
        post_comment(panel, submission(), IP)
    assert refused.value.status == 403
    page = client.get(panel_url(panel)).get_data(as_text=True)
    assert "Comments are closed." in page and 'id="commentform"' not in page
    assert post_form.__name__  # the fixture is not needed further


def test_comments_close_after_n_days(app, panel):
    panel.publish_at = datetime(2020, 1, 1, tzinfo=UTC)
    db.session.commit()
    post_comment(panel, submission(), IP)  # off by default
    app.config["COMMENT_CLOSE_AFTER_DAYS"] = 30
    with pytest.raises(CommentRefused, match="closed"):
        post_comment(panel, submission(body="Too late"), IP)


def test_length_limit_has_a_clear_message(app, client, panel, post_form):
    app.config["COMMENT_MAX_LENGTH"] = 50
    with pytest.raises(CommentRefused, match="limit is 50"):
        post_comment(panel, submission(body="x" * 51), IP)
    response = post_form(client, panel, body="y" * 60)
    assert response.status_code == 400
    assert "60 characters long; the limit is 50" in response.get_data(as_text=True)


def test_required_fields_and_bad_website(client, panel, post_form):
    response = post_form(client, panel, name="", email="not-an-address", website="javascript:alert(1)", json=True)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert set(errors) >= {"name", "email", "website"}


@pytest.mark.parametrize(
    ("kind", "value", "address", "email"),
    [
        (BlockKind.EMAIL, "Spammer@Example.com", IP, "spammer@example.com"),
        (BlockKind.IP_RANGE, "198.51.100.0/24", IP, "anne@example.com"),
        (BlockKind.IP_RANGE, "2001:db8::/32", "2001:db8::1", "anne@example.com"),
    ],
)
def test_blocked_senders_go_to_spam(app, panel, kind, value, address, email):
    add_block(kind, value)
    assert post_comment(panel, submission(email=email), address).verdict is Verdict.SPAM
    assert post_comment(panel, submission(email="ok@example.com", body="fine"), "192.0.2.1").verdict is Verdict.HOLD


def test_judge_is_a_pure_function():
    from eventsite.discussion.rules import Facts

    policy = Policy(min_submit_seconds=3, hold_first=False)
    assert judge(submission(), Facts(confirmed=True), policy) is Verdict.APPROVE
    assert judge(submission(), Facts(), policy) is Verdict.HOLD  # unconfirmed: whatever the address
    linky = submission(body="https://a.example https://b.example")
    assert judge(linky, Facts(), Policy(min_submit_seconds=3)) is Verdict.HOLD
    # A verified panelist's browser is published at once (still not when it floods or is a bot).
    assert judge(submission(panelist_id=7, body=linky.body), Facts(), policy) is Verdict.APPROVE
    assert judge(submission(panelist_id=7, form_age=1.0), Facts(), policy) is Verdict.DISCARD
    assert judge(submission(form_age=2.0), Facts(), policy) is Verdict.DISCARD
    assert judge(submission(), Facts(blocked=True), policy) is Verdict.SPAM
    assert word_list("a, B\nc,,") == ("a", "b", "c")
