"""The multi-machine set-up, end to end on loopback: nginx (deploy/nginx.conf) in
front of two gunicorn web nodes, two workers on the Redis queue, PostgreSQL, and
the media either in one shared folder or in an S3 bucket (moto's server) with
no folder shared between the nodes but the web nodes' partial uploads. Every
test runs on both. Runs when EVENTSITE_TEST_STACK_DATABASE (a PostgreSQL server
URL) and EVENTSITE_TEST_REDIS_URL are set, as the CI's stack stage does."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from tusclient import client as tus

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy"))
from stack import ORGANISER, Stack  # noqa: E402

DATABASE = os.environ.get("EVENTSITE_TEST_STACK_DATABASE")
REDIS = os.environ.get("EVENTSITE_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not (DATABASE and REDIS and shutil.which("nginx")),
    reason="needs PostgreSQL, Redis and nginx: set EVENTSITE_TEST_STACK_DATABASE and EVENTSITE_TEST_REDIS_URL",
)


@pytest.fixture(scope="module", params=["local", "s3"])
def stack(request):
    running = Stack(
        DATABASE,
        REDIS.rsplit("/", 1)[0] + "/14",
        # A public answer is reused for 2 s here (60 s by default), so unpublishing shows within the test.
        # A recording of 8 s or more is cut into 4 s chunks (90 s by default), so a short one shows it.
        extra_env={
            "EVENTSITE_MEDIA_AUTH_CACHE_SECONDS": "2",
            "EVENTSITE_LOGIN_RATE_LIMIT": "5 per minute",
            "EVENTSITE_CHUNK_SECONDS": "4",
        },
        storage=request.param,
    )
    try:
        yield running.start()
    finally:
        running.stop()


@pytest.fixture(scope="module")
def site(stack):
    """The stack's database through the app's own models (as a node sees it)."""
    from eventsite import create_app

    app = create_app(stack.settings("site"))
    with app.app_context():
        yield app


def set_status(panel_id: int, status: str) -> None:
    from eventsite.events.models import Panel, PanelStatus
    from eventsite.extensions import db

    db.session.get(Panel, panel_id).status = PanelStatus(status)
    db.session.commit()


@pytest.fixture(scope="module")
def published(stack, site, tmp_path_factory):
    """A published panel whose 2-second recording went up through nginx by tus and was transcoded."""
    from eventsite.events.models import Event, Panel, PanelStatus
    from eventsite.extensions import db

    panel = Panel(
        event=Event(slug="stack", name="Stack Week"),
        slug="through-nginx",
        title="Through nginx",
        status=PanelStatus.PUBLISHED,
        publish_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    db.session.add(panel)
    db.session.commit()
    panel_id = panel.id
    clip = tmp_path_factory.mktemp("clip") / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-c:a", "aac", str(clip)],
        check=True,
    )  # fmt: skip
    client = tus.TusClient(f"{stack.url}/uploads/", headers={"Authorization": f"Bearer {stack.token}"})
    metadata = {"filename": "clip.mp4", "panel": str(panel_id)}
    client.uploader(str(clip), chunk_size=256 * 1024, metadata=metadata).upload()
    page_url = f"{stack.url}/events/stack/through-nginx/"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        page = requests.get(page_url, timeout=10).text
        if "master.m3u8" in page:
            return {"panel_id": panel_id, "page": page, "url": page_url}
        time.sleep(1)
    pytest.fail("the upload through nginx was not transcoded:\n" + stack.log("worker1") + stack.log("worker2"))


def test_one_of_the_two_workers_transcoded_the_upload(stack, published):
    started = re.compile(r"job \d+ \(transcode, recording \d+\) started")
    ran = [n for n in ("worker1", "worker2") if started.search(stack.log(n))]
    assert len(ran) == 1, (stack.log("worker1"), stack.log("worker2"))


def first_answer(response: requests.Response) -> requests.Response:
    """What nginx answered (with S3: the redirect to the bucket, which requests followed)."""
    return response.history[0] if response.history else response


def test_nginx_serves_published_media_after_one_question_to_the_app(stack, published):
    master = re.search(r'/media/[^"]*master\.m3u8', published["page"]).group(0)
    response = requests.get(stack.url + master, timeout=10)
    assert response.status_code == 200 and response.text.startswith("#EXTM3U")
    # Playlists come from nginx (local) or through the app (S3: they name their segments relatively).
    assert response.headers["Server"].startswith("nginx") and not response.history
    assert response.headers["Cache-Control"] == "public, no-cache"
    variant = next(line for line in response.text.splitlines() if line and not line.startswith("#"))
    folder = master.rsplit("/", 1)[0]
    playlist = requests.get(f"{stack.url}{folder}/{variant}", timeout=10).text
    segment = f"{stack.url}{folder}/{variant.rsplit('/', 1)[0]}/" + next(
        line for line in playlist.splitlines() if line.endswith(".m4s")
    )
    path = segment.removeprefix(stack.url)
    question = f"GET {path} " if stack.storage == "s3" else "/_media_auth" + path
    for _ in range(5):
        # Viewers of a page with a comment form carry a session cookie: each a different one.
        viewer = requests.Session()
        viewer.get(published["url"], timeout=10)
        assert viewer.cookies, "the panel page gives its viewers a session"
        part = viewer.get(segment, headers={"Range": "bytes=0-99"}, timeout=10)
        assert part.status_code == 206 and len(part.content) == 100
        if stack.storage == "s3":  # the bucket sent the bytes, after nginx's (cached) redirect
            answer = first_answer(part)
            assert answer.status_code == 302 and answer.headers["Location"].startswith(stack.s3_endpoint)
            assert answer.headers["Server"].startswith("nginx")
    # One question about this segment at most; the other answers came from nginx's cache.
    time.sleep(0.5)  # gunicorn writes its access log after the response
    assert sum(stack.access_log(n).count(question) for n in ("web1", "web2")) <= 1


def test_unpublished_media_is_404_through_nginx_but_organisers_still_get_it(stack, published):
    master = stack.url + re.search(r'/media/[^"]*master\.m3u8', published["page"]).group(0)
    assert requests.get(master, timeout=10).status_code == 200
    set_status(published["panel_id"], "draft")
    try:
        time.sleep(3)  # the cached public answer expires (2 s in this stack)
        assert requests.get(master, timeout=10).status_code == 404
        organiser = requests.Session()
        signin = organiser.get(f"{stack.url}/login", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', signin).group(1)
        organiser.post(
            f"{stack.url}/login",
            data={"csrf_token": token, "email": ORGANISER[0], "password": ORGANISER[1]},
            timeout=10,
        )
        answer = organiser.get(master, timeout=10)
        assert answer.status_code == 200 and answer.text.startswith("#EXTM3U")
        assert answer.headers["Cache-Control"] == "private, no-cache" and not answer.history
    finally:
        set_status(published["panel_id"], "published")


def test_a_comment_posted_through_nginx_is_stored(stack, site, published):
    visitor = requests.Session()
    page = visitor.get(published["url"], timeout=10).text
    comment_form = page[page.index('id="commentform"') :]
    comment_form = comment_form[: comment_form.index("</form>")]
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', comment_form))
    time.sleep(3.5)  # a person takes a moment to type (faster posts are held as bots)
    form.update(name="Stack Visitor", email="visitor@example.com", body="Heard through nginx.")
    response = visitor.post(f"{stack.url}/events/stack/through-nginx/comments", data=form, timeout=10)
    assert response.status_code in (200, 302, 303), response.text[:500]
    from eventsite.discussion.models import Comment
    from eventsite.extensions import db

    db.session.rollback()  # see what the web nodes committed
    assert db.session.scalar(sa.select(sa.func.count()).where(Comment.body_source == "Heard through nginx.")) == 1


def test_a_spoofed_forwarded_for_gets_no_fresh_sign_in_limit(stack):
    attacker = requests.Session()
    codes = []
    for n in range(8):
        signin = attacker.get(f"{stack.url}/login", timeout=10)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', signin.text)
        data = {"csrf_token": token.group(1) if token else "", "email": ORGANISER[0], "password": "wrong"}
        # Each try claims to come from another address; nginx replaces the header with the real one.
        response = attacker.post(
            f"{stack.url}/login", data=data, headers={"X-Forwarded-For": f"198.51.100.{n}"}, timeout=10
        )
        codes.append(response.status_code)
    assert 429 in codes[5:], codes


def test_a_spoofed_forwarded_for_gets_no_fresh_comment_limit(stack, published):
    visitor = requests.Session()
    page = visitor.get(published["url"], timeout=10).text
    comment_form = page[page.index('id="commentform"') :]
    form = dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', comment_form[: comment_form.index("</form>")])
    )
    time.sleep(3.5)
    codes = []
    for n in range(8):
        form.update(name="Flooder", email=f"flood{n}@example.com", body=f"Flood {n}")
        response = visitor.post(
            f"{stack.url}/events/stack/through-nginx/comments",
            data=form,
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
            timeout=10,
        )
        codes.append(response.status_code)
    # COMMENT_RATE_LIMIT is 5 a minute per address (one was spent above): the real address runs out.
    assert 429 in codes, codes


def test_with_object_storage_no_node_keeps_the_media(stack, site, published):
    if stack.storage != "s3":
        pytest.skip("the shared folder is the local set-up's store")
    from eventsite.recordings.models import Recording
    from eventsite.storage import media_store

    recording = site.extensions["sqlalchemy"].session.scalar(sa.select(Recording).order_by(Recording.id.desc()))
    keys = set(media_store().iter_keys(f"recordings/{recording.id}"))
    assert recording.original_key in keys
    assert {r.storage_key for r in recording.renditions} <= keys
    # Nothing of the recording on any node's disk, and no partial upload left behind.
    on_disk = [p for p in stack.dir.glob("*/media/**/*") if p.is_file() and "recordings" in p.parts]
    assert on_disk == []
    assert not [p for p in (stack.dir / "uploads").glob("*") if p.is_file() and not p.name.endswith(".lock")]


def test_one_recording_is_encoded_by_both_workers_and_joined_without_a_gap(stack, site, published, tmp_path):
    """24 s in six 4 s chunks: each worker encodes some; the published rung plays through every join."""
    from eventsite.events.models import Event, Panel, PanelStatus
    from eventsite.extensions import db
    from eventsite.recordings.models import JobKind, JobStatus, Recording, RecordingJob

    event = db.session.scalar(sa.select(Event).where(Event.slug == "stack"))
    panel = Panel(event=event, slug="in-chunks", title="In chunks", status=PanelStatus.PUBLISHED)
    panel.publish_at = datetime(2020, 1, 1, tzinfo=UTC)
    db.session.add(panel)
    db.session.commit()
    clip = tmp_path / "long.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "24", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", str(clip)],
        check=True,
    )  # fmt: skip
    client = tus.TusClient(f"{stack.url}/uploads/", headers={"Authorization": f"Bearer {stack.token}"})
    client.uploader(
        str(clip), chunk_size=256 * 1024, metadata={"filename": "long.mp4", "panel": str(panel.id)}
    ).upload()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        db.session.rollback()  # see what the workers committed
        recording = db.session.scalar(sa.select(Recording).where(Recording.panel_id == panel.id))
        job = recording and next((j for j in recording.pipeline_jobs if j.kind is JobKind.TRANSCODE), None)
        if job is not None and job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            break
        time.sleep(1)
    assert job.status is JobStatus.SUCCEEDED, (job.error, stack.log("worker1"), stack.log("worker2"))
    chunks = db.session.scalars(sa.select(RecordingJob).where(RecordingJob.parent_id == job.id)).all()
    assert len(chunks) == 6 and all(c.status is JobStatus.SUCCEEDED for c in chunks)
    started = rf"job (\d+) \(chunk, recording {recording.id}\) started"
    by_worker = [{int(n) for n in re.findall(started, stack.log(w))} for w in ("worker1", "worker2")]
    assert all(by_worker) and set.union(*by_worker) == {c.id for c in chunks}, by_worker

    # the published set, as a player fetches it through nginx: master, the rung, its init and segments
    page = requests.get(f"{stack.url}/events/stack/in-chunks/", timeout=10).text
    master = stack.url + re.search(r'/media/[^"]*master\.m3u8', page).group(0)
    base = master.rsplit("/", 1)[0]
    names = [line for line in requests.get(master, timeout=10).text.splitlines() if line and not line[0] == "#"]
    assert names == ["240p/index.m3u8"]
    ends = {}
    for variant in ("240p", "audio"):
        playlist = requests.get(f"{base}/{variant}/index.m3u8", timeout=10).text
        (tmp_path / variant).mkdir()
        (tmp_path / variant / "index.m3u8").write_text(playlist)
        files = re.findall(r'URI="([^"]+)"', playlist) + [n for n in playlist.splitlines() if n.endswith(".m4s")]
        for name in files:
            (tmp_path / variant / name).write_bytes(requests.get(f"{base}/{variant}/{name}", timeout=10).content)
        probed = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "packet=pts_time,duration_time,flags", "-of", "json",
             str(tmp_path / variant / "index.m3u8")],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        packets = sorted(json.loads(probed)["packets"], key=lambda p: float(p["pts_time"]))
        times = [float(p["pts_time"]) for p in packets]
        ends[variant] = times[-1] + float(packets[-1]["duration_time"])
        if variant == "240p":
            steps = {round(b - a, 4) for a, b in zip(times, times[1:], strict=False)}
            assert len(times) == 24 * 25 and steps == {0.04}, steps  # no gap or overlap at any join
            keys = [n for n, p in enumerate(packets) if "K" in p["flags"]]
            assert keys == list(range(0, 600, 50))  # every 2 s, every chunk starting on one
    assert abs(ends["240p"] - ends["audio"]) < 0.1, ends  # picture and sound end together
