"""Every MUST of tus 1.0 (core, creation, termination, checksum, expiration), as raw HTTP."""

from __future__ import annotations

import base64
import hashlib
import os
import time

import pytest

from .helpers import PATCH_TYPE, TUS, metadata

SHA1_DEFG = base64.b64encode(hashlib.sha1(b"defg").digest()).decode()
SHA256_DEFG = base64.b64encode(hashlib.sha256(b"defg").digest()).decode()
DROP = None  # a header the case removes


@pytest.fixture
def upload(create_upload, patch) -> str:
    """An upload of 10 bytes with "abc" received (offset 3)."""
    path = create_upload(10)
    assert patch(path, 0, b"abc").status_code == 204
    return path


# (method, header changes, body, status, expected response headers, offset afterwards)
UPLOAD_CASES = [
    pytest.param("HEAD", {}, b"", 200, {"Upload-Offset": "3", "Upload-Length": "10", "Cache-Control": "no-store"}, 3,
                 id="HEAD reports offset and length, never cached"),
    pytest.param("HEAD", {"Tus-Resumable": DROP}, b"", 412, {"Tus-Version": "1.0.0"}, 3,
                 id="missing Tus-Resumable is 412"),
    pytest.param("PATCH", {"Tus-Resumable": "0.2.2"}, b"defg", 412, {"Tus-Version": "1.0.0"}, 3,
                 id="unsupported version is 412 and nothing written"),
    pytest.param("PATCH", {"Upload-Offset": "3"}, b"defg", 204, {"Upload-Offset": "7", "Upload-Expires": True}, 7,
                 id="PATCH appends and answers the new offset and expiry"),
    pytest.param("PATCH", {"Upload-Offset": "3", "Content-Type": "application/octet-stream"}, b"defg", 415, {}, 3,
                 id="wrong Content-Type is 415"),
    pytest.param("PATCH", {"Upload-Offset": DROP}, b"defg", 400, {}, 3, id="missing Upload-Offset is 400"),
    pytest.param("PATCH", {"Upload-Offset": "-3"}, b"defg", 400, {}, 3, id="negative Upload-Offset is 400"),
    pytest.param("PATCH", {"Upload-Offset": "0"}, b"defg", 409, {}, 3, id="offset behind is 409, nothing written"),
    pytest.param("PATCH", {"Upload-Offset": "5"}, b"defg", 409, {}, 3, id="offset ahead is 409, nothing written"),
    pytest.param("PATCH", {"Upload-Offset": "3"}, b"defghijklmn", 413, {}, 3, id="chunk past Upload-Length is 413"),
    pytest.param("PATCH", {"Upload-Offset": "3", "Upload-Checksum": f"sha1 {SHA1_DEFG}"}, b"defg", 204,
                 {"Upload-Offset": "7"}, 7, id="sha1 checksum that matches is accepted"),
    pytest.param("PATCH", {"Upload-Offset": "3", "Upload-Checksum": f"sha256 {SHA256_DEFG}"}, b"defg", 204,
                 {"Upload-Offset": "7"}, 7, id="sha256 checksum that matches is accepted"),
    pytest.param("PATCH", {"Upload-Offset": "3", "Upload-Checksum": f"sha1 {SHA1_DEFG}"}, b"dXfg", 460, {}, 3,
                 id="checksum mismatch is 460 and the chunk is discarded"),
    pytest.param("PATCH", {"Upload-Offset": "3", "Upload-Checksum": "crc32 AAAAAA=="}, b"defg", 400, {}, 3,
                 id="unsupported checksum algorithm is 400"),
    pytest.param("PATCH", {"Upload-Offset": "3", "Upload-Checksum": "sha1 not*base64"}, b"defg", 400, {}, 3,
                 id="malformed checksum is 400"),
    pytest.param("POST", {"X-HTTP-Method-Override": "PATCH", "Upload-Offset": "3"}, b"defg", 204,
                 {"Upload-Offset": "7"}, 7, id="X-HTTP-Method-Override PATCH"),
    pytest.param("DELETE", {}, b"", 204, {}, None, id="DELETE terminates: the upload is gone"),
]  # fmt: skip


def _headers(base: dict, changes: dict) -> dict:
    merged = base | changes
    return {k: v for k, v in merged.items() if v is not None}


