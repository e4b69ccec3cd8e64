"""An organiser limited to some events: other events' things do not exist for them.

Every studio page that takes an id answers 404 for another event's panel,
recording, job, caption, chapter, seat, comment, person or offer, and the
lists (events, comments, people, offers) leave them out. Private media, draft
pages and the upload endpoint follow the same rule.
"""

from __future__ import annotations

import re
import shutil
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from eventsite.accounts.models import Role
from eventsite.discussion.markup import render_comment
from eventsite.discussion.models import BlockKind, Comment, CommentStatus
from eventsite.discussion.moderation import add_block
from eventsite.events.models import Event, PanelStatus
from eventsite.extensions import db
from eventsite.offers.models import Offer
from eventsite.recordings.captions import save_caption
from eventsite.recordings.chapters import add_chapter
from eventsite.recordings.operations import store_original
from tests.accounts.helpers import make_account, post_with_token, separate_browsers, signed_in
from tests.conftest import csrf_token
from tests.recordings.helpers import TUS, metadata
from tests.transcode.media import av_clip

pytestmark = pytest.mark.usefixtures(separate_browsers.__name__)

VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello from the other event.\n"


def comment_on(panel, body: str, status=CommentStatus.PENDING) -> Comment:
    comment = Comment(
        panel_id=panel.id,
        depth=1,
        author_name="Visitor",
        author_email="visitor@example.org",
        body_source=body,
        body_html=render_comment(body),
        status=status,
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def event_with_everything(name: str, make_event, make_panel, make_panelist, clip_path):
    """An event whose draft panel has a seat, a recording with a queued job, captions, a chapter,
    a held comment and an offer; returns their ids."""
    event = make_event(name)
    panel = make_panel(f"{name}: the panel", event=event, status=PanelStatus.DRAFT)
    person = make_panelist(f"Only at {name}", panel=panel)
    copy = clip_path.parent / f"{event.id}.mp4"
    shutil.copy(clip_path, copy)
    recording = store_original(copy, panel, "panel.mp4")
    caption = save_caption(recording, "en", "English", VTT)
    chapter = add_chapter(recording, 1.0, "Opening")
    comment = comment_on(panel, f"A question for {name}")
    offer = Offer(title=f"{name} guide", consent_text="Yes please", event_id=event.id)
    db.session.add(offer)
    db.session.commit()
    return SimpleNamespace(
        event_id=event.id,
        panel_id=panel.id,
        person_id=person.id,
        seat_id=panel.seats[0].id,
        recording_id=recording.id,
        original_key=recording.original_key,
        job_id=recording.jobs[0].id,
        caption_id=caption.id,
        chapter_id=chapter.id,
        comment_id=comment.id,
        offer_id=offer.id,
        event_slug=event.slug,
        panel_slug=panel.slug,
        name=name,
    )


@pytest.fixture
def site(app, app_ctx, make_event, make_panel, make_panelist, tmp_path):
    """Two events with everything; Lima manages only the first, Ada (admin) everything."""
    app.config.update(TRANSCODE_LADDER=(144,), CARTOON_HEIGHT=144)
    clip = av_clip(tmp_path / "clip.mp4", "256x144", 3, 25)
    mine = event_with_everything("Social Media Week", make_event, make_panel, make_panelist, clip)
    other = event_with_everything("Brighton Digital", make_event, make_panel, make_panelist, clip)
    make_account("ada@example.com", role=Role.ADMIN)
    make_account("lima@example.com", events=[db.session.get(Event, mine.event_id)])
    block = add_block(BlockKind.EMAIL, "spammer@example.org")
    return SimpleNamespace(mine=mine, other=other, block_id=block.id, app=app)


def studio_urls(app, things) -> list[tuple[str, str]]:
    """(method, url) of every studio route that takes an id, filled in with ``things``' ids."""
    ids = vars(things) | {"speaker": 0}
    routes = []
    for rule in app.url_map.iter_rules():
        if not (rule.endpoint.startswith("studio.") or rule.rule.startswith("/studio/")) or "<" not in rule.rule:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", str(ids[arg]))
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_every_studio_page_of_another_event_is_404(site):
    from eventsite.accounts.models import ApiToken, Organiser
    from eventsite.accounts.tokens import create_token

    ada = db.session.scalar(sa.select(Organiser).where(Organiser.role == Role.ADMIN))
    create_token(ada, "ada's laptop")
    # Ids beyond events: Ada's account and token, and a site-wide block.
    other = SimpleNamespace(
        **vars(site.other),
        organiser_id=ada.id,
        token_id=db.session.scalar(sa.select(ApiToken.id)),
        block_id=site.block_id,
    )
    lima = signed_in(site.app, "lima@example.com")
    token = csrf_token(lima.get("/studio/").get_data(as_text=True))
    routes = studio_urls(site.app, other)
    assert len(routes) >= 50  # the loop must not pass vacuously
    answers = {}
    for method, url in routes:
        data = {"csrf_token": token, "name": "Hacked", "title": "Hacked", "role": "admin", "all_events": "y"}
        answers[(method, url)] = lima.open(url, method=method, data=data).status_code
    assert {key: code for key, code in answers.items() if code != 404} == {}

    # Nothing changed, and the same pages work for the event she manages.
    db.session.expire_all()
    assert db.session.get(Event, site.other.event_id).name == "Brighton Digital"
    assert db.session.get(Organiser, ada.id).active
    for url in (
        f"/studio/panels/{site.mine.panel_id}/",
        f"/studio/events/{site.mine.event_id}/edit",
        f"/studio/recordings/{site.mine.recording_id}/status.json",
        f"/studio/comments/{site.mine.comment_id}/reply",
        f"/studio/captions/{site.mine.caption_id}/edit",
        f"/studio/people/{site.mine.person_id}/edit",
        f"/studio/offers/{site.mine.offer_id}/edit",
        f"/studio/panels/{site.mine.panel_id}/recordings",
    ):
        assert lima.get(url).status_code == 200, url


def test_lists_leave_other_events_out(site):
    lima = signed_in(site.app, "lima@example.com")
    ada = signed_in(site.app, "ada@example.com")
    pages = {
        "/studio/": ("Social Media Week: the panel", "Brighton Digital: the panel"),
        "/studio/comments/": ("A question for Social Media Week", "A question for Brighton Digital"),
        "/studio/people/": ("Only at Social Media Week", "Only at Brighton Digital"),
        "/studio/offers/": ("Social Media Week guide", "Brighton Digital guide"),
        f"/studio/panels/{site.mine.panel_id}/": ("Only at Social Media Week", "Only at Brighton Digital"),
    }
    for url, (shown, hidden) in pages.items():
        limited, everything = lima.get(url).get_data(as_text=True), ada.get(url).get_data(as_text=True)
        assert shown in limited and hidden not in limited, url
        assert shown in everything and hidden in everything, url
    queue = lima.get("/studio/comments/").get_data(as_text=True)
    assert 'Pending <span class="count">(1)</span>' in queue and "Blocked senders" not in queue
    assert "1 waiting" in lima.get("/studio/").get_data(as_text=True)


def test_bulk_moderation_skips_other_events_comments(site):
    lima = signed_in(site.app, "lima@example.com")
    ids = [str(site.mine.comment_id), str(site.other.comment_id)]
    response = post_with_token(lima, "/studio/comments/", "/studio/comments/bulk", action="approve", ids=ids)
    assert "1 comment updated" in lima.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Comment, site.mine.comment_id).status is CommentStatus.APPROVED
    assert db.session.get(Comment, site.other.comment_id).status is CommentStatus.PENDING


