"""Organiser sign-in, passwords and the account commands."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import extract_parameters

from eventsite.accounts.models import Organiser
from eventsite.accounts.operations import organiser_for_token
from eventsite.config import Config
from eventsite.extensions import db
from tests.conftest import PASSWORD, csrf_token


def sign_in(client, email="organiser@example.com", password=PASSWORD, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"email": email, "password": password, "csrf_token": token}
    if next_url is not None:
        data["next"] = next_url
    return client.post(url, data=data)


def test_sign_in_and_out(client, make_organiser):
    make_organiser()
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/studio/"
    assert client.get("/studio/").status_code == 200
    token = csrf_token(client.get("/studio/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/studio/").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"), [("organiser@example.com", "wrong password"), ("who@example.com", PASSWORD)]
)
def test_wrong_credentials_are_refused_without_saying_which(client, make_organiser, email, password):
    make_organiser()
    response = sign_in(client, email, password)
    assert response.status_code == 400
    assert "match an organiser account" in response.get_data(as_text=True)
    assert client.get("/studio/").status_code == 302


def test_email_is_case_insensitive(client, make_organiser):
    make_organiser(email="Olive@Example.com")
    assert sign_in(client, "OLIVE@example.COM").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/studio/people/", "/studio/people/"),
        ("//evil.example/", "/studio/"),
        ("https://evil.example/", "/studio/"),
        ("\\\\\\evil.example", "/studio/"),
        ("/\\evil.example", "/studio/"),
        ("javascript:alert(1)", "/studio/"),
    ],
)
def test_next_never_leaves_the_site(client, make_organiser, next_url, expected):
    make_organiser()
    response = sign_in(client, next_url=next_url)
    assert response.headers["Location"] == expected


def test_sign_in_is_rate_limited(client, make_organiser):
    make_organiser()
    statuses = [sign_in(client, password="nope").status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    assert "Too many attempts" in sign_in(client).get_data(as_text=True)


def test_passwords_are_argon2id_at_owasp_strength(app, make_organiser):
    make_organiser()
    with app.app_context():
        stored = db.session.scalar(sa.select(Organiser.password_hash))
    assert PASSWORD not in stored
    params = extract_parameters(stored)
    assert params.type.name == "ID"
    # OWASP: argon2id with at least 19 MiB and 2 passes. Production defaults are higher.
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2
    assert Config.ARGON2_MEMORY_KIB >= 19 * 1024 and Config.ARGON2_TIME_COST >= 2


def test_create_organiser_command(runner, app, client):
    result = runner.invoke(
        args=["create-organiser", "new@example.com", "--name", "New", "--password", "long enough pw"]
    )
    assert result.exit_code == 0, result.output
    assert sign_in(client, "new@example.com", "long enough pw").status_code == 302
    again = runner.invoke(args=["create-organiser", "new@example.com", "--password", "long enough pw"])
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["create-organiser", "x@example.com", "--password", "short"])
    assert short.exit_code != 0 and "at least 8 characters" in short.output


def test_create_token_command(runner, app, make_organiser):
    make_organiser()
    result = runner.invoke(args=["create-token", "organiser@example.com"])
    token = result.output.strip()
    assert result.exit_code == 0 and len(token) > 30
    with app.app_context():
        assert organiser_for_token(token).email == "organiser@example.com"
        assert organiser_for_token(token + "x") is None
    assert runner.invoke(args=["create-token", "nobody@example.com"]).exit_code != 0
