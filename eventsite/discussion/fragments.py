"""The comments of a page as HTML, each comment rendered once and then reused.

Rendering one comment with Jinja costs about 50 µs, and a page of 50 threads
holds ~150 comments. A comment's HTML depends only on the comment as last
changed and on two facts about the page (whether the discussion is closed,
which page its reply link returns to), so it is kept in a small in-process
LRU under exactly those. Nothing has to be invalidated: an edit, a deletion
or a change of status makes a new key, and the old entry falls out of the
cache. The visitor's own comments carry their edit token and the session's
CSRF token, so they are always rendered afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import Flask, current_app, get_template_attribute
from markupsafe import Markup

from .queries import Node

#: Comments kept per process (≈ 2 kB each): a few busy pages' worth.
CACHE_SIZE = 4096
_EXTENSION = "comment_fragments"
_CHILDREN = Markup('\n  <ol class="children">')
_END_CHILDREN = Markup("\n  </ol>")
_END_ITEM = Markup("\n</li>")


class FragmentCache:
    """A thread-safe LRU of rendered HTML (gunicorn's gthread workers share one per process)."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()
        self._secret: object = None

    def get(self, key: Hashable) -> Markup | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Markup) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def made_with(self, secret: object) -> None:
        """Forget everything when the secret key changes: avatar names are derived from it."""
        with self._lock:
            if secret != self._secret:
                self._items.clear()
                self._secret = secret

    def __len__(self) -> int:
        return len(self._items)


def fragment_cache() -> FragmentCache:
    """This app's cache (one per app, so tests and benchmarks never share entries)."""
    return current_app.extensions[_EXTENSION]


def fragment_key(node: Node, discussion) -> tuple:
    """Everything a cached comment's HTML depends on."""
    c = node.comment
    return (
        c.id,
        c.created_at,
        c.edited_at,
        c.deleted,
        c.status,
        c.confirmed,
        discussion.picture_version(c),
        discussion.closed,
        discussion.page_query,
    )


def thread_html(nodes: list[Node], discussion) -> Markup:
    """``<li>`` elements for ``nodes`` and their replies, as ``discussion/_comment.html`` draws them."""
    # Looked up once per page, not per comment: with template auto-reload on,
    # every lookup stats the file.
    start = get_template_attribute("discussion/_comment.html", "comment_start")
    cache = fragment_cache()
    cache.made_with(current_app.config["SECRET_KEY"])
    parts: list[Markup] = []

    def walk(node: Node) -> None:
        # The macro returns Markup (the template is autoescaped), safe to cache as it is.
        if node.mine:
            parts.append(start(node, discussion))
        else:
            key = fragment_key(node, discussion)
            html = cache.get(key)
            if html is None:
                html = start(node, discussion)
                cache.put(key, html)
            parts.append(html)
        if node.children:
            parts.append(_CHILDREN)
            for child in node.children:
                walk(child)
            parts.append(_END_CHILDREN)
        parts.append(_END_ITEM)

    for node in nodes:
        walk(node)
    # Every part is already Markup; Markup.join would escape-check each one again.
    return Markup("".join(parts))  # noqa: S704


def init_app(app: Flask) -> None:
    """Give the app its fragment cache."""
    app.extensions[_EXTENSION] = FragmentCache()
