"""The demo content and database commands."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from eventsite import create_app
from eventsite.accounts.models import Organiser, Role
from eventsite.accounts.operations import authenticate
from eventsite.config import TestingConfig
from eventsite.events.models import Event, Panel, Panelist
from eventsite.extensions import db
from eventsite.recordings.models import JobStatus, Recording


def test_seed_demo_creates_the_social_media_week_panel_once(runner, app, client):
    app.config["DEMO_CARD_SECONDS"] = 1
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
    assert client.get("/people/azeem-azhar/photo").status_code == 200
    with app.app_context():
        recording = db.session.scalar(sa.select(Recording))
        assert recording.original_filename == "what-is-social-influence.mp4"
        assert 6.5 < recording.duration_seconds < 7.5  # a card for the title and one per panelist
        assert [job.status for job in recording.jobs] == [JobStatus.QUEUED]


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
    bare_app.config["DEMO_CARD_SECONDS"] = 1
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
    app.config.update(DEMO_CARD_SECONDS=1, HOST=host, DEMO_PASSWORD=password)
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
