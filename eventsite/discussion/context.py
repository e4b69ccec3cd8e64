"""Everything the discussion template needs under a panel, gathered in one place.

``templates/events/panel.html`` includes ``discussion/_discussion.html``,
which calls :func:`load_discussion`; the events package needs to know
nothing about comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, get_template_attribute, request, url_for

from ..database import utcnow
from ..events.models import Panel
from ..recordings.chapters import format_time
from . import tokens
from .forms import CommentForm
from .models import Comment
from .operations import current_policy, panel_is_closed
from .queries import Node, Thread, load_thread


@dataclass
class Discussion:
    panel: Panel
    thread: Thread
    form: CommentForm
    closed: bool
    #: The comment being answered when the page was opened with ?replytocom=ID.
    reply_to: Comment | None
    #: A refusal to show above the form ("Looks like you already said that.").
    error: str | None
    feed_url: str
    post_url: str
    _avatar_pattern: str

    def avatar_url(self, comment: Comment) -> str:
        """Our identicon for the comment's author: keyed hash, never the e-mail."""
        return self._avatar_pattern.replace("KEY", tokens.avatar_key(comment.author_email))


def authorship() -> dict[int, str]:
    """This browser's own comments, from the signed cookie."""
    return tokens.read_authorship(request.cookies.get(tokens.AUTHORSHIP_COOKIE))


def new_form() -> CommentForm:
    """An empty comment form stamped with the time it was shown."""
    form = CommentForm(formdata=None)
    form.started.data = tokens.form_token()
    return form


def load_discussion(panel: Panel) -> Discussion:
    """The thread, the form and the state of the discussion under ``panel``.

    After a refused no-JavaScript post, the view leaves the visitor's form
    (with its errors) in ``g.comment_form`` so nothing they typed is lost.
    """
    policy = current_policy()
    thread = load_thread(panel.id, authorship(), utcnow(), policy)
    # Popped, not read: in tests one app context can span several requests.
    form = g.pop("comment_form", None) or new_form()
    error = g.pop("comment_error", None)
    reply_to = None
    reply_id = request.args.get("replytocom", type=int) or form.parent_id.data
    if reply_id and reply_id in thread.by_id and not thread.by_id[reply_id].comment.deleted:
        reply_to = thread.by_id[reply_id].comment
        form.parent_id.data = reply_id
    else:
        form.parent_id.data = None
    slugs = {"event_slug": panel.event.slug, "slug": panel.slug}
    return Discussion(
        panel=panel,
        thread=thread,
        form=form,
        closed=panel_is_closed(panel, policy=policy),
        reply_to=reply_to,
        error=error,
        feed_url=url_for("discussion.feed", **slugs),
        post_url=url_for("discussion.post", **slugs),
        _avatar_pattern=url_for("discussion.avatar", key="KEY"),
    )


def comment_item_html(panel: Panel, comment: Comment) -> str:
    """One comment as it appears in the thread, for the page's script to insert."""
    discussion = Discussion(
        panel=panel,
        thread=Thread(roots=[], count=0, by_id={}),
        form=new_form(),
        closed=False,
        reply_to=None,
        error=None,
        feed_url="",
        post_url="",
        _avatar_pattern=url_for("discussion.avatar", key="KEY"),
    )
    node = Node(comment, mine=True, edit_token=tokens.edit_token(comment))
    return str(get_template_attribute("discussion/_comment.html", "comment_item")(node, discussion))


def init_app(app) -> None:
    """Make :func:`load_discussion` available to templates."""
    app.add_template_global(load_discussion, "load_discussion")
    app.add_template_filter(format_time, "video_time")
    app.add_template_global(lambda: current_app.config["COMMENT_EDIT_MINUTES"], "comment_edit_minutes")
