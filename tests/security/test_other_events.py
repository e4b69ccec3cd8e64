"""What one event's organisers, and the public, must not get of another event: its
drafts in search, its clips switch and rate limit, its drafts' slugs in tus errors,
its finished uploads' sizes. And the one-click unsubscribe header stays readable."""

from __future__ import annotations

import pytest

from eventsite import search
from eventsite.accounts.operations import create_organiser
from eventsite.accounts.tokens import create_token
from eventsite.events.models import PanelStatus
from eventsite.extensions import db
from eventsite.mail import build_message
from tests.clips.conftest import ask, clip_count
from tests.conftest import csrf_token
from tests.recordings.helpers import TUS, metadata

pytestmark = pytest.mark.usefixtures("app_ctx")


def token_for(email: str, events) -> dict[str, str]:
    organiser = create_organiser(email, email.split("@")[0], "a long enough password", all_events=False,
                                 event_ids=[event.id for event in events])  # fmt: skip
    return TUS | {"Authorization": f"Bearer {create_token(organiser)}"}


# Search ----------------------------------------------------------------------


def test_search_does_not_show_an_event_of_drafts_only(client, make_event, make_panel):
    event = make_event(
        "Secret Summit", place="Atlantis", host_organisation="Hush Inc", description="Our unannounced programme."
    )
    make_panel("Not yet", event=event, status=PanelStatus.DRAFT)
    search.reindex_all()
    for word in ("Secret", "Atlantis", "Hush", "unannounced"):
        page = client.get("/search", query_string={"q": word}).get_data(as_text=True)
        assert "Secret Summit" not in page and "programme" not in page, word
    assert client.get(f"/events/{event.slug}/").status_code == 404
    # Once a panel is out, the event is found.
    make_panel("Out now", event=event)
    assert "Secret Summit" in client.get("/search?q=Atlantis").get_data(as_text=True)


# Clips -----------------------------------------------------------------------


def sign_in_as(client, email, events):
    create_organiser(email, "Limited", "a long enough password", all_events=False,
                     event_ids=[event.id for event in events])  # fmt: skip
    page = client.get("/login").get_data(as_text=True)
    data = {"email": email, "password": "a long enough password", "csrf_token": csrf_token(page)}
    assert client.post("/login", data=data).status_code == 302


def test_an_organiser_of_another_event_meets_the_clips_switch(client, ready_panel, make_event):
    ready_panel.clips_enabled = False
    db.session.commit()
    sign_in_as(client, "elsewhere@example.com", [make_event("Another Week")])
    response = ask(client, ready_panel, start="0:00", end="0:02", shape="square")
    assert response.status_code == 403 and "turned clip-making off" in response.get_data(as_text=True)
    assert clip_count() == 0


def test_an_organiser_of_another_event_meets_the_clip_rate_limit(app, client, ready_panel, make_event):
    app.config["CLIP_RATE_LIMIT"] = "1 per hour"
    sign_in_as(client, "elsewhere@example.com", [make_event("Another Week")])
    assert ask(client, ready_panel, start="0:00", end="0:02", shape="square").status_code == 303
    assert ask(client, ready_panel, start="0:01", end="0:03", shape="square").status_code == 429


def test_the_panels_own_organisers_still_pass_both(app, client, ready_panel):
    app.config["CLIP_RATE_LIMIT"] = "1 per hour"
    ready_panel.clips_enabled = False
    db.session.commit()
    sign_in_as(client, "own@example.com", [ready_panel.event])
    for start, end in (("0:00", "0:02"), ("0:01", "0:03")):
        assert ask(client, ready_panel, start=start, end=end, shape="square").status_code == 303


# tus ------------------------------------------------------------------------


def test_an_ambiguous_slug_names_no_other_events_draft(client, make_event, make_panel):
    mine, theirs, third = make_event("Mine"), make_event("Theirs"), make_event("Third")
    make_panel("Keynote", event=mine)
    make_panel("Keynote", event=theirs, status=PanelStatus.DRAFT)
    make_panel("Keynote", event=third)
    auth = token_for("limited@example.com", [mine])
    response = client.post("/uploads/", headers=auth | {"Upload-Length": "10", "Upload-Metadata": metadata("keynote")})
    assert response.status_code == 201, response.get_data(as_text=True)  # the only Keynote they manage
    both = token_for("two@example.com", [mine, third])
    refused = client.post("/uploads/", headers=both | {"Upload-Length": "10", "Upload-Metadata": metadata("keynote")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "mine/keynote" in text and "third/keynote" in text
    assert "theirs" not in text
    nobody = token_for("none@example.com", [])
    refused = client.post("/uploads/", headers=nobody | {"Upload-Length": "10", "Upload-Metadata": metadata("keynote")})
    assert refused.status_code == 400 and "theirs" not in refused.get_data(as_text=True)


def test_head_on_another_events_finished_upload_reveals_nothing(client, ready_panel, make_event):
    recording = ready_panel.recordings[0]
    recording.upload_id = "ab" * 16
    db.session.commit()
    own = token_for("own@example.com", [ready_panel.event])
    answer = client.head(f"/uploads/{recording.upload_id}", headers=own)
    assert answer.status_code == 200 and answer.headers["Upload-Length"] == str(recording.size_bytes)
    other = client.head(f"/uploads/{recording.upload_id}", headers=token_for("x@example.com", [make_event("X")]))
    assert other.status_code == 404 and "Upload-Length" not in other.headers and "Upload-Offset" not in other.headers


# Mail -----------------------------------------------------------------------


def test_list_unsubscribe_is_not_rfc_2047_encoded(app):
    stop = "https://panels.example.org/panelists/stop/" + "x" * 150
    with app.test_request_context():
        raw = build_message(
            "a@example.com", "New comment", "Hello", {"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "x"}
        ).as_bytes()
    header = next(line for line in raw.split(b"\n") if line.startswith(b"List-Unsubscribe:"))
    assert header.strip() == f"List-Unsubscribe: <{stop}>".encode()
    assert b"=?" not in raw
