"""A real tus client (tuspy) against real servers, including one killed mid-upload."""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from tusclient import client as tus

from eventsite.extensions import db
from eventsite.recordings.models import Recording

from .helpers import PATCH_TYPE, folder_files

CHUNK = 5 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_tuspy_uploads_50_mb_in_checksummed_chunks(app, live_server, organiser_token, panel_id, big_video):
    client = tus.TusClient(f"{live_server}/uploads/", headers={"Authorization": f"Bearer {organiser_token}"})
    uploader = client.uploader(
        str(big_video),
        chunk_size=CHUNK,
        upload_checksum=True,
        metadata={"filename": "Keynote.avi", "panel": str(panel_id)},
    )
    uploader.upload()
    assert uploader.offset == big_video.stat().st_size

    recording = db.session.scalar(sa.select(Recording))
    assert recording.original_key == f"recordings/{recording.id}/original.avi"
    assert recording.sha256 == sha256(big_video)
    assert recording.duration_seconds == pytest.approx(15, abs=0.5)
    root = Path(app.config["MEDIA_ROOT"])
    assert sha256(root / recording.original_key) == recording.sha256
    assert folder_files(root, "uploads") == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """gunicorn with the project's gunicorn.conf.py, in its own process group so SIGKILL takes all of it."""

    def __init__(self, app, tmp_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {
            "EVENTSITE_BIND": f"127.0.0.1:{self.port}",
            "EVENTSITE_WEB_WORKERS": "1",
            "EVENTSITE_INSTANCE_PATH": str(tmp_path / "instance"),
            "EVENTSITE_DATABASE_URL": app.config["DATABASE_URL"],
            "EVENTSITE_MEDIA_ROOT": app.config["MEDIA_ROOT"],
            "EVENTSITE_BASE_URL": self.base_url,
            "EVENTSITE_SECRET_KEY": secrets.token_hex(32),
        }
        self.log = tmp_path / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.options(f"{self.base_url}/uploads/", timeout=5).status_code == 204:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError(f"server did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean-up code runs."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def server(app, tmp_path):
    server = ServerProcess(app, tmp_path)
    yield server
    if server.process and server.process.poll() is None:
        server.kill()


def test_an_upload_survives_a_killed_server(app, server, organiser_token, panel_id, big_video):
    server.start()
    headers = {"Authorization": f"Bearer {organiser_token}"}
    client = tus.TusClient(f"{server.base_url}/uploads/", headers=headers)
    uploader = client.uploader(
        str(big_video), chunk_size=CHUNK, upload_checksum=True, metadata={"filename": "a.avi", "panel": str(panel_id)}
    )
    uploader.upload(stop_at=4 * CHUNK)
    url, acknowledged = uploader.url, uploader.offset
    assert acknowledged == 4 * CHUNK

    # Start the next PATCH by hand, send 3 MB of its 10 MB, and kill the server while it reads.
    data = big_video.read_bytes()
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(
        (
            f"PATCH {url.removeprefix(server.base_url)} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Bearer {organiser_token}\r\nUpload-Offset: {acknowledged}\r\n"
            f"Content-Type: {PATCH_TYPE}\r\nContent-Length: {2 * CHUNK}\r\n\r\n"
        ).encode()
        + data[acknowledged : acknowledged + 3 * 1024 * 1024]
    )
    time.sleep(0.5)
    server.kill()
    sock.close()

    server.start()
    resumed = client.uploader(str(big_video), url=url, chunk_size=CHUNK, upload_checksum=True)
    assert resumed.offset >= acknowledged  # nothing acknowledged was lost; partial bytes may be kept
    resumed.upload()
    assert resumed.offset == len(data)

    db.session.expire_all()
    recording = db.session.scalar(sa.select(Recording))
    stored = Path(app.config["MEDIA_ROOT"]) / recording.original_key
    assert sha256(stored) == sha256(big_video) == recording.sha256

    # The gunicorn path of range serving: seek + sendfile of exactly the range.
    media = f"{server.base_url}/media/{recording.original_key}"
    for start in (0, len(data) - 1000, len(data) // 2):
        part = requests.get(media, headers=headers | {"Range": f"bytes={start}-{start + 999}"})
        assert part.status_code == 206 and part.content == data[start : start + 1000]
    assert requests.get(media, headers={"Range": "bytes=0-9"}).status_code == 404  # originals: never public
