"""Organisers create events, panels and panelists, seat people and publish."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from eventsite.events.models import Event, Panel, Panelist, PanelStatus, Seat
from eventsite.extensions import db
from eventsite.storage import media_store
from tests.conftest import csrf_token, png_bytes


@pytest.fixture
def studio(login):
    return login()


def post_form(client, url, data, page_url=None, **kwargs):
    token = csrf_token(client.get(page_url or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def test_create_event_then_panel_then_publish(studio, app_ctx):
    response = post_form(
        studio, "/studio/events/new", {"name": "Social Media Week", "place": "London", "host_organisation": "Likeminds"}
    )
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert (event.slug, event.host_organisation) == ("social-media-week", "Likeminds")

    response = post_form(
        studio,
        f"/studio/events/{event.id}/panels/new",
        {"title": "What is social influence?", "credits": "Video by Brass", "comments_open": "y"},
    )
    panel = db.session.scalar(sa.select(Panel))
    assert response.headers["Location"].endswith(f"/studio/panels/{panel.id}/")
    assert panel.status is PanelStatus.DRAFT
    public_url = "/events/social-media-week/what-is-social-influence/"
    anonymous = studio.application.test_client()
    assert anonymous.get(public_url).status_code == 404

    post_form(
        studio, f"/studio/panels/{panel.id}/publish", {"publish-status": "published"}, f"/studio/panels/{panel.id}/"
    )
    db.session.refresh(panel)
    assert panel.status is PanelStatus.PUBLISHED
    assert anonymous.get(public_url).status_code == 200


def test_scheduling_needs_a_time(studio, app_ctx, make_panel):
    panel = make_panel(status=PanelStatus.DRAFT)
    page = f"/studio/panels/{panel.id}/"
    response = post_form(studio, f"/studio/panels/{panel.id}/publish", {"publish-status": "scheduled"}, page)
    assert "Choose when the panel should be published." in studio.get(response.headers["Location"]).get_data(True)
    db.session.refresh(panel)
    assert panel.status is PanelStatus.DRAFT
    post_form(
        studio,
        f"/studio/panels/{panel.id}/publish",
        {"publish-status": "scheduled", "publish-publish_at": "2099-01-01T10:00"},
        page,
    )
    db.session.refresh(panel)
    assert panel.status is PanelStatus.SCHEDULED and panel.publish_at.year == 2099
    assert not panel.is_public()


def test_panelist_with_portrait_and_avatar(studio, app_ctx):
    response = post_form(
        studio,
        "/studio/people/new",
        {
            "name": "Gemma Went",
            "headline": "Consultant",
            "links": "https://example.org/gemma",
            "photo": (io.BytesIO(png_bytes((800, 600))), "me.png"),
            "avatar": (io.BytesIO(png_bytes()), "bird.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    person = db.session.scalar(sa.select(Panelist))
    assert person.photo_key.startswith(f"people/{person.id}/photo-") and person.photo_key.endswith(".jpg")
    assert media_store().exists(person.photo_key) and media_store().exists(person.avatar_key)
    assert "me.png" not in person.photo_key  # the client's file name never reaches the disk


def test_pdf_renamed_png_is_refused_and_nothing_saved(studio, app_ctx):
    response = post_form(
        studio,
        "/studio/people/new",
        {"name": "Mallory", "photo": (io.BytesIO(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), "portrait.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "not an image we can read" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Panelist.id))) == 0
    assert not list(media_store().iter_keys("people"))


def test_invalid_link_is_refused_with_a_message(studio, app_ctx):
    response = post_form(studio, "/studio/people/new", {"name": "Eve", "links": "javascript:alert(1)"})
    assert response.status_code == 200
    assert "is not a web address" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Panelist.id))) == 0


def test_seat_panelists_in_order_and_remove(studio, app_ctx, make_panel, make_panelist):
    panel = make_panel()
    gemma, azeem = make_panelist("Gemma Went"), make_panelist("Azeem Azhar")
    page = f"/studio/panels/{panel.id}/"
    url = f"/studio/panels/{panel.id}/seats"
    post_form(studio, url, {"seat-panelist_id": azeem.id, "seat-role": "panelist", "seat-position": 2}, page)
    post_form(studio, url, {"seat-panelist_id": gemma.id, "seat-role": "host", "seat-position": 1}, page)
    html = studio.get(f"/events/{panel.event.slug}/{panel.slug}/").get_data(as_text=True)
    assert html.index("Gemma Went") < html.index("Azeem Azhar")
    seat = db.session.scalar(sa.select(Seat).where(Seat.panelist_id == azeem.id))
    post_form(studio, f"/studio/seats/{seat.id}/delete", {}, page)
    assert "Azeem Azhar" not in studio.get(f"/events/{panel.event.slug}/{panel.slug}/").get_data(as_text=True)


def test_post_without_csrf_token_is_refused(studio, app_ctx):
    response = studio.post("/studio/events/new", data={"name": "No token"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_delete_event_removes_its_panels(studio, app_ctx, make_panel):
    panel = make_panel()
    post_form(studio, f"/studio/events/{panel.event_id}/delete", {}, "/studio/")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Panel.id))) == 0


def test_deleting_a_panel_removes_its_recordings_and_files(studio, app_ctx, make_panel, make_panelist, tmp_path):
    import shutil

    from eventsite.recordings.models import Caption, Chapter, Recording
    from eventsite.recordings.operations import store_original
    from tests.transcode.media import av_clip

    panel = make_panel()
    person = make_panelist("Matt Rhodes", panel=panel)
    upload = tmp_path / "upload.mp4"
    shutil.copy(av_clip(tmp_path / "clip.mp4", "256x144", 1, 25), upload)
    recording = store_original(upload, panel, "panel.mp4")
    media_store().save_bytes(f"recordings/{recording.id}/captions/en.vtt", b"WEBVTT\n")
    db.session.add_all(
        [
            Chapter(recording_id=recording.id, start=0, title="Intro", panelist_id=person.id),
            Caption(recording_id=recording.id, language="en", label="English", storage_key="x"),
        ]
    )
    db.session.commit()

    # Deleting the panelist keeps the chapter, without its speaker.
    post_form(studio, f"/studio/people/{person.id}/delete", {}, "/studio/people/")
    db.session.expire_all()
    assert db.session.scalar(sa.select(Chapter.panelist_id)) is None

    response = post_form(studio, f"/studio/panels/{panel.id}/delete", {}, f"/studio/panels/{panel.id}/")
    assert response.status_code == 302
    db.session.expire_all()
    for model in (Panel, Recording, Chapter, Caption):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model
    assert not list(media_store().iter_keys("recordings"))


def _guide(title: str, **scope):
    """A free-guide offer with a real PDF (Pillow writes it), scoped like ``scope``."""
    from PIL import Image

    from eventsite.offers.operations import OfferFields, save_offer

    pdf = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(pdf, "PDF")
    pdf.seek(0)
    fields = OfferFields(title=title, pitch="Five habits.", button_text="It's free!", consent_text="Yes.", **scope)
    return save_offer(fields, upload=pdf)


def test_deleting_an_event_removes_its_free_guides_and_keeps_the_rest(studio, app_ctx, make_panel):
    from eventsite.offers.models import Offer

    panel = make_panel()
    for_panel = _guide("For the panel", panel_id=panel.id, event_id=None)
    for_event = _guide("For the event", panel_id=None, event_id=panel.event_id)
    everywhere = _guide("On every panel", panel_id=None, event_id=None)
    kept_key = everywhere.file_key
    assert media_store().exists(for_panel.file_key) and media_store().exists(for_event.file_key)

    post_form(studio, f"/studio/events/{panel.event_id}/delete", {}, "/studio/")

    db.session.expire_all()
    assert db.session.scalars(sa.select(Offer.title)).all() == ["On every panel"]
    assert list(media_store().iter_keys("offers")) == [kept_key]


def test_deleting_a_panel_removes_the_guide_offered_beside_it(studio, app_ctx, make_panel):
    panel = make_panel()
    key = _guide("For the panel", panel_id=panel.id, event_id=None).file_key

    post_form(studio, f"/studio/panels/{panel.id}/delete", {}, f"/studio/panels/{panel.id}/")

    assert not media_store().exists(key)


def test_deleting_a_person_removes_their_portrait_avatar_and_drawn_birds(studio, app_ctx):
    from eventsite.events.birds import bird_portrait_key

    post_form(
        studio,
        "/studio/people/new",
        {"name": "Azeem Azhar", "photo": (io.BytesIO(png_bytes((800, 600))), "me.png")},
        content_type="multipart/form-data",
    )
    person = db.session.scalar(sa.select(Panelist))
    bird = bird_portrait_key(person, 96)
    assert media_store().exists(bird) and media_store().exists(person.photo_key)

    post_form(studio, f"/studio/people/{person.id}/delete", {}, "/studio/people/")

    assert not list(media_store().iter_keys("people"))
