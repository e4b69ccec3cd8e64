"""Everything the discussion template needs under a panel, gathered in one place.

The panel view calls :func:`load_discussion` and passes the result to
``templates/events/panel.html`` as ``discussion``; that page includes
``discussion/_discussion.html``. The events package needs to know nothing
about comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request, url_for
from markupsafe import Markup

from ..database import row_id, utcnow
from ..events.birds import bird_version
from ..events.models import Panel, Panelist
from ..extensions import db
from . import fragments, panelists, tokens
from .forms import CommentForm, PanelistCommentForm
from .models import Comment, CommentStatus
from .operations import current_policy, panel_is_closed
from .paging import Paging, page_numbers
from .queries import Node, Thread, load_thread, owned_pending, page_of_comment
from .rules import Policy

#: Stands for the comment id in URL patterns built once per page.
_ID = 987654321


@dataclass
class Discussion:
    panel: Panel
    #: The page of comments shown, and where it sits among the pages.
    thread: Thread
    form: CommentForm
    closed: bool
    #: The comment being answered when the page was opened with ?replytocom=ID.
    reply_to: Comment | None
    #: A refusal to show above the form ("Looks like you already said that.").
    error: str | None
    feed_url: str
    post_url: str
    #: The panel page's path, without query or anchor.
    panel_path: str
    #: Set when this browser is a verified panelist seated on the panel.
    voice: panelists.Voice | None
    #: The panel's seated panelists by id (their comments show their picture).
    seated: dict[int, Panelist]
    # URL patterns built once, so a page of comments makes no url_for calls.
    _avatar_pattern: str
    _permalink_pattern: str

    @property
    def paging(self) -> Paging:
        return self.thread.paging

    @property
    def page_query(self) -> str:
        """``cpage=N&`` for links that must come back to this page ("" on page 1)."""
        return f"cpage={self.paging.page}&" if self.paging.page > 1 else ""

    def page_url(self, page: int, anchor: str = "#comments") -> str:
        """A page of the discussion; page 1 is the panel's own address."""
        return self.panel_path + (f"?cpage={page}" if page > 1 else "") + anchor

    def page_numbers(self) -> list[int | None]:
        """The page numbers to link to, None for a gap."""
        return page_numbers(self.paging.page, self.paging.pages)

    def permalink(self, comment_id: int) -> str:
        """The comment's lasting address: it redirects to whichever page shows the comment."""
        return self._permalink_pattern.replace(str(_ID), str(comment_id))

    def avatar_url(self, comment: Comment) -> str:
        """The picture beside a comment.

        A verified panelist's portrait or bird; for an author who proved the
        address, our identicon (keyed hash, never the e-mail); for everyone
        else one neutral picture, so it never tells who wrote a comment.
        """
        person = self.seated.get(comment.panelist_id) if comment.panelist_id else None
        if person is not None:
            return panelist_picture_url(person)
        key = tokens.avatar_key(comment.author_email) if comment.confirmed else tokens.NEUTRAL_AVATAR_KEY
        return self._avatar_pattern.replace("KEY", key)

    def picture_version(self, comment: Comment) -> str:
        """Changes when a panelist's picture changes (part of the fragment cache key)."""
        person = self.seated.get(comment.panelist_id) if comment.panelist_id else None
        return f"{person.photo_key}|{bird_version(person)}" if person is not None else ""

    def comments_html(self) -> Markup:
        """The page's comments and their replies (cached per comment, see :mod:`.fragments`)."""
        return fragments.thread_html(self.thread.roots, self)


def authorship() -> dict[int, str]:
    """This browser's own comments, from the signed cookie."""
    return tokens.read_authorship(request.cookies.get(tokens.AUTHORSHIP_COOKIE))


def panelist_picture_url(person: Panelist, size: int = 48) -> str:
    """The panelist's portrait, or their bird (as ``macros/people.html`` shows them)."""
    if person.photo_key:
        version = person.photo_key.rsplit("/", 1)[-1]
        return url_for("events.person_image", slug=person.slug, kind="photo", v=version)
    return url_for("events.person_image", slug=person.slug, kind="bird", size=size, v=bird_version(person))


