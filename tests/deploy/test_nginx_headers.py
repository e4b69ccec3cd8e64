"""deploy/nginx.conf on its own (no PostgreSQL or Redis needed), in front of the test app:
every answer carries Strict-Transport-Security, also from the locations that add headers
of their own (nginx drops the server's add_header lines there); text comes compressed, media
as the files are, with their byte ranges."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy"))
from stack import free_port, start_nginx  # noqa: E402

from tests import test_compression  # noqa: E402
from tests.test_compression import PLAYLIST, VIDEO  # noqa: E402

pytestmark = pytest.mark.skipif(not shutil.which("nginx"), reason="needs nginx")

HSTS = "max-age=31536000; includeSubDomains"

#: A published recording's playlist, captions and media files (the app's own compression tests').
published_files = test_compression.published_files


@pytest.fixture(params=["local", "s3"])
def nginx(request, app, live_server, tmp_path):
    app_port = int(live_server.rsplit(":", 1)[1])
    port = free_port()
    process = start_nginx(tmp_path / "nginx", port, [app_port], request.param, Path(app.config["MEDIA_ROOT"]))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(url + "/static/", timeout=2)
            break
        except requests.ConnectionError:
            assert process.poll() is None, (tmp_path / "nginx" / "stdout.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.1)
    yield url
    os.killpg(process.pid, signal.SIGQUIT)
    process.wait(timeout=20)


@pytest.mark.parametrize("path", ["/", "/login", "/static/css/site.css", "/media/recordings/1/nothing.mp4"])
def test_every_answer_asks_for_https(nginx, path):
    response = requests.get(nginx + path, timeout=10, allow_redirects=False)
    assert response.headers.get("Strict-Transport-Security") == HSTS, (response.status_code, response.headers)


@pytest.mark.parametrize("path", ["/", "/static/css/site.css", "/static/js/player.js", "/static/vendor/hls.min.js"])
def test_pages_styles_and_scripts_come_compressed(nginx, path):
    plain = requests.get(nginx + path, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    response = requests.get(nginx + path, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert response.headers.get("Content-Encoding") == "gzip", response.headers
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.content == plain.content  # requests decodes it


def test_playlists_come_compressed_and_media_keep_their_ranges(nginx, published_files, request):
    playlist = requests.get(f"{nginx}/media/{published_files['m3u8']}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert playlist.status_code == 200 and playlist.content == PLAYLIST
    assert playlist.headers.get("Content-Encoding") == "gzip", playlist.headers
    if request.node.callspec.params["nginx"] == "s3":
        return  # the bucket sends the media and answers their ranges, not nginx
    for kind in ("mp4", "m4s", "m4a"):
        url = f"{nginx}/media/{published_files[kind]}"
        part = requests.get(url, headers={"Accept-Encoding": "gzip, br", "Range": "bytes=1000-1999"}, timeout=10)
        assert part.status_code == 206 and "Content-Encoding" not in part.headers, (kind, part.headers)
        assert part.content == VIDEO[1000:2000]
        whole = requests.get(url, headers={"Accept-Encoding": "gzip, br"}, timeout=10)
        assert "Content-Encoding" not in whole.headers and whole.content == VIDEO
