"""Public pages: what visitors see, and what they must not see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventsite.events.models import PanelStatus, SeatRole


def test_home_lists_published_panels_and_events(client, make_panel):
    make_panel("What is social influence?")
    html = client.get("/").get_data(as_text=True)
    assert "What is social influence?" in html
    assert "Social Media Week" in html


@pytest.mark.parametrize(
    ("status", "publish_offset", "listed", "reachable"),
    [
        (PanelStatus.DRAFT, None, False, False),
        (PanelStatus.PUBLISHED, -1, True, True),
        (PanelStatus.UNLISTED, None, False, True),
        (PanelStatus.SCHEDULED, +1, False, False),
        (PanelStatus.SCHEDULED, -1, True, True),
    ],
)
def test_visibility_for_the_public(client, make_panel, status, publish_offset, listed, reachable):
    publish_at = None
    if publish_offset is not None:
        publish_at = datetime.now(UTC) + timedelta(hours=publish_offset)
    panel = make_panel("Secret plans", status=status, publish_at=publish_at)
    url = f"/events/{panel.event.slug}/{panel.slug}/"
    assert ("Secret plans" in client.get("/").get_data(as_text=True)) is listed
    assert ("Secret plans" in client.get(f"/events/{panel.event.slug}/").get_data(as_text=True)) is listed
    assert client.get(url).status_code == (200 if reachable else 404)


def test_organiser_can_preview_a_draft(client, login, make_panel):
    panel = make_panel("Draft panel", status=PanelStatus.DRAFT)
    login()
    response = client.get(f"/events/{panel.event.slug}/{panel.slug}/")
    assert response.status_code == 200
    assert "Preview: this panel is" in response.get_data(as_text=True)


def test_panel_page_shows_people_roles_credits_and_markdown(client, make_panel, make_panelist):
    panel = make_panel(
        abstract="Influence is *hard* to measure.\n\n<script>alert(1)</script>",
        credits="Hosted by Likeminds\nVideo by Brass",
        venue="Likeminds, London",
    )
    make_panelist("Gemma Went", panel=panel, role=SeatRole.HOST, headline="Consultant")
    make_panelist("Azeem Azhar", panel=panel, position=1)
    html = client.get(f"/events/{panel.event.slug}/{panel.slug}/").get_data(as_text=True)
    assert "<em>hard</em>" in html
    assert "<script>alert(1)</script>" not in html
    assert "Hosted by Likeminds" in html and "Video by Brass" in html
    assert html.index("Gemma Went") < html.index("Azeem Azhar")
    assert ">Host<" in html
    assert 'href="/people/gemma-went/"' in html


def test_panelist_page_lists_only_public_panels(client, make_panel, make_panelist, make_event):
    event = make_event("Conf")
    public = make_panel("Open talk", event=event)
    draft = make_panel("Hidden talk", event=event, status=PanelStatus.DRAFT)
    person = make_panelist(
        "Joanne Jacobs", panel=public, bio="Researches **social** tech.", links="https://example.org"
    )
    from eventsite.studio.operations import seat_panelist

    seat_panelist(draft, person, SeatRole.PANELIST, 0)
    html = client.get("/people/joanne-jacobs/").get_data(as_text=True)
    assert "Open talk" in html and "Hidden talk" not in html
    assert "<strong>social</strong>" in html
    assert 'href="https://example.org"' in html


def test_every_page_has_social_card_tags(client, make_panel, make_panelist):
    panel = make_panel(abstract="About influence.")
    make_panelist("Gemma Went", panel=panel)
    for url in [
        "/",
        f"/events/{panel.event.slug}/",
        f"/events/{panel.event.slug}/{panel.slug}/",
        "/people/gemma-went/",
    ]:
        html = client.get(url).get_data(as_text=True)
        for tag in ('property="og:title"', 'property="og:url"', 'property="og:description"', 'name="twitter:card"'):
            assert tag in html, (url, tag)
    panel_html = client.get(f"/events/{panel.event.slug}/{panel.slug}/").get_data(as_text=True)
    assert '<meta property="og:title" content="What is social influence?">' in panel_html


def test_not_found_page_is_friendly(client):
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "Go to the home page" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_portrait_is_served_and_missing_one_is_404(client, make_panelist, make_panel, app):
    from io import BytesIO

    from eventsite.events.images import store_person_image
    from eventsite.extensions import db
    from tests.conftest import png_bytes

    person = make_panelist("Matt Rhodes", panel=make_panel())  # seated on a public panel: a public person
    person.photo_key = store_person_image(person.id, "photo", BytesIO(png_bytes()), max_bytes=10**6)
    db.session.commit()
    response = client.get("/people/matt-rhodes/photo")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"  # opaque images are re-encoded as JPEG
    assert client.get("/people/matt-rhodes/avatar").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/studio/panels/99999999999999999999/",
        "/comments/99999999999999999999/edit",
        "/captions/99999999999999999999.vtt",
        "/oembed?url=http://localhost/events/x/y/&maxwidth=%C2%B2",
    ],
)
def test_absurd_numbers_are_not_found_rather_than_errors(client, url):
    assert client.get(url).status_code in (302, 404)


def test_old_slug_of_a_draft_does_not_reveal_its_new_title(client, app_ctx, make_panel):
    from eventsite.studio.operations import save_panel

    panel = make_panel("Secret plans", status=PanelStatus.DRAFT)
    save_panel({"title": "Renamed secret plans"}, panel.event, panel)
    response = client.get(f"/events/{panel.event.slug}/secret-plans/")
    assert response.status_code == 404
    assert "renamed" not in response.headers.get("Location", "")
