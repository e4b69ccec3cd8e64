""" "Downloads off" means streaming only: no MP4 or audio file reaches the public anywhere."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from eventsite.extensions import db
from tests.conftest import assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for, wait_for_player

#: A whole-file URL of a rendition set: an MP4 (not an HLS init segment) or the sound.
WHOLE_FILE = re.compile(r"/renditions/(?:mp4/|cartoon/|flock/flock)[^\"' <]*\.mp4|audio\.m4a")


@pytest.fixture
def streaming_panel(ready_panel):
    ready_panel.downloads_enabled = False
    db.session.commit()
    return ready_panel


def test_page_embed_and_json_ld_carry_no_file_urls(client, streaming_panel):
    page = client.get(panel_path(streaming_panel)).get_data(as_text=True)
    assert not WHOLE_FILE.search(page), WHOLE_FILE.search(page)
    assert 'property="og:video"' not in page and "twitter:player:stream" not in page
    assert '<source src="/media/recordings/' in page and 'type="application/vnd.apple.mpegurl"' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert "contentUrl" not in ld and ld["embedUrl"].startswith("http://localhost/embed/")
    config = json.loads(re.search(r'id="player-config">(.*?)</script>', page, re.S).group(1))
    assert config["hls"].endswith("master.m3u8") and set(config["views"]) == {"video"}
    assert [q["height"] for q in config["qualities"]] == [240, 144]
    embed = client.get(f"/embed/{streaming_panel.event.slug}/{streaming_panel.slug}/").get_data(as_text=True)
    assert not WHOLE_FILE.search(embed) and "master.m3u8" in embed


def test_sitemap_and_oembed_carry_no_file_urls(client, streaming_panel):
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "<video:player_loc>" in sitemap and "content_loc" not in sitemap
    assert not WHOLE_FILE.search(sitemap)
    oembed = client.get("/oembed", query_string={"url": "http://localhost" + panel_path(streaming_panel)})
    assert oembed.status_code == 200 and not WHOLE_FILE.search(oembed.get_data(as_text=True))


def test_whole_files_are_404_for_the_public_and_streams_still_play(client, login, streaming_panel):
    renditions = streaming_panel.recordings[0].renditions
    files = [f"/media/{r.storage_key}" for r in renditions if r.kind.value in ("mp4", "cartoon", "audio")]
    assert len(files) == 4
    for url in files:
        assert client.get(url).status_code == 404, url
    master = next(r.storage_key for r in renditions if r.kind.value == "hls")
    playlist = client.get(f"/media/{master}")
    assert playlist.status_code == 200
    variant = next(line for line in playlist.get_data(as_text=True).splitlines() if line.endswith(".m3u8"))
    folder = master.rsplit("/", 1)[0]
    variant_text = client.get(f"/media/{folder}/{variant}").get_data(as_text=True)
    init = re.search(r'URI="([^"]+)"', variant_text).group(1)  # the fMP4 init segment is an .mp4, and streams
    base = f"/media/{folder}/{variant.rsplit('/', 1)[0]}"
    assert client.get(f"{base}/{init}").status_code == 200
    organiser = login()
    for url in files:
        assert organiser.get(url).status_code in (200, 206), url


def test_downloads_on_keeps_the_files(client, ready_panel):
    page = client.get(panel_path(ready_panel)).get_data(as_text=True)
    assert WHOLE_FILE.search(page) and 'property="og:video"' in page


@pytest.mark.browser
def test_streaming_only_plays_in_chromium_and_passes_axe(page, streaming_panel):
    page.goto(panel_path(streaming_panel))
    wait_for_player(page)
    assert page.evaluate("eventsitePlayer.video.currentSrc").startswith("blob:")
    page.get_by_role("button", name="Play", exact=True).first.click()
    wait_for(page, "eventsitePlayer.video.currentTime > 0.5")
    expect(page.locator(".player-downloads")).to_have_count(0)
    assert_no_axe_violations(page)
    page.screenshot(path="/tmp/security-streaming-only.png", full_page=False)


@pytest.mark.browser
def test_without_javascript_the_page_says_the_video_needs_it(browser, live_server, streaming_panel):
    from tests.conftest import CHROMIUM

    # Script turned off in Blink's settings, as a visitor would: Playwright's own switch
    # only stops scripts from running and still hides <noscript>.
    no_script = browser.browser_type.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--blink-settings=scriptEnabled=false"]
    )
    try:
        page = no_script.new_page(base_url=live_server)
        page.goto(panel_path(streaming_panel))
        sources = page.locator("video source")
        assert sources.count() == 1 and sources.first.get_attribute("type") == "application/vnd.apple.mpegurl"
        # Rendered text (Playwright's text locators skip <noscript> whatever the setting).
        assert "This video is streamed only: it needs JavaScript" in page.inner_text(".player")
        assert page.locator("video").get_attribute("poster").endswith("poster.jpg")
        page.screenshot(path="/tmp/security-streaming-only-nojs.png", full_page=False)
    finally:
        no_script.close()
