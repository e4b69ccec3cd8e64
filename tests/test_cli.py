"""The demo content and database commands."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from eventsite import create_app
from eventsite.accounts.models import Organiser, Role
from eventsite.accounts.operations import authenticate
from eventsite.config import TestingConfig
from eventsite.events.models import Event, Panel, Panelist, View
from eventsite.extensions import db
from eventsite.recordings.models import JobStatus, Recording
from eventsite.storage import media_store
from eventsite.times import clock


def test_seed_demo_creates_the_social_media_week_panel_once(runner, app, client):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "organiser@example.com" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already there" in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(Panelist.id))) == 6
        panel = db.session.scalar(sa.select(Panel))
        assert panel.title == "What is social influence?" and panel.is_listed()
    html = client.get("/events/social-media-week/what-is-social-influence/").get_data(as_text=True)
    for name in ["Gemma Went", "Andrew Gerrard", "Joanne Jacobs", "Benjamin Ellis", "Matt Rhodes", "Azeem Azhar"]:
        assert name in html
    assert "Hosted by Likeminds" in html and "Video by Brass" in html
    bird = client.get("/people/azeem-azhar/bird?size=96")
    assert bird.status_code == 200 and bird.mimetype == "image/png"
    with app.app_context():
        recording = db.session.scalar(sa.select(Recording))
        assert recording.original_filename == "what-is-social-influence.m4a"
        assert 75 < recording.duration_seconds < 110  # about 90 s of six voices
        assert recording.probe["video"] is None  # a talk as sound: the birds are its picture
        assert [job.status for job in recording.jobs] == [JobStatus.QUEUED]
        panel = db.session.scalar(sa.select(Panel))
        assert panel.default_view.value == "flock" and panel.public_views() == {View.FLOCK, View.AUDIO}
        # Read from the store: the public sees captions only once the recording is transcoded.
        with media_store().open(recording.captions[0].storage_key) as fh:
            vtt = fh.read().decode()
        assert "<v Azeem Azhar>" in vtt and "Cheep cheep" in vtt
        assert client.get(f"/captions/{recording.captions[0].id}.vtt").status_code == 404
        titles = {c.title: c for c in recording.chapters}
        assert titles["Influence always has a topic"].panelist_id == db.session.scalar(
            sa.select(Panelist.id).where(Panelist.name == "Azeem Azhar")
        )
        # The demo thread's timestamp points at Azeem's answer, a moment that exists.
        azeem = titles["Influence always has a topic"].start
        rich = next(c for c in panel.comments if c.author_name == "Rich")
        assert f"Around {clock(azeem)} Azeem" in rich.body_source and azeem < recording.duration_seconds


@pytest.fixture
def bare_app(tmp_path, monkeypatch):
    """An app whose database file exists but was never migrated (a forgotten `db upgrade`)."""
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'bare.db'}", "MEDIA_ROOT": str(tmp_path / "media")},
        config_class=TestingConfig,
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_commands_on_an_unmigrated_database_say_what_to_run(bare_app):
    result = bare_app.test_cli_runner().invoke(args=["create-organiser", "a@example.com", "--password", "x" * 12])
    assert result.exit_code == 1
    assert "flask --app wsgi db upgrade" in result.output
    assert "Traceback" not in result.output and "SELECT" not in result.output and "sqlite3" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_seed_demo_sets_up_an_unmigrated_database_itself(bare_app):
    result = bare_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "applying migrations" in result.output and "Demo content created" in result.output
    with bare_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Panel.id))) == 1


@pytest.mark.parametrize(
    ("host", "password", "expected_login", "said"),
    [
        ("127.0.0.1", None, "eventsite-demo", "eventsite-demo"),
        ("0.0.0.0", None, None, "not created"),
        ("0.0.0.0", "a long chosen secret", "a long chosen secret", "EVENTSITE_DEMO_PASSWORD"),
    ],
)
def test_the_demo_never_leaves_a_known_password_on_a_reachable_site(runner, app, host, password, expected_login, said):
    app.config.update(HOST=host, DEMO_PASSWORD=password)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert said in result.output
    with app.app_context():
        organiser = db.session.scalar(sa.select(Organiser).where(Organiser.email == "organiser@example.com"))
        if expected_login is None:
            assert organiser is None
            assert "eventsite-demo" not in result.output
        else:
            assert organiser.role is Role.ORGANISER  # never an admin
            assert authenticate("organiser@example.com", expected_login) is not None
