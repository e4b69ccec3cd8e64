"""The clip page: social meta tags, the quote, the way back; and who may see it."""

from __future__ import annotations

import re

import pytest

from eventsite.clips.models import Clip, ClipStatus
from eventsite.events.models import Consent, PanelStatus, Seat
from eventsite.extensions import db
from tests.clips.conftest import ask, clip_id_of, render


def meta(html: str, key: str) -> str | None:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.fixture
def ready_clip(client, voiced_panel) -> Clip:
    return render(clip_id_of(ask(client, voiced_panel, start="0:02.5", end="0:04.5", view="cartoon")))


def test_the_clip_page_has_video_cards_download_and_the_way_back(client, ready_clip):
    html = client.get(f"/clips/{ready_clip.id}/").get_data(as_text=True)
    video = f"http://localhost/media/{ready_clip.video_key}"
    assert meta(html, "og:type") == "video.other"
    assert meta(html, "og:video") == video and meta(html, "og:video:secure_url") == video
    assert meta(html, "og:video:type") == "video/mp4"
    assert (meta(html, "og:video:width"), meta(html, "og:video:height")) == ("240", "426")
    assert meta(html, "og:image") == f"http://localhost/media/{ready_clip.poster_key}"
    assert meta(html, "twitter:card") == "player"
    assert meta(html, "twitter:player") == f"http://localhost/clips/{ready_clip.id}/embed"
    assert meta(html, "twitter:player:stream") == video
    assert meta(html, "og:title") == "“Influence is about trust.”"
    assert '<video controls playsinline preload="metadata" width="240" height="426"' in html
    assert f'href="/media/{ready_clip.video_key}"' not in html  # absolute, for copying
    assert f'href="{video}" download=' in html
    assert "Influence is about trust." in html and "— Azeem Azhar" in html
    # Back to the full panel at that moment, in the view the clip shows.
    assert 'href="http://localhost/events/social-media-week/what-is-social-influence/?t=2s&amp;view=cartoon"' in html
    embed = client.get(f"/clips/{ready_clip.id}/embed")
    assert embed.status_code == 200 and "frame-ancestors *" in embed.headers["Content-Security-Policy"]


def test_while_rendering_the_page_refreshes_and_claims_no_video(client, voiced_panel):
    clip_id = clip_id_of(ask(client, voiced_panel))
    html = client.get(f"/clips/{clip_id}/").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert "Your clip is waiting its turn" in html and "<progress" in html
    assert meta(html, "og:video") is None and meta(html, "twitter:card") != "player"
    assert client.get(f"/clips/{clip_id}/embed").status_code == 404
    db.session.get(Clip, clip_id).status = ClipStatus.RUNNING
    db.session.commit()
    assert "Making your clip" in client.get(f"/clips/{clip_id}/").get_data(as_text=True)
    assert client.get(f"/clips/{clip_id}/status.json").get_json() == {"status": "running", "progress": 0.0}


def _public_urls(clip: Clip) -> list[str]:
    return [f"/clips/{clip.id}/", f"/clips/{clip.id}/embed", f"/media/{clip.video_key}", f"/media/{clip.poster_key}"]


def test_unpublishing_the_panel_hides_its_clips_from_the_public(app, client, login, voiced_panel, ready_clip):
    assert [client.get(url).status_code for url in _public_urls(ready_clip)] == [200, 200, 200, 200]
    voiced_panel.status = PanelStatus.DRAFT
    db.session.commit()
    visitor = app.test_client()
    assert [visitor.get(url).status_code for url in _public_urls(ready_clip)] == [404, 404, 404, 404]
    login()  # organisers still see it
    assert client.get(f"/clips/{ready_clip.id}/").status_code == 200
    assert client.get(f"/media/{ready_clip.video_key}").status_code == 200


def test_a_withdrawn_consent_hides_clips_of_that_view(app, client, voiced_panel, ready_clip):
    seat = db.session.scalar(db.select(Seat).where(Seat.panel_id == voiced_panel.id))
    seat.consent = Consent.BIRD  # cartoon no longer agreed to
    db.session.commit()
    assert [client.get(url).status_code for url in _public_urls(ready_clip)] == [404, 404, 404, 404]


def test_unknown_clips_are_404(client, voiced_panel):
    assert client.get("/clips/999/").status_code == 404
    assert client.get("/clips/99999999999999999999/").status_code == 404


def test_the_panel_page_offers_the_form_with_consented_views_and_the_time_of_the_link(client, voiced_panel):
    html = client.get(f"/events/{voiced_panel.event.slug}/{voiced_panel.slug}/?t=3").get_data(as_text=True)
    form = html[html.index("data-clip-request") :]
    assert 'id="clip-heading">Make a clip</h2>' in html
    assert 'name="start" value="0:03"' in form and 'name="end" value="0:06"' in form
    assert re.findall(r'name="view" value="(\w+)"', form) == ["video", "cartoon"]  # no birds drawn yet
    assert re.findall(r'name="shape" value="(\w+)"', form) == ["vertical", "square", "wide"]
    # The form comes after the transcript.
    assert html.index('id="transcript-heading"') < html.index('id="clip-heading"')
