"""``flask import-recording`` and ``flask purge-uploads``."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.recordings.models import Recording
from eventsite.recordings.upload_store import create_upload, purge_expired_uploads

from .helpers import folder_files


def test_import_recording_copies_hashes_and_probes(app, runner, make_panel, media_dir):
    panel = make_panel(title="Opening panel")
    source = media_dir / "clip.mp4"
    result = runner.invoke(args=["import-recording", str(source), "--panel", panel.slug])
    assert result.exit_code == 0, result.output
    recording = db.session.scalar(sa.select(Recording))
    assert f"Recording {recording.id} added" in result.output
    assert recording.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert recording.original_filename == "clip.mp4" and recording.duration_seconds > 1.5
    root = Path(app.config["MEDIA_ROOT"])
    assert (root / recording.original_key).read_bytes() == source.read_bytes()
    assert source.exists()  # the server's own copy is left alone
    assert folder_files(root, "uploads") == []


def test_a_slug_used_by_two_events_needs_the_event(runner, make_event, make_panel, media_dir):
    first, second = make_event("Spring Summit"), make_event("Autumn Summit")
    make_panel(title="Closing panel", event=first)
    make_panel(title="Closing panel", event=second)
    result = runner.invoke(args=["import-recording", str(media_dir / "clip.mp4"), "--panel", "closing-panel"])
    assert result.exit_code != 0
    assert "autumn-summit/closing-panel" in result.output and "spring-summit/closing-panel" in result.output
    result = runner.invoke(
        args=["import-recording", str(media_dir / "clip.mp4"), "--panel", "autumn-summit/closing-panel"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Recording)).panel.event.slug == "autumn-summit"


def test_import_refuses_what_is_not_media(app, runner, make_panel, media_dir):
    panel = make_panel()
    result = runner.invoke(args=["import-recording", str(media_dir / "text.mp4"), "--panel", panel.slug])
    assert result.exit_code != 0
    assert "This file has no video or audio we can read." in result.output
    root = Path(app.config["MEDIA_ROOT"])
    assert folder_files(root, "uploads") == [] and folder_files(root, "recordings") == []


def test_unknown_panel(runner, media_dir, app_ctx):
    result = runner.invoke(args=["import-recording", str(media_dir / "clip.mp4"), "--panel", "nope"])
    assert result.exit_code != 0 and "There is no panel 'nope'" in result.output


def test_purge_removes_only_expired_uploads(app, runner, app_ctx):
    folder = Path(app.config["MEDIA_ROOT"]) / "uploads"
    folder.mkdir(parents=True)
    old = create_upload(folder, 100, 1, {"panel": "1"})
    fresh = create_upload(folder, 100, 1, {"panel": "1"})
    old.data_path.write_bytes(b"x" * 10)
    stamp = time.time() - app.config["UPLOAD_EXPIRES_SECONDS"] - 60
    os.utime(old.data_path, (stamp, stamp))
    result = runner.invoke(args=["purge-uploads"])
    assert result.exit_code == 0 and "Removed 1 expired upload." in result.output
    assert not old.data_path.exists() and not old.info_path.exists()
    assert fresh.data_path.exists() and fresh.info_path.exists()
    assert purge_expired_uploads(folder, app.config["UPLOAD_EXPIRES_SECONDS"]) == 0
