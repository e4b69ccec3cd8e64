"""Fixtures for uploads and serving: tiny real media made by ffmpeg, an API token, tus headers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from eventsite.accounts.models import Organiser
from eventsite.accounts.operations import create_organiser, create_token
from eventsite.extensions import db

from .helpers import PATCH_TYPE, TUS, metadata


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    """Real and fake media files, made once per test session."""
    d = tmp_path_factory.mktemp("media-samples")
    # 2 s, 320x240, H.264 + AAC, index in front like most camera exports.
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2",
        "-f", "lavfi", "-i", "sine=f=440:r=48000:d=2",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-movflags", "+faststart", "-shortest", str(d / "clip.mp4"),
    )  # fmt: skip
    # An 8 s clip with its index at the end; cut in half it has no index at all.
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=8",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(d / "long.mp4"),
    )  # fmt: skip
    data = (d / "long.mp4").read_bytes()
    (d / "truncated.mp4").write_bytes(data[: len(data) // 2])
    (d / "text.mp4").write_text("These are the speaker notes, not a video.\n" * 50)
    (d / "empty.mp4").write_bytes(b"")
    (d / "playlist.mp4").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
    )
    return d


@pytest.fixture(scope="session")
def big_video(tmp_path_factory) -> Path:
    """About 50 MB of real video (uncompressed frames in AVI), for chunked and interrupted uploads."""
    path = tmp_path_factory.mktemp("big") / "big.avi"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=15",
        "-f", "lavfi", "-i", "sine=f=440:r=48000:d=15",
        "-c:v", "rawvideo", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", str(path),
    )  # fmt: skip
    return path


@pytest.fixture
def organiser_token(app, make_organiser) -> str:
    """A personal API token of a fresh organiser."""
    organiser_id = make_organiser(email="uploader@example.com")
    with app.app_context():
        return create_token(db.session.get(Organiser, organiser_id))


@pytest.fixture
def other_token(app) -> str:
    """The token of a second organiser."""
    with app.app_context():
        return create_token(create_organiser("other@example.com", "Other", "another password"))


@pytest.fixture
def auth(organiser_token) -> dict[str, str]:
    """tus headers with the organiser's bearer token."""
    return TUS | {"Authorization": f"Bearer {organiser_token}"}


@pytest.fixture
def panel_id(make_panel) -> int:
    return make_panel().id


@pytest.fixture
def create_upload(client, auth, panel_id):
    """POST a new upload; returns its path (``/uploads/<id>``)."""

    def do_create(length: int, filename: str = "talk.mp4", headers=None) -> str:
        response = client.post(
            "/uploads/",
            headers=auth
            | {"Upload-Length": str(length), "Upload-Metadata": metadata(panel_id, filename)}
            | (headers or {}),
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.headers["Location"].removeprefix("http://localhost")

    return do_create


@pytest.fixture
def patch(client, auth):
    """PATCH bytes to an upload at an offset."""

    def do_patch(path: str, offset: int, data: bytes, headers=None):
        return client.patch(
            path,
            data=data,
            headers=auth | {"Upload-Offset": str(offset), "Content-Type": PATCH_TYPE} | (headers or {}),
        )

    return do_patch
