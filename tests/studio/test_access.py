"""Every studio page is closed to anyone who is not a signed-in organiser."""

from __future__ import annotations

import os
import tempfile

import pytest
import sqlalchemy as sa

from eventsite import create_app
from eventsite.config import TestingConfig
from eventsite.events.models import Event, Panel, Panelist
from eventsite.extensions import db
from tests.conftest import csrf_token


def studio_routes() -> list[tuple[str, str]]:
    """(method, url) for every rule under /studio/, with id 1 filled in for parameters."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("EVENTSITE_INSTANCE_PATH", tmp)  # keep the url-map app out of the repo
        app = create_app({"MEDIA_ROOT": tmp, "DATABASE_URL": f"sqlite:///{tmp}/db"}, config_class=TestingConfig)
        if os.environ["EVENTSITE_INSTANCE_PATH"] == tmp:
            del os.environ["EVENTSITE_INSTANCE_PATH"]
    routes = []
    for rule in app.url_map.iter_rules():
        if not (rule.endpoint.startswith("studio.") or rule.rule.startswith("/studio/")):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    return routes


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Event, Panel, Panelist))


@pytest.mark.parametrize(("method", "url"), studio_routes())
def test_anonymous_is_sent_to_login_and_nothing_changes(client, app_ctx, make_panel, make_panelist, method, url):
    panel = make_panel()
    make_panelist(panel=panel)
    before = counts()
    # A valid CSRF token, so only the login requirement stands in the way.
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.open(url, method=method, data={"name": "Hacked", "title": "Hacked", "csrf_token": token})
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    db.session.expire_all()
    assert counts() == before
    assert db.session.get(Event, panel.event_id).name != "Hacked"


def test_there_are_studio_routes_to_check():
    # Guards the parametrized test above from passing vacuously.
    assert len(studio_routes()) >= 15


def test_signed_in_organiser_gets_the_studio(login):
    client = login()
    response = client.get("/studio/")
    assert response.status_code == 200
    assert "New event" in response.get_data(as_text=True)
