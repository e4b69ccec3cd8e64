"""``/media/<key>``: byte ranges by seeking, validators, types, and who may see what."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from eventsite.events.models import PanelStatus
from eventsite.extensions import db
from eventsite.recordings.models import Recording, RecordingStatus, Rendition, RenditionKind
from eventsite.storage import media_store

SIZE = 3 * 1024 * 1024 + 123


@pytest.fixture
def stored(app_ctx, make_panel):
    """A recording of a public panel with an original and renditions on disk; returns its keys."""

    def factory(status=PanelStatus.PUBLISHED) -> dict[str, str]:
        panel = make_panel(status=status)
        # Ready, with a rendition row: the panel's current recording, whose renditions are public.
        recording = Recording(panel=panel, original_key="", original_filename="talk.mp4", status=RecordingStatus.READY)
        db.session.add(recording)
        db.session.flush()
        base = f"recordings/{recording.id}"
        recording.original_key = f"{base}/original.mp4"
        db.session.commit()
        keys = {
            "original": recording.original_key,
            "mp4": f"{base}/renditions/720.mp4",
            "m3u8": f"{base}/renditions/hls/master.m3u8",
        }
        recording.renditions.append(Rendition(kind=RenditionKind.MP4, storage_key=keys["mp4"]))
        db.session.commit()
        store = media_store()
        store.save_bytes(keys["original"], b"original bytes")
        store.save_bytes(keys["mp4"], random.Random(7).randbytes(SIZE))
        store.save_bytes(keys["m3u8"], b"#EXTM3U\n")
        return keys

    return factory


def body_of(client, key, **headers):
    return client.get(f"/media/{key}", headers=headers)


@pytest.mark.parametrize(
    ("range_header", "start", "stop"),
    [
        ("bytes=0-0", 0, 1),
        ("bytes=0-", 0, SIZE),
        ("bytes=-500", SIZE - 500, SIZE),
        ("bytes=1000000-1999999", 1000000, 2000000),
        (f"bytes={SIZE - 10}-{SIZE + 1000}", SIZE - 10, SIZE),
        (f"bytes={SIZE - 1}-", SIZE - 1, SIZE),
    ],
)
def test_single_ranges(app, client, stored, range_header, start, stop):
    keys = stored()
    data = media_store().path(keys["mp4"]).read_bytes()
    response = client.get(f"/media/{keys['mp4']}", headers={"Range": range_header})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert response.headers["Content-Length"] == str(stop - start)
    assert response.data == data[start:stop]
    assert response.headers["Accept-Ranges"] == "bytes"


def test_many_seeks_in_a_row(client, stored):
    keys = stored()
    data = media_store().path(keys["mp4"]).read_bytes()
    rng = random.Random(1)
    for _ in range(30):
        start = rng.randrange(SIZE)
        stop = min(SIZE, start + rng.randrange(1, 300_000))
        response = client.get(f"/media/{keys['mp4']}", headers={"Range": f"bytes={start}-{stop - 1}"})
        assert response.status_code == 206 and response.data == data[start:stop]


@pytest.mark.parametrize("range_header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 10}"])
def test_unsatisfiable_range_is_416(client, stored, range_header):
    keys = stored()
    response = client.get(f"/media/{keys['mp4']}", headers={"Range": range_header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"


def test_whole_file_validators_and_conditional_get(client, stored):
    keys = stored()
    response = client.get(f"/media/{keys['mp4']}")
    assert response.status_code == 200 and len(response.data) == SIZE
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert client.get(f"/media/{keys['mp4']}", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/media/{keys['mp4']}", headers={"If-Modified-Since": modified}).status_code == 304
    # If-Range with the current validator gets the range; a stale one gets the whole file.
    fresh = client.get(f"/media/{keys['mp4']}", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and len(fresh.data) == 10
    by_date = client.get(f"/media/{keys['mp4']}", headers={"Range": "bytes=0-9", "If-Range": modified})
    assert by_date.status_code == 206
    stale = client.get(f"/media/{keys['mp4']}", headers={"Range": "bytes=0-9", "If-Range": '"old-version"'})
    assert stale.status_code == 200 and len(stale.data) == SIZE
    several = client.get(f"/media/{keys['mp4']}", headers={"Range": "bytes=0-9,100-109"})
    assert several.status_code == 200 and len(several.data) == SIZE


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("a.mp4", "video/mp4"),
        ("a.m4a", "audio/mp4"),
        ("a.m3u8", "application/vnd.apple.mpegurl"),
        ("a.m4s", "video/iso.segment"),
        ("a.vtt", "text/vtt; charset=utf-8"),
        ("a.jpg", "image/jpeg"),
        ("a.weird", "application/octet-stream"),
    ],
)
def test_content_types(client, stored, name, content_type):
    keys = stored()
    key = keys["mp4"].replace("720.mp4", name)
    media_store().save_bytes(key, b"x")
    response = client.get(f"/media/{key}")
    assert response.headers["Content-Type"] == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_draft_media_is_hidden_from_the_public_and_served_to_organisers(client, login, stored):
    keys = stored(status=PanelStatus.DRAFT)
    assert client.get(f"/media/{keys['mp4']}").status_code == 404
    assert client.get(f"/media/{keys['m3u8']}").status_code == 404
    login()
    response = client.get(f"/media/{keys['mp4']}", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert "private" in response.headers["Cache-Control"]


def test_originals_are_never_public(client, login, stored, organiser_token):
    keys = stored(status=PanelStatus.PUBLISHED)
    assert client.get(f"/media/{keys['mp4']}").status_code == 200
    assert client.get(f"/media/{keys['original']}").status_code == 404
    bearer = {"Authorization": f"Bearer {organiser_token}"}
    assert client.get(f"/media/{keys['original']}", headers=bearer).data == b"original bytes"
    login(create=False, email="uploader@example.com")
    assert client.get(f"/media/{keys['original']}").data == b"original bytes"


@pytest.mark.parametrize(
    "key",
    [
        "uploads/0123456789abcdef0123456789abcdef",
        "../secret",
        "recordings/../../secret",
        "recordings/999/renditions/a.mp4",
        "instance/secret_key",
        "%2e%2e/secret",
        "recordings/x/renditions/a.mp4",
    ],
)
def test_nothing_else_is_served(app, app_ctx, login, key):
    client = login()
    media_store().save_bytes("uploads/0123456789abcdef0123456789abcdef", b"partial")
    (media_store().root.parent / "secret").write_text("no")
    assert client.get(f"/media/{key}").status_code == 404


def test_people_images_are_public(client, app_ctx, make_panel, make_panelist):
    person = make_panelist(panel=make_panel())  # seated on a public panel: a public person
    media_store().save_bytes(f"people/{person.id}/photo-abc.jpg", b"\xff\xd8jpeg")
    response = client.get(f"/media/people/{person.id}/photo-abc.jpg")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"


def test_x_accel_redirect_hands_the_bytes_to_nginx(app, client, stored):
    keys = stored(status=PanelStatus.PUBLISHED)
    app.config["MEDIA_ACCEL"] = "/protected/"
    response = client.get(f"/media/{keys['mp4']}", headers={"Range": "bytes=0-9"})
    assert response.headers["X-Accel-Redirect"] == f"/protected/{keys['mp4']}"
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.data == b""
    assert client.get(f"/media/{keys['original']}").status_code == 404  # the rules still apply


def test_range_body_reads_only_the_range(client, stored, monkeypatch):
    """The file is seeked, not read from the start: count the bytes read from disk."""
    keys = stored()
    read = []
    real_path_open = Path.open

    def counting_open(self, *args, **kwargs):
        fh = real_path_open(self, *args, **kwargs)
        if self.name == "720.mp4":
            original_read = fh.read

            def read_counted(n=-1):
                data = original_read(n)
                read.append(len(data))
                return data

            fh.read = read_counted
        return fh

    monkeypatch.setattr(Path, "open", counting_open)
    response = client.get(f"/media/{keys['mp4']}", headers={"Range": f"bytes={SIZE - 100}-"})
    assert response.status_code == 206 and len(response.data) == 100
    assert sum(read) == 100
