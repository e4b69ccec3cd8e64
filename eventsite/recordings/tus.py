"""The tus 1.0 upload endpoint at ``/uploads/``: core, creation, termination,
checksum (sha1, sha256) and expiration.

Each handler parses headers, loads the upload, checks who is asking, then
calls one function of :mod:`.upload_store`, :mod:`.upload_chunks` or
:mod:`.operations`. Refusals are raised as :class:`UploadError` /
:class:`AccessRefused` and answered by the handlers at the bottom as plain
text, which tus clients show to people.
"""

from __future__ import annotations

import base64
import binascii
import shutil

from flask import Blueprint, Response, current_app, g, request
from werkzeug.http import http_date

from ..accounts.access import can_manage_event
from ..events.models import Panel
from ..extensions import db
from ..urls import absolute
from .access import AccessRefused, request_organiser
from .operations import RecordingRefused, find_panel, recording_for_upload, store_original
from .upload_chunks import append_chunk, parse_checksum
from .upload_store import (
    Upload,
    UploadError,
    UploadGone,
    UploadNotFound,
    UploadTooLarge,
    check_upload_id,
    create_upload,
    delete_upload,
    load_upload,
    upload_lock,
    uploads_folder,
)

bp = Blueprint("uploads", __name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,checksum,expiration"
MAX_METADATA = 4096
#: Status for a finished upload that is not audio/video (tusd's hooks use 4xx too).
REFUSED = 422


@bp.before_request
def check_version_and_organiser() -> Response | None:
    """Every request but OPTIONS must speak tus 1.0.0 and come from an organiser."""
    if request.method == "OPTIONS":
        return None
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _text(f"This server speaks tus {TUS_VERSION}.", 412, {"Tus-Version": TUS_VERSION})
    g.organiser = request_organiser(require_csrf=True)
    return None


@bp.after_request
def add_tus_headers(response: Response) -> Response:
    response.headers["Tus-Resumable"] = TUS_VERSION
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", methods=["OPTIONS"])
@bp.route("/<upload_id>", methods=["OPTIONS"])
def discover(upload_id: str | None = None) -> Response:
    """What this server supports (tus discovery)."""
    return Response(
        status=204,
        headers={
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": TUS_EXTENSIONS,
            "Tus-Max-Size": str(current_app.config["UPLOAD_MAX_BYTES"]),
            "Tus-Checksum-Algorithm": "sha1,sha256",
        },
    )


@bp.route("/", methods=["POST"])
def create() -> Response:
    """Start an upload: ``Upload-Length`` and ``Upload-Metadata`` (filename, panel) → 201 + Location."""
    length = _header_int("Upload-Length")
    if length is None:
        raise UploadError("Upload-Length is required (deferred lengths are not supported).")
    if length > current_app.config["UPLOAD_MAX_BYTES"]:
        raise UploadTooLarge(f"This file is larger than the {current_app.config['UPLOAD_MAX_BYTES']} bytes we accept.")
    metadata = parse_metadata(request.headers.get("Upload-Metadata"))
    panel = _managed_panel(metadata.get("panel") or metadata.get("panel_id") or "")
    metadata["panel"] = str(panel.id)
    metadata.pop("panel_id", None)
    folder = uploads_folder()
    if shutil.disk_usage(folder).free < length:
        return _text("The server does not have room for this file right now.", 507)
    upload = create_upload(folder, length, g.organiser.id, metadata)
    headers = {"Location": absolute(f"/uploads/{upload.id}")}
    if length == 0:  # nothing will be PATCHed, so finish (and refuse) now
        with upload_lock(upload):
            refusal = _finish(upload)
        if refusal:
            return refusal
    return Response(status=201, headers=headers | _expires(upload))


@bp.route("/<upload_id>", methods=["HEAD"])
def status(upload_id: str) -> Response:
    """Where an upload stands; a finished one reports its full length."""
    check_upload_id(upload_id)
    try:
        upload = _owned_upload(upload_id)
    except UploadNotFound:
        recording = recording_for_upload(upload_id)
        # A finished upload's size is the studio's business: only for those managing its event.
        if recording is None or not can_manage_event(g.organiser, recording.panel.event_id):
            raise
        size = str(recording.size_bytes)
        return Response(status=200, headers={"Upload-Offset": size, "Upload-Length": size})
    headers = {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length)}
    if upload.metadata:
        headers["Upload-Metadata"] = encode_metadata(upload.metadata)
    return Response(status=200, headers=headers | _expires(upload))


