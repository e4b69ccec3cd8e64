"""Slugs: readable, unique, and old links keep working after a rename."""

from __future__ import annotations

import pytest

from eventsite.events.models import Event, Panel
from eventsite.events.slugs import make_slug, rename, unique_slug
from eventsite.extensions import db
from eventsite.studio.operations import save_event, save_panel


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("What is social influence?", "what-is-social-influence"),
        ("Café & Crème: 2026!", "cafe-creme-2026"),
        ("   ", "untitled"),
        ("../../etc/passwd", "etc-passwd"),
        ("x" * 300, "x" * 80),
    ],
)
def test_make_slug(text, slug):
    assert make_slug(text) == slug


def test_unique_slug_counts_up(app_ctx, make_event):
    make_event("Social Media Week")
    assert unique_slug(Event, "Social Media Week") == "social-media-week-2"


def test_panel_slugs_are_unique_per_event_only(app_ctx, make_event, make_panel):
    first, second = make_event("One"), make_event("Two")
    make_panel("Keynote", event=first)
    assert unique_slug(Panel, "Keynote", event_id=first.id) == "keynote-2"
    assert unique_slug(Panel, "Keynote", event_id=second.id) == "keynote"


def test_renamed_panel_keeps_its_old_url(client, app_ctx, make_panel):
    panel = make_panel("What is social influence?")
    old_url = f"/events/{panel.event.slug}/{panel.slug}/"
    save_panel({"title": "What is influence, really?"}, panel.event, panel)
    response = client.get(old_url)
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/what-is-influence-really/")
    assert client.get(response.headers["Location"]).status_code == 200


def test_renamed_event_redirects_event_and_panel_urls(client, app_ctx, make_panel):
    panel = make_panel()
    event = panel.event
    save_event({"name": "SMW London"}, event)
    assert client.get("/events/social-media-week/").headers["Location"].endswith("/events/smw-london/")
    moved = client.get(f"/events/social-media-week/{panel.slug}/")
    assert moved.headers["Location"].endswith(f"/events/smw-london/{panel.slug}/")


def test_renaming_back_reuses_the_slug(client, app_ctx, make_event, make_panel):
    event = make_event("Alpha")
    make_panel(event=event)  # an event is public once it has a public panel
    save_event({"name": "Beta"}, event)
    save_event({"name": "Alpha"}, event)
    db.session.refresh(event)
    assert event.slug == "alpha"
    assert client.get("/events/alpha/").status_code == 200
    assert client.get("/events/beta/").status_code == 301


def test_a_renamed_person_keeps_their_old_urls_once_public(client, app_ctx, make_panel, make_panelist):
    seated, unseated = make_panelist("Gemma Went", panel=make_panel()), make_panelist("Nobody Yet")
    rename(seated, "Gemma Went-Smith")
    rename(unseated, "Nobody Else")
    db.session.commit()
    assert client.get("/people/gemma-went/").headers["Location"].endswith("/people/gemma-went-smith/")
    assert client.get("/api/v1/panelists/gemma-went").headers["Location"].endswith("/api/v1/panelists/gemma-went-smith")
    # no public panel: the old link says nothing, not even that the person was renamed
    assert client.get("/people/nobody-yet/").status_code == 404
    assert client.get("/api/v1/panelists/nobody-yet").status_code == 404
