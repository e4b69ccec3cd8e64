"""One panel loader: every route that shows a panel follows renames and hides drafts alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsite.database import utcnow
from eventsite.events.models import Panel, PanelStatus
from eventsite.extensions import db
from eventsite.studio.operations import save_panel
from tests.ready_panel import panel_path


def rename(panel: Panel, title: str) -> str:
    """Rename ``panel`` and return its old slug."""
    old = panel.slug
    save_panel({"title": title}, panel.event, panel)
    return old


def test_a_renamed_panels_embed_oembed_feed_and_media_keep_working(client, app_ctx, ready_panel):
    event = ready_panel.event.slug
    caption_url = f"/captions/{ready_panel.recordings[0].captions[0].id}.vtt"
    old = rename(ready_panel, "What is influence, really?")
    new = ready_panel.slug

    embed = client.get(f"/embed/{event}/{old}/")
    assert embed.status_code == 301 and embed.headers["Location"].endswith(f"/embed/{event}/{new}/")
    assert client.get(embed.headers["Location"]).status_code == 200

    feed = client.get(f"/events/{event}/{old}/comments.atom")
    assert feed.status_code == 301 and feed.headers["Location"].endswith(f"/events/{event}/{new}/comments.atom")

    page = client.get(f"/events/{event}/{old}/?t=30")
    assert page.status_code == 301 and page.headers["Location"].endswith(f"/events/{event}/{new}/?t=30")

    for old_url in (f"http://localhost/events/{event}/{old}/", f"http://localhost/embed/{event}/{old}/"):
        data = client.get("/oembed", query_string={"url": old_url}).get_json()
        assert f"/embed/{event}/{new}/" in data["html"]

    html = client.get(panel_path(ready_panel)).get_data(as_text=True)
    poster = html.split('poster="', 1)[1].split('"', 1)[0]
    assert client.get(poster).status_code == 200
    assert client.get(caption_url).status_code == 200


def test_an_old_link_to_a_draft_never_reveals_its_new_title(client, app_ctx, ready_panel):
    event = ready_panel.event.slug
    ready_panel.status = PanelStatus.DRAFT
    db.session.commit()
    old = rename(ready_panel, "A secret new title")
    for url in (f"/events/{event}/{old}/", f"/embed/{event}/{old}/", f"/events/{event}/{old}/comments.atom"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "secret" not in response.headers.get("Location", "")
    assert client.get(f"/captions/{ready_panel.recordings[0].captions[0].id}.vtt").status_code == 404


def test_organisers_follow_old_links_to_drafts(login, app_ctx, ready_panel):
    client = login()
    ready_panel.status = PanelStatus.DRAFT
    db.session.commit()
    old = rename(ready_panel, "A secret new title")
    response = client.get(f"/embed/{ready_panel.event.slug}/{old}/")
    assert response.status_code == 301 and "a-secret-new-title" in response.headers["Location"]


@pytest.mark.parametrize("status", list(PanelStatus))
@pytest.mark.parametrize("publish_in", [None, timedelta(hours=-1), timedelta(hours=1)])
def test_the_visibility_rule_is_the_same_in_python_and_sql(app_ctx, make_panel, status, publish_in):
    panel = make_panel(status=status)
    panel.publish_at = None if publish_in is None else utcnow() + publish_in
    db.session.commit()
    by_sql = db.session.scalar(sa.select(Panel.id).where(Panel.id == panel.id, Panel.is_public())) is not None
    listed_by_sql = db.session.scalar(sa.select(Panel.id).where(Panel.id == panel.id, Panel.is_listed())) is not None
    assert panel.is_public() == by_sql
    assert panel.is_listed() == listed_by_sql
    assert panel.is_public() == (
        status in (PanelStatus.PUBLISHED, PanelStatus.UNLISTED)
        or (status is PanelStatus.SCHEDULED and publish_in is not None and publish_in < timedelta(0))
    )
