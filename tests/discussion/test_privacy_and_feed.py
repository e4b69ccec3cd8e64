"""The e-mail address, and unkeyed hashes of it, never leave the server; the Atom feed."""

import hashlib
import xml.etree.ElementTree as ET

import sqlalchemy as sa

from eventsite.discussion.models import Comment, CommentStatus
from eventsite.extensions import db

from .conftest import panel_url

EMAIL = "Secret.Person@Example.com"


def forms_of(email: str) -> list[str]:
    """The address and every common unkeyed hash of it (gravatar-style md5 and sha256)."""
    found = []
    for variant in {email, email.lower(), email.strip().lower()}:
        found.append(variant)
        for algorithm in ("md5", "sha1", "sha256"):
            found.append(hashlib.new(algorithm, variant.encode()).hexdigest())
    return found


def assert_private(text: str) -> None:
    lowered = text.lower()
    for secret in forms_of(EMAIL):
        assert secret.lower() not in lowered, f"{secret} leaked"


def test_email_and_its_hashes_appear_in_no_response(app, client, panel, post_form, approved_comment, confirmed_browser):
    approved_comment(email=EMAIL.lower())  # trusted, so the next one is published
    confirmed_browser(client, EMAIL)
    posted = post_form(client, panel, email=EMAIL, body="Reply to me by e-mail", notify="y", json=True)
    assert posted.get_json()["status"] == "approved"
    responses = [
        posted,
        client.get(panel_url(panel)),
        app.test_client().get(panel_url(panel)),
        client.get(panel_url(panel) + "comments.atom"),
        post_form(client, panel, email=EMAIL, body="Held one with https://a.example https://b.example", json=True),
        post_form(client, panel, email=EMAIL, body="Another held one, https://a.example https://b.example"),
    ]
    page = responses[1].get_data(as_text=True)
    avatar = page.split('class="avatar" src="', 1)[1].split('"', 1)[0]
    responses.append(client.get(avatar))
    for response in responses:
        assert_private(response.get_data(as_text=True))
        assert_private(str(response.headers))


def test_a_refused_form_is_given_back_only_to_its_sender(app, client, panel, post_form):
    """No-JS visitors get their form back after a refusal, e-mail included, so nothing
    they typed is lost; nobody else ever sees it."""
    post_form(client, panel, email=EMAIL, body="Twice")
    refused = post_form(client, panel, email=EMAIL, body="Twice")
    assert refused.status_code == 409 and EMAIL in refused.get_data(as_text=True)
    assert_private(app.test_client().get(panel_url(panel)).get_data(as_text=True))
    assert "no-store" in refused.headers.get("Cache-Control", "")


def test_avatar_is_an_svg_from_a_keyed_hash(app, client, panel, approved_comment):
    approved_comment(email="a@example.com", confirmed=True)
    page = client.get(panel_url(panel)).get_data(as_text=True)
    src = page.split('class="avatar" src="', 1)[1].split('"', 1)[0]
    assert src.startswith("/avatars/") and src.endswith(".svg")
    response = client.get(src)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<script" not in response.data and "immutable" in response.headers["Cache-Control"]
    assert client.get("/avatars/not-a-key.svg").status_code == 404
    # Another secret key gives another picture name: nothing to look up in a rainbow table.
    app.config["SECRET_KEY"] = "another-secret"
    assert src not in client.get(panel_url(panel)).get_data(as_text=True)


def test_feed_lists_only_approved_comments_without_emails(app, client, panel, approved_comment):
    approved_comment(body="Approved <b>words</b> at 1:00", name="Anne", email="anne@example.com")
    approved_comment(body="Still pending", status=CommentStatus.PENDING)
    approved_comment(body="Spammy", status=CommentStatus.SPAM)
    response = client.get(panel_url(panel) + "comments.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert entries[0].find("a:author/a:name", ns).text == "Anne"
    assert "Approved" in entries[0].find("a:content", ns).text
    assert b"anne@example.com" not in response.data and b"Still pending" not in response.data
    page = client.get(panel_url(panel)).get_data(as_text=True)
    assert 'rel="alternate" type="application/atom+xml"' in page


def test_feed_of_a_draft_panel_is_not_public(client, make_panel):
    from eventsite.events.models import PanelStatus

    draft = make_panel(title="Draft", status=PanelStatus.DRAFT)
    assert client.get(panel_url(draft) + "comments.atom").status_code == 404


def test_comments_on_draft_panels_are_refused(client, make_panel, post_form):
    from eventsite.events.models import PanelStatus

    draft = make_panel(title="Draft", status=PanelStatus.DRAFT)
    response = client.post(panel_url(draft) + "comments", data={})
    assert response.status_code in (400, 404)
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0
