"""Signing out ends the session itself, not just this browser's copy of it: a
session cookie (or remember-me cookie) copied before the sign-out no longer
opens the studio afterwards."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, csrf_token

COOKIES = ("session", "remember_token")


def sign_in(client, remember: bool):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"email": "organiser@example.com", "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302


def copy_of(app, client):
    """Another browser holding the same cookies (copied, or stolen)."""
    other = app.test_client()
    for name in COOKIES:
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value, domain=cookie.domain)
    return other


@pytest.mark.parametrize("remember", [False, True])
def test_a_copied_cookie_is_dead_after_sign_out(app, client, make_organiser, remember):
    make_organiser()
    sign_in(client, remember)
    thief = copy_of(app, client)
    assert thief.get("/studio/").status_code == 200  # the copy works while the session lives

    client.post("/logout", data={"csrf_token": csrf_token(client.get("/studio/").get_data(as_text=True))})
    assert client.get("/studio/").status_code == 302
    assert thief.get("/studio/").status_code == 302
    # Only the remember-me cookie, without the session, is dead too.
    if remember:
        only_remembered = app.test_client()
        cookie = thief.get_cookie("remember_token")
        only_remembered.set_cookie("remember_token", cookie.value, domain=cookie.domain)
        assert only_remembered.get("/studio/").status_code == 302


def test_signing_in_again_works_after_sign_out(client, make_organiser):
    make_organiser()
    sign_in(client, remember=False)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/studio/").get_data(as_text=True))})
    sign_in(client, remember=False)
    assert client.get("/studio/").status_code == 200
