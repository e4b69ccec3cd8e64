"""Every form route has a body limit; file routes get what their files need; the secret key is safe."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from eventsite import create_app
from eventsite.config import Config, SecretKeyError, load_secret_key
from tests.conftest import csrf_token
from tests.ready_panel import CAPTIONS_SRT

ROOT = Path(__file__).resolve().parents[2]

THREE_MB = b"x" * (3 * 1024 * 1024)


def test_a_large_body_to_a_form_route_is_refused_before_it_is_read(client, ready_panel):
    for url in ("/login", f"/events/{ready_panel.event.slug}/{ready_panel.slug}/comments", "/offers/1/signup"):
        response = client.post(url, data={"body": THREE_MB.decode(), "csrf_token": "x"})
        assert response.status_code == 413, url


def test_a_large_portrait_is_accepted_where_images_are_uploaded(login, app):
    client = login()
    page = client.get("/studio/people/new").get_data(as_text=True)
    # A real image past the 2 MB default: noise does not compress.
    import os

    from PIL import Image

    noise = Image.frombytes("RGB", (1100, 1100), os.urandom(1100 * 1100 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert out.tell() > 2 * 1024 * 1024
    out.seek(0)
    response = client.post(
        "/studio/people/new",
        data={"csrf_token": csrf_token(page), "name": "Big Picture", "photo": (out, "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_caption_upload_route_takes_a_caption_file_past_the_default(login, ready_panel, app):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # smaller than the caption form needs
    client = login()
    page = client.get(f"/studio/panels/{ready_panel.id}/media").get_data(as_text=True)
    padded = CAPTIONS_SRT + b"\n" * (100 * 1024)
    response = client.post(
        f"/studio/panels/{ready_panel.id}/captions",
        data={
            "csrf_token": csrf_token(page),
            "language": "fr",
            "label": "Français",
            "file": (io.BytesIO(padded), "fr.srt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    # …while an ordinary form past the limit is refused.
    assert client.post("/login", data={"x": "y" * 70 * 1024}).status_code == 413


def test_tus_chunks_larger_than_the_form_limit_still_upload(app, client, make_organiser, ready_panel):
    from eventsite.accounts.models import Organiser
    from eventsite.accounts.operations import create_token
    from eventsite.extensions import db
    from tests.recordings.helpers import metadata

    organiser_id = make_organiser()
    with app.app_context():
        token = create_token(db.session.get(Organiser, organiser_id))
    auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    created = client.post(
        "/uploads/", headers={**auth, "Upload-Length": str(len(THREE_MB)), "Upload-Metadata": metadata(ready_panel.id)}
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    location = created.headers["Location"]
    patched = client.patch(
        location,
        data=THREE_MB,
        headers={**auth, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    # Read to the end (the 3 MB of "x" are then refused as not a video, in plain words), never cut off at 2 MB.
    assert patched.status_code != 413, patched.get_data(as_text=True)[:300]
    assert client.head(location, headers=auth).headers.get("Upload-Offset") in (str(len(THREE_MB)), None)


def test_short_secret_keys_are_refused_at_start_up(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(SecretKeyError, match="at least 32 random characters"):
        create_app({"SECRET_KEY": "changeme", "DATABASE_URL": f"sqlite:///{tmp_path}/db"}, config_class=Config)


def test_generated_key_is_private_and_kept(tmp_path):
    key = load_secret_key(str(tmp_path))
    assert len(key) == 64 and load_secret_key(str(tmp_path)) == key
    assert (Path(tmp_path) / "secret_key").stat().st_mode & 0o777 == 0o600
    assert not [p for p in Path(tmp_path).iterdir() if p.name.startswith(".secret_key")]


def test_an_empty_key_file_is_never_used(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(SecretKeyError, match="is empty"):
        load_secret_key(str(tmp_path), wait_seconds=0.2)


#: One process of a fresh machine: it says it is ready, waits for "go", then loads the key.
LOADER = """
import sys
from eventsite.config import load_secret_key
print("ready", flush=True)
sys.stdin.readline()
print(load_secret_key(sys.argv[1]), flush=True)
"""


def test_processes_starting_together_agree_on_one_key(tmp_path):
    # subprocesses, not forks of this (threaded) test worker: a fork can inherit a held lock and hang
    for round_ in range(5):
        folder = tmp_path / str(round_)
        folder.mkdir()
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", LOADER, str(folder)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for _ in range(8)
        ]
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}
        assert [worker.returncode for worker in workers] == [0] * 8
        assert len(keys) == 1 and "" not in keys
        assert (folder / "secret_key").read_text() in keys
