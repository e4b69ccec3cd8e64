"""Comment text: a small markdown subset, video timestamps as links, nh3 on top.

Visitors get emphasis, links, lists, quotes and code; headings, images,
tables and raw HTML are not part of the subset. Whatever markdown-it
produces is cleaned again by nh3, so a parser bug cannot become an XSS hole.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

#: What the comment subset may contain once rendered.
ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title", "data-t"}, "ol": {"start"}}
LINK_REL = "nofollow ugc noopener"

#: "12:34", "1:02:03"; not part of a longer number such as "10:30:45:1".
TIMESTAMP = re.compile(r"(?<![\d:])(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)(?![\d:])")
#: Counted in the raw text, so bare URLs that are not links still count.
URL = re.compile(r"https?://", re.IGNORECASE)
#: "javascript:…" and friends; "example.com:8080" is a host and port, not a scheme.
OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


def timestamp_seconds(match: re.Match[str]) -> int:
    """Seconds from a :data:`TIMESTAMP` match."""
    hours, minutes, seconds = match.group(1), match.group(2), match.group(3)
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def _link_timestamps(state: StateCore) -> None:
    """Core rule: split text tokens so each timestamp becomes a seek link.

    Working on tokens (not on the HTML) means text inside code spans, code
    blocks and existing links is left alone.
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for token in block.children:
            if token.type == "link_open":
                link_depth += 1
            elif token.type == "link_close":
                link_depth -= 1
            if token.type != "text" or link_depth or not TIMESTAMP.search(token.content):
                children.append(token)
                continue
            position = 0
            for match in TIMESTAMP.finditer(token.content):
                if match.start() > position:
                    children.append(_text(token.content[position : match.start()]))
                seconds = timestamp_seconds(match)
                opening = Token("link_open", "a", 1)
                opening.attrs = {"href": f"?t={seconds}#player", "data-t": str(seconds)}
                children += [opening, _text(match.group(0)), Token("link_close", "a", -1)]
                position = match.end()
            if position < len(token.content):
                children.append(_text(token.content[position:]))
        block.children = children


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .disable(["heading", "lheading", "image", "hr", "html_block", "html_inline"])
    .use(lambda md: md.core.ruler.push("link_timestamps", _link_timestamps))
)


def render_comment(source: str) -> str:
    """Sanitised HTML for a comment's markdown source.

    Links get ``rel="nofollow ugc noopener"``; only http, https and mailto
    URLs survive, plus the relative ``?t=…#player`` seek links.
    """
    html = _markdown.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def count_links(source: str) -> int:
    """How many web addresses a comment contains, linked or not."""
    return len(URL.findall(source or ""))


def clean_website(value: str) -> str:
    """The website field as an http(s) URL, or "" when it is anything else.

    Bare domains ("example.com") get ``https://``; ``javascript:``, ``data:``
    and everything that is not a plain web address is dropped.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value:
        if OTHER_SCHEME.match(value):  # javascript:, data:, mailto: …
            return ""
        value = "https://" + value
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    if any(ch in value for ch in "\"'<>` \t\r\n\\"):
        return ""
    return value[:300]
