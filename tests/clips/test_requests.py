"""Asking for a clip over HTTP: the render, its size and length, reuse, and every refusal."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from eventsite import jobs
from eventsite.clips.models import Clip, ClipShape, ClipStatus
from eventsite.database import utcnow
from eventsite.events.models import Consent, PanelStatus, View
from eventsite.extensions import db
from eventsite.storage import media_store
from tests.clips.conftest import ask, clip_count, clip_id_of, clips_path, form_token, render
from tests.transcode.media import ffprobe_json


@pytest.mark.parametrize(
    ("shape", "size"),
    [(ClipShape.VERTICAL, (240, 426)), (ClipShape.SQUARE, (240, 240)), (ClipShape.WIDE, (426, 240))],
)
def test_a_request_renders_an_mp4_of_the_shape_and_length(client, voiced_panel, shape, size):
    clip = render(clip_id_of(ask(client, voiced_panel, start="0:01", end="0:04", shape=shape.value)))
    assert clip.status is ClipStatus.READY, clip.error
    assert (clip.width, clip.height) == size
    probe = ffprobe_json(media_store().path(clip.video_key))
    streams = {s["codec_type"]: s for s in probe["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == size
    assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
    # Three seconds of the panel, then the two-second end card.
    assert float(probe["format"]["duration"]) == pytest.approx(5.0, abs=0.15)
    # faststart: the index comes before the media data, so players start at once.
    head = media_store().path(clip.video_key).read_bytes()[:200_000]
    assert head.find(b"moov") < head.find(b"mdat")
    assert media_store().path(clip.poster_key).read_bytes()[:3] == b"\xff\xd8\xff"
    # Published under the view it shows; the public may fetch it.
    assert clip.video_key.startswith(f"recordings/{clip.recording_id}/clips/video/{clip.id}/")
    assert client.get(f"/media/{clip.video_key}").status_code == 200


def test_the_quote_is_stored_with_its_speakers(client, voiced_panel):
    clip = db.session.get(Clip, clip_id_of(ask(client, voiced_panel, start="0:01", end="0:04")))
    assert [(q["speaker"], q["text"]) for q in clip.quote] == [
        ("Gemma Went", "Welcome to the panel."),
        ("Azeem Azhar", "Influence is about trust."),
    ]
    assert clip.card_url == "http://localhost/events/social-media-week/what-is-social-influence/?t=1s"


def test_identical_requests_share_one_clip(client, voiced_panel):
    first = clip_id_of(ask(client, voiced_panel, start="0:02.5", end="4.5"))
    render(first)
    again = clip_id_of(ask(client, voiced_panel, start="0:02.50", end="0:04.5"))
    assert again == first
    assert clip_count() == 1
    assert db.session.get(Clip, first).attempts == 1  # not rendered twice
    # A different shape is a different clip.
    assert clip_id_of(ask(client, voiced_panel, start="0:02.5", end="4.5", shape="square")) != first


def test_a_failed_clip_is_rendered_again_when_asked_again(client, voiced_panel):
    clip_id = clip_id_of(ask(client, voiced_panel))
    source = next(r for r in voiced_panel.recordings[0].renditions if r.kind.value == "mp4" and r.height == 240)
    moved = media_store().path(source.storage_key).rename(media_store().path(source.storage_key + ".away"))
    clip = render(clip_id)
    assert clip.status is ClipStatus.FAILED and clip.video_key is None
    page = client.get(f"/clips/{clip_id}/").get_data(as_text=True)
    assert "This clip could not be made." in page and "Try again" in page
    moved.rename(media_store().path(source.storage_key))
    assert clip_id_of(ask(client, voiced_panel)) == clip_id
    assert render(clip_id).status is ClipStatus.READY


BAD = [
    ({"start": "0:05", "end": "0:09"}, "The recording is only 0:06 long; the clip would end at 0:09.", 400),
    ({"start": "0:00", "end": "1:10"}, "A clip can be at most 60 seconds long; this one would be 70 seconds.", 400),
    ({"start": "0:04", "end": "0:04"}, "The clip must end after it starts", 400),
    ({"start": "0:04", "end": "0:02"}, "The clip must end after it starts", 400),
    ({"start": "-1", "end": "0:02"}, "The start time can't be negative.", 400),
    ({"start": "0:01", "end": "-0:02"}, "The end time can't be negative.", 400),
    ({"start": "soon", "end": "0:02"}, "is not a time we can read", 400),
    ({"start": "", "end": "0:02"}, "Give the start time of the clip", 400),
    ({"start": "0:01", "end": "0:01.5"}, "A clip must be at least 1 second long.", 400),
    ({"view": "flock"}, "The “Feathered friends” version of this panel hasn't been made (yet).", 409),
    ({"view": "audio"}, "A clip can't be made of the audio only version.", 400),
    ({"view": "hologram"}, "Choose which version of the video the clip shows.", 400),
    ({"shape": "circle"}, "Choose the clip's shape: vertical, square or wide.", 400),
]


@pytest.mark.parametrize(("fields", "message", "status"), BAD)
def test_bad_requests_say_why_and_store_nothing(client, voiced_panel, fields, message, status):
    response = ask(client, voiced_panel, **fields)
    assert response.status_code == status
    body = html.unescape(response.get_data(as_text=True))
    assert message in body and "Nothing was saved." in body
    assert clip_count() == 0
    # The visitor's own values come back in the form, to correct.
    if fields.get("start"):
        assert f'value="{fields["start"]}"' in body


def test_a_view_a_panelist_did_not_agree_to_is_refused(client, voiced_panel, make_panelist):
    make_panelist("Joanne Jacobs", panel=voiced_panel, position=2, consent=Consent.CARTOON)
    response = ask(client, voiced_panel, view="video")
    assert response.status_code == 400
    assert "The panelists did not agree to be shown as “Video”" in response.get_data(as_text=True)
    assert clip_count() == 0
    # The cartoon they agreed to is fine.
    assert ask(client, voiced_panel, view="cartoon").status_code == 303


def test_clips_turned_off_are_refused_to_visitors_but_not_organisers(client, login, voiced_panel):
    voiced_panel.clips_enabled = False
    db.session.commit()
    assert "Make a clip" not in client.get(f"/events/{voiced_panel.event.slug}/{voiced_panel.slug}/").get_data(
        as_text=True
    )
    response = ask(client, voiced_panel)
    assert response.status_code == 403
    assert "turned clip-making off for this panel" in response.get_data(as_text=True)
    assert clip_count() == 0
    login()
    assert ask(client, voiced_panel).status_code == 303
    assert clip_count() == 1


@pytest.mark.parametrize("status", [PanelStatus.DRAFT, PanelStatus.SCHEDULED])
def test_unpublished_panels_take_no_clip_requests(client, voiced_panel, status):
    token = form_token(client, voiced_panel)
    voiced_panel.status, voiced_panel.publish_at = status, None
    db.session.commit()
    data = {"start": "0:01", "end": "0:03", "view": "video", "shape": "square", "csrf_token": token}
    assert client.post(clips_path(voiced_panel), data=data).status_code == 404
    assert client.get(clips_path(voiced_panel)).status_code == 404
    assert clip_count() == 0


def test_requests_without_a_csrf_token_are_refused(client, voiced_panel):
    data = {"start": "0:01", "end": "0:03", "view": "video", "shape": "square"}
    assert client.post(clips_path(voiced_panel), data=data).status_code == 400
    assert clip_count() == 0


def test_clip_making_is_rate_limited_per_address(app, client, login, voiced_panel):
    app.config["CLIP_RATE_LIMIT"] = "2 per hour"
    assert ask(client, voiced_panel, start="0:00", end="0:02").status_code == 303
    # Refusals and reused clips cost nothing.
    assert ask(client, voiced_panel, start="0:05", end="0:09").status_code == 400
    assert ask(client, voiced_panel, start="0:00", end="0:02").status_code == 303
    assert ask(client, voiced_panel, start="0:01", end="0:03").status_code == 303
    limited = ask(client, voiced_panel, start="0:02", end="0:04")
    assert limited.status_code == 429
    assert "You have asked for many clips in a short time" in limited.get_data(as_text=True)
    assert clip_count() == 2
    # Another address is not held back, and organisers are never counted.
    other = ask(client, voiced_panel, start="0:02", end="0:04", environ_overrides={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 303
    login()
    assert ask(client, voiced_panel, start="0:03", end="0:05").status_code == 303
    assert clip_count() == 4


def test_the_organisers_studio_lists_clips_and_makes_them_on_a_draft(app, client, login, voiced_panel):
    voiced_panel.status = PanelStatus.DRAFT
    voiced_panel.clips_enabled = False
    db.session.commit()
    login()
    page = client.get(f"/studio/panels/{voiced_panel.id}/clips")
    assert page.status_code == 200 and "Public clip-making is <strong>off</strong>" in page.get_data(as_text=True)
    clip_id = clip_id_of(ask(client, voiced_panel, view=View.CARTOON.value, shape="wide"))
    render(clip_id)
    listing = client.get(f"/studio/panels/{voiced_panel.id}/clips").get_data(as_text=True)
    assert f'href="/clips/{clip_id}/"' in listing and "ready" in listing
    assert app.test_client().get(f"/studio/panels/{voiced_panel.id}/clips").status_code == 302


def test_a_clip_whose_worker_died_is_queued_again(client, voiced_panel):
    clip_id = clip_id_of(ask(client, voiced_panel))
    clip = db.session.get(Clip, clip_id)
    clip.status, clip.heartbeat_at = ClipStatus.RUNNING, utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert jobs.requeue_stale_jobs() == 1
    assert render(clip_id).status is ClipStatus.READY
    assert jobs.requeue_stale_jobs() == 0
