"""Named locks between real processes, on each back-end.

Redis runs when ``EVENTSITE_TEST_REDIS_URL`` is set, PostgreSQL when
``EVENTSITE_TEST_DATABASE_URL`` points at one; the file back-end always.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from eventsite import create_app
from eventsite.config import TestingConfig
from eventsite.locks import (
    FileLocks,
    LockConfigError,
    LockUnavailable,
    PostgresLocks,
    RedisLocks,
    locks_from_config,
)

ROOT = Path(__file__).resolve().parents[2]
#: Runs on the PostgreSQL pass too (`-m database`): it reads EVENTSITE_TEST_DATABASE_URL itself.
pytestmark = pytest.mark.database
REDIS_URL = os.environ.get("EVENTSITE_TEST_REDIS_URL", "")
DATABASE_URL = os.environ.get("EVENTSITE_TEST_DATABASE_URL", "")
POSTGRES_URL = "postgresql+psycopg://" + DATABASE_URL.split("://", 1)[1] if DATABASE_URL.startswith("postgres") else ""

#: A process that takes one lock, says whether it got it, and keeps it until told (or killed).
HOLDER = """
import sys
from eventsite.locks import FileLocks, PostgresLocks, RedisLocks

kind, target, name, ttl = sys.argv[1:]
make = {"file": FileLocks, "postgres": PostgresLocks, "redis": lambda url: RedisLocks(url, float(ttl))}
held = make[kind](target).acquire(name)
print("held" if held else "busy", flush=True)
sys.stdin.readline()
if held:
    held.release()
print("released", flush=True)
"""


class Holder:
    """Another process trying to take a lock."""

    def __init__(self, kind: str, target: str, name: str, ttl: float = 15.0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, kind, target, name, str(ttl)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.answer = self.process.stdout.readline().strip()

    def let_go(self) -> None:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "released"
        self.process.wait(timeout=10)

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()


@pytest.fixture(
    params=[
        "file",
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(not POSTGRES_URL, reason="EVENTSITE_TEST_DATABASE_URL is not PostgreSQL"),
        ),
        pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="EVENTSITE_TEST_REDIS_URL is not set")),
    ]
)
def backend(request, tmp_path):
    """(kind, what the holder process needs to build the same back-end)."""
    return request.param, {"file": str(tmp_path / "locks"), "postgres": POSTGRES_URL, "redis": REDIS_URL}[request.param]


@pytest.fixture
def holders():
    started: list[Holder] = []

    def start(*args, **kwargs) -> Holder:
        started.append(Holder(*args, **kwargs))
        return started[-1]

    yield start
    for holder in started:
        holder.stop()


def make_locks(kind: str, target: str, ttl: float = 15.0):
    return {"file": FileLocks, "postgres": PostgresLocks, "redis": lambda url: RedisLocks(url, ttl)}[kind](target)


def wait_for_lock(locks, name: str, seconds: float):
    """Try to take ``name`` until it comes free; the held lock, or None after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        held = locks.acquire(name)
        if held:
            return held
        time.sleep(0.05)
    return None


def test_a_held_lock_excludes_every_other_process_until_released(backend, holders):
    kind, target = backend
    name = uuid.uuid4().hex
    locks = make_locks(kind, target)

    assert not locks.is_held(name)
    first = holders(kind, target, name)
    assert first.answer == "held"
    assert locks.is_held(name)  # seen from here, without taking it from the holder
    assert locks.acquire(name) is None
    assert holders(kind, target, name).answer == "busy"
    # Other names are free meanwhile.
    other = locks.acquire(uuid.uuid4().hex)
    assert other is not None
    other.release()

    first.let_go()
    assert not locks.is_held(name)
    mine = locks.acquire(name)
    assert mine is not None
    assert holders(kind, target, name).answer == "busy"
    mine.release()
    assert holders(kind, target, name).answer == "held"


def test_a_killed_holder_frees_the_lock_at_once(backend, holders):
    if backend[0] == "redis":
        pytest.skip("a dead holder's Redis lease runs out instead (tested below)")
    name = uuid.uuid4().hex
    locks = make_locks(*backend)
    holder = holders(*backend, name)
    assert holder.answer == "held"
    holder.kill()
    held = wait_for_lock(locks, name, seconds=5)
    assert held is not None, "the dead holder's lock was not freed"
    held.release()


