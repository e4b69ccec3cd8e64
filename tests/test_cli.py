"""The demo content and database commands."""

from __future__ import annotations

import sqlalchemy as sa

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
