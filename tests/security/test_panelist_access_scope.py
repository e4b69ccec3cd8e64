"""Panelist access belongs to one event: an organiser of event A neither sees the
private address event B's organiser typed, nor replaces or kills B's link, and a
link sent from A gives no badge on B's panels.

Before, one access row per person let A's organiser read B's address, mail a link
to an address of their own (which killed B's), and comment on B's panel with the
"Panelist" badge, published at once.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from eventsite.discussion.models import Comment, CommentStatus
from eventsite.events.models import Consent, SeatRole
from eventsite.extensions import db
from eventsite.studio.operations import seat_panelist
from tests.accounts.helpers import make_account, separate_browsers, signed_in
from tests.conftest import csrf_token
from tests.discussion.conftest import human_started, panel_url
from tests.mailbox import body_of

pytestmark = pytest.mark.usefixtures(separate_browsers.__name__)

GEMMA_AT_B = "gemma.private@example.org"
ATTACKER = "mallory@example.net"


def send_link(organiser, person_id: int, email: str, event_id: int | None = None):
    query = f"?event={event_id}" if event_id else ""
    page = organiser.get(f"/studio/people/{person_id}/comment-access{query}")
    if page.status_code != 200:
        return page
    action = re.search(r'action="([^"]*comment-access/link[^"]*)"', page.get_data(as_text=True)).group(1)
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "email": email}
    return organiser.post(action.replace("&amp;", "&"), data=data)


def open_link(client, message) -> None:
    path = re.search(r"http://localhost(/panelists/welcome/\S+)", body_of(message)).group(1)
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))}).status_code == 303


def comment(app, client, panel, body: str):
    page = client.get(panel_url(panel)).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "started": human_started(app, client=client), "body": body}
    data |= {"company": "", "name": "Gemma Went", "email": ATTACKER}
    return client.post(panel_url(panel) + "comments", data=data)


@pytest.fixture
def two_events(app, app_ctx, make_event, make_panel, make_panelist):
    """Gemma sits on a panel of event A and one of event B; Alice manages A only, Bob B only."""
    event_a, event_b = make_event("Event A"), make_event("Event B")
    panel_a, panel_b = make_panel("A's panel", event=event_a), make_panel("B's panel", event=event_b)
    gemma = make_panelist("Gemma Went", panel=panel_a)
    seat_panelist(panel_b, gemma, SeatRole.PANELIST, 0, Consent.VIDEO)
    make_account("alice@example.com", events=[event_a])
    make_account("bob@example.com", events=[event_b])
    return {"gemma": gemma.id, "a": event_a.id, "b": event_b.id, "panel_a": panel_a, "panel_b": panel_b}


def test_another_events_organiser_cannot_see_replace_or_use_the_grant(app, two_events, inbox):
    alice, bob = signed_in(app, "alice@example.com"), signed_in(app, "bob@example.com")
    gemma = two_events["gemma"]
    assert send_link(bob, gemma, GEMMA_AT_B).status_code == 303
    [bobs_link] = inbox.to(GEMMA_AT_B)

    # Alice sees no trace of the address Bob typed, on any page she can reach.
    page = alice.get(f"/studio/people/{gemma}/comment-access").get_data(as_text=True)
    assert GEMMA_AT_B not in page and "Event B" not in page and "No link sent yet" in page
    assert alice.get(f"/studio/people/{gemma}/comment-access?event={two_events['b']}").status_code == 404
    assert GEMMA_AT_B not in alice.get(f"/studio/people/{gemma}/edit").get_data(as_text=True)

    # She can neither point B's grant at her own address nor revoke it.
    assert send_link(alice, gemma, ATTACKER, event_id=two_events["b"]).status_code == 404
    revoke_page = alice.get(f"/studio/people/{gemma}/comment-access").get_data(as_text=True)
    revoked = alice.post(
        f"/studio/people/{gemma}/comment-access/revoke?event={two_events['b']}",
        data={"csrf_token": csrf_token(revoke_page)},
    )
    assert revoked.status_code == 404
    # A link for her own event, mailed to herself, leaves Bob's link working ...
    assert send_link(alice, gemma, ATTACKER).status_code == 303
    [alices_link] = inbox.to(ATTACKER)
    gemmas_browser = app.test_client()
    open_link(gemmas_browser, bobs_link)

    # ... and gives her browser no voice on B's panel: that comment is an ordinary guest's, held.
    mallory = app.test_client()
    open_link(mallory, alices_link)
    assert "Commenting as" not in mallory.get(panel_url(two_events["panel_b"])).get_data(as_text=True)
    assert comment(app, mallory, two_events["panel_b"], "Posing as Gemma on B").status_code in (303, 200)
    posed = db.session.scalars(sa.select(Comment).where(Comment.body_source == "Posing as Gemma on B")).one()
    assert posed.panelist_id is None and posed.status is not CommentStatus.APPROVED
    # On her own event's panel the grant she sent works, as it should.
    assert "Commenting as <strong>Gemma Went</strong>" in mallory.get(panel_url(two_events["panel_a"])).get_data(
        as_text=True
    )

    # Gemma's own browser (Bob's link) speaks on B's panel, and Bob still sees his address.
    assert "Commenting as <strong>Gemma Went</strong>" in gemmas_browser.get(panel_url(two_events["panel_b"])).get_data(
        as_text=True
    )
    assert GEMMA_AT_B in bob.get(f"/studio/people/{gemma}/comment-access").get_data(as_text=True)


def test_one_browser_keeps_the_grants_of_two_events(app, two_events, inbox):
    alice, bob = signed_in(app, "alice@example.com"), signed_in(app, "bob@example.com")
    gemma = two_events["gemma"]
    send_link(alice, gemma, GEMMA_AT_B)
    send_link(bob, gemma, GEMMA_AT_B)
    browser = app.test_client()
    for message in inbox.to(GEMMA_AT_B):
        open_link(browser, message)
    for panel in (two_events["panel_a"], two_events["panel_b"]):
        assert "Commenting as <strong>Gemma Went</strong>" in browser.get(panel_url(panel)).get_data(as_text=True)
    # Bob's revoke ends B's grant only.
    page = bob.get(f"/studio/people/{gemma}/comment-access").get_data(as_text=True)
    bob.post(
        f"/studio/people/{gemma}/comment-access/revoke?event={two_events['b']}", data={"csrf_token": csrf_token(page)}
    )
    assert "Commenting as" not in browser.get(panel_url(two_events["panel_b"])).get_data(as_text=True)
    assert "Commenting as" in browser.get(panel_url(two_events["panel_a"])).get_data(as_text=True)
