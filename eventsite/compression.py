"""Text answers compressed for the browsers that accept it; media never.

Pages, styles, scripts, JSON, feeds, captions and HLS playlists shrink to a
fifth or less with brotli (gzip for clients without it); video and audio are
compressed already and are sent as they are, so their byte ranges stay the
file's. Behind nginx the app still compresses what it answers itself, and
nginx (deploy/nginx.conf) compresses the files it sends.
"""

from __future__ import annotations

from flask import Flask, Response

from .extensions import compress

#: What is worth compressing: text the site writes or serves. No video/*, audio/*, image/jpeg.
TEXT_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/xml",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "image/svg+xml",
    "text/vtt",
    "application/vnd.apple.mpegurl",
]


def compress_text(response: Response) -> Response:
    """Compress ``response`` unless it is one byte range of a file (a 206 is the file's own bytes,
    and a compressed body would make every later range point at the wrong place)."""
    if response.status_code == 206 or "Content-Range" in response.headers:
        return response
    response = compress.after_request(response)
    if "Content-Encoding" in response.headers:
        # Ranges would count the compressed bytes, which no later answer repeats.
        response.headers.pop("Accept-Ranges", None)
    return response


def init_app(app: Flask) -> None:
    """Compress text answers (brotli first, then gzip) once every other hook has written them."""
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Files sent in blocks (static files, captions, playlists) are compressed as they go.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    # Their conditional GETs are answered after compression, against the compressed ETag.
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", ["static", "media.media", "media.caption_file"])
    app.config["COMPRESS_REGISTER"] = False  # compress_text decides, around Flask-Compress
    compress.init_app(app)
    app.after_request(compress_text)
