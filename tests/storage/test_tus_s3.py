"""A tus upload on a site whose media lives in a bucket (``EVENTSITE_STORAGE=s3``, moto's S3 server).

Partial uploads stay in ``EVENTSITE_UPLOAD_ROOT``; the finished file goes to
the bucket in parts and nothing is left behind on the web node.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from eventsite.accounts.models import Organiser
from eventsite.accounts.operations import create_token
from eventsite.extensions import db
from eventsite.recordings.models import Recording
from tests.recordings.helpers import PATCH_TYPE, TUS, metadata

from .conftest import s3_settings

#: PATCH size: the clip arrives in three requests.
CHUNK = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """About 21 MB of real video (raw frames in AVI): more than one 16 MiB part of a multipart upload."""
    path = tmp_path_factory.mktemp("s3-upload") / "panel.avi"
    subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=7",
            "-f", "lavfi", "-i", "sine=f=440:r=48000:d=7",
            "-c:v", "rawvideo", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture
def s3_app(request, s3_store, tmp_path, monkeypatch):
    """The test app started with ``EVENTSITE_STORAGE=s3`` on a fresh bucket and its own upload folder."""
    settings = s3_settings(s3_store.client.meta.endpoint_url, s3_store.bucket)
    for name, value in (settings | {"UPLOAD_ROOT": str(tmp_path / "partial-uploads")}).items():
        monkeypatch.setenv(f"EVENTSITE_{name}", value)
    app = request.getfixturevalue("app")
    assert app.extensions["media_store"].name == "s3"
    return app


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_finished_upload_is_stored_in_the_bucket_and_nothing_stays_on_the_node(
    s3_app, s3_store, make_organiser, make_panel, clip
):
    organiser = db.session.get(Organiser, make_organiser())
    auth = TUS | {"Authorization": f"Bearer {create_token(organiser)}"}
    panel = make_panel()
    client = s3_app.test_client()
    data = clip.read_bytes()

    created = client.post(
        "/uploads/",
        headers=auth | {"Upload-Length": str(len(data)), "Upload-Metadata": metadata(panel.id, "Panel.avi")},
    )
    assert created.status_code == 201
    path = created.headers["Location"].removeprefix("http://localhost")
    upload_root = Path(s3_app.config["UPLOAD_ROOT"])
    assert (upload_root / path.rsplit("/", 1)[1]).exists()  # partial bytes live in UPLOAD_ROOT
    for offset in range(0, len(data), CHUNK):
        answer = client.patch(
            path,
            data=data[offset : offset + CHUNK],
            headers=auth | {"Upload-Offset": str(offset), "Content-Type": PATCH_TYPE},
        )
        assert answer.status_code == 204, answer.get_data(as_text=True)
    assert answer.headers["Upload-Offset"] == str(len(data))
    assert client.head(path, headers=auth).headers["Upload-Offset"] == str(len(data))

    recording = db.session.scalar(sa.select(Recording))
    assert recording.original_key == f"recordings/{recording.id}/original.avi"
    assert recording.size_bytes == len(data) and recording.sha256 == sha256(data)
    stored = s3_store.client.head_object(Bucket=s3_store.bucket, Key=recording.original_key)
    assert stored["ContentLength"] == len(data)
    assert stored["ETag"].strip('"').endswith("-2")  # sent in two parts, never read whole into memory
    body = s3_store.client.get_object(Bucket=s3_store.bucket, Key=recording.original_key)["Body"].read()
    assert sha256(body) == recording.sha256

    assert list(upload_root.iterdir()) == []
    assert not (Path(s3_app.config["MEDIA_ROOT"]) / "recordings").exists()

    # The organiser gets the original back from the bucket through /media/.
    redirect = client.get(f"/media/{recording.original_key}", headers=auth)
    assert redirect.status_code == 302
    part = requests.get(redirect.headers["Location"], headers={"Range": "bytes=1000-1999"}, timeout=10)
    assert part.status_code == 206 and part.content == data[1000:2000]
