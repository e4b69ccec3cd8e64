"""Events and panelists with no public panel are not public; organisers still see them."""

from __future__ import annotations

import io

import pytest

from eventsite.events.images import store_person_image
from eventsite.events.models import PanelStatus
from eventsite.extensions import db
from tests.conftest import png_bytes


@pytest.fixture
def draft_programme(make_event, make_panel, make_panelist):
    """An event whose only panel is a draft, with a seated panelist who has a portrait."""
    event = make_event("Secret Summit")
    panel = make_panel("Not announced yet", event=event, status=PanelStatus.DRAFT)
    person = make_panelist("Hidden Speaker", panel=panel)
    person.photo_key = store_person_image(person.id, "photo", io.BytesIO(png_bytes()), max_bytes=1 << 20)
    db.session.commit()
    return event, panel, person


def _urls(event, person) -> list[str]:
    return [
        f"/events/{event.slug}/",
        f"/people/{person.slug}/",
        f"/people/{person.slug}/photo",
        f"/people/{person.slug}/bird?size=96",
        f"/media/{person.photo_key}",
    ]


def test_nothing_of_a_draft_programme_is_public(client, draft_programme):
    event, _panel, person = draft_programme
    for url in _urls(event, person):
        assert client.get(url).status_code == 404, url
    home = client.get("/").get_data(as_text=True)
    assert "Secret Summit" not in home and "Hidden Speaker" not in home


def test_organisers_still_see_a_draft_programme(login, draft_programme):
    event, _panel, person = draft_programme
    organiser = login()
    for url in _urls(event, person):
        assert organiser.get(url).status_code == 200, url


def test_publishing_the_panel_makes_its_event_and_people_public(client, draft_programme):
    event, panel, person = draft_programme
    panel.status = PanelStatus.UNLISTED  # reachable by link: its page links to the event and the people
    db.session.commit()
    for url in _urls(event, person):
        assert client.get(url).status_code == 200, url
    assert "Secret Summit" not in client.get("/").get_data(as_text=True)  # listed panels only on the home page
    panel.status = PanelStatus.PUBLISHED
    db.session.commit()
    assert "Secret Summit" in client.get("/").get_data(as_text=True)


def test_old_slugs_of_hidden_events_and_people_do_not_redirect(client, login, draft_programme):
    from eventsite.events.models import SlugRedirect

    event, _panel, person = draft_programme
    db.session.add_all(
        [
            SlugRedirect(kind="event", old_slug="old-summit", target_id=event.id),
            SlugRedirect(kind="panelist", old_slug="old-speaker", target_id=person.id),
        ]
    )
    db.session.commit()
    # A redirect would tell the public the new name.
    assert client.get("/events/old-summit/").status_code == 404
    assert client.get("/people/old-speaker/").status_code == 404
    assert login().get("/events/old-summit/").status_code == 301
