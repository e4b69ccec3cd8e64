"""The simulated audience for bench/load.py: viewers who watch a panel and commenters who post.

Run by bench/load.py (which starts the stack and publishes the panel); the
settings come from its environment:

- ``LOAD_PANEL_PATH``: the panel page, e.g. ``/events/load/under-load/``;
- ``LOAD_VIEWERS`` / ``LOAD_COMMENTERS``: how many of each (``fixed_count``);
- ``LOAD_MAX_TASKS``: views or comments per simulated user at most;
- ``LOAD_SEGMENTS``: media segments fetched per playlist in one view (default 3);
- ``LOAD_MARKER``: put in every comment body, so the run's rows can be found;
- ``LOAD_SENT_FILE``: one line per comment the site answered with success.

A viewer is one browser: on its first view it also fetches the page's CSS and
scripts, the player's vendor files and the poster (later views have them
cached). Each view is the panel page, the HLS master, every playlist it names
(the page preloads the starting variant's and the audio's; the others stand for
quality switches), then the initialisation segment and the first
``LOAD_SEGMENTS`` segments of the starting video variant and of the audio
playlist, as hls.js does when playback starts. One view in ten plays the MP4
instead, as a ``<video>`` without hls.js does: a ``Range`` request from the
start, then one at a random offset (a seek). Between views it "watches" 2–6 s.

A commenter fetches the page, reads the comment form the way a browser
submits it (hidden fields: CSRF token and the signed ``started`` time; an
unticked checkbox is not sent), waits 3.5–5 s like a person typing, and
posts it. Success is the site's 303 to ``…#comment-<id>``; the comment's
marker then goes to ``LOAD_SENT_FILE`` for bench/load.py to find in the
database.
"""

from __future__ import annotations

import os
import random
import re
import uuid
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import gevent
from locust import FastHttpUser, between, task
from locust.exception import StopUser

PANEL = os.environ.get("LOAD_PANEL_PATH", "/events/load/under-load/")
VIEWERS = int(os.environ.get("LOAD_VIEWERS", "200"))
COMMENTERS = int(os.environ.get("LOAD_COMMENTERS", "20"))
MAX_TASKS = int(os.environ.get("LOAD_MAX_TASKS", "60"))
SEGMENTS = int(os.environ.get("LOAD_SEGMENTS", "3"))
MARKER = os.environ.get("LOAD_MARKER", "load")
SENT_FILE = os.environ.get("LOAD_SENT_FILE", os.devnull)
MP4_SHARE = 0.1
RANGE = 1024 * 1024

MASTER = re.compile(r'"(/media/[^"]*master\.m3u8)"')
PRELOADED = re.compile(r'<link rel="preload" href="(/media/[^"]+\.m3u8)"')
MP4 = re.compile(r'<source src="(/media/[^"]+\.mp4)"')
POSTER = re.compile(r'poster="(/media/[^"]+)"')
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js|svg))"')
VENDOR = ("hls.min.js", "plyr.min.js", "plyr.svg")


class FormReader(HTMLParser):
    """The fields a browser would submit for ``<form id="commentform">`` (as typed: nothing yet)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "commentform":
            self.inside, self.action = True, a.get("action", "")
        elif self.inside and tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[a["name"]] = a.get("value", "")
        elif self.inside and tag == "textarea" and a.get("name"):
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def playlist_uris(text: str) -> list[str]:
    """URIs a playlist names: media lines and ``URI="…"`` attributes (audio groups, EXT-X-MAP)."""
    uris = re.findall(r'URI="([^"]+)"', text)
    uris += [line for line in text.splitlines() if line and not line.startswith("#")]
    return uris


class Viewer(FastHttpUser):
    fixed_count = VIEWERS
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.views = 0
        self.first = True

    def get(self, url: str, name: str, status: int = 200, **kwargs):
        with self.client.get(url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != status:
                response.failure(f"HTTP {response.status_code}, expected {status}")
            return response

    @task
    def view(self) -> None:
        if self.views >= MAX_TASKS:
            raise StopUser()
        self.views += 1
        page = self.get(PANEL, "panel page").text or ""
        master = MASTER.search(page)
        if master is None:
            return
        if self.first:
            self.first = False
            for asset in dict.fromkeys(STATIC.findall(page)):
                self.get(asset, "static asset")
            for name in VENDOR:
                self.get(f"/static/vendor/{name}", "static asset")
            poster = POSTER.search(page)
            if poster:
                self.get(unescape(poster.group(1)), "poster")
        mp4 = MP4.search(page)
        if mp4 and random.random() < MP4_SHARE:
            self.play_mp4(unescape(mp4.group(1)))
        else:
            self.play_hls(unescape(master.group(1)), [unescape(p) for p in PRELOADED.findall(page)])

    def play_hls(self, master_url: str, preloaded: list[str]) -> None:
        master = self.get(master_url, "master playlist").text or ""
        playlists = [urljoin(master_url, uri) for uri in playlist_uris(master)]
        texts = {url: self.get(url, "variant playlist").text or "" for url in playlists}
        # hls.js starts on the variant the page preloads (the app's choice), with the audio playlist.
        video = next((u for u in preloaded if u in texts and "/audio/" not in u), playlists[0] if playlists else None)
        for url in [video, *(u for u in playlists if "/audio/" in u)]:
            if url is None:
                continue
            text = texts[url]
            init = re.search(r'#EXT-X-MAP:URI="([^"]+)"', text)
            if init:
                self.get(urljoin(url, init.group(1)), "init segment")
            segments = [line for line in text.splitlines() if line and not line.startswith("#")]
            for segment in segments[:SEGMENTS]:
                self.get(urljoin(url, segment), "segment")

    def play_mp4(self, url: str) -> None:
        first = self.get(url, "mp4 range", 206, headers={"Range": f"bytes=0-{RANGE - 1}"})
        total = first.headers.get("Content-Range", "/0").rsplit("/", 1)[-1]
        if total.isdigit() and int(total) > RANGE:
            start = random.randrange(int(total) - RANGE // 2)
            self.get(url, "mp4 range", 206, headers={"Range": f"bytes={start}-{start + RANGE - 1}"})


class Commenter(FastHttpUser):
    fixed_count = COMMENTERS
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.posted = 0
        self.person = uuid.uuid4().hex[:8]

    @task
    def comment(self) -> None:
        if self.posted >= MAX_TASKS:
            raise StopUser()
        self.posted += 1
        with self.client.get(PANEL, name="comment: page", catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"HTTP {page.status_code}")
                return
            form = FormReader()
            form.feed(page.text or "")
            if not form.action or "csrf_token" not in form.fields or "started" not in form.fields:
                page.failure("no comment form with csrf_token and started in the page")
                return
        gevent.sleep(random.uniform(3.5, 5))  # a person reads and types (faster posts are held as bots)
        token = f"{MARKER}-{uuid.uuid4().hex}"
        fields = form.fields | {
            "name": f"Load visitor {self.person}",
            "email": f"visitor-{self.person}@example.com",
            "body": f"Interesting point about the second question. ({token})",
        }
        with self.client.post(
            form.action,
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": self.host + PANEL},
            allow_redirects=False,
            name="comment: post",
            catch_response=True,
        ) as answer:
            location = answer.headers.get("Location", "") if answer.headers else ""
            if answer.status_code == 303 and "#comment-" in location:
                answer.success()
                with open(SENT_FILE, "a") as fh:
                    fh.write(token + "\n")
            else:
                answer.failure(f"HTTP {answer.status_code} to {location or 'nowhere'}")