def new_form(voice: panelists.Voice | None = None) -> CommentForm:
    """An empty comment form stamped with the time it was shown (a panelist's has no name fields)."""
    form = (PanelistCommentForm if voice else CommentForm)(formdata=None)
    form.started.data = tokens.form_token()
    return form


def page_for(comment: Comment, policy: Policy | None = None, *, own: bool = False) -> int:
    """The page of its panel's discussion that shows ``comment`` to this visitor.

    ``own``: the comment was just posted by this visitor, so it counts even
    while it waits for moderation and before the cookie names it.
    """
    mine = authorship()
    pending = owned_pending(comment.panel_id, mine)
    if own and comment.status is CommentStatus.PENDING:
        pending.add(comment.id)
    return page_of_comment(comment, pending, policy or current_policy())


def comment_path(comment: Comment, page: int) -> str:
    """The panel page that shows ``comment``, at the comment."""
    panel = comment.panel
    query = {"cpage": page} if page > 1 else {}
    return url_for("events.panel", event_slug=panel.event.slug, slug=panel.slug, **query) + f"#comment-{comment.id}"


def _reply_page(panel: Panel, reply_id: int, policy: Policy) -> int | None:
    """The page holding the comment a no-JavaScript visitor is answering."""
    comment = db.session.get(Comment, reply_id)
    if comment is None or comment.panel_id != panel.id or comment.status is not CommentStatus.APPROVED:
        return None
    return page_for(comment, policy)


def load_discussion(panel: Panel, page: int | None = None) -> Discussion:
    """Page ``page`` of the discussion under ``panel``, with the form.

    ``page`` None means the request's ``?cpage=`` (so callers may pass it or
    not); without one, page 1, or, when the visitor is answering a comment
    (``?replytocom=ID``, or a refused reply), the page with that comment.
    A page past the last shows the last, as WordPress themes do. After a refused no-JavaScript post, the view leaves the
    visitor's form (with its errors) in ``g.comment_form`` so nothing they
    typed is lost.
    """
    policy = current_policy()
    voice = panelists.voice_on(panel)
    # Popped, not read: in tests one app context can span several requests.
    form = g.pop("comment_form", None) or new_form(voice)
    error = g.pop("comment_error", None)
    reply_id = row_id(request.args.get("replytocom")) or row_id(form.parent_id.data)
    if page is None:
        page = request.args.get("cpage", type=int)
    if reply_id and page is None:
        page = _reply_page(panel, reply_id, policy)
    thread = load_thread(panel.id, authorship(), utcnow(), policy, page)
    reply_to = None
    if reply_id and reply_id in thread.by_id and not thread.by_id[reply_id].comment.deleted:
        reply_to = thread.by_id[reply_id].comment
        form.parent_id.data = reply_id
    else:
        form.parent_id.data = None
    return _discussion(panel, thread, form, panel_is_closed(panel, policy=policy), reply_to, error, voice)


def _discussion(panel, thread, form, closed, reply_to, error, voice=None) -> Discussion:
    slugs = {"event_slug": panel.event.slug, "slug": panel.slug}
    return Discussion(
        panel=panel,
        thread=thread,
        form=form,
        closed=closed,
        reply_to=reply_to,
        error=error,
        feed_url=url_for("discussion.feed", **slugs),
        post_url=url_for("discussion.post", **slugs),
        panel_path=url_for("events.panel", **slugs),
        voice=voice,
        seated={seat.panelist_id: seat.panelist for seat in panel.seats},
        _avatar_pattern=url_for("discussion.avatar", key="KEY"),
        _permalink_pattern=url_for("discussion.permalink", comment_id=_ID),
    )


def comment_item_html(panel: Panel, comment: Comment) -> str:
    """One comment as it appears in the thread, for the page's script to insert."""
    discussion = _discussion(panel, Thread(roots=[], count=0, by_id={}), new_form(), False, None, None)
    node = Node(comment, mine=True, edit_token=tokens.edit_token(comment))
    return str(fragments.thread_html([node], discussion))


def init_app(app) -> None:
    """Give templates the discussion's filters and helpers, and the app its comment cache."""
    app.add_template_global(lambda: current_app.config["COMMENT_EDIT_MINUTES"], "comment_edit_minutes")
    fragments.init_app(app)
