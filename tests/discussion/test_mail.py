"""Reply notifications, unsubscribing and the moderation digest, through a real SMTP server."""

import logging
import re

from eventsite.discussion.models import Comment, CommentStatus
from eventsite.discussion.moderation import Action, moderate
from eventsite.discussion.operations import post_comment
from eventsite.extensions import db
from eventsite.mail import send_mail

from .conftest import body_of, free_port, submission


def test_reply_notification_and_one_click_unsubscribe(app, client, panel, inbox, approved_comment, proven):
    app.config["COMMENT_HOLD_FIRST"] = False
    anne = post_comment(panel, proven(body="Who measures influence?", notify=True), "192.0.2.1").comment
    reply = post_comment(
        panel, proven(name="Rich", email="rich@example.com", body="Not Klout.", parent_id=anne.id), "x"
    ).comment
    [message] = inbox.to("anne@example.com")
    assert "Rich replied to your comment" in message["Subject"]
    text = body_of(message)
    # The permalink, which finds the reply's page when the mail is read.
    assert "Not Klout." in text and f"http://localhost/comments/{reply.id}/" in text
    assert "rich@example.com" not in message.as_string()
    link = re.search(r"Stop these e-mails: (\S+)", text).group(1)
    assert message["List-Unsubscribe"] == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix("http://localhost")
    # GET only asks (mail scanners follow links); the one-click POST needs no session or CSRF token.
    assert b"Unsubscribe" in app.test_client().get(path).data
    db.session.refresh(anne)
    assert anne.notify_replies
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b"you won't get any more e-mails" in response.data
    db.session.refresh(anne)
    assert not anne.notify_replies
    post_comment(panel, proven(name="Rich", email="rich@example.com", body="Again!", parent_id=anne.id), "x")
    assert len(inbox.to("anne@example.com")) == 1


def test_forged_unsubscribe_links_are_404(client, panel):
    assert client.get("/comments/unsubscribe/WzEsImFiYyJd.forged").status_code == 404
    assert client.post("/comments/unsubscribe/WzEsImFiYyJd.forged").status_code == 404


def test_held_reply_notifies_once_when_approved(app, panel, inbox, approved_comment):
    anne = approved_comment(email="anne@example.com", notify_replies=True, confirmed=True)
    reply = post_comment(panel, submission(email="new@example.com", body="First time here", parent_id=anne.id), "x")
    assert reply.comment.status is CommentStatus.PENDING and inbox.to("anne@example.com") == []
    moderate([reply.comment.id], Action.APPROVE)
    moderate([reply.comment.id], Action.UNAPPROVE)
    moderate([reply.comment.id], Action.APPROVE)
    assert len(inbox.to("anne@example.com")) == 1


def test_no_mail_without_opt_in_or_for_own_replies(app, panel, inbox, approved_comment, proven):
    app.config["COMMENT_HOLD_FIRST"] = False
    quiet = approved_comment(email="quiet@example.com", notify_replies=False, confirmed=True)
    loud = approved_comment(email="loud@example.com", notify_replies=True, body="loud", confirmed=True)
    post_comment(panel, proven(body="to quiet", parent_id=quiet.id), "x")
    post_comment(panel, proven(email="loud@example.com", body="talking to myself", parent_id=loud.id), "x")
    assert inbox.messages == []


def test_no_reply_mail_to_an_address_somebody_else_typed(app, panel, inbox, approved_comment, proven):
    """Typing someone's address with "notify me" must not sign them up for mail."""
    app.config["COMMENT_HOLD_FIRST"] = False
    forged = approved_comment(email="victim@example.com", notify_replies=True, body="not really the victim")
    post_comment(panel, proven(body="a reply", parent_id=forged.id), "x")
    assert inbox.to("victim@example.com") == []


def test_moderation_digest_command(app, runner, panel, inbox, make_organiser):
    make_organiser(email="olive@example.com")
    make_organiser(email="otto@example.com", name="Otto")
    assert "nothing sent" in runner.invoke(args=["send-moderation-digest"]).output
    post_comment(panel, submission(body="waiting 1"), "192.0.2.1")
    post_comment(panel, submission(body="waiting 2", email="b@example.com"), "192.0.2.2")
    result = runner.invoke(args=["send-moderation-digest"])
    assert result.exit_code == 0 and "2 organiser(s)" in result.output
    [message] = inbox.to("olive@example.com")
    assert message["Subject"] == "2 comments waiting for moderation"
    text = body_of(message)
    assert panel.title in text and "2 waiting" in text and "http://localhost/studio/comments/?status=pending" in text
    assert "anne@example.com" not in text


def test_without_smtp_mail_goes_to_the_log(app, app_ctx, caplog):
    app.config["SMTP_HOST"] = None
    with caplog.at_level(logging.INFO, logger="eventsite.mail"):
        assert send_mail("someone@example.com", "Hello", "The body text")
    assert "The body text" in caplog.text and "someone@example.com" in caplog.text


def test_an_unreachable_smtp_server_logs_the_whole_message(app, app_ctx, caplog):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    with caplog.at_level(logging.INFO, logger="eventsite.mail"):
        assert send_mail("someone@example.com", "Hello", "Keep me") is False
    assert "Could not send" in caplog.text and "Keep me" in caplog.text


def test_notification_failure_does_not_lose_the_comment(app, panel, approved_comment, caplog, proven):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    app.config["COMMENT_HOLD_FIRST"] = False
    anne = approved_comment(email="anne@example.com", notify_replies=True, confirmed=True)
    result = post_comment(panel, proven(email="b@example.com", body="still saved", parent_id=anne.id), "x")
    assert db.session.get(Comment, result.comment.id).status is CommentStatus.APPROVED
    assert "still saved" in caplog.text
