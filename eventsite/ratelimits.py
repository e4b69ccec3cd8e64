"""Where the rate limits keep their counters: a store every web worker sees.

Flask-Limiter's default keeps counters in each process's memory, so with two
gunicorn workers twice the limit got through (20 of 40 sign-ins under a limit
of 10). The counters go instead to Redis when the job queue is Redis (every
machine shares it), and otherwise to an SQLite file in the instance folder,
which the processes of one machine share. ``limits`` has no such store of its
own (its shared ones all need a server: Redis, Memcached, MongoDB), so
:class:`SQLiteStorage` adds one under the ``sqlite://`` scheme: fixed windows,
Flask-Limiter's default strategy, each increment one write transaction.
``EVENTSITE_RATELIMIT_STORAGE_URI`` set to anything overrides the choice.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from limits.storage import Storage

from .extensions import limiter

#: Seconds a process waits for another's write before giving up (a busy moment, not a failure).
BUSY_TIMEOUT = 5.0


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file: ``sqlite:///absolute/path.sqlite``."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = urlsplit(uri or "").path
        if not self.path:
            raise ValueError("The sqlite:// rate-limit store needs a file: sqlite:///path/to/ratelimits.sqlite")
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (made again after a fork: a connection must not cross one)."""
        found = getattr(self._local, "connection", None)
        if found is not None and self._local.pid == os.getpid():
            return found
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        _set_up(connection)
        self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        db = self._connection()
        # BEGIN IMMEDIATE takes the write lock first, so two workers never both read the old count.
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM counter WHERE key = ? AND expires <= ?", (key, now))
            db.execute(
                "INSERT INTO counter (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            (value,) = db.execute("SELECT value FROM counter WHERE key = ?", (key,)).fetchone()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(value)

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute("SELECT value FROM counter WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._connection()
            .execute("SELECT expires FROM counter WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))


def _set_up(connection: sqlite3.Connection) -> None:
    """WAL and the table, waiting out another process doing the same.

    Two workers starting on a new file both try to switch it to WAL; SQLite
    answers the loser "database is locked" at once, without its busy handler,
    so the switch is tried again until :data:`BUSY_TIMEOUT` has passed.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    pause = 0.01
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, value INTEGER, expires REAL)")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def storage_uri(config, instance_path: str) -> str:
    """``RATELIMIT_STORAGE_URI`` when set; else the Redis of the job queue; else the instance folder's file."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return config["RATELIMIT_STORAGE_URI"]
    queue = config.get("QUEUE_URL") or ""
    if queue.startswith(("redis://", "rediss://", "unix://")):
        return queue
    return f"sqlite:///{Path(instance_path).resolve() / 'ratelimits.sqlite'}"


def init_app(app: Flask) -> None:
    """Choose the store (see the module docstring) and bind the limiter to it."""
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config, app.instance_path)
    limiter.init_app(app)
