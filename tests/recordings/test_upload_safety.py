"""Who may upload, and nothing an upload sends can reach outside the uploads folder."""

from __future__ import annotations

import io
import socket
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.recordings.models import Recording
from tests.conftest import csrf_token

from .helpers import PATCH_TYPE, TUS, folder_files, metadata


def all_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# ---- access --------------------------------------------------------------------------------------


def test_anonymous_creation_is_401_and_writes_nothing(app, client, panel_id):
    response = client.post("/uploads/", headers=TUS | {"Upload-Length": "10", "Upload-Metadata": metadata(panel_id)})
    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert folder_files(Path(app.config["MEDIA_ROOT"]), "uploads") == []


def test_anonymous_patch_is_401_and_writes_nothing(client, auth, create_upload):
    path = create_upload(10)
    response = client.patch(path, headers=TUS | {"Upload-Offset": "0", "Content-Type": PATCH_TYPE}, data=b"abc")
    assert response.status_code == 401
    assert client.head(path, headers=auth).headers["Upload-Offset"] == "0"


def test_a_wrong_token_is_401(client, panel_id):
    headers = TUS | {
        "Authorization": "Bearer not-a-token",
        "Upload-Length": "10",
        "Upload-Metadata": metadata(panel_id),
    }
    assert client.post("/uploads/", headers=headers).status_code == 401


def test_login_cookie_without_csrf_header_is_refused(app, login, panel_id):
    client = login()
    headers = TUS | {"Upload-Length": "10", "Upload-Metadata": metadata(panel_id)}
    assert client.post("/uploads/", headers=headers).status_code == 403
    assert client.post("/uploads/", headers=headers | {"X-CSRFToken": "forged"}).status_code == 403
    assert folder_files(Path(app.config["MEDIA_ROOT"]), "uploads") == []


def test_login_cookie_with_the_studio_pages_csrf_token_works(login, panel_id):
    client = login()
    token = csrf_token(client.get(f"/studio/panels/{panel_id}/").get_data(as_text=True))
    headers = TUS | {"Upload-Length": "10", "Upload-Metadata": metadata(panel_id), "X-CSRFToken": token}
    response = client.post("/uploads/", headers=headers)
    assert response.status_code == 201
    path = response.headers["Location"].removeprefix("http://localhost")
    patch_headers = TUS | {"X-CSRFToken": token, "Upload-Offset": "0", "Content-Type": PATCH_TYPE}
    assert client.patch(path, headers=patch_headers, data=b"abc").headers["Upload-Offset"] == "3"


def test_studio_page_shows_the_widget_and_a_no_js_note(login, panel_id):
    html = login().get(f"/studio/panels/{panel_id}/").get_data(as_text=True)
    assert 'type="file"' in html and "vendor/tus.min.js" in html and "js/upload.js" in html
    assert "<noscript>" in html and "import-recording" in html
    assert "<script>" not in html and "style=" not in html  # the CSP forbids inline code


# ---- path traversal -----------------------------------------------------------------------------

BAD_IDS = [
    "../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2E%2E%2F%2E%2E%2Fsecret",
    "%2Fetc%2Fpasswd",
    "..",
    "0123456789abcdef0123456789abcdef.info",
    "0123456789ABCDEF0123456789ABCDEF",
    "0123456789abcdef0123456789abcde",
    "0123456789abcdef0123456789abcdef0",
    "x" * 300,
]


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize("method", ["HEAD", "PATCH", "DELETE"])
def test_upload_ids_we_did_not_make_never_touch_the_disk(app, client, auth, tmp_path, bad_id, method):
    secret = tmp_path / "secret"
    secret.write_text("keep me")
    before = all_files(tmp_path)
    headers = auth | {"Upload-Offset": "0", "Content-Type": PATCH_TYPE}
    response = client.open(f"/uploads/{bad_id}", method=method, headers=headers, data=b"evil")
    assert response.status_code in (404, 405)
    assert all_files(tmp_path) == before
    assert secret.read_text() == "keep me"


