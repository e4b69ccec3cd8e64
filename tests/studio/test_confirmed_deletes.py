"""Deleting an event or a panel asks first, and says what goes with it; in Chromium at
desktop and phone sizes (axe on the confirmation page), and over HTTP for the counts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsite.clips.models import Clip, ClipShape
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.events.models import Event, Panel, View
from eventsite.extensions import db
from tests.browser_steps import sign_in
from tests.conftest import assert_no_axe_violations, csrf_token


@pytest.fixture
def full_event(make_event, make_panel, add_ready_recording):
    """An event with two panels; one has a recording, two comments and a quote clip."""
    event = make_event("Social Media Week")
    panel = make_panel("What is social influence?", event=event)
    make_panel("Measuring influence", event=event)
    recording = add_ready_recording(panel, captions=False, chapters=None)
    for n in range(2):
        db.session.add(
            Comment(panel_id=panel.id, depth=1, author_name="Ana", author_email=f"a{n}@example.com",
                    body_source="Hi", body_html="<p>Hi</p>", status=CommentStatus.APPROVED)
        )  # fmt: skip
    db.session.add(Clip(recording=recording, start_ms=0, end_ms=3000, view=View.VIDEO, shape=ClipShape.SQUARE))
    db.session.commit()
    return event, panel


def test_opening_delete_deletes_nothing_and_counts_what_would_go(login, full_event):
    event, panel = full_event
    client = login()
    page = client.get(f"/studio/events/{event.id}/delete").get_data(as_text=True)
    assert "Delete the event “Social Media Week”?" in page
    for line in ("2 panels", "1 recording with", "2 comments from visitors", "1 quote clip"):
        assert line in page
    page = client.get(f"/studio/panels/{panel.id}/delete").get_data(as_text=True)
    assert (
        "1 recording with" in page and "2 comments" in page and "panels" not in page.split("<h1>")[1].split("</ul>")[0]
    )
    assert db.session.get(Event, event.id) and db.session.get(Panel, panel.id)  # asking deleted nothing

    panel_id = panel.id
    response = client.post(f"/studio/panels/{panel_id}/delete", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Panel, panel_id) is None and db.session.scalar(db.select(db.func.count(Clip.id))) == 0


def test_an_empty_panel_says_it_has_nothing_to_lose(login, make_panel):
    client = login()
    panel = make_panel("Empty")
    assert "It has no recordings, comments or clips yet." in client.get(f"/studio/panels/{panel.id}/delete").text


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_delete_event_and_delete_panel_ask_first(page, make_organiser, full_event, size):
    event_id, panel_id = (row.id for row in full_event)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    make_organiser()
    sign_in(page)
    page.get_by_role("link", name="Delete event…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the event “Social Media Week”?")
    expect(page.locator(".loss-list")).to_contain_text("2 panels")
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Keep it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Studio")
    assert_no_axe_violations(page)  # the dashboard, with its "Delete event…" links

    page.get_by_role("link", name="What is social influence?").click()
    page.get_by_role("link", name="Delete panel…").click()
    expect(page.locator(".loss-list")).to_contain_text("1 recording")
    expect(page.locator(".loss-list")).to_contain_text("2 comments")
    page.get_by_role("button", name="Delete the panel and all of this").click()
    expect(page.get_by_text("Panel “What is social influence?” deleted.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Panel, panel_id) is None and db.session.get(Event, event_id) is not None