@pytest.mark.skipif(not REDIS_URL, reason="EVENTSITE_TEST_REDIS_URL is not set")
def test_a_redis_lease_is_renewed_while_held_and_runs_out_when_its_holder_dies(holders):
    name, ttl = uuid.uuid4().hex, 1.0
    locks = RedisLocks(REDIS_URL, ttl)
    holder = holders("redis", REDIS_URL, name, ttl=ttl)
    assert holder.answer == "held"
    # Three TTLs later the living holder still has it: its thread renews the lease.
    for _ in range(6):
        time.sleep(ttl / 2)
        assert locks.acquire(name) is None

    holder.kill()
    killed_at = time.monotonic()
    assert locks.acquire(name) is None  # a dead holder's lease lasts until it runs out...
    held = wait_for_lock(locks, name, seconds=3 * ttl)
    assert held is not None, "the dead holder's lease never ran out"  # ...and no longer
    assert time.monotonic() - killed_at < 2 * ttl
    held.release()


@pytest.mark.skipif(not REDIS_URL, reason="EVENTSITE_TEST_REDIS_URL is not set")
def test_a_holder_whose_lease_ran_out_does_not_free_the_next_holders_lock():
    name = uuid.uuid4().hex
    locks = RedisLocks(REDIS_URL, ttl_seconds=0.6)
    late = locks.acquire(name)
    locks.client.delete(f"eventsite:lock:{name}")  # as if the lease had run out while its holder stalled
    current = locks.acquire(name)
    assert current is not None
    time.sleep(0.4)  # the late holder's renewal finds the lease gone
    assert late.lost
    late.release()
    assert locks.acquire(name) is None  # still the current holder's
    current.release()
    again = locks.acquire(name)
    assert again is not None
    again.release()


def test_an_unreachable_server_is_reported_not_taken_for_busy(tmp_path):
    locks = RedisLocks("redis://127.0.0.1:9/0")  # the discard port: nothing listens
    with pytest.raises(LockUnavailable, match="Redis could not be reached"):
        locks.acquire("x")
    locks = PostgresLocks("postgresql+psycopg://nobody@127.0.0.1:9/none")
    with pytest.raises(LockUnavailable, match="PostgreSQL could not be reached"):
        locks.acquire("x")


def test_names_that_are_not_plain_file_names_are_refused(tmp_path):
    locks = FileLocks(tmp_path)
    for name in ("../escape", "a/b", "", ".hidden", "x" * 200):
        with pytest.raises(ValueError, match="Invalid lock name"):
            locks.acquire(name)
    assert list(tmp_path.iterdir()) == []


SQLITE = "sqlite:///x.db"
PG = "postgresql+psycopg://app@db/eventsite"


@pytest.mark.parametrize(
    ("settings", "database", "chosen"),
    [
        ({}, SQLITE, "file"),
        ({}, PG, "postgres"),
        ({"QUEUE_URL": "redis://redis:6379/0"}, PG, "redis"),
        ({"QUEUE_URL": "sqlite:///q.db"}, PG, "postgres"),
        ({"LOCK_REDIS_URL": "redis://locks:6379/2"}, SQLITE, "redis"),
        ({"LOCK_BACKEND": "file", "QUEUE_URL": "redis://redis:6379/0"}, PG, "file"),
        ({"LOCK_BACKEND": "postgres", "QUEUE_URL": "redis://redis:6379/0"}, PG, "postgres"),
    ],
)
def test_auto_prefers_redis_then_postgres_then_files(settings, database, chosen, tmp_path):
    assert locks_from_config(settings, database, tmp_path).name == chosen


def test_the_lock_redis_url_wins_over_the_queues():
    locks = locks_from_config(
        {"QUEUE_URL": "redis://queue:6379/0", "LOCK_REDIS_URL": "redis://:s3cret@locks:6379/2"}, SQLITE, "."
    )
    assert locks.description == "redis at redis://:***@locks:6379/2"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"LOCK_BACKEND": "redis"}, "EVENTSITE_LOCK_BACKEND=redis needs EVENTSITE_LOCK_REDIS_URL"),
        ({"LOCK_BACKEND": "postgres"}, "needs EVENTSITE_DATABASE_URL to point at PostgreSQL"),
        ({"LOCK_BACKEND": "zookeeper"}, "'zookeeper' is not a lock back-end; use one of auto, redis, postgres, file"),
    ],
)
def test_settings_that_cannot_work_stop_start_up(settings, message, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(LockConfigError, match=message):
        create_app(
            {"DATABASE_URL": f"sqlite:///{tmp_path / 'db'}", "MEDIA_ROOT": str(tmp_path / "media"), **settings},
            config_class=TestingConfig,
        )


def test_start_up_logs_the_back_end_once(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    with caplog.at_level(logging.INFO, logger="eventsite.locks"):
        create_app(
            {"DATABASE_URL": f"sqlite:///{tmp_path / 'db'}", "MEDIA_ROOT": str(tmp_path / "media")},
            config_class=TestingConfig,
        )
    said = [r.getMessage() for r in caplog.records if r.name == "eventsite.locks"]
    assert said == [f"lock back-end: flock in {tmp_path / 'media' / 'uploads'}"]
