"""Absolute URLs of this site: one leaf module every area may import.

The public address is ``EVENTSITE_BASE_URL`` when set (behind a proxy, or for
mails sent from a worker or cron); otherwise it is the address the request
came in on, so ``flask run --port 8000`` or ``run.sh`` on another port work
without any setting. Outside a request with no setting, the development
address is the best guess left.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for

#: Used only outside a request when ``EVENTSITE_BASE_URL`` is not set.
FALLBACK_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """The site's public root, without a trailing slash."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        # request.host_url honours ProxyFix (X-Forwarded-Host/-Proto) when
        # EVENTSITE_PROXY_HOPS trusts the proxy in front.
        return request.host_url.rstrip("/")
    return FALLBACK_BASE_URL


def absolute(path: str) -> str:
    """``path`` (from ``url_for`` or a media URL) on the public site."""
    return base_url() + path


def absolute_for(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` as an absolute public URL."""
    return absolute(url_for(endpoint, **values))


def panel_url(panel, **query) -> str:
    """The public page of ``panel`` (an ``events.models.Panel``)."""
    return absolute_for("events.panel", event_slug=panel.event.slug, slug=panel.slug, **query)


def embed_url(panel) -> str:
    """The embeddable player page of ``panel``."""
    return absolute_for("embed.panel", event_slug=panel.event.slug, slug=panel.slug)
