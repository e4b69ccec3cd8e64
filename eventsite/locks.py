"""Named locks that hold across processes and machines: try once, never wait.

Used by the tus endpoint so one request at a time writes an upload, whichever
web node it reaches. Three back-ends, chosen by ``EVENTSITE_LOCK_BACKEND``:

- :class:`RedisLocks`: a lease, ``SET key token NX PX ttl``, renewed by a
  thread while held (a PATCH of a 2 GB chunk takes minutes) and released by a
  compare-and-delete script, so a holder whose lease ran out never frees the
  next holder's lock. A killed holder's lease ends by itself after the TTL.
- :class:`PostgresLocks`: ``pg_try_advisory_lock`` on a connection of its own,
  kept open for the lock's life; the server frees the lock when the connection
  closes, so a killed process frees it at once.
- :class:`FileLocks`: ``flock`` on ``<folder>/<name>.lock``: the processes of
  one machine, or machines sharing a mount that supports it.

Only :func:`init_app` and :func:`app_locks` know about Flask.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app

log = logging.getLogger(__name__)

#: Lock names are used as file names by :class:`FileLocks`, so only these characters.
LOCK_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}")
#: Prefix of every Redis key and advisory-lock name, so other users of the same server cannot clash.
NAMESPACE = "eventsite:lock:"
BACKEND_NAMES = ("auto", "redis", "postgres", "file")


class LockConfigError(RuntimeError):
    """The lock settings cannot work; raised at start-up with what to change."""


class LockUnavailable(Exception):
    """The lock service (Redis, PostgreSQL) could not be reached; nothing is known about the lock."""


class LockBusy(Exception):
    """Someone else holds the lock."""


class HeldLock(ABC):
    """A lock this process holds; :meth:`release` it exactly once."""

    @abstractmethod
    def release(self) -> None: ...


class Locks(ABC):
    """One back-end; :meth:`acquire` never waits."""

    #: Name in ``EVENTSITE_LOCK_BACKEND``.
    name: str
    #: What the start-up log says (no passwords).
    description: str

    @abstractmethod
    def acquire(self, name: str) -> HeldLock | None:
        """Take the lock ``name`` if nobody holds it; None if somebody does.

        :raise LockUnavailable: the back-end cannot be reached.
        """

    @abstractmethod
    def is_held(self, name: str) -> bool:
        """Whether somebody holds ``name`` now, for status checks and tests.

        Redis and PostgreSQL look without taking it; ``flock`` has no such
        question, so the file back-end takes and frees it in one instant.
        """

    @contextlib.contextmanager
    def hold(self, name: str) -> Iterator[HeldLock]:
        """Hold ``name`` for a ``with`` block. :raise LockBusy: somebody else holds it."""
        held = self.acquire(check_name(name))
        if held is None:
            raise LockBusy(name)
        try:
            yield held
        finally:
            held.release()


def check_name(name: str) -> str:
    """Return ``name`` if it is a usable lock name, else raise ValueError."""
    if not LOCK_NAME.fullmatch(name):
        raise ValueError(f"Invalid lock name {name!r}.")
    return name


def _hidden_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


# -- Redis ------------------------------------------------------------------------------------------

#: Delete the key only if it still holds our token (else our lease ran out and it is someone else's).
RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
#: Push the expiry out only if the key still holds our token.
RENEW_SCRIPT = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


class RedisLocks(Locks):
    """Leases in Redis, renewed every third of ``ttl_seconds`` while held."""

    name = "redis"

    def __init__(self, url: str, ttl_seconds: float = 15.0) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.ttl_ms = int(ttl_seconds * 1000)
        self.description = f"redis at {_hidden_password(url)}"
        self._release = self.client.register_script(RELEASE_SCRIPT)
        self._renew = self.client.register_script(RENEW_SCRIPT)

    def acquire(self, name: str) -> HeldLock | None:
        from redis.exceptions import RedisError

        key, token = NAMESPACE + check_name(name), secrets.token_hex(16)
        try:
            taken = self.client.set(key, token, nx=True, px=self.ttl_ms)
        except RedisError as exc:
            raise LockUnavailable(f"Redis could not be reached for the lock: {exc}") from exc
        return _RedisLease(self, key, token) if taken else None

    def is_held(self, name: str) -> bool:
        from redis.exceptions import RedisError

        try:
            return bool(self.client.exists(NAMESPACE + check_name(name)))
        except RedisError as exc:
            raise LockUnavailable(f"Redis could not be reached for the lock: {exc}") from exc


class _RedisLease(HeldLock):
    def __init__(self, locks: RedisLocks, key: str, token: str) -> None:
        self._locks, self.key, self._token = locks, key, token
        #: True once a renewal found the lease gone (Redis lost it, or we stalled past the TTL).
        self.lost = False
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._keep_alive, name=f"lease {key}", daemon=True)
        self._renewer.start()

    def _keep_alive(self) -> None:
        from redis.exceptions import RedisError

        # Renewing three times per TTL leaves two tries to spare if Redis blinks.
        while not self._stop.wait(self._locks.ttl_ms / 3000):
            try:
                renewed = self._locks._renew(keys=[self.key], args=[self._token, self._locks.ttl_ms])
            except RedisError as exc:
                log.warning("could not renew lock %s: %s", self.key, exc)
                continue
            if not renewed:
                self.lost = True
                log.error("lock %s expired while held; another request may now take it", self.key)
                return

    def release(self) -> None:
        from redis.exceptions import RedisError

        self._stop.set()
        self._renewer.join()
        try:
            self._locks._release(keys=[self.key], args=[self._token])
        except RedisError as exc:  # the lease runs out by itself
            log.warning("could not release lock %s (it expires on its own): %s", self.key, exc)


# -- PostgreSQL -------------------------------------------------------------------------------------


def advisory_key(name: str) -> int:
    """The signed 64-bit advisory-lock key of ``name`` (its SHA-256, cut to 8 bytes)."""
    digest = hashlib.sha256((NAMESPACE + name).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresLocks(Locks):
    """Session advisory locks, each on a connection of its own (never a pooled one)."""

    name = "postgres"

    def __init__(self, url: str) -> None:
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        # NullPool: closing the connection really closes it, which is what frees the lock.
        self.engine = sa.create_engine(url, poolclass=NullPool)
        self.description = f"postgres advisory locks at {self.engine.url.render_as_string(hide_password=True)}"

    def acquire(self, name: str) -> HeldLock | None:
        import sqlalchemy as sa

        connection = None
        try:
            # Autocommit: an open transaction held for minutes would keep old rows from being vacuumed.
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            taken = connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": advisory_key(name)})
        except sa.exc.DBAPIError as exc:
            if connection is not None:
                connection.close()
            raise LockUnavailable(f"PostgreSQL could not be reached for the lock: {exc.orig}") from exc
        if not taken:
            connection.close()
            return None
        return _PostgresLock(connection)

    def is_held(self, name: str) -> bool:
        import sqlalchemy as sa

        # pg_locks shows a bigint advisory key as its high and low 32 bits.
        key = advisory_key(check_name(name)) & 0xFFFF_FFFF_FFFF_FFFF
        query = sa.text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1)"
        )
        try:
            with self.engine.connect() as connection:
                return bool(connection.scalar(query, {"high": key >> 32, "low": key & 0xFFFF_FFFF}))
        except sa.exc.DBAPIError as exc:
            raise LockUnavailable(f"PostgreSQL could not be reached for the lock: {exc.orig}") from exc


class _PostgresLock(HeldLock):
    def __init__(self, connection) -> None:
        self._connection = connection

    def release(self) -> None:
        # Closing the session frees every advisory lock it holds; no unlock call to forget.
        with contextlib.suppress(Exception):
            self._connection.close()


# -- Files ------------------------------------------------------------------------------------------


class FileLocks(Locks):
    """``flock`` on ``<folder>/<name>.lock``; the kernel frees it when the holder dies."""

    name = "file"

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.description = f"flock in {self.folder}"

    def path(self, name: str) -> Path:
        return self.folder / f"{check_name(name)}.lock"

    def acquire(self, name: str) -> HeldLock | None:
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return _FileLock(fd)

    def is_held(self, name: str) -> bool:
        if not self.path(name).exists():
            return False
        held = self.acquire(name)
        if held is None:
            return True
        held.release()
        return False


class _FileLock(HeldLock):
    def __init__(self, fd: int) -> None:
        self._fd = fd

    def release(self) -> None:
        os.close(self._fd)


# -- Choosing one -----------------------------------------------------------------------------------


def _is_redis(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("redis://", "rediss://", "unix://"))


def locks_from_config(config, database_url: str, folder: str | os.PathLike) -> Locks:
    """The back-end ``config`` asks for; ``folder`` holds the lock files of the file back-end.

    :raise LockConfigError: an unknown back-end, or one whose server is not configured.
    """
    choice = str(config.get("LOCK_BACKEND") or "auto").strip().lower()
    queue_url = config.get("QUEUE_URL")
    redis_url = config.get("LOCK_REDIS_URL") or (queue_url if _is_redis(queue_url) else "")
    postgres = database_url.startswith(("postgresql", "postgres:"))
    if choice == "auto":
        choice = "redis" if redis_url else "postgres" if postgres else "file"
    if choice == "redis":
        if not redis_url:
            raise LockConfigError(
                "EVENTSITE_LOCK_BACKEND=redis needs EVENTSITE_LOCK_REDIS_URL (or a redis:// EVENTSITE_QUEUE_URL)."
            )
        return RedisLocks(str(redis_url))
    if choice == "postgres":
        if not postgres:
            raise LockConfigError(
                "EVENTSITE_LOCK_BACKEND=postgres needs EVENTSITE_DATABASE_URL to point at PostgreSQL."
            )
        return PostgresLocks(database_url)
    if choice == "file":
        return FileLocks(folder)
    raise LockConfigError(
        f"EVENTSITE_LOCK_BACKEND={choice!r} is not a lock back-end; use one of {', '.join(BACKEND_NAMES)}."
    )


def init_app(app: Flask) -> None:
    """Choose the app's lock back-end and say which in the log.

    :raise LockConfigError: the settings cannot work.
    """
    from .config import upload_root
    from .database import database_url

    locks = locks_from_config(app.config, database_url(app), upload_root(app.config))
    app.extensions["locks"] = locks
    log.info("lock back-end: %s", locks.description)


def app_locks() -> Locks:
    """The lock back-end of the current app."""
    return current_app.extensions["locks"]
