"""Configuration: one ``Config`` read from ``EVENTSITE_*`` environment variables.

Every setting has a default that works on one machine with nothing installed
beyond Python and ffmpeg; the README lists them all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


#: Shortest secret key accepted at start-up (characters); a generated key has 64.
MIN_SECRET_KEY_LENGTH = 32


class SecretKeyError(RuntimeError):
    """The secret key is unusable; the message says how to make a good one."""


#: How to make a key, for the messages below.
MAKE_A_KEY = (
    "e.g. the output of: python3 -c 'import secrets; print(secrets.token_hex(32))' "
    "(or unset it to have one generated into the instance folder)."
)
#: Placeholders this repository once shipped (deploy/eventsite.env.example): anyone who read
#: them can sign sessions with them, so they are refused even after they left the files.
PUBLISHED_SECRET_KEYS = frozenset({"change-me-to-64-random-hex-characters-from-secrets.token_hex-32"})
#: Parts of the checkout that are not its published text (installed packages, media, local state).
_UNPUBLISHED_FOLDERS = frozenset({".git", ".venv", "node_modules", "media", "instance", "vendor", "__pycache__"})
#: Files that may hold a published key. Not ``.env`` or suffix-less files: a site's own settings
#: file kept in the checkout must not refuse the key it holds.
_TEXT_SUFFIXES = frozenset(
    {".py", ".md", ".txt", ".in", ".toml", ".cfg", ".ini", ".sh", ".conf", ".service", ".example", ".yml",
     ".yaml", ".json", ".html", ".js", ".css", ".sample"}
)  # fmt: skip


def published_in(key: str, root: Path = PROJECT_ROOT) -> Path | None:
    """The first text file of the checkout at ``root`` that contains ``key`` (a placeholder
    in an example, a default, a test's key), or ``None``."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in _UNPUBLISHED_FOLDERS]
        for name in files:
            path = Path(folder, name)
            if path.suffix not in _TEXT_SUFFIXES:
                continue
            try:
                if path.stat().st_size < 2_000_000 and key in path.read_text(errors="ignore"):
                    return path
            except OSError:
                continue
    return None


def check_secret_key(key: str | bytes, *, testing: bool = False, root: Path = PROJECT_ROOT) -> None:
    """Refuse a guessable secret key at start-up: it signs sessions, so whoever
    knows it can sign in as any organiser.

    :raise SecretKeyError: shorter than :data:`MIN_SECRET_KEY_LENGTH`, or published in this
        repository (the test suite's own key excepted).
    """
    if testing:
        return
    if not key:
        raise SecretKeyError(f"EVENTSITE_SECRET_KEY is set but empty; set it to a key of your own, {MAKE_A_KEY}")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SecretKeyError(
            f"EVENTSITE_SECRET_KEY is {len(key)} characters long; use at least {MIN_SECRET_KEY_LENGTH} random "
            f"characters, {MAKE_A_KEY}"
        )
    text = key.decode(errors="ignore") if isinstance(key, bytes) else key
    found = "an old deploy/eventsite.env.example" if text in PUBLISHED_SECRET_KEYS else published_in(text, root)
    if found:
        where = found.relative_to(root) if isinstance(found, Path) else found
        raise SecretKeyError(
            f"EVENTSITE_SECRET_KEY is published in this repository ({where}), so anyone can sign sessions "
            f"with it; use a key of your own, {MAKE_A_KEY}"
        )


def load_secret_key(instance_path: str, *, wait_seconds: float = 5.0) -> str:
    """Return the secret key kept in the instance folder, creating it once.

    Keeping it on disk means sessions and signed links survive a restart
    even when ``EVENTSITE_SECRET_KEY`` is not set. Several processes may
    start at once (gunicorn workers, the job worker): the key is written in
    full to a temporary file, then linked into place, which fails if the
    file already exists (like ``O_EXCL``). So exactly one key wins, every
    process reads that one, and nobody ever reads a half-written or empty key.

    :raise SecretKeyError: the file stays empty (written by something else).
    """
    import tempfile
    import time

    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            key = path.read_text().strip()
        except FileNotFoundError:
            key = None
        if key:
            return key
        if key is None:
            fresh = secrets.token_hex(32)
            # mkstemp creates the file 0600, so other users on the machine cannot read it.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(fresh)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.link(tmp, path)
                return fresh
            except FileExistsError:
                continue  # another process got there first: read its key
            finally:
                os.unlink(tmp)
        if time.monotonic() > deadline:
            raise SecretKeyError(f"{path} is empty; delete it (a new key is made) or put a key in it.")
        time.sleep(0.05)


def upload_root(config) -> Path:
    """The folder of unfinished uploads: ``UPLOAD_ROOT``, or ``uploads`` in ``MEDIA_ROOT`` when unset."""
    return Path(config.get("UPLOAD_ROOT") or Path(config["MEDIA_ROOT"]) / "uploads")


class Config:
    """Defaults for a single machine; override any key with ``EVENTSITE_<KEY>``."""

    #: SQLAlchemy URL; ``None`` means an SQLite file in the instance folder.
    DATABASE_URL: str | None = None
    #: Where uploads, originals and renditions live (local storage back-end).
    MEDIA_ROOT: str = str(PROJECT_ROOT / "media")
    #: Storage back-end for media files ("local": files under MEDIA_ROOT; "s3": a bucket).
    STORAGE: str = "local"
    #: S3-compatible service for ``STORAGE = "s3"``: endpoint (empty → AWS), bucket, region, credentials
    #: (empty credentials → boto3's own chain, e.g. an AWS role).
    S3_ENDPOINT_URL: str = ""
    S3_BUCKET: str = ""
    S3_REGION: str = ""
    S3_ACCESS_KEY_ID: str = ""
    S3_SECRET_ACCESS_KEY: str = ""
    #: Public base URL of the bucket or a CDN in front of it; published media then
    #: redirects there instead of to a presigned URL (S3 only).
    MEDIA_PUBLIC_URL: str = ""
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
    #: Make draft captions by speech recognition (English recordings without captions) after each transcode.
    AUTO_CAPTIONS_ENABLED: bool = True
    #: libx264 preset: slower presets give smaller files for more CPU time.
    TRANSCODE_PRESET: str = "veryfast"
    #: Threads of ffmpeg's filter graph (scaling, the cartoon's filters); 0 → one per core.
    #: One was faster on two cores, where x264's threads already fill the machine.
    TRANSCODE_FILTER_THREADS: int = 1
    #: Loudness-normalise every published sound (EBU R128: measured, then one gain and a limiter); 0 → as recorded.
    LOUDNORM: bool = True
    #: Integrated loudness every published sound is brought to, in LUFS (true peak ≤ -1 dBTP).
    #: -16 is the usual podcast target; EBU R128 broadcast uses -23.
    LOUDNESS_TARGET: float = -16.0
    #: Parts a sound of two minutes or more is encoded in at once, one per core (the AAC encoder
    #: runs on one thread; its parts are joined without a seam); 0 → one per core, 1 → never split.
    SOUND_PARTS: int = 0
    #: A first upload that is already web-ready (H.264 the ladder would keep) is published at once
    #: with its picture copied, then replaced by the full ladder; 0 → wait for the full ladder.
    QUICK_PUBLISH: bool = True
    #: With QUICK_PUBLISH, a first upload at least this long (seconds) that must be encoded is made
    #: watchable on the rung the player starts on first, then the full ladder replaces it; 0 → never.
    FIRST_RUNG_MIN_SECONDS: float = 60.0
    #: libx264 preset of that first rung: the full ladder replaces it, so it is encoded fast.
    FIRST_RUNG_PRESET: str = "ultrafast"
    #: A recording at least twice this long (seconds) has its ladder cut into chunks of about this
    #: length, each a job of its own, so several workers encode it at once; 0 → always one job.
    CHUNK_SECONDS: float = 90.0
    #: Wall-clock limit for one transcode in seconds; 0 → 4× the duration (at least 10 minutes,
    #: at most TRANSCODE_TIMEOUT_MAX).
    TRANSCODE_TIMEOUT: int = 0
    #: Longest wall-clock limit the 4×-duration rule gives, in seconds.
    TRANSCODE_TIMEOUT_MAX: int = 12 * 3600
    #: Address space (RLIMIT_AS) of every ffmpeg and ffprobe run, in bytes; 0 → no limit.
    FFMPEG_MEMORY_LIMIT: int = 4 * 1024**3
    #: CPU seconds (RLIMIT_CPU, all threads) per second of media for one ffmpeg run,
    #: at least 10 minutes; 0 → no limit.
    FFMPEG_CPU_PER_SECOND: float = 20
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
    #: Host names (comma-separated; ".example.org" takes subdomains) that requests may come in on,
    #: besides BASE_URL's host. Links in mails and clips are built from the request's host when
    #: BASE_URL is unset, so any other Host header is refused (400). Default: loopback, for run.sh.
    TRUSTED_HOSTS: list[str] | str = "localhost,127.0.0.1,[::1]"
    #: Name shown in the header, titles and social cards.
    SITE_NAME: str = "eventsite"
    #: Reverse proxies in front of the app (1 behind nginx): trust that many
    #: X-Forwarded-For/-Proto hops, so rate limits see the visitor's address.
    PROXY_HOPS: int = 0
    #: Set to True when served over HTTPS so cookies get the Secure flag.
    SECURE_COOKIES: bool = False
    #: Storage for rate-limit counters, which every web worker must share; empty → the queue's Redis
    #: when QUEUE_URL is Redis, else an SQLite file in the instance folder (one machine's processes).
    RATELIMIT_STORAGE_URI: str = ""
    #: Login attempts allowed per IP address.
    LOGIN_RATE_LIMIT: str = "10 per minute"
    #: Failed sign-ins allowed per account (e-mail address), from any number of addresses.
    LOGIN_ACCOUNT_RATE_LIMIT: str = "10 per 15 minutes"
    #: Password-reset mails sent to one address ("forgot your password?"); more requests get
    #: the same answer but no mail.
    PASSWORD_RESET_ACCOUNT_RATE_LIMIT: str = "3 per hour"  # noqa: S105  (a rate, not a password)
    #: Minutes a password-reset link works (once).
    PASSWORD_RESET_MINUTES: int = 60
    #: Hours an invitation to a new organiser works (once).
    ACCOUNT_INVITE_HOURS: int = 7 * 24
    #: Days a new API token lasts unless its maker chooses otherwise.
    API_TOKEN_DAYS: int = 90
    #: Form tokens are tied to the visitor's session and never expire on their own:
    #: people watch a 90-minute panel before they comment.
    WTF_CSRF_TIME_LIMIT: int | None = None
    #: Largest portrait or avatar image accepted, in bytes.
    MAX_IMAGE_BYTES: int = 10 * 1024 * 1024
    #: Largest request body of any route (bytes); the image, caption and PDF
    #: forms get what their files need, tus uploads stream (eventsite/request_limits.py).
    MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
    #: Largest recording accepted through the tus upload endpoint, in bytes.
    UPLOAD_MAX_BYTES: int = 50 * 1024**3
    #: Seconds an unfinished upload is kept after its last byte arrived.
    UPLOAD_EXPIRES_SECONDS: int = 3 * 24 * 3600
    #: Folder of unfinished tus uploads; empty → MEDIA_ROOT/uploads. Always a file system (appends, fsync),
    #: never the bucket: the finished file is handed to the media store. Give every web node the same
    #: shared folder (NFS) so any node can take an upload's next PATCH, or a local folder per node.
    UPLOAD_ROOT: str = ""
    #: Lock held by the request writing an upload: "auto" (redis when LOCK_REDIS_URL is set or the queue
    #: is Redis, else postgres when the database is, else file), "redis", "postgres" (an advisory lock)
    #: or "file" (flock in UPLOAD_ROOT: one machine, or a shared mount that supports it).
    LOCK_BACKEND: str = "auto"
    #: Redis for the "redis" lock; empty → QUEUE_URL when the queue is Redis.
    LOCK_REDIS_URL: str = ""
    #: Seconds ffprobe may spend reading a finished upload before we give up.
    UPLOAD_PROBE_TIMEOUT: float = 60
    #: URL prefix of an nginx ``internal`` location (e.g. "/protected/") that maps
    #: to MEDIA_ROOT; when set, media bytes are handed to nginx by X-Accel-Redirect.
    MEDIA_ACCEL: str = ""
    #: Seconds nginx may reuse a "this file is public" answer from ``/_media_auth/`` (deploy/nginx.conf):
    #: the longest a just-unpublished panel's files stay reachable through nginx.
    MEDIA_AUTH_CACHE_SECONDS: int = 60
    #: Object storage: how long a presigned URL for published media stays good once the redirect
    #: to it may no longer be reused (it is signed for MEDIA_AUTH_CACHE_SECONDS + this): with it,
    #: the longest an unpublished or consent-withdrawn recording stays reachable from the bucket.
    #: Five minutes: a player whose file URL ran out mid-talk asks /media/ again (static/js/player.js).
    MEDIA_URL_SECONDS: int = 300
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
    #: Send e-mail from the job queue's workers (True) or during the request (False).
    MAIL_QUEUE: bool = True
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
    #: A comment form shown longer ago than this (seconds) is refused with "please reload".
    COMMENT_FORM_MAX_AGE: int = 24 * 3600
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
    #: Hours a commenter's confirmation link stays valid.
    COMMENT_CONFIRM_HOURS: float = 72
    #: Hours a panelist's magic link (sent from the studio) stays valid.
    PANELIST_LINK_HOURS: float = 72
    #: Apple Podcasts category of the events' podcast feeds (one of Apple's list).
    PODCAST_CATEGORY: str = "Business"
    #: The podcast feeds' <itunes:owner> address, which directories mail to verify a podcast; empty → the
    #: address of MAIL_FROM. Never anyone's from the discussion.
    PODCAST_OWNER_EMAIL: str = ""
    #: Quote clips visitors may ask for per IP address (organisers are not counted).
    CLIP_RATE_LIMIT: str = "10 per hour"
    #: Short side of a rendered clip in pixels (720 → 720×1280 vertical, 1280×720 wide).
    CLIP_SHORT_SIDE: int = 720
    #: Largest free-guide PDF accepted in the studio, in bytes.
    OFFER_MAX_BYTES: int = 20 * 1024 * 1024
    #: Hours a free-guide confirmation link stays valid (unconfirmed sign-ups are deleted after it).
    OFFER_CONFIRM_HOURS: float = 72
    #: Hours a free-guide download link stays valid.
    OFFER_DOWNLOAD_HOURS: float = 168
    #: Free-guide sign-ups allowed for one e-mail address (Flask-Limiter syntax).
    OFFER_SIGNUP_RATE_LIMIT: str = "3 per hour"
    #: Free-guide sign-ups allowed from one IP address.
    OFFER_SIGNUP_IP_RATE_LIMIT: str = "20 per hour"
    #: Sign-up forms sent back faster than this (seconds) are from bots and discarded.
    OFFER_MIN_SUBMIT_SECONDS: float = 2


class TestingConfig(Config):
    """Settings for the test suite: CSRF stays on; tests fetch real tokens."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105  (tests only)
    # Cheaper hashing keeps the suite fast; still argon2id.
    ARGON2_MEMORY_KIB = 19456
    ARGON2_TIME_COST = 2
    LOGIN_RATE_LIMIT = "5 per minute"
    # Mail tests read the SMTP server right after the request; tests/security turns the queue on.
    MAIL_QUEUE = False
    # Drawing birds after every transcode would slow the suite; flock tests turn it on.
    FLOCK_ENABLED = False
    # Likewise for speech recognition; tests/transcripts turn it on.
    AUTO_CAPTIONS_ENABLED = False
