"""Fixtures shared by the whole suite: app, client, runner, factories, login.

The suite runs on SQLite by default; set ``EVENTSITE_TEST_DATABASE_URL`` (for
example ``postgresql://127.0.0.1/test``) to run the same tests on PostgreSQL.
Under pytest-xdist (``scripts/test.sh`` runs ``-n 2``) each worker gets its own
PostgreSQL database (``test_gw0``, ``test_gw1``…) and its own Redis database
(15, 14…), so two workers never drop each other's tables or flush each other's keys.
"""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app, g
from PIL import Image

from eventsite import create_app
from eventsite.accounts.operations import create_organiser
from eventsite.config import TestingConfig
from eventsite.events.models import Consent, Event, Panel, Panelist, PanelStatus, SeatRole
from eventsite.events.slugs import unique_slug
from eventsite.extensions import db
from eventsite.studio.operations import seat_panelist

#: Fixtures shared by several areas' tests (a ready, transcoded panel).
pytest_plugins = ["tests.ready_panel", "tests.mailbox"]

PASSWORD = "correct horse battery"


def _own_postgres_database(url: str, worker: int) -> str:
    """``…/test`` becomes ``…/test_gw<worker>``, created on first use."""
    from sqlalchemy import create_engine, text

    head, _, name = url.partition("?")[0].rpartition("/")
    own = f"{name}_gw{worker}"
    driver_url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(driver_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own}):
            connection.execute(text(f'CREATE DATABASE "{own}"'))
    engine.dispose()
    return f"{head}/{own}"


def _own_redis_database(url: str, worker: int) -> str:
    """``redis://host:port/15`` becomes ``…/14`` for the second worker, and so on down."""
    head, _, db = url.rstrip("/").rpartition("/")
    number = int(db) if db.isdigit() else 15
    if not db.isdigit():
        head = url.rstrip("/")
    return f"{head}/{number - worker}"


def pytest_configure(config):
    worker = getattr(config, "workerinput", {}).get("workerid")  # "gw0", "gw1"… under xdist
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    if os.environ.get("EVENTSITE_TEST_DATABASE_URL", "").startswith(("postgres:", "postgresql")):
        os.environ["EVENTSITE_TEST_DATABASE_URL"] = _own_postgres_database(
            os.environ["EVENTSITE_TEST_DATABASE_URL"], number
        )
    if os.environ.get("EVENTSITE_TEST_REDIS_URL"):
        os.environ["EVENTSITE_TEST_REDIS_URL"] = _own_redis_database(os.environ["EVENTSITE_TEST_REDIS_URL"], number)


def pytest_collection_modifyitems(config, items):
    """Mark ``database`` every test that opens the configured database: those using the
    ``app`` fixture, and modules marked by hand (they read ``EVENTSITE_TEST_DATABASE_URL``
    themselves). The PostgreSQL pass of ``.ci/run`` runs ``-m database``: the other tests
    (pure ffmpeg, speech and flock engines; apps on their own SQLite files) cannot behave
    differently there and ran already on the SQLite pass."""
    for item in items:
        if "app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database)


def stamp_head() -> None:
    """Record the newest migration as applied, as `db upgrade` would, so commands
    see a current schema. (Not flask_migrate.stamp(): alembic's env.py would
    reconfigure logging and hide log records from caplog.)"""
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    with db.engine.begin() as connection:
        MigrationContext.configure(connection).stamp(script, "heads")


@pytest.fixture
def app(tmp_path, monkeypatch):
    """A fresh app with an empty database, media folder and queue for each test."""
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    url = os.environ.get("EVENTSITE_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(
        {
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "BASE_URL": "http://localhost",
        },
        config_class=TestingConfig,
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        stamp_head()

    @app.teardown_request
    def forget_signed_in_user(_exc):
        # Tests using ``app_ctx`` keep one app context open, which Flask reuses
        # for every request; without this, one client's login would leak into
        # another client's requests through ``g`` (and so would Flask-WTF's cached CSRF token).
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


def csrf_token(html: str) -> str:
    """The CSRF token from a rendered form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def make_organiser(app):
    def factory(email="organiser@example.com", name="Olive Organiser", password=PASSWORD):
        with app.app_context():
            organiser = create_organiser(email, name, password)
            return organiser.id

    return factory


@pytest.fixture
def login(client, make_organiser):
    """Sign in through the real form; returns the client."""

    def do_login(email="organiser@example.com", password=PASSWORD, create=True):
        if create:
            make_organiser(email=email, password=password)
        token = csrf_token(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do_login


@pytest.fixture
def make_event(app_ctx):
    def factory(name="Social Media Week", **kwargs) -> Event:
        event = Event(slug=unique_slug(Event, name), name=name, **kwargs)
        db.session.add(event)
        db.session.commit()
        return event

    return factory


@pytest.fixture
def make_panel(app_ctx, make_event):
    def factory(title="What is social influence?", event=None, status=PanelStatus.PUBLISHED, **kwargs) -> Panel:
        event = event or make_event()
        panel = Panel(
            event=event, slug=unique_slug(Panel, title, event_id=event.id), title=title, status=status, **kwargs
        )
        if status is PanelStatus.PUBLISHED and "publish_at" not in kwargs:
            panel.publish_at = datetime(2020, 1, 1, tzinfo=UTC)
        db.session.add(panel)
        db.session.commit()
        return panel

    return factory


@pytest.fixture
def make_panelist(app_ctx):
    def factory(
        name="Gemma Went", panel=None, role=SeatRole.PANELIST, position=0, consent=Consent.VIDEO, **kwargs
    ) -> Panelist:
        person = Panelist(slug=unique_slug(Panelist, name), name=name, **kwargs)
        db.session.add(person)
        db.session.commit()
        if panel is not None:
            seat_panelist(panel, person, role, position, consent)
        return person

    return factory


def png_bytes(size=(64, 64), colour="#336699") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port; yields the base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app.config["BASE_URL"]
    server.shutdown()
    thread.join(timeout=5)


CHROMIUM = os.environ.get("EVENTSITE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download needed)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) pointed at the live server."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_no_axe_violations(page) -> None:
    """Run axe-core (from npm, copied to static/vendor) on the current page.

    Loaded by URL from our own origin, because the pages' CSP (rightly)
    refuses inline scripts.
    """
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("async () => await axe.run(document)")
    violations = [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})" for v in result["violations"]
    ]
    assert not violations, "\n".join(violations)