def test_private_media_and_draft_pages_only_of_her_events(site):
    from eventsite.accounts.models import Organiser
    from eventsite.accounts.tokens import create_token

    lima = signed_in(site.app, "lima@example.com")
    ada = signed_in(site.app, "ada@example.com")
    for things, allowed in ((site.mine, True), (site.other, False)):
        original = f"/media/{things.original_key}"
        draft = f"/events/{things.event_slug}/{things.panel_slug}/"
        caption = f"/captions/{things.caption_id}.vtt"
        for url in (original, draft, caption):
            assert lima.get(url).status_code == (200 if allowed else 404), url
            assert ada.get(url).status_code == 200, url
        # What nginx asks before it sends the bytes itself (deploy/nginx.conf).
        assert lima.get(f"/_media_auth{original}").status_code == (204 if allowed else 403)

    # The same with her API token instead of the cookie.
    token = create_token(db.session.scalar(sa.select(Organiser).where(Organiser.email == "lima@example.com")), "t")
    bearer = {"Authorization": f"Bearer {token}"}
    client = site.app.test_client()
    assert client.get(f"/media/{site.mine.original_key}", headers=bearer).status_code == 200
    assert client.get(f"/media/{site.other.original_key}", headers=bearer).status_code == 404


def test_uploads_only_to_her_events_panels(site):
    from eventsite.accounts.models import Organiser
    from eventsite.accounts.tokens import create_token

    lima = db.session.scalar(sa.select(Organiser).where(Organiser.email == "lima@example.com"))
    auth = TUS | {"Authorization": f"Bearer {create_token(lima, 'uploads')}", "Upload-Length": "10"}
    client = site.app.test_client()

    def start(panel_ref):
        return client.post("/uploads/", headers=auth | {"Upload-Metadata": metadata(panel_ref)})

    assert start(site.mine.panel_id).status_code == 201
    foreign, missing = start(site.other.panel_id), start(999999)
    # Another event's panel gets exactly the answer of a panel that does not exist.
    assert foreign.status_code == missing.status_code == 400
    assert foreign.get_data(as_text=True) == f"There is no panel with id {site.other.panel_id}."
    by_slug = start(f"{site.other.event_slug}/{site.other.panel_slug}")
    assert by_slug.status_code == 400 and "There is no panel" in by_slug.get_data(as_text=True)
    assert site.app.test_client().get(f"/studio/panels/{site.other.panel_id}/recordings").status_code == 302


