"""The privacy-friendly view counter: no cookies, once a day per visitor, no raw IPs."""

from __future__ import annotations

import sqlalchemy as sa

from eventsite.events.models import PanelStatus
from eventsite.events.stats import PanelViewer, total_views
from eventsite.extensions import db


def beacon(client, panel, ip="203.0.113.5", ua="Firefox"):
    return client.post(f"/api/panels/{panel.id}/views", headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": ip})


def test_a_visitor_counts_once_a_day(client, ready_panel):
    assert beacon(client, ready_panel).status_code == 204
    assert beacon(client, ready_panel).status_code == 204
    assert total_views(ready_panel) == 1
    beacon(client, ready_panel, ua="Chrome")
    beacon(client, ready_panel, ip="198.51.100.7")
    assert total_views(ready_panel) == 3


def test_no_cookie_and_no_raw_address_is_kept(client, ready_panel):
    response = beacon(client, ready_panel)
    assert "Set-Cookie" not in response.headers
    stored = " ".join(db.session.scalars(sa.select(PanelViewer.visitor)))
    assert "203.0.113.5" not in stored and "Firefox" not in stored and len(stored) == 64


def test_unpublished_panels_are_not_counted(client, app_ctx, ready_panel):
    ready_panel.status = PanelStatus.DRAFT
    db.session.commit()
    assert beacon(client, ready_panel).status_code == 404
    assert client.post("/api/panels/999/views").status_code == 404


def test_studio_shows_the_count(login, ready_panel):
    client = login()
    beacon(client, ready_panel)
    html = client.get(f"/studio/panels/{ready_panel.id}/media").get_data(as_text=True)
    assert "<strong>1</strong> play in all" in html


def test_one_address_cannot_run_up_the_count(client, ready_panel):
    statuses = [beacon(client, ready_panel, ua=f"Bot/{n}").status_code for n in range(25)]
    assert statuses.count(204) == 20 and statuses[-1] == 429
    assert total_views(ready_panel) == 20
    assert beacon(client, ready_panel, ip="198.51.100.7").status_code == 204  # other visitors still count
