"""Every studio page is closed to anyone who is not a signed-in organiser."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint

from eventsite.events.models import Event, Panel, Panelist
from eventsite.extensions import db
from tests.conftest import csrf_token


def studio_routes(app) -> list[tuple[str, str]]:
    """(method, url) for every rule under /studio/, with id 1 filled in for parameters."""
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


def test_anonymous_is_sent_to_login_and_nothing_changes(app, client, app_ctx, make_panel, make_panelist):
    """Every studio route, read from the app's own URL map (so a new route is checked
    the day it is added), answers an anonymous visitor with the sign-in page."""
    panel = make_panel()
    make_panelist(panel=panel)
    routes = studio_routes(app)
    assert len(routes) >= 15  # the loop below must not pass vacuously
    before = counts()
    # A valid CSRF token, so only the login requirement stands in the way.
    token = csrf_token(client.get("/login").get_data(as_text=True))
    refused_badly = []
    for method, url in routes:
        response = client.open(url, method=method, data={"name": "Hacked", "title": "Hacked", "csrf_token": token})
        if response.status_code != 302 or "/login?next=" not in response.headers.get("Location", ""):
            refused_badly.append((method, url, response.status_code))
    assert refused_badly == []
    db.session.expire_all()
    assert counts() == before
    assert db.session.get(Event, panel.event_id).name != "Hacked"


def test_signed_in_organiser_gets_the_studio(login):
    client = login()
    response = client.get("/studio/")
    assert response.status_code == 200
    assert "New event" in response.get_data(as_text=True)


def test_a_new_studio_route_is_closed_without_any_decorator(app, client, login):
    """The one guard reads the URL, not the blueprint: a route an area adds under
    /studio/ on its own blueprint, with no login check of its own, is still closed."""
    area = Blueprint("new_area", __name__)
    area.add_url_rule("/studio/new-area/report", "report", lambda: "the organisers' report")
    area.add_url_rule("/new-area/report", "public_report", lambda: "the public report")
    app.register_blueprint(area)
    response = client.get("/studio/new-area/report")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    assert client.get("/new-area/report").get_data(as_text=True) == "the public report"
    login()
    assert client.get("/studio/new-area/report").get_data(as_text=True) == "the organisers' report"
