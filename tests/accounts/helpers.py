"""Accounts for the roles tests: admins, organisers limited to some events, a browser signed in as each."""

from __future__ import annotations

import re

import pytest
from flask import g

from eventsite.accounts.models import Role
from eventsite.accounts.operations import create_organiser
from tests.conftest import PASSWORD, csrf_token


@pytest.fixture
def separate_browsers(app):
    """Several browsers (test clients) in one test, each with its own CSRF token.

    With ``app_ctx`` open, every request reuses that app context and its
    ``g``, where Flask-WTF caches the form token it rendered: without this,
    one browser's pages would carry another browser's token.
    """

    @app.teardown_request
    def forget_form_token(_exc):
        g.pop("csrf_token", None)


def make_account(email: str, *, role: Role = Role.ORGANISER, events=None, name: str = "") -> int:
    """An account with the test password (in an app context); ``events`` limits it to those events."""
    organiser = create_organiser(
        email,
        name or email.split("@")[0].title(),
        PASSWORD,
        role,
        all_events=events is None,
        event_ids=[event.id for event in events or []],
    )
    return organiser.id


def sign_in(client, email: str, password: str = PASSWORD):
    """Post the real sign-in form; returns the response (302 when it worked)."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def signed_in(app, email: str):
    """A fresh browser signed in as ``email``."""
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post_with_token(client, page_url: str, url: str, **data):
    """Post ``data`` to ``url`` with the CSRF token of ``page_url`` (as the browser would)."""
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def link_in(message) -> str:
    """The path of the set-a-password link in a mail."""
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/password/\S+)", body).group(1)
