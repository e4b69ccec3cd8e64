"""``/media/<key>`` with object storage: the same access check, then a redirect the bucket answers."""

from __future__ import annotations

import json
import random
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from eventsite.events.models import PanelStatus
from eventsite.extensions import db
from eventsite.recordings.models import Recording, RecordingStatus, Rendition, RenditionKind

SIZE = 300_000


@pytest.fixture
def s3_app(app, s3_store):
    """The test app, its media in a fresh bucket on the moto server."""
    app.extensions["media_store"] = s3_store
    return app


@pytest.fixture
def stored(s3_app, app_ctx, make_panel, s3_store):
    """A recording with an original and renditions in the bucket; returns its keys and the MP4's bytes."""

    def factory(status=PanelStatus.PUBLISHED):
        panel = make_panel(status=status)
        recording = Recording(panel=panel, original_key="", original_filename="talk.mp4", status=RecordingStatus.READY)
        db.session.add(recording)
        db.session.flush()
        base = f"recordings/{recording.id}"
        recording.original_key = f"{base}/original.mp4"
        keys = {"original": recording.original_key, "mp4": f"{base}/renditions/720.mp4"}
        recording.renditions.append(Rendition(kind=RenditionKind.MP4, storage_key=keys["mp4"]))
        db.session.commit()
        data = random.Random(11).randbytes(SIZE)
        s3_store.save_bytes(keys["original"], b"original bytes")
        s3_store.save_bytes(keys["mp4"], data)
        return keys, data

    return factory


def test_public_rendition_redirects_to_a_presigned_url_that_serves_ranges(client, stored):
    keys, data = stored()
    response = client.get(f"/media/{keys['mp4']}")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "public, max-age=60"
    target = response.headers["Location"]
    assert parse_qs(urlsplit(target).query)["X-Amz-Expires"] == ["21600"]
    part = requests.get(target, headers={"Range": "bytes=1000-1999"}, timeout=10)
    assert part.status_code == 206
    assert part.content == data[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{SIZE}"
    assert part.headers["Content-Type"] == "video/mp4"
    # A seek near the end, as a player does.
    tail = requests.get(target, headers={"Range": f"bytes={SIZE - 100}-"}, timeout=10)
    assert tail.status_code == 206 and tail.content == data[-100:]


def test_public_media_goes_to_the_public_url_when_one_is_set(client, stored, s3_store, s3_server):
    keys, data = stored()
    # A bucket whose renditions anyone may read (what a CDN in front of it would fetch).
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{s3_store.bucket}/recordings/*/renditions/*",
            }
        ],
    }
    s3_store.client.put_bucket_policy(Bucket=s3_store.bucket, Policy=json.dumps(policy))
    s3_store.public_url = f"{s3_server}/{s3_store.bucket}/"
    response = client.get(f"/media/{keys['mp4']}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{s3_server}/{s3_store.bucket}/{keys['mp4']}"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    part = requests.get(response.headers["Location"], headers={"Range": "bytes=0-9"}, timeout=10)
    assert part.status_code == 206 and part.content == data[:10]
    # Organiser-only files never go to the public URL, and the bucket keeps them to itself.
    assert client.get(f"/media/{keys['original']}").status_code == 404
    assert requests.get(f"{s3_server}/{s3_store.bucket}/{keys['original']}", timeout=10).status_code == 403


def test_drafts_are_404_to_the_public_and_short_lived_for_organisers(client, login, stored):
    keys, data = stored(status=PanelStatus.DRAFT)
    assert client.get(f"/media/{keys['mp4']}").status_code == 404
    login()
    response = client.get(f"/media/{keys['mp4']}")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "private, no-store"
    target = response.headers["Location"]
    assert parse_qs(urlsplit(target).query)["X-Amz-Expires"] == ["300"]
    assert requests.get(target, headers={"Range": "bytes=5-9"}, timeout=10).content == data[5:10]


def test_originals_only_for_organisers_and_missing_files_are_404(client, login, stored):
    keys, _ = stored()
    assert client.get(f"/media/{keys['original']}").status_code == 404
    login()
    response = client.get(f"/media/{keys['original']}")
    assert response.status_code == 302 and response.headers["Cache-Control"] == "private, no-store"
    assert requests.get(response.headers["Location"], timeout=10).content == b"original bytes"
    missing = keys["mp4"].replace("720.mp4", "480.mp4")
    assert client.get(f"/media/{missing}").status_code == 404


def test_portraits_stream_through_the_app(client, app_ctx, make_panel, make_panelist, s3_store):
    from flask import current_app

    current_app.extensions["media_store"] = s3_store
    person = make_panelist(panel=make_panel())
    person.photo_key = f"people/{person.id}/photo-abc.jpg"
    db.session.commit()
    s3_store.save_bytes(person.photo_key, b"\xff\xd8jpeg")
    response = client.get(f"/people/{person.slug}/photo")
    assert response.status_code == 200
    assert response.data == b"\xff\xd8jpeg"
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    # The same file by its media URL redirects, as every public file does.
    response = client.get(f"/media/{person.photo_key}")
    assert response.status_code == 302
    assert requests.get(response.headers["Location"], timeout=10).content == b"\xff\xd8jpeg"
