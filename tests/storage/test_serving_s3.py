"""``/media/<key>`` with object storage: the same access check, then a redirect the bucket answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from eventsite.events.models import Consent, PanelStatus
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
    # Good for the redirect's 60 s of reuse + EVENTSITE_MEDIA_URL_SECONDS (5 minutes by default):
    # an unpublished panel's last URL runs out within six minutes, not hours.
    assert parse_qs(urlsplit(target).query)["X-Amz-Expires"] == ["360"]
    part = requests.get(target, headers={"Range": "bytes=1000-1999"}, timeout=10)
    assert part.status_code == 206
    assert part.content == data[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{SIZE}"
    assert part.headers["Content-Type"] == "video/mp4"
    # A seek near the end, as a player does.
    tail = requests.get(target, headers={"Range": f"bytes={SIZE - 100}-"}, timeout=10)
    assert tail.status_code == 206 and tail.content == data[-100:]


@pytest.mark.parametrize("change", ["unpublished", "consent withdrawn"])
def test_unpublished_media_is_out_of_reach_once_its_short_url_runs_out(client, stored, s3_app, make_panelist, change):
    """A presigned URL can't be taken back: with a short EVENTSITE_MEDIA_URL_SECONDS it runs out
    soon after the site stops handing one out."""
    s3_app.config.update(MEDIA_AUTH_CACHE_SECONDS=10, MEDIA_URL_SECONDS=30)
    keys, data = stored()
    recording = db.session.scalars(sa.select(Recording)).one()
    make_panelist(panel=recording.panel, consent=Consent.VIDEO)
    response = client.get(f"/media/{keys['mp4']}")
    assert response.headers["Cache-Control"] == "public, max-age=10"
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    expires_at = signed_at + timedelta(seconds=int(query["X-Amz-Expires"][0]))
    assert expires_at - signed_at == timedelta(seconds=40)
    assert requests.get(response.headers["Location"], headers={"Range": "bytes=0-9"}, timeout=10).content == data[:10]

    if change == "unpublished":
        recording.panel.status = PanelStatus.DRAFT
    else:  # the panelist now appears only as a bird: the camera's files are theirs to keep away
        recording.panel.seats[0].consent = Consent.BIRD
    db.session.commit()
    # The site hands out no new URL, and the last one stops working within 40 s (S3 enforces
    # X-Amz-Expires; moto's server does not, so the lifetime is read from the signature).
    assert client.get(f"/media/{keys['mp4']}").status_code == 404
    assert expires_at <= datetime.now(UTC) + timedelta(seconds=40)


def test_public_media_goes_to_its_public_copy_when_a_public_url_is_set(client, stored, public_bucket, s3_server):
    keys, data = stored()
    response = client.get(f"/media/{keys['mp4']}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{s3_server}/{public_bucket.bucket}/public/{keys['mp4']}"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    part = requests.get(response.headers["Location"], headers={"Range": "bytes=0-9"}, timeout=10)
    assert part.status_code == 206 and part.content == data[:10]
    assert part.headers["Content-Type"] == "video/mp4"
    # The file's own key is not public; organiser-only files never go to the public URL.
    assert requests.get(f"{s3_server}/{public_bucket.bucket}/{keys['mp4']}", timeout=10).status_code == 403
    assert client.get(f"/media/{keys['original']}").status_code == 404
    assert requests.get(f"{s3_server}/{public_bucket.bucket}/{keys['original']}", timeout=10).status_code == 403


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
