"""What a finished upload becomes: a Recording for real media, a plain refusal for anything else."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.recordings.models import Recording, RecordingStatus

from .helpers import folder_files

NOT_MEDIA = "This file has no video or audio we can read."


def upload_file(create_upload, patch, data: bytes, filename: str, chunk: int = 64 * 1024):
    """Upload ``data`` in chunks through the tus endpoint; return (path, last response)."""
    path = create_upload(len(data), filename=filename)
    response = None
    for offset in range(0, len(data), chunk):
        response = patch(path, offset, data[offset : offset + chunk])
    return path, response


def test_a_real_clip_becomes_a_recording(app, client, auth, create_upload, patch, media_dir, panel_id):
    data = (media_dir / "clip.mp4").read_bytes()
    path, response = upload_file(create_upload, patch, data, "Opening panel.mp4")
    assert response.status_code == 204
    assert response.headers["Upload-Offset"] == str(len(data))

    recording = db.session.scalar(sa.select(Recording))
    assert recording.panel_id == panel_id
    # Stored as "uploaded"; the recording_uploaded() hook may already have queued its transcode.
    assert recording.status in (RecordingStatus.UPLOADED, RecordingStatus.PROCESSING)
    assert recording.original_key == f"recordings/{recording.id}/original.mp4"
    assert recording.original_filename == "Opening panel.mp4"
    assert recording.size_bytes == len(data)
    assert recording.sha256 == hashlib.sha256(data).hexdigest()
    assert recording.duration_seconds == pytest.approx(2, abs=0.2)
    assert recording.probe["video"]["codec"] == "h264" and recording.probe["audio"]["codec"] == "aac"

    root = app.config["MEDIA_ROOT"]
    from pathlib import Path

    assert folder_files(Path(root), "uploads") == []
    assert folder_files(Path(root), "recordings") == [recording.original_key]
    assert (Path(root) / recording.original_key).read_bytes() == data
    # A client that comes back after the end learns the upload is complete.
    head = client.head(path, headers=auth)
    assert head.status_code == 200 and head.headers["Upload-Offset"] == head.headers["Upload-Length"] == str(len(data))


def test_the_extension_comes_from_the_detected_format(create_upload, patch, media_dir, tmp_path):
    from .conftest import ffmpeg

    audio = tmp_path / "voice.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=f=300:d=2", "-c:a", "aac", str(audio))
    upload_file(create_upload, patch, audio.read_bytes(), "voice.mp4.php")
    recording = db.session.scalar(sa.select(Recording))
    assert recording.original_key.endswith("/original.m4a")
    assert recording.original_filename == "voice.mp4.php"  # kept as words, never as a path


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ("text.mp4", NOT_MEDIA),
        ("playlist.mp4", NOT_MEDIA),
        ("truncated.mp4", "This file seems incomplete or damaged. Was the upload cut short?"),
        ("empty.mp4", "This file is empty (0 bytes). Please upload it again."),
    ],
)
def test_what_is_not_media_is_refused_and_removed(app, client, auth, create_upload, patch, media_dir, sample, message):
    data = (media_dir / sample).read_bytes()
    if data:
        path, response = upload_file(create_upload, patch, data, sample)
    else:  # a zero-byte upload is complete as soon as it is created
        from .helpers import metadata

        response = client.post(
            "/uploads/", headers=auth | {"Upload-Length": "0", "Upload-Metadata": metadata(1, sample)}
        )
    assert response.status_code == 422
    assert response.get_data(as_text=True) == message
    from pathlib import Path

    root = Path(app.config["MEDIA_ROOT"])
    assert folder_files(root, "uploads") == []
    assert folder_files(root, "recordings") == []
    assert db.session.scalar(sa.select(sa.func.count(Recording.id))) == 0


def test_the_studio_lists_the_recording(login, client, create_upload, patch, media_dir, panel_id):
    upload_file(create_upload, patch, (media_dir / "clip.mp4").read_bytes(), "Opening panel.mp4")
    login(create=False, email="uploader@example.com")
    html = client.get(f"/studio/panels/{panel_id}/").get_data(as_text=True)
    assert "Opening panel.mp4" in html
    assert "0:02" in html
    assert "Video: h264 320×240, 25 fps" in html
    assert "Audio: aac, 1 ch, 48 kHz" in html
    assert "status-uploaded" in html or "status-processing" in html
    fragment = client.get(f"/studio/panels/{panel_id}/recordings")
    assert fragment.status_code == 200 and "Opening panel.mp4" in fragment.get_data(as_text=True)