def test_events_she_creates_are_hers(site):
    lima = signed_in(site.app, "lima@example.com")
    response = post_with_token(lima, "/studio/events/new", "/studio/events/new", name="Lima's own meetup")
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event).where(Event.name == "Lima's own meetup"))
    assert "Lima&#39;s own meetup" in lima.get("/studio/").get_data(as_text=True)
    assert lima.get(f"/studio/events/{event.id}/edit").status_code == 200


def test_people_seated_elsewhere_cannot_be_seated_or_deleted_by_her(site, make_panelist):
    lima = signed_in(site.app, "lima@example.com")
    page = lima.get(f"/studio/panels/{site.mine.panel_id}/").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"', page.split('id="seat-panelist_id"')[1].split("</select>")[0])
    assert str(site.other.person_id) not in options
    # A new person (seated nowhere yet) is hers to seat.
    newcomer = make_panelist("Nadia Newcomer")
    assert str(newcomer.id) in lima.get(f"/studio/panels/{site.mine.panel_id}/").get_data(as_text=True)
    forged = post_with_token(
        lima,
        f"/studio/panels/{site.mine.panel_id}/",
        f"/studio/panels/{site.mine.panel_id}/seats",
        **{"seat-panelist_id": str(site.other.person_id), "seat-role": "panelist", "seat-position": "1"},
    )
    assert "Choose a panelist" in lima.get(forged.headers["Location"]).get_data(as_text=True)


def test_the_moderation_digest_follows_roles(site, inbox):
    from eventsite.accounts import team
    from eventsite.accounts.models import Organiser
    from eventsite.discussion.notifications import send_moderation_digest

    make_account("gone@example.com")
    gone = db.session.scalar(sa.select(Organiser).where(Organiser.email == "gone@example.com"))
    ada = db.session.scalar(sa.select(Organiser).where(Organiser.email == "ada@example.com"))
    team.deactivate(gone, by=ada)
    assert send_moderation_digest() == 2
    [lima_mail] = inbox.to("lima@example.com")
    [ada_mail] = inbox.to("ada@example.com")
    assert "Social Media Week" in lima_mail.get_body(("plain",)).get_content()
    assert "Brighton Digital" not in lima_mail.get_body(("plain",)).get_content()
    assert "Brighton Digital" in ada_mail.get_body(("plain",)).get_content()
    assert inbox.to("gone@example.com") == []
