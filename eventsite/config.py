"""Configuration: one ``Config`` read from ``EVENTSITE_*`` environment variables.

Every setting has a default that works on one machine with nothing installed
beyond Python and ffmpeg; the README lists them all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def load_secret_key(instance_path: str) -> str:
    """Return the secret key kept in the instance folder, creating it once.

    Keeping it on disk means sessions and signed links survive a restart
    even when ``EVENTSITE_SECRET_KEY`` is not set.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create with 0600 so other users on the machine cannot read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class Config:
    """Defaults for a single machine; override any key with ``EVENTSITE_<KEY>``."""

    #: SQLAlchemy URL; ``None`` means an SQLite file in the instance folder.
    DATABASE_URL: str | None = None
    #: Where uploads, originals and renditions live (local storage back-end).
    MEDIA_ROOT: str = str(PROJECT_ROOT / "media")
    #: Storage back-end for media files ("local": files under MEDIA_ROOT).
    STORAGE: str = "local"
    #: Job queue: ``None`` → SQLite file in the instance folder, or ``redis://…``.
    QUEUE_URL: str | None = None
    #: Run queued jobs at once in the web process (tests and demos only).
    QUEUE_IMMEDIATE: bool = False
    #: Jobs one ``flask worker`` runs at a time (each ffmpeg run already uses every core).
    WORKER_THREADS: int = 1
    #: Heights of the HLS/MP4 ladder; rungs above the source are skipped.
    TRANSCODE_LADDER: tuple[int, ...] = (1080, 720, 480, 360)
    #: Height of the cartoon rendition.
    CARTOON_HEIGHT: int = 360
    #: Draw the feathered-friends (flock) video after each transcode.
    FLOCK_ENABLED: bool = True
    #: libx264 preset: slower presets give smaller files for more CPU time.
    TRANSCODE_PRESET: str = "veryfast"
    #: Wall-clock limit for one transcode in seconds; 0 → 20× the duration (at least 2 minutes).
    TRANSCODE_TIMEOUT: int = 0
    #: A running job whose heartbeat is older than this lost its worker.
    JOB_STALE_SECONDS: int = 60
    #: Times a job is started before it is given up as failed.
    JOB_MAX_ATTEMPTS: int = 3
    #: Seconds before the first retry of a job whose worker died; ×4 for each further retry.
    JOB_RETRY_DELAY: int = 30
    #: Secret for sessions and signed tokens; ``None`` → generated and kept.
    SECRET_KEY: str | None = None
    #: Public base URL used in feeds, e-mails and upload ``Location`` headers;
    #: ``None`` → the address each request came in on (set it behind a proxy,
    #: and for mails sent from cron or a worker).
    BASE_URL: str | None = None
    #: Name shown in the header, titles and social cards.
    SITE_NAME: str = "eventsite"
    #: Reverse proxies in front of the app (1 behind nginx): trust that many
    #: X-Forwarded-For/-Proto hops, so rate limits see the visitor's address.
    PROXY_HOPS: int = 0
    #: Set to True when served over HTTPS so cookies get the Secure flag.
    SECURE_COOKIES: bool = False
    #: Storage for rate-limit counters; use ``redis://…`` with several web workers.
    RATELIMIT_STORAGE_URI: str = "memory://"
    #: Login attempts allowed per IP address.
    LOGIN_RATE_LIMIT: str = "10 per minute"
    #: Form tokens are tied to the visitor's session and never expire on their own:
    #: people watch a 90-minute panel before they comment.
    WTF_CSRF_TIME_LIMIT: int | None = None
    #: Largest portrait or avatar image accepted, in bytes.
    MAX_IMAGE_BYTES: int = 10 * 1024 * 1024
    #: Largest recording accepted through the tus upload endpoint, in bytes.
    UPLOAD_MAX_BYTES: int = 50 * 1024**3
    #: Seconds an unfinished upload is kept after its last byte arrived.
    UPLOAD_EXPIRES_SECONDS: int = 3 * 24 * 3600
    #: Seconds ffprobe may spend reading a finished upload before we give up.
    UPLOAD_PROBE_TIMEOUT: float = 60
    #: URL prefix of an nginx ``internal`` location (e.g. "/protected/") that maps
    #: to MEDIA_ROOT; when set, media bytes are handed to nginx by X-Accel-Redirect.
    MEDIA_ACCEL: str = ""
    #: Seconds nginx may reuse a "this file is public" answer from ``/_media_auth/`` (deploy/nginx.conf):
    #: the longest a just-unpublished panel's files stay reachable through nginx.
    MEDIA_AUTH_CACHE_SECONDS: int = 60
    #: Where ``scripts/run.sh`` serves the site. Not loopback → the demo organiser
    #: gets no known password (see DEMO_PASSWORD).
    HOST: str = "127.0.0.1"
    PORT: int = 5000
    #: Password of the demo organiser on a site reachable from other machines;
    #: unset there → no demo account. On 127.0.0.1 the printed demo password is used.
    DEMO_PASSWORD: str | None = None
    #: Argon2id cost: OWASP's minimum is 19 MiB memory with 2 passes.
    ARGON2_MEMORY_KIB: int = 65536
    ARGON2_TIME_COST: int = 3
    #: Outgoing mail: SMTP server; ``None`` writes every message to the log instead.
    SMTP_HOST: str | None = None
    SMTP_PORT: int = 587
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    #: "starttls" (port 587), "ssl" (port 465) or "none" (a local relay).
    SMTP_SECURITY: str = "starttls"
    SMTP_TIMEOUT: int = 20
    #: Sender of notification and digest e-mails.
    MAIL_FROM: str = "eventsite <noreply@localhost>"
    #: Replies nest this deep; deeper replies join the deepest level.
    COMMENT_MAX_DEPTH: int = 5
    #: Longest comment accepted, in characters.
    COMMENT_MAX_LENGTH: int = 5000
    #: A comment with this many links or more is held for moderation.
    COMMENT_MAX_LINKS: int = 2
    #: Hold a first comment from an e-mail address until one is approved.
    COMMENT_HOLD_FIRST: bool = True
    #: Words (list, or comma-separated string) that hold a comment for moderation.
    COMMENT_MODERATION_WORDS: list[str] | str = []
    #: Words that send a comment straight to spam.
    COMMENT_BLOCK_WORDS: list[str] | str = []
    #: Forms sent back faster than this (seconds) are from bots and discarded.
    COMMENT_MIN_SUBMIT_SECONDS: float = 3
    #: Comments allowed per IP address, counted in the database ("N per minute|hour|day").
    COMMENT_RATE_LIMIT: str = "5 per minute"
    #: Close comments this many days after a panel is published; 0 keeps them open.
    COMMENT_CLOSE_AFTER_DAYS: int = 0
    #: Minutes during which an author may edit or delete their comment.
    COMMENT_EDIT_MINUTES: int = 15
    #: Top-level threads per page of a discussion (replies stay with their thread); 0 = one page.
    COMMENTS_PER_PAGE: int = 50
    #: "oldest" or "newest" threads first.
    COMMENT_ORDER: str = "oldest"


class TestingConfig(Config):
    """Settings for the test suite: CSRF stays on; tests fetch real tokens."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105  (tests only)
    # Cheaper hashing keeps the suite fast; still argon2id.
    ARGON2_MEMORY_KIB = 19456
    ARGON2_TIME_COST = 2
    LOGIN_RATE_LIMIT = "5 per minute"
    # Drawing birds after every transcode would slow the suite; flock tests turn it on.
    FLOCK_ENABLED = False
