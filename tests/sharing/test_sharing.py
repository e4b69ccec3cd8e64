"""oEmbed, the embed page, social cards, JSON-LD, the sitemap and the placeholder."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pytest

from eventsite.events.models import PanelStatus
from eventsite.extensions import db
from tests.conftest import csrf_token
from tests.ready_panel import panel_path


def oembed(client, url, **params):
    return client.get("/oembed", query_string={"url": url, **params})


def test_oembed_json_follows_the_spec(client, ready_panel):
    response = oembed(client, "http://localhost" + panel_path(ready_panel), format="json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["version"] == "1.0" and data["type"] == "video"
    assert data["provider_name"] == "eventsite" and data["title"] == ready_panel.title
    assert isinstance(data["width"], int) and isinstance(data["height"], int)
    assert (data["width"], data["height"]) == (640, 480)  # the clip is 4:3
    assert (
        data["html"].startswith("<iframe ") and f'src="http://localhost/embed/{ready_panel.event.slug}/' in data["html"]
    )
    assert data["thumbnail_url"].endswith("poster.jpg") and data["thumbnail_width"] and data["thumbnail_height"]


def test_oembed_respects_maxwidth_and_maxheight(client, ready_panel):
    url = "http://localhost" + panel_path(ready_panel)
    assert oembed(client, url, maxwidth=320).get_json()["width"] == 320
    data = oembed(client, url, maxwidth=800, maxheight=300).get_json()
    assert data["height"] <= 300 and data["width"] == 400


def test_oembed_accepts_embed_urls(client, ready_panel):
    url = f"http://localhost/embed/{ready_panel.event.slug}/{ready_panel.slug}/"
    assert oembed(client, url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/events/nope/nope/",
        "http://elsewhere.example/events/x/y/",
        "http://localhost/",
        "javascript:alert(1)",
        "",
    ],
)
def test_oembed_404_for_unknown_urls(client, ready_panel, url):
    assert oembed(client, url).status_code == 404


def test_oembed_xml_is_not_implemented(client, ready_panel):
    assert oembed(client, "http://localhost" + panel_path(ready_panel), format="xml").status_code == 501


def test_oembed_hides_unpublished_panels(client, app_ctx, ready_panel):
    ready_panel.status = PanelStatus.DRAFT
    db.session.commit()
    assert oembed(client, "http://localhost" + panel_path(ready_panel)).status_code == 404


def test_embed_page_may_be_framed_and_panel_page_may_not(client, ready_panel):
    embed = client.get(f"/embed/{ready_panel.event.slug}/{ready_panel.slug}/?t=3")
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert "script-src 'self'" in embed.headers["Content-Security-Policy"]
    assert "#t=3" in embed.get_data(as_text=True)
    page = client.get(panel_path(ready_panel))
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_panel_page_has_discovery_and_social_cards(client, ready_panel):
    html = client.get(panel_path(ready_panel)).get_data(as_text=True)
    assert 'type="application/json+oembed"' in html
    assert '<meta property="og:video" content="http://localhost/media/' in html
    assert '<meta name="twitter:card" content="player">' in html
    assert '<meta name="twitter:player" content="http://localhost/embed/' in html
    assert "style=" not in html and "<style" not in html


def test_json_ld_parses_and_names_the_duration(client, ready_panel):
    html = client.get(panel_path(ready_panel)).get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "VideoObject" and data["name"] == ready_panel.title
    assert data["duration"] == "PT6S"
    assert data["thumbnailUrl"][0].endswith("poster.jpg") and data["uploadDate"].startswith("2020-01-01")
    assert [(c["name"], c["startOffset"], c["endOffset"]) for c in data["hasPart"]] == [
        ("Welcome", 0, 3),
        ("Influence", 3, 6),
    ]
    assert data["transcript"].startswith("Welcome to the panel.")


def test_sitemap_lists_panels_with_video(client, ready_panel, make_panel):
    make_panel("A draft", status=PanelStatus.DRAFT)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "v": "http://www.google.com/schemas/sitemap-video/1.1"}
    locs = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert "http://localhost" + panel_path(ready_panel) in locs
    assert not any("a-draft" in loc for loc in locs)
    video = root.find("s:url/v:video", ns)
    assert video.find("v:duration", ns).text == "6"
    assert video.find("v:player_loc", ns).text.startswith("http://localhost/embed/")


def test_panel_without_ready_recording_keeps_the_placeholder(client, app_ctx, make_panel, add_ready_recording):
    from eventsite.recordings.models import RecordingStatus

    panel = make_panel()
    assert "The video of this panel will appear here." in client.get(panel_path(panel)).get_data(as_text=True)
    recording = add_ready_recording(panel, captions=False, chapters=None)
    recording.status = RecordingStatus.PROCESSING
    db.session.commit()
    html = client.get(panel_path(panel)).get_data(as_text=True)
    assert "The video of this panel will appear here." in html and "<video" not in html
    assert oembed(client, "http://localhost" + panel_path(panel)).status_code == 404


def test_downloads_can_be_turned_off(login, ready_panel):
    client = login()
    assert "download>Video, 240p" in client.get(panel_path(ready_panel)).get_data(as_text=True)
    page = client.get(f"/studio/panels/{ready_panel.id}/media").get_data(as_text=True)
    response = client.post(f"/studio/panels/{ready_panel.id}/downloads", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    html = client.get(panel_path(ready_panel)).get_data(as_text=True)
    # No video or sound file to download (the transcript's text files stay).
    assert "download>Video" not in html and ".mp4" not in html and "audio.m4a" not in html and "<video" in html


def test_panel_without_captions_or_chapters_still_plays(client, make_panel, add_ready_recording):
    panel = make_panel()
    add_ready_recording(panel, captions=False, chapters=None)
    html = client.get(panel_path(panel)).get_data(as_text=True)
    assert "<video" in html and "Chapters" not in html and "Transcript" not in html
