"""Rate-limit counters are shared by every web worker: with two processes a limit of
5 sign-ins per minute lets 5 through in all, not 5 each (the per-process memory store
let 20 of 40 through a limit of 10 with two gunicorn workers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from eventsite import create_app
from eventsite.config import TestingConfig
from eventsite.extensions import db
from eventsite.ratelimits import SQLiteStorage, storage_uri

ROOT = Path(__file__).resolve().parents[2]

#: One "worker": its own app (and limiter) on the shared instance folder, posting wrong passwords.
WORKER = """
import json, re, sys
from eventsite import create_app
from eventsite.config import TestingConfig
app = create_app({"DATABASE_URL": sys.argv[1], "LOGIN_RATE_LIMIT": "5 per minute"}, config_class=TestingConfig)
client = app.test_client()
page = client.get("/login").get_data(as_text=True)
token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
codes = [client.post("/login", data={"csrf_token": token, "email": "o@example.com", "password": "wrong"}).status_code
         for _ in range(4)]
print(json.dumps(codes))
"""


def test_two_processes_share_one_sign_in_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with create_app({"DATABASE_URL": database}, config_class=TestingConfig).app_context():
        db.create_all()
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, database], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    codes = [code for worker in workers for code in json.loads(worker.communicate(timeout=120)[0])]
    assert sorted(codes) == [400] * 5 + [429] * 3, codes


def test_the_store_follows_the_settings(tmp_path):
    assert storage_uri({}, str(tmp_path)) == f"sqlite:///{tmp_path.resolve() / 'ratelimits.sqlite'}"
    assert storage_uri({"QUEUE_URL": "redis://queue:6379/0"}, str(tmp_path)) == "redis://queue:6379/0"
    assert storage_uri({"RATELIMIT_STORAGE_URI": "memory://", "QUEUE_URL": "redis://q/0"}, "x") == "memory://"


def test_the_sqlite_store_counts_windows_like_the_others(tmp_path):
    store = storage_from_string(f"sqlite:///{tmp_path / 'limits.sqlite'}")
    assert isinstance(store, SQLiteStorage) and store.check()
    limiter, limit = FixedWindowRateLimiter(store), parse("3 per second")
    assert [limiter.hit(limit, "me") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(limit, "someone else")
    assert limiter.get_window_stats(limit, "me").remaining == 0
    store.clear(limit.key_for("me"))
    assert limiter.hit(limit, "me")
    assert store.reset() >= 1 and store.get(limit.key_for("me")) == 0


def test_a_uri_without_a_file_is_refused():
    with pytest.raises(ValueError, match="needs a file"):
        storage_from_string("sqlite://")


#: One process of a fresh machine: it says it is ready, waits for "go", then counts once.
COUNTER = """
import sys
from eventsite.ratelimits import SQLiteStorage
store = SQLiteStorage(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
print(store.incr("sign-in", 60), flush=True)
"""


def test_workers_starting_together_on_a_new_file_all_count(tmp_path):
    """Every worker of a fresh machine opens the new file at once: none is refused "database is locked"."""
    for round_ in range(5):
        uri = f"sqlite:///{tmp_path / f'round{round_}.sqlite'}"
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", COUNTER, uri], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            for _ in range(6)
        ]
        for worker in workers:  # each imported and made its store, none has opened the file yet
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        counts = sorted(int(worker.communicate(timeout=60)[0]) for worker in workers)
        assert [worker.returncode for worker in workers] == [0] * 6
        assert counts == [1, 2, 3, 4, 5, 6]