@bp.route("/<upload_id>", methods=["PATCH"])
def append(upload_id: str) -> Response:
    """Append bytes at ``Upload-Offset``; finishing the upload makes the Recording."""
    if request.mimetype != "application/offset+octet-stream":
        return _text("PATCH needs Content-Type: application/offset+octet-stream.", 415)
    offset = _header_int("Upload-Offset")
    if offset is None:
        raise UploadError("Upload-Offset is required.")
    checksum = parse_checksum(request.headers.get("Upload-Checksum"))
    upload = _owned_upload(upload_id)
    with upload_lock(upload):
        new_offset = append_chunk(
            upload, offset, request.stream, content_length=request.content_length, checksum=checksum
        )
        if new_offset == upload.length:
            refusal = _finish(upload)
            if refusal:
                return refusal
            return Response(status=204, headers={"Upload-Offset": str(new_offset)})
    return Response(status=204, headers={"Upload-Offset": str(new_offset)} | _expires(upload))


@bp.route("/<upload_id>", methods=["DELETE"])
def terminate(upload_id: str) -> Response:
    """Abandon an upload and free its space."""
    upload = _owned_upload(upload_id)
    with upload_lock(upload):
        delete_upload(upload)
    return Response(status=204)


@bp.route("/<upload_id>", methods=["POST"])
def method_override(upload_id: str) -> Response:
    """``X-HTTP-Method-Override`` for clients behind proxies that drop PATCH or DELETE."""
    method = request.headers.get("X-HTTP-Method-Override", "").upper()
    handlers = {"PATCH": append, "DELETE": terminate, "HEAD": status}
    if method not in handlers:
        return _text("POST to an upload needs X-HTTP-Method-Override: PATCH or DELETE.", 405)
    return handlers[method](upload_id)


def _managed_panel(ref: str) -> Panel:
    """The panel an upload names, among the events the organiser manages.

    :raise UploadError: no such panel; another event's panel gets the very same
        answer, since for an organiser limited to some events it does not exist.
    """
    try:
        return find_panel(ref, among=lambda panel: can_manage_event(g.organiser, panel.event_id))
    except RecordingRefused as exc:
        raise UploadError(exc.message) from None


def _finish(upload: Upload) -> Response | None:
    """Make the Recording of a complete upload; the refusal response if it is not media."""
    panel = db.session.get(Panel, int(upload.metadata["panel"]))
    try:
        if panel is None:
            raise RecordingRefused("The panel of this upload has been deleted.")
        if not can_manage_event(g.organiser, panel.event_id):
            raise RecordingRefused("You no longer manage the event of this upload's panel.")
        store_original(upload.data_path, panel, upload.metadata.get("filename", ""), upload_id=upload.id)
    except RecordingRefused as exc:
        return _text(exc.message, REFUSED)
    finally:
        delete_upload(upload)
    return None


def _owned_upload(upload_id: str) -> Upload:
    """The caller's own upload; other people's are "not found". Expired ones are removed (410)."""
    upload = load_upload(uploads_folder(), upload_id)
    if upload.organiser_id != g.organiser.id:
        raise UploadNotFound("No such upload.")
    if upload.is_expired(current_app.config["UPLOAD_EXPIRES_SECONDS"]):
        with upload_lock(upload):
            delete_upload(upload)
        raise UploadGone("This upload expired; please start it again.")
    return upload


def parse_metadata(header: str | None) -> dict[str, str]:
    """Decode ``Upload-Metadata`` (``key base64,key base64``) into text.

    :raise UploadError: too long, a repeated or malformed key, or a value
        that is not base64 of UTF-8 text.
    """
    if not header:
        return {}
    if len(header) > MAX_METADATA:
        raise UploadError("Upload-Metadata is too long.")
    metadata: dict[str, str] = {}
    for pair in header.split(","):
        key, _, value = pair.strip().partition(" ")
        if not key or not key.isascii() or not key.isprintable() or key in metadata:
            raise UploadError("Upload-Metadata has a missing, repeated or invalid key.")
        try:
            metadata[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise UploadError(f"Upload-Metadata value of {key!r} is not base64 UTF-8 text.") from None
    return metadata


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items())


def _header_int(name: str) -> int | None:
    """A non-negative integer header; None when absent. :raise UploadError: anything else."""
    value = request.headers.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 20:
        raise UploadError(f"{name} must be a non-negative integer.")
    return int(value)


def _expires(upload: Upload) -> dict[str, str]:
    return {"Upload-Expires": http_date(upload.expires_at(current_app.config["UPLOAD_EXPIRES_SECONDS"]))}


def _text(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(message, status=status, headers=headers, mimetype="text/plain")


@bp.errorhandler(UploadError)
def upload_refused(exc: UploadError) -> Response:
    return _text(exc.message, exc.status)


@bp.errorhandler(AccessRefused)
def access_refused(exc: AccessRefused) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="uploads"'} if exc.status == 401 else None
    return _text(exc.message, exc.status, headers)
