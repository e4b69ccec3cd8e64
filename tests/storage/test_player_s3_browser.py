"""Watching with object storage, in Chromium: ``/media/`` redirects to the bucket
(moto's S3 server on loopback), which answers ranges itself; hls.js and the
MP4 fallback both play and seek, and the page's CSP lets the bucket's origin in."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from eventsite.storage import S3MediaStore, media_store
from tests.ready_panel import panel_path, wait_for
from tests.recordings.test_player_browser import console, open_player, play  # noqa: F401 (a fixture)
from tests.storage.conftest import ACCESS_KEY, REGION, SECRET_KEY

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


class _ExpiringBucket(ThreadingHTTPServer):
    """The bucket as a browser meets it once a presigned URL has run out: a proxy in front of
    moto (which does not enforce X-Amz-Expires) that serves the first .mp4 URL's first third,
    then refuses that URL as S3 refuses an expired one (403, a second later, so that the URL
    the player asks for next is signed in a later second)."""

    daemon_threads = True

    def __init__(self, upstream: str):
        super().__init__(("127.0.0.1", 0), _ExpiringHandler)
        self.upstream = upstream
        self.urls: list[str] = []
        self.refused = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ExpiringHandler(BaseHTTPRequestHandler):
    server: _ExpiringBucket

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:  # the site's own reads (sizes, playlists) pass through
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        answer = requests.head(self.server.upstream + self.path, headers=headers, timeout=10)
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in ("connection", "transfer-encoding", "server", "date"):
                self.send_header(name, value)
        self.end_headers()

    def do_GET(self) -> None:
        bucket = self.server
        if ".mp4" in self.path and self.path not in bucket.urls:
            bucket.urls.append(self.path)
        first = bool(bucket.urls) and self.path == bucket.urls[0]
        if first and bucket.urls.count(self.path) == 1 and not getattr(bucket, "served", False):
            bucket.served = True
            whole = requests.get(bucket.upstream + self.path, timeout=10).content
            part = whole[: len(whole) // 3]
            self.send_response(206)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Range", f"bytes 0-{len(part) - 1}/{len(whole)}")
            self.send_header("Content-Length", str(len(part)))
            self.end_headers()
            self.wfile.write(part)
            return
        if first:
            time.sleep(1.1)
            bucket.refused += 1
            body = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            self.send_response(403)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "accept-encoding")}
        answer = requests.get(bucket.upstream + self.path, headers=headers, timeout=10)
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in ("connection", "transfer-encoding", "server", "date", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)


@pytest.fixture
def expiring_bucket(app, bucket_panel, s3_store, s3_server):
    """The ready panel's bucket, reached through ``_ExpiringBucket``."""
    proxy = _ExpiringBucket(s3_server)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    app.extensions["media_store"] = S3MediaStore(
        s3_store.bucket, endpoint_url=proxy.url, region=REGION, access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY
    )
    yield proxy
    proxy.shutdown()
    proxy.server_close()


def test_mp4_plays_on_after_its_bucket_url_runs_out(page, app, bucket_panel, expiring_bucket, console):  # noqa: F811
    """An MP4 read from the bucket keeps fetching ranges from one presigned URL, which runs out
    minutes after it was handed out (EVENTSITE_MEDIA_URL_SECONDS). When the bucket refuses a later
    range, the player asks /media/ again (which checks access again) for a fresh URL and goes on
    where the viewer was."""
    app.config["MEDIA_AUTH_CACHE_SECONDS"] = 0  # the redirect is not reused: each ask signs anew
    page.add_init_script("window.MediaSource = undefined; window.ManagedMediaSource = undefined;")
    open_player(page, panel_path(bucket_panel))
    play(page)
    assert page.evaluate("eventsitePlayer.video.currentSrc").endswith(".mp4")
    duration = page.evaluate("eventsitePlayer.video.duration")
    wait_for(page, f"eventsitePlayer.video.currentTime > {duration * 0.8}", timeout=30)
    urls = expiring_bucket.urls
    assert expiring_bucket.refused >= 1 and len(urls) >= 2, urls
    assert "stopped loading" not in page.inner_text("body")
    assert not [line for line in console if "403" not in line], console
