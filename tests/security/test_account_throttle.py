"""Sign-in failures are limited per account, whatever address they come from."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import PASSWORD, csrf_token

BLOCKED = "Too many attempts for this account; try again in"


def attempt(app, address: str, email: str, password: str):
    """One sign-in from its own client and address, as a botnet would make it."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def small_limit(app):
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per 15 minutes"


def test_failures_from_many_addresses_lock_the_account_not_the_address(app, make_organiser, small_limit):
    make_organiser(email="target@example.com")
    for n in range(3):
        response = attempt(app, f"203.0.113.{n}", "target@example.com", "guess")
        assert response.status_code == 400
        assert "match an organiser account" in response.get_data(as_text=True)
    # the fourth address has never failed, but the account has
    response = attempt(app, "203.0.113.99", "TARGET@example.com", "guess")
    assert response.status_code == 429
    assert f"{BLOCKED} 15 minutes." in response.get_data(as_text=True)
    # even the right password is not checked now
    response = attempt(app, "198.51.100.7", "target@example.com", PASSWORD)
    assert response.status_code == 429 and BLOCKED in response.get_data(as_text=True)
    # another account from the same addresses is not affected
    make_organiser(email="other@example.com")
    assert attempt(app, "203.0.113.99", "other@example.com", PASSWORD).status_code == 302


def test_an_unknown_address_gets_the_same_answers(app, make_organiser, small_limit):
    """No account enumeration: the counter runs for any e-mail typed."""
    make_organiser(email="real@example.com")
    answers = {}
    for email in ("real@example.com", "nobody@example.com"):
        codes = [attempt(app, f"192.0.2.{n}", email, "guess").status_code for n in range(4)]
        last = attempt(app, "192.0.2.50", email, "guess").get_data(as_text=True)
        answers[email] = (codes, BLOCKED in last)
    assert answers["real@example.com"] == answers["nobody@example.com"] == ([400, 400, 400, 429], True)


def test_the_account_counter_lives_in_the_limiter_storage(app, make_organiser, small_limit):
    """Flask-Limiter's storage (Redis with several web nodes) holds it, keyed by a hash."""
    from eventsite.extensions import limiter

    attempt(app, "192.0.2.1", "secret-name@example.com", "guess")
    storage = limiter.limiter.storage
    # The store every worker shares (eventsite/ratelimits.py): an SQLite file without Redis.
    with sqlite3.connect(storage.path) as counters:
        keys = " ".join(key for (key,) in counters.execute("SELECT key FROM counter"))
    assert "login-account" in keys
    assert "secret-name" not in keys
    storage.reset()
    assert attempt(app, "192.0.2.1", "secret-name@example.com", "guess").status_code == 400
