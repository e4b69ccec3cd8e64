"""Mailed links and links baked into media come only from a configured address or a
trusted host: a request with any other ``Host`` header is refused before a view runs.

With ``EVENTSITE_BASE_URL`` unset, a password reset requested with ``Host: evil.example``
used to mail ``http://evil.example/password/<secret>``: whoever owns evil.example then
takes over the account.
"""

from __future__ import annotations

import pytest

from eventsite import create_app
from eventsite.config import TestingConfig
from eventsite.urls import host_is_trusted, trusted_hosts
from tests.accounts.helpers import make_account
from tests.conftest import csrf_token
from tests.mailbox import body_of

OLIVE = "olive@example.com"


def ask_for_reset(app, base_url: str):
    """Ask for a password reset from a browser that reached the site as ``base_url``."""
    browser = app.test_client()
    page = browser.get("/login/forgot", base_url=base_url)
    if page.status_code != 200:
        return page
    token = csrf_token(page.get_data(as_text=True))
    return browser.post("/login/forgot", base_url=base_url, data={"csrf_token": token, "email": OLIVE})


@pytest.fixture
def no_base_url(app):
    """The default: no EVENTSITE_BASE_URL, so links follow the request's address."""
    app.config["BASE_URL"] = None


@pytest.mark.parametrize("base", ["http://evil.example", "http://evil.example:5000", "http://localhost.evil.example"])
def test_an_untrusted_host_gets_no_reset_mail_and_a_400(app, app_ctx, inbox, no_base_url, base):
    make_account(OLIVE)
    response = ask_for_reset(app, base)
    assert response.status_code == 400
    assert "does not answer to that host name" in response.get_data(as_text=True)
    assert inbox.messages == []


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/events/e/p/comments", "/events/e/p/clips"])
def test_every_route_refuses_an_untrusted_host(app, client, no_base_url, method, path):
    """Comment confirmations and a clip's end card are built from the same address."""
    assert client.open(path, method=method, base_url="http://evil.example").status_code == 400


def test_a_loopback_host_builds_the_link_from_the_request(app, app_ctx, inbox, no_base_url):
    """`scripts/run.sh` on another port works without any setting."""
    make_account(OLIVE)
    assert ask_for_reset(app, "http://127.0.0.1:8123").status_code == 303
    assert "http://127.0.0.1:8123/password/" in body_of(inbox.to(OLIVE)[0])


def test_a_configured_base_url_wins_over_the_request(app, app_ctx, inbox):
    app.config["BASE_URL"] = "https://panels.example.org"
    make_account(OLIVE)
    assert ask_for_reset(app, "http://127.0.0.1:8123").status_code == 303
    body = body_of(inbox.to(OLIVE)[0])
    assert "https://panels.example.org/password/" in body and "127.0.0.1" not in body


def test_the_hosts_come_from_the_setting_and_the_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("EVENTSITE_TRUSTED_HOSTS", "panels.example.org, .cdn.example.net")
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "BASE_URL": "https://www.example.com"},
        config_class=TestingConfig,
    )
    client = app.test_client()
    for trusted in ["https://panels.example.org", "https://www.example.com", "http://a.cdn.example.net:8080"]:
        assert client.get("/robots.txt", base_url=trusted).status_code != 400, trusted
    for refused in ["http://localhost", "http://example.org", "http://cdn.example.net.evil.example"]:
        assert client.get("/robots.txt", base_url=refused).status_code == 400, refused


@pytest.mark.parametrize(
    ("host", "trusted"),
    [
        ("localhost", True),
        ("LOCALHOST:5000", True),
        ("127.0.0.1:8000", True),
        ("[::1]:5000", True),
        ("[::1]", True),
        ("[::2]:5000", False),
        ("[::1", False),
        ("evil.example", False),
        ("localhost.evil.example", False),
        ("", False),
    ],
)
def test_the_default_trusts_loopback_names_only(host, trusted):
    assert host_is_trusted(host, trusted_hosts({"TRUSTED_HOSTS": "localhost,127.0.0.1,[::1]"})) is trusted
