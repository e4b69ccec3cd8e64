"""How large a request body may be: a small default for every form, more for the routes that take files.

``MAX_CONTENT_LENGTH`` (2 MB by default) caps every request, so a form post
cannot make a worker read gigabytes. The few routes that receive files get
the limit their own checks expect, looked up by endpoint *before* CSRF
protection reads the form (Flask-WTF parses the body in its own
``before_request``, so a limit set inside the view would come too late).
"""

from __future__ import annotations

from flask import Flask, current_app, request

from .recordings.captions import MAX_CAPTION_BYTES

#: Room for the other fields and the multipart framing around a file.
FORM_OVERHEAD = 256 * 1024


def _images(config) -> int:
    # A panelist form carries two images (portrait and cartoon avatar).
    return 2 * int(config["MAX_IMAGE_BYTES"]) + FORM_OVERHEAD


def _captions(config) -> int:
    return MAX_CAPTION_BYTES + FORM_OVERHEAD


def _guide(config) -> int:
    return int(config["OFFER_MAX_BYTES"]) + FORM_OVERHEAD


def _upload(config) -> int:
    # tus streams PATCH bodies to disk in fixed blocks and checks each upload's
    # declared length itself; one chunk may be the whole file.
    return int(config["UPLOAD_MAX_BYTES"])


#: Endpoint, or blueprint name, → its limit.
LARGER_BODIES = {
    "studio.person_edit": _images,
    "studio.caption_upload": _captions,
    "offers_studio.offer_edit": _guide,
    "uploads": _upload,
}


def body_limit(endpoint: str | None) -> int:
    """The largest body ``endpoint`` accepts, in bytes."""
    endpoint = endpoint or ""
    larger = LARGER_BODIES.get(endpoint) or LARGER_BODIES.get(endpoint.partition(".")[0])
    return larger(current_app.config) if larger else int(current_app.config["MAX_CONTENT_LENGTH"])


def apply_body_limit() -> None:
    """Set this request's limit from its endpoint; a larger body then gets 413."""
    request.max_content_length = body_limit(request.endpoint)


def init_app(app: Flask) -> None:
    """Register the limit ahead of every other ``before_request`` (CSRF's included)."""
    app.before_request_funcs.setdefault(None, []).insert(0, apply_body_limit)
