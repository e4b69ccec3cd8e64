"""Mailed links: expired, forged and swapped links are refused; one-click unsubscribe; no enumeration."""

from __future__ import annotations

import re
import time

import pytest

from eventsite.extensions import db
from eventsite.offers import tokens
from eventsite.offers.models import Subscriber
from tests.conftest import csrf_token

from .conftest import body_of, link_in, panel_path


@pytest.fixture
def confirmed(app, client, panel, make_offer, inbox, sign_up):
    """An offer and a reader who confirmed; returns (offer, the guide mail)."""
    offer = make_offer(panel=panel)
    sign_up(client, panel, offer, "reader@example.com")
    path = link_in(inbox.to("reader@example.com")[0], "/offers/confirm/")
    client.post(path, data={"csrf_token": csrf_token(client.get(path).get_data(as_text=True))})
    return offer, inbox.to("reader@example.com")[-1]


def issued_ago(monkeypatch, seconds: float, make):
    """Call ``make()`` as if it ran ``seconds`` ago (itsdangerous stamps tokens with time.time())."""
    now = time.time()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: now - seconds)
        return make()


def test_expired_confirmation_link_is_refused(app, client, panel, make_offer, inbox, sign_up, monkeypatch):
    offer = make_offer(panel=panel)
    sign_up(client, panel, offer, "late@example.com")
    subscriber = db.session.scalar(db.select(Subscriber))
    with app.test_request_context():
        old = issued_ago(monkeypatch, 73 * 3600, lambda: tokens.link_token("offer-confirm", subscriber))
    token = csrf_token(client.get(panel_path(panel)).get_data(as_text=True))
    pressed = client.post(f"/offers/confirm/{old}", data={"csrf_token": token})
    for response in (client.get(f"/offers/confirm/{old}"), pressed):
        assert response.status_code == 410
        assert b"This confirmation link has expired. Please sign up again" in response.data
    assert db.session.scalar(db.select(Subscriber.confirmed_at)) is None


def test_expired_download_link_is_refused(app, client, confirmed, monkeypatch):
    subscriber = db.session.scalar(db.select(Subscriber))
    with app.test_request_context():
        old = issued_ago(monkeypatch, 8 * 24 * 3600, lambda: tokens.link_token("offer-download", subscriber))
    response = client.get(f"/offers/download/{old}")
    assert response.status_code == 410 and b"This download link has expired" in response.data
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("kind", ["confirm", "download"])
def test_forged_and_swapped_links_are_refused(app, client, confirmed, kind):
    subscriber = db.session.scalar(db.select(Subscriber))
    with app.test_request_context():
        real = tokens.link_token(f"offer-{kind}", subscriber)
        # A confirmation token is not a download token, and the other way round.
        other = tokens.link_token("offer-download" if kind == "confirm" else "offer-confirm", subscriber)
    payload, _, signature = real.rpartition(".")
    forged = f"{payload}.{signature[::-1]}"
    for token in (forged, other, "nonsense"):
        response = client.get(f"/offers/{kind}/{token}")
        assert response.status_code == 400, token
        assert b"is not valid. Please check that the whole link was copied." in response.data


def test_a_link_for_a_deleted_sign_up_is_refused(app, client, confirmed):
    offer, mail = confirmed
    download = link_in(mail, "/offers/download/")
    db.session.execute(db.delete(Subscriber))
    db.session.commit()
    assert client.get(download).status_code == 410


def test_one_click_unsubscribe_in_every_mail(app, client, confirmed, inbox):
    offer, guide_mail = confirmed
    [confirmation, _] = inbox.to("reader@example.com")
    for message in (confirmation, guide_mail):
        link = re.search(r"Stop all e-mails about this guide: (\S+)", body_of(message)).group(1)
        assert message["List-Unsubscribe"] == f"<{link}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix("http://localhost")
    # Opening the link only asks: mail scanners follow links.
    assert b"Stop all e-mails about this free guide?" in app.test_client().get(path).data
    assert db.session.scalar(db.select(Subscriber)).unsubscribed_at is None
    # The mail client's one-click POST: no session, no CSRF token.
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b"you won't get any more e-mails" in response.data
    subscriber = db.session.scalar(db.select(Subscriber))
    db.session.refresh(subscriber)
    assert subscriber.unsubscribed_at is not None
    # No more guide for that link either; and a second click is harmless.
    assert client.get(link_in(guide_mail, "/offers/download/")).status_code == 410
    assert app.test_client().post(path).status_code == 200


def test_forged_unsubscribe_links_are_404(client):
    assert client.get("/offers/unsubscribe/WzEsImFiYyJd.forged").status_code == 404
    assert client.post("/offers/unsubscribe/WzEsImFiYyJd.forged").status_code == 404


def _mail_shape(message) -> tuple[str, str]:
    """Subject and text with the personal tokens blanked out."""
    text = re.sub(r"/offers/(confirm|unsubscribe)/\S+", r"/offers/\1/TOKEN", body_of(message))
    return message["Subject"], text


def test_answers_never_tell_whether_an_address_is_known(app, client, panel, make_offer, inbox, sign_up, confirmed):
    offer, _ = confirmed
    answers = {}
    for email in ("reader@example.com", "stranger@example.com"):
        response = sign_up(client, panel, offer, email)
        sent = client.get(response.location)
        answers[email] = (response.status_code, response.location, sent.status_code, sent.get_data(as_text=True))
        assert email not in answers[email][3]
    assert answers["reader@example.com"] == answers["stranger@example.com"]
    # The same mail too: a known address gets a confirmation link, not the guide.
    known = inbox.to("reader@example.com")[-1]
    new = inbox.to("stranger@example.com")[-1]
    assert _mail_shape(known) == _mail_shape(new)
    # Confirming again keeps the first confirmation time.
    first = db.session.scalar(db.select(Subscriber).where(Subscriber.email == "reader@example.com")).confirmed_at
    path = link_in(known, "/offers/confirm/")
    client.post(path, data={"csrf_token": csrf_token(client.get(path).get_data(as_text=True))})
    db.session.expire_all()
    assert (
        db.session.scalar(db.select(Subscriber).where(Subscriber.email == "reader@example.com")).confirmed_at == first
    )


def test_the_address_is_never_on_a_public_page(client, panel, confirmed):
    assert b"reader@example.com" not in client.get(panel_path(panel)).data
    assert b"reader@example.com" not in client.get("/").data


def test_unconfirmed_sign_ups_are_forgotten_when_their_link_expires(app, client, panel, make_offer, sign_up):
    from datetime import timedelta

    from eventsite.database import utcnow
    from eventsite.offers.operations import SignUp
    from eventsite.offers.operations import sign_up as do_sign_up

    offer = make_offer(panel=panel)
    with app.test_request_context():
        do_sign_up(offer, SignUp("old@example.com", form_age=10), now=utcnow() - timedelta(hours=73))
        do_sign_up(offer, SignUp("new@example.com", form_age=10))
    assert db.session.scalars(db.select(Subscriber.email)).all() == ["new@example.com"]
