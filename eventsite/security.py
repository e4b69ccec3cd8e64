"""Security headers and cookie flags applied to every response."""

from __future__ import annotations

from flask import Flask, Response, current_app


def _policy(media_origins: str = "", frame_ancestors: str = "'none'") -> str:
    """Scripts and styles come only from our own origin; media may be blob: for hls.js,
    and comes from ``media_origins`` too where object storage serves it (by redirect)."""
    extra = f" {media_origins}" if media_origins else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data:{extra}",
            f"media-src 'self' blob:{extra}",
            f"connect-src 'self'{extra}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


#: The policy with media from our own origin only (the local store).
CONTENT_SECURITY_POLICY = _policy()
#: The embed page (/embed/…) alone may be framed by any site; everything else stays as above.
EMBED_CONTENT_SECURITY_POLICY = _policy(frame_ancestors="*")


def content_security_policy(embed: bool = False) -> str:
    """The current app's policy: with object storage, the bucket's (or CDN's)
    origins may serve images, media and the player's requests, because
    ``/media/`` redirects there."""
    store = current_app.extensions.get("media_store")
    cached = current_app.extensions.get("content_security_policy")
    if cached is None or cached[0] is not store:  # worked out once per store
        origins = " ".join(store.media_origins()) if store is not None else ""
        cached = current_app.extensions["content_security_policy"] = (
            store,
            _policy(origins),
            _policy(origins, frame_ancestors="*"),
        )
    return cached[2] if embed else cached[1]


def init_app(app: Flask) -> None:
    """Set cookie flags from config and add headers to every response."""
    secure = bool(app.config.get("SECURE_COOKIES"))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
    )

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # Embed pages set their own policy so other sites may frame them.
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        if "frame-ancestors *" not in response.headers.get("Content-Security-Policy", ""):
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response
