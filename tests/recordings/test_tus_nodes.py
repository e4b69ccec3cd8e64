"""Uploads past one machine: two web nodes (two apps) sharing an upload folder and a lock.

The lock is a PostgreSQL advisory lock when ``EVENTSITE_TEST_DATABASE_URL``
is PostgreSQL, a Redis lease when ``EVENTSITE_TEST_REDIS_URL`` is set, and
``flock`` in the shared folder always.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
import requests

from eventsite import create_app, jobs, locks
from eventsite.config import TestingConfig
from eventsite.extensions import db

from .helpers import PATCH_TYPE, TUS, metadata

#: Runs on the PostgreSQL pass too (`-m database`): it reads EVENTSITE_TEST_DATABASE_URL itself.
pytestmark = pytest.mark.database
REDIS_URL = os.environ.get("EVENTSITE_TEST_REDIS_URL", "")
ON_POSTGRES = os.environ.get("EVENTSITE_TEST_DATABASE_URL", "").startswith("postgres")


@pytest.fixture(
    params=[
        "file",
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(not ON_POSTGRES, reason="EVENTSITE_TEST_DATABASE_URL is not PostgreSQL"),
        ),
        pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="EVENTSITE_TEST_REDIS_URL is not set")),
    ]
)
def lock_settings(request) -> dict[str, str]:
    return {"LOCK_BACKEND": request.param, "LOCK_REDIS_URL": REDIS_URL}


@pytest.fixture
def node_b(app, tmp_path, lock_settings):
    """A second web node: its own app and media folder, the same database, upload folder and lock.

    The test's ``app`` is node A, re-pointed at the shared upload folder.
    """
    shared = {"UPLOAD_ROOT": str(tmp_path / "shared-uploads"), **lock_settings}
    app.config.update(shared)
    locks.init_app(app)
    other = create_app(
        {
            "DATABASE_URL": app.config["DATABASE_URL"],
            "MEDIA_ROOT": str(tmp_path / "node-b-media"),
            "BASE_URL": "http://localhost",
            **shared,
        },
        config_class=TestingConfig,
    )
    assert other.extensions["locks"].name == app.extensions["locks"].name == lock_settings["LOCK_BACKEND"]
    yield other
    with other.app_context():
        db.engine.dispose()
    jobs.init_app(app)  # the queue follows the last app made; give it back to node A


def test_a_patch_on_one_node_gets_423_while_another_node_writes(app, live_server, node_b, organiser_token, panel_id):
    auth = TUS | {"Authorization": f"Bearer {organiser_token}"}
    created = requests.post(
        f"{live_server}/uploads/", headers=auth | {"Upload-Length": "1000", "Upload-Metadata": metadata(panel_id)}
    )
    assert created.status_code == 201
    path = created.headers["Location"].removeprefix(live_server)
    b = node_b.test_client()
    assert b.head(path, headers=auth).headers["Upload-Offset"] == "0"  # node B sees node A's upload

    # Node A receives a PATCH whose client stalls after 300 of its 1,000 bytes.
    host, port = live_server.removeprefix("http://").split(":")
    stalled = socket.create_connection((host, int(port)))
    stalled.sendall(
        (
            f"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Bearer {organiser_token}\r\nUpload-Offset: 0\r\nContent-Type: {PATCH_TYPE}\r\n"
            "Content-Length: 1000\r\n\r\n"
        ).encode()
        + b"a" * 300
    )
    patch = auth | {"Content-Type": PATCH_TYPE}
    # Wait for node A to hold the lock by looking, not by PATCHing from B: a probing PATCH
    # takes the lock for a moment, and node A's request arriving in that moment is refused.
    deadline = time.monotonic() + 60  # a bound for a busy machine, not a speed check
    while not node_b.extensions["locks"].is_held(path.rsplit("/", 1)[1]):
        assert time.monotonic() < deadline, "node A never took the upload's lock"
        time.sleep(0.05)
    refused = b.patch(path, headers=patch | {"Upload-Offset": "999"}, data=b"b")
    assert refused.status_code == 423
    assert "Another request is writing to this upload" in refused.get_data(as_text=True)
    assert b.delete(path, headers=auth).status_code == 423  # nor may B delete it meanwhile

    stalled.close()  # the client gives up; node A keeps the 300 bytes and lets go
    deadline = time.monotonic() + 60
    while (answer := b.patch(path, headers=patch | {"Upload-Offset": "300"}, data=b"b" * 10)).status_code == 423:
        assert time.monotonic() < deadline, "node A never let go of the upload"
        time.sleep(0.05)
    assert answer.status_code == 204 and answer.headers["Upload-Offset"] == "310"
    # Either node now answers for the same bytes.
    assert app.test_client().head(path, headers=auth).headers["Upload-Offset"] == "310"
    data = Path(app.config["UPLOAD_ROOT"]) / path.rsplit("/", 1)[1]
    assert data.read_bytes() == b"a" * 300 + b"b" * 10


def test_partial_uploads_live_in_upload_root_and_expire_from_there(app, client, auth, create_upload, patch, tmp_path):
    app.config["UPLOAD_ROOT"] = str(tmp_path / "node-spool")
    locks.init_app(app)
    path = create_upload(100)
    assert patch(path, 0, b"x" * 10).status_code == 204
    upload_id = path.rsplit("/", 1)[1]
    spool = Path(app.config["UPLOAD_ROOT"])
    assert (spool / upload_id).read_bytes() == b"x" * 10 and (spool / f"{upload_id}.info").exists()
    assert not (Path(app.config["MEDIA_ROOT"]) / "uploads").exists()

    # A week without new bytes: the worker's housekeeping purges it from UPLOAD_ROOT.
    week_ago = time.time() - 7 * 24 * 3600
    os.utime(spool / upload_id, (week_ago, week_ago))
    with app.app_context():
        jobs.housekeeping.call_local()
    assert not any(p.name.startswith(upload_id) for p in spool.iterdir())
    assert client.head(path, headers=auth).status_code == 404


def test_an_unreachable_lock_server_pauses_uploads_with_503(app, client, auth, create_upload, patch):
    path = create_upload(100)
    app.config.update(LOCK_BACKEND="redis", LOCK_REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens there
    locks.init_app(app)
    answer = patch(path, 0, b"x" * 10)
    assert answer.status_code == 503  # tus clients retry 5xx
    assert "try again shortly" in answer.get_data(as_text=True)
    assert client.head(path, headers=auth).headers["Upload-Offset"] == "0"
