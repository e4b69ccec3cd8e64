"""Absolute URLs of this site: one leaf module every area may import.

The public address is ``EVENTSITE_BASE_URL`` when set (behind a proxy, or for
mails sent from a worker or cron); otherwise it is the address the request
came in on, so ``flask run --port 8000`` or ``run.sh`` on another port work
without any setting. Outside a request with no setting, the development
address is the best guess left.

The address a request came in on is whatever its ``Host`` header says, and
links built from it are mailed (password resets, confirmations) and baked into
clips. So a request is answered only when its host is trusted: a name in
``EVENTSITE_TRUSTED_HOSTS`` (loopback by default) or the host of
``EVENTSITE_BASE_URL``; any other gets 400 before a view runs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, has_request_context, request, url_for

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


def trusted_hosts(config) -> list[str]:
    """The host names a request may come in on: ``TRUSTED_HOSTS`` (a list, or names separated
    by commas) and the host of ``BASE_URL``; lower case, without ports. A name starting with a
    dot trusts its subdomains."""
    names = config.get("TRUSTED_HOSTS") or []
    if isinstance(names, str):
        names = names.split(",")
    hosts = [name.strip().lower() for name in names if name.strip()]
    if config.get("BASE_URL"):
        hosts.append((urlsplit(config["BASE_URL"]).hostname or "").lower())
    # urlsplit drops an IPv6 literal's brackets; the Host header keeps them.
    return [f"[{host}]" if ":" in host and not host.startswith("[") else host for host in hosts if host]


def host_is_trusted(host: str, trusted: list[str]) -> bool:
    """Whether a ``Host`` header (``name``, ``name:port``, ``[v6]:port``) names a trusted host.

    Werkzeug's own check (Flask's ``TRUSTED_HOSTS``) cannot match an IPv6 literal
    such as ``[::1]``, which run.sh on an IPv6 loopback needs, so it is done here.
    """
    name = host.strip().lower()
    if name.startswith("["):
        name = name[: name.find("]") + 1] if "]" in name else ""
    else:
        name = name.partition(":")[0]
    if not name:
        return False
    return any(name == ref or (ref.startswith(".") and name.endswith(ref)) for ref in trusted)


def init_app(app: Flask) -> None:
    """Refuse requests whose ``Host`` is not trusted. Called first in ``create_app``, so this hook
    runs before any other (a rate limit, a form) sees the request."""
    trusted = trusted_hosts(app.config)
    # EVENTSITE_TRUSTED_HOSTS lands in Flask's own TRUSTED_HOSTS key; Werkzeug would refuse
    # [::1] and the BASE_URL host with it, so the list is parsed and checked here instead.
    app.config["TRUSTED_HOSTS"] = None

    @app.before_request
    def refuse_untrusted_host() -> None:
        if not host_is_trusted(request.host, trusted):
            abort(400, description="This site does not answer to that host name (see EVENTSITE_TRUSTED_HOSTS).")