@pytest.mark.parametrize(("method", "changes", "body", "status", "expected", "offset"), UPLOAD_CASES)
def test_upload_musts(client, auth, upload, method, changes, body, status, expected, offset):
    headers = _headers(auth | {"Content-Type": PATCH_TYPE}, changes)
    response = client.open(upload, method=method, headers=headers, data=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Tus-Resumable"] == "1.0.0"
    for name, value in expected.items():
        assert name in response.headers
        if value is not True:
            assert response.headers[name] == value
    after = client.head(upload, headers=auth)
    if offset is None:
        assert after.status_code == 404
    else:
        assert after.headers["Upload-Offset"] == str(offset)


# (header changes, status, expected response headers)
CREATION_CASES = [
    pytest.param({}, 201, {"Location": True, "Upload-Expires": True}, id="creation answers 201 with Location"),
    pytest.param({"Upload-Length": DROP}, 400, {}, id="missing Upload-Length is 400"),
    pytest.param({"Upload-Length": "ten"}, 400, {}, id="non-numeric Upload-Length is 400"),
    pytest.param({"Upload-Length": "-1"}, 400, {}, id="negative Upload-Length is 400"),
    pytest.param({"Upload-Length": str(10**12)}, 413, {}, id="over Tus-Max-Size is 413"),
    pytest.param({"Tus-Resumable": DROP}, 412, {"Tus-Version": "1.0.0"}, id="creation without Tus-Resumable is 412"),
    pytest.param({"Upload-Metadata": "panel !!!"}, 400, {}, id="metadata that is not base64 is 400"),
    pytest.param({"Upload-Metadata": "panel OTk5OQ=="}, 400, {}, id="unknown panel is 400"),
    pytest.param({"Upload-Metadata": DROP}, 400, {}, id="no panel is 400"),
]


@pytest.mark.parametrize(("changes", "status", "expected"), CREATION_CASES)
def test_creation_musts(app, client, auth, panel_id, changes, status, expected):
    app.config["UPLOAD_MAX_BYTES"] = 10**9
    base = auth | {"Upload-Length": "10", "Upload-Metadata": metadata(panel_id)}
    response = client.post("/uploads/", headers=_headers(base, changes))
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Tus-Resumable"] == "1.0.0"
    for name in expected:
        assert name in response.headers
    uploads = app.config["MEDIA_ROOT"] + "/uploads"
    assert len([n for n in os.listdir(uploads) if n.endswith(".info")] if os.path.isdir(uploads) else []) == (
        1 if status == 201 else 0
    )


def test_options_discovery(client):
    response = client.options("/uploads/")
    assert response.status_code == 204
    assert "1.0.0" in response.headers["Tus-Version"].split(",")
    extensions = response.headers["Tus-Extension"].split(",")
    assert {"creation", "termination", "checksum", "expiration"} <= set(extensions)
    assert {"sha1", "sha256"} <= set(response.headers["Tus-Checksum-Algorithm"].split(","))
    assert int(response.headers["Tus-Max-Size"]) > 0


def test_location_comes_from_base_url_not_forwarded_host(app, client, auth, panel_id):
    app.config["BASE_URL"] = "https://events.example.org"
    response = client.post(
        "/uploads/",
        headers=auth
        | {"Upload-Length": "5", "Upload-Metadata": metadata(panel_id), "X-Forwarded-Host": "evil.example.com"},
    )
    assert response.headers["Location"].startswith("https://events.example.org/uploads/")
    upload_id = response.headers["Location"].rsplit("/", 1)[1]
    assert len(upload_id) == 32 and int(upload_id, 16) >= 0


def test_head_echoes_metadata(client, auth, create_upload):
    path = create_upload(10, filename="Keynote.mov")
    response = client.head(path, headers=auth)
    pairs = dict(p.split(" ") for p in response.headers["Upload-Metadata"].split(","))
    assert base64.b64decode(pairs["filename"]).decode() == "Keynote.mov"


def test_expired_upload_is_gone_and_removed(app, client, auth, upload):
    app.config["UPLOAD_EXPIRES_SECONDS"] = 60
    data = os.path.join(app.config["MEDIA_ROOT"], "uploads", upload.rsplit("/", 1)[1])
    old = time.time() - 120
    os.utime(data, (old, old))
    assert client.head(upload, headers=auth).status_code == 410
    assert not os.path.exists(data)
    assert client.head(upload, headers=auth).status_code == 404


def test_another_organisers_upload_is_not_found(client, upload, other_token):
    headers = TUS | {"Authorization": f"Bearer {other_token}"}
    assert client.head(upload, headers=headers).status_code == 404
    response = client.patch(upload, headers=headers | {"Upload-Offset": "3", "Content-Type": PATCH_TYPE}, data=b"defg")
    assert response.status_code == 404


def test_location_follows_the_request_address_when_no_base_url_is_set(app, client, auth, panel_id):
    """`flask run --port 8000` must work without EVENTSITE_BASE_URL: the next PATCH goes to the same port."""
    app.config["BASE_URL"] = None
    response = client.post(
        "/uploads/",
        base_url="http://127.0.0.1:8000",
        headers=auth | {"Upload-Length": "5", "Upload-Metadata": metadata(panel_id), "X-Forwarded-Host": "evil.test"},
    )
    assert response.status_code == 201
    assert response.headers["Location"].startswith("http://127.0.0.1:8000/uploads/")
