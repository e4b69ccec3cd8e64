"""Watching with object storage, in Chromium: ``/media/`` redirects to the bucket
(moto's S3 server on loopback), which answers ranges itself; hls.js and the
MP4 fallback both play and seek, and the page's CSP lets the bucket's origin in."""

from __future__ import annotations

import pytest

from eventsite.storage import media_store
from tests.ready_panel import panel_path, wait_for
from tests.recordings.test_player_browser import console, open_player, play  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def bucket_panel(app, ready_panel, s3_store):
    """The ready panel with every file of its recording moved into the bucket, served from there."""
    local = media_store()
    for key in local.iter_keys("recordings"):
        with local.open(key) as stream:
            s3_store.save(key, stream)
    local.delete("recordings")
    app.extensions["media_store"] = s3_store
    return ready_panel


def bucket_requests(page, s3_server) -> list[str]:
    seen: list[str] = []
    page.on("response", lambda r: seen.append(f"{r.status} {r.url}") if r.url.startswith(s3_server) else None)
    return seen


def test_hls_from_the_bucket_plays_and_seeks(page, bucket_panel, s3_server, console):  # noqa: F811
    seen = bucket_requests(page, s3_server)
    open_player(page, panel_path(bucket_panel))
    assert page.evaluate("eventsitePlayer.video.currentSrc").startswith("blob:")  # hls.js through MSE
    play(page)
    page.evaluate("eventsitePlayer.video.currentTime = 4.2")
    wait_for(page, "eventsitePlayer.video.currentTime > 4.5", timeout=15)
    assert any(".m4s" in line and line.startswith("200 ") for line in seen), seen
    assert not console, console  # no CSP refusals, no failed fetches


def test_mp4_from_the_bucket_seeks_by_ranges(page, bucket_panel, s3_server, console):  # noqa: F811
    seen = bucket_requests(page, s3_server)
    page.add_init_script("window.MediaSource = undefined; window.ManagedMediaSource = undefined;")
    open_player(page, panel_path(bucket_panel))
    play(page)
    assert page.evaluate("eventsitePlayer.video.currentSrc").endswith(".mp4")
    page.evaluate("eventsitePlayer.video.currentTime = 4.2")
    wait_for(page, "eventsitePlayer.video.currentTime > 4.5", timeout=15)
    assert any(line.startswith("206 ") and ".mp4" in line for line in seen), seen
    assert not console, console


def test_hls_plays_from_public_copies_behind_the_readme_policy(page, bucket_panel, public_bucket, s3_server, console):  # noqa: F811
    seen = bucket_requests(page, s3_server)
    open_player(page, panel_path(bucket_panel))
    play(page)
    page.evaluate("eventsitePlayer.video.currentTime = 4.2")
    wait_for(page, "eventsitePlayer.video.currentTime > 4.5", timeout=15)
    segments = [line for line in seen if ".m4s" in line]
    assert segments and all(line.startswith("200 ") and "/public/recordings/" in line for line in segments), seen
    assert not console, console