@pytest.mark.parametrize(
    "filename",
    [
        "x.mp4.php",
        "../../../../tmp/evil.mp4",
        "/etc/passwd",
        "C:\\Windows\\evil.mp4",
        "a" * 300 + ".mp4",
        "new\nline.mp4",
    ],
)
def test_odd_filenames_are_only_words(app, create_upload, patch, media_dir, filename):
    data = (media_dir / "clip.mp4").read_bytes()
    path = create_upload(len(data), filename=filename)
    assert patch(path, 0, data).status_code == 204
    recording = db.session.scalar(sa.select(Recording))
    assert recording.original_key == f"recordings/{recording.id}/original.mp4"
    assert "/" not in recording.original_filename and "\\" not in recording.original_filename
    assert "\n" not in recording.original_filename and len(recording.original_filename) <= 255
    root = Path(app.config["MEDIA_ROOT"])
    assert folder_files(root, "recordings") == [recording.original_key]
    assert all_files(root) == {recording.original_key}


# ---- interrupted and concurrent PATCHes ---------------------------------------------------------


def test_an_interrupted_patch_keeps_what_arrived_and_a_stale_one_cannot_go_back(client, auth, create_upload):
    path = create_upload(1000)
    # The client promised 600 bytes but the connection died after 250.
    response = client.open(
        path,
        method="PATCH",
        headers=auth | {"Upload-Offset": "0", "Content-Type": PATCH_TYPE},
        input_stream=io.BytesIO(b"a" * 250),
        content_length=600,
    )
    assert response.status_code == 204
    assert client.head(path, headers=auth).headers["Upload-Offset"] == "250"
    # A late retry of the same PATCH from offset 0 must not rewind the upload.
    stale = client.patch(path, headers=auth | {"Upload-Offset": "0", "Content-Type": PATCH_TYPE}, data=b"b" * 600)
    assert stale.status_code == 409
    assert client.head(path, headers=auth).headers["Upload-Offset"] == "250"


def test_a_stalled_patch_holds_the_lock_and_the_offset_only_grows(app, live_server, organiser_token, panel_id):
    import requests

    auth = TUS | {"Authorization": f"Bearer {organiser_token}"}
    created = requests.post(
        f"{live_server}/uploads/", headers=auth | {"Upload-Length": "1000", "Upload-Metadata": metadata(panel_id)}
    )
    url = created.headers["Location"]
    host, port = live_server.removeprefix("http://").split(":")
    stalled = socket.create_connection((host, int(port)))
    request = (
        f"PATCH {url.removeprefix(live_server)} HTTP/1.1\r\nHost: {host}\r\nTus-Resumable: 1.0.0\r\n"
        f"Authorization: Bearer {organiser_token}\r\nUpload-Offset: 0\r\nContent-Type: {PATCH_TYPE}\r\n"
        f"Content-Length: 1000\r\n\r\n"
    ).encode()
    stalled.sendall(request + b"s" * 300)
    time.sleep(0.5)
    patch_headers = auth | {"Upload-Offset": "0", "Content-Type": PATCH_TYPE}
    assert requests.patch(url, headers=patch_headers, data=b"x" * 10).status_code == 423
    offsets = [int(requests.head(url, headers=auth).headers["Upload-Offset"])]
    stalled.close()  # the stalled client gives up
    for _ in range(50):
        offsets.append(int(requests.head(url, headers=auth).headers["Upload-Offset"]))
        if offsets[-1] == 300:
            break
        time.sleep(0.1)
    assert offsets == sorted(offsets) and offsets[-1] == 300
    # The next PATCH resumes at the stored offset; an old offset is refused.
    assert requests.patch(url, headers=patch_headers, data=b"x" * 10).status_code == 409
    resumed = requests.patch(url, headers=patch_headers | {"Upload-Offset": "300"}, data=b"r" * 10)
    assert resumed.status_code == 204 and resumed.headers["Upload-Offset"] == "310"
