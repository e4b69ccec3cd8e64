"""The public JSON API: what it shows, what it never shows, paging, ETags, CORS and errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from eventsite.discussion.models import Comment, CommentStatus
from eventsite.events import slugs
from eventsite.events.models import Consent, PanelStatus, SeatRole
from eventsite.extensions import db


def get(client, path, **kwargs):
    response = client.get("/api/v1" + path, **kwargs)
    assert response.mimetype == "application/json", (response.status_code, response.data[:200])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response


def comment(panel, body, status=CommentStatus.APPROVED, parent=None, email="anne@example.com", **kwargs):
    row = Comment(
        panel=panel,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        author_name=kwargs.pop("name", "Anne"),
        author_email=email,
        body_source=body,
        body_html=f"<p>{body}</p>",
        status=status,
        **kwargs,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def site(make_event, make_panel, make_panelist, add_ready_recording):
    """A listed ready panel with a host and a panelist, and panels the public must not see in lists."""
    event = make_event(place="London", host_organisation="Likeminds")
    panel = make_panel(event=event, abstract="How *influence* spreads.", credits="Video by Brass")
    make_panelist("Gemma Went", panel=panel, role=SeatRole.HOST, headline="Founder")
    make_panelist("Azeem Azhar", panel=panel, position=1)
    add_ready_recording(panel)
    make_panel("Unlisted talk", event=event, status=PanelStatus.UNLISTED)
    draft = make_panel("Secret draft", event=event, status=PanelStatus.DRAFT)
    make_panelist("Dora Draft", panel=draft)
    make_panel("Next year", event=event, status=PanelStatus.SCHEDULED, publish_at=datetime.now(UTC) + timedelta(days=9))
    return panel


def test_events_and_an_event_with_its_listed_panels(client, site):
    events = get(client, "/events").get_json()
    assert events["total"] == 1 and events["next"] is None
    (summary,) = events["items"]
    assert summary["name"] == "Social Media Week" and summary["panel_count"] == 1
    assert summary["podcast_url"] == "http://localhost/events/social-media-week/podcast.xml"
    event = get(client, "/events/social-media-week").get_json()
    assert event["host_organisation"] == "Likeminds"
    assert [p["title"] for p in event["panels"]] == ["What is social influence?"]
    assert [(p["name"], p["role"]) for p in event["panels"][0]["panelists"]] == [
        ("Gemma Went", "host"),
        ("Azeem Azhar", "panelist"),
    ]


def test_panel_detail_has_what_the_page_offers(client, site):
    data = get(client, f"/events/social-media-week/panels/{site.slug}").get_json()
    assert data["abstract_html"] == "<p>How <em>influence</em> spreads.</p>\n"
    assert data["credits"] == ["Video by Brass"]
    media = data["media"]
    assert media["duration"] == pytest.approx(6, abs=0.2) and media["duration_clock"] == "0:06"
    assert [v["view"] for v in media["views"]] == ["video", "cartoon", "audio"]
    assert media["views"][0]["hls_url"].endswith("master.m3u8")
    assert {d["type"] for d in media["downloads"]} == {"video/mp4", "audio/mp4"}
    (caption,) = media["captions"]
    assert caption["language"] == "en"
    assert [(c["clock"], c["title"]) for c in media["chapters"]] == [("0:00", "Welcome"), ("0:03", "Influence")]
    # Every URL it names is served to the public.
    for url in [
        caption["url"],
        media["chapters_url"],
        media["poster_url"],
        *[d["url"] for d in media["downloads"]],
        *[v["file_url"] for v in media["views"]],
        *[p["portrait_url"] for p in data["panelists"]],
    ]:
        assert client.get(url.removeprefix("http://localhost")).status_code in (200, 206), url


def test_no_view_a_panelist_did_not_agree_to(client, app_ctx, make_panel, make_panelist, add_ready_recording):
    panel = make_panel()
    make_panelist("Gemma Went", panel=panel, consent=Consent.BIRD)
    recording = add_ready_recording(panel)
    response = get(client, f"/events/{panel.event.slug}/panels/{panel.slug}")
    media = response.get_json()["media"]
    assert [v["view"] for v in media["views"]] == ["audio"]
    assert [d["type"] for d in media["downloads"]] == ["audio/mp4"] and media["poster_url"] is None
    camera = [r.storage_key for r in recording.renditions if r.kind.value in ("mp4", "hls", "poster", "cartoon")]
    assert camera and not any(key in response.get_data(as_text=True) for key in camera)


def test_downloads_off_leaves_streams_only(client, app_ctx, site):
    site.downloads_enabled = False
    db.session.commit()
    response = get(client, f"/events/social-media-week/panels/{site.slug}")
    media = response.get_json()["media"]
    assert media["downloads"] == []
    assert [v["view"] for v in media["views"]] == ["video"]
    assert media["views"][0]["hls_url"].endswith("master.m3u8")
    body = response.get_data(as_text=True)
    assert ".mp4" not in body and ".m4a" not in body


def test_lists_never_show_drafts_unlisted_or_future_panels(client, app_ctx, site, login):
    login()  # even an organiser's API answers are the public's
    panels = get(client, "/panels").get_json()
    assert [p["title"] for p in panels["items"]] == ["What is social influence?"]
    people = get(client, "/panelists").get_json()
    assert [p["name"] for p in people["items"]] == ["Azeem Azhar", "Gemma Went"]
    assert get(client, "/events/social-media-week/panels/unlisted-talk").status_code == 200
    for slug in ("secret-draft", "next-year"):
        missing = get(client, f"/events/social-media-week/panels/{slug}")
        assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404
        assert get(client, f"/events/social-media-week/panels/{slug}/comments").status_code == 404
    # Somebody seated only on a draft is not public yet.
    assert get(client, "/panelists/dora-draft").status_code == 404
    assert get(client, "/panelists/gemma-went").get_json()["headline"] == "Founder"


def test_an_event_with_only_drafts_is_not_public(client, app_ctx, site, make_event, make_panel):
    hidden = make_event("Next Summit")
    make_panel("Keynote", event=hidden, status=PanelStatus.DRAFT)
    assert [e["name"] for e in get(client, "/events").get_json()["items"]] == ["Social Media Week"]
    assert get(client, f"/events/{hidden.slug}").status_code == 404


def test_comments_are_the_approved_ones_without_email_addresses(client, app_ctx, site):
    first = comment(site, "Great panel", video_time=75.0)
    comment(site, "Agreed", parent=first, name="Ben", email="ben@example.com", author_website="https://ben.example")
    held = comment(site, "Buy pills", status=CommentStatus.PENDING, email="spam@example.com")
    comment(site, "Reply to held", parent=held)
    comment(site, "Spam", status=CommentStatus.SPAM)
    comment(site, "Removed", deleted=True)
    response = get(client, f"/events/social-media-week/panels/{site.slug}/comments")
    items = response.get_json()["items"]
    assert [c["body_html"] for c in items] == ["<p>Great panel</p>", "<p>Agreed</p>", "<p>Reply to held</p>"]
    assert items[0]["video_time"] == 75.0 and items[0]["parent_id"] is None
    assert items[1]["parent_id"] == first.id and items[1]["author_website"] == "https://ben.example"
    assert items[2]["parent_id"] is None  # its parent is held: not even its id shows
    assert "@example.com" not in response.get_data(as_text=True)
    assert client.get(items[0]["url"].removeprefix("http://localhost")).status_code == 302
    assert get(client, f"/events/social-media-week/panels/{site.slug}").get_json()["comment_count"] == 3


def test_pages_with_link_header_next_and_capped_per_page(client, make_event, make_panel):
    for n in range(5):
        make_panel(f"Talk {n}", event=make_event(f"Event {n}"))
    first = get(client, "/events?per_page=2")
    body = first.get_json()
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 2, 5, 3)
    assert body["next"] == "http://localhost/api/v1/events?page=2&per_page=2" and body["prev"] is None
    assert '<http://localhost/api/v1/events?page=2&per_page=2>; rel="next"' in first.headers["Link"]
    assert 'rel="last"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
    last = get(client, "/events?page=3&per_page=2").get_json()
    assert len(last["items"]) == 1 and last["next"] is None and last["prev"].endswith("page=2&per_page=2")
    assert get(client, "/events?page=9").get_json()["items"] == []
    assert get(client, "/events?per_page=5000").get_json()["per_page"] == 100
    for bad in ("page=0", "page=-1", "page=abc", "per_page=0", "page=100001", "page=1e3"):
        response = get(client, f"/events?{bad}")
        assert (
            response.status_code == 400
            and "whole number" in response.get_json()["error"]["message"]
            or ("at most" in response.get_json()["error"]["message"])
        ), bad


def test_etag_answers_304_until_something_changes(client, app_ctx, site):
    path = f"/events/social-media-week/panels/{site.slug}"
    first = get(client, path)
    etag = first.headers["ETag"]
    again = client.get("/api/v1" + path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    site.title = "A new title"
    db.session.commit()
    assert client.get("/api/v1" + path, headers={"If-None-Match": etag}).status_code == 200


def test_cors_preflight_allows_get_with_if_none_match(client, site):
    response = client.options(
        "/api/v1/panels",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "ETag" in get(client, "/panels").headers["Access-Control-Expose-Headers"]


def test_old_slugs_redirect_and_unknown_addresses_are_json_404s(client, app_ctx, site, make_panelist):
    old_event, old_panel = site.event.slug, site.slug
    slugs.rename(site.event, "SMW London")
    slugs.rename(site, "Influence revisited")
    db.session.commit()
    moved = client.get(f"/api/v1/events/{old_event}/panels/{old_panel}/comments?page=1")
    assert moved.status_code == 301
    assert moved.location.endswith("/api/v1/events/smw-london/panels/influence-revisited/comments?page=1")
    assert client.get(f"/api/v1/events/{old_event}").location.endswith("/api/v1/events/smw-london")
    # A query string naming a path part changes nothing (and breaks nothing).
    tricky = client.get(f"/api/v1/events/{old_event}?event_slug=other")
    assert tricky.status_code == 301 and tricky.location.endswith("/api/v1/events/smw-london")
    comments = get(client, "/events/smw-london/panels/influence-revisited/comments?event_slug=x&per_page=1")
    assert comments.get_json()["items"] == [] and "/events/smw-london/panels/" in comments.headers["Link"]
    for path in ("/events/nope", "/panelists/nobody", "/nothing/here", "/events/smw-london/panels/nope"):
        response = get(client, path)
        assert response.status_code == 404 and json.loads(response.data)["error"]["message"]


def test_docs_page_lists_the_endpoints_and_the_document_is_openapi_3_1(client):
    page = client.get("/api/v1/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for path in ("/events", "/events/{event_slug}/panels/{panel_slug}/comments", "/panelists/{panelist_slug}"):
        assert f"GET {path}" in html
    spec = get(client, "/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0" and spec["servers"] == [{"url": "http://localhost/api/v1"}]
    assert "author_email" not in json.dumps(spec)
