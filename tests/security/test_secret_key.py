"""A secret key anyone can read is refused at start-up: the placeholder of
``deploy/eventsite.env.example`` once passed the length check, and a session
signed with it opened ``/studio/team/`` as an admin."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from eventsite import create_app
from eventsite.config import PROJECT_ROOT, Config, SecretKeyError, check_secret_key

EXAMPLE = PROJECT_ROOT / "deploy" / "eventsite.env.example"
OLD_PLACEHOLDER = "change-me-to-64-random-hex-characters-from-secrets.token_hex-32"
KEY_IN_A_TEST = "a-long-key-that-anyone-can-read-in-this-test-file"


def start(tmp_path, monkeypatch, key: str):
    """Start the app as production would (not the test config), with ``key`` from the environment."""
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("EVENTSITE_SECRET_KEY", key)
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}, config_class=Config)


def example_settings() -> dict[str, str]:
    lines = EXAMPLE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"EVENTSITE_\w+=", line))


def test_the_env_example_cannot_start(tmp_path, monkeypatch):
    key = example_settings()["EVENTSITE_SECRET_KEY"]
    with pytest.raises(SecretKeyError, match="set but empty.*secrets.token_hex"):
        start(tmp_path, monkeypatch, key)


def test_the_old_placeholder_is_refused_though_it_passes_the_length_check(tmp_path, monkeypatch):
    assert len(OLD_PLACEHOLDER) >= 32
    with pytest.raises(SecretKeyError, match="published in this repository"):
        start(tmp_path, monkeypatch, OLD_PLACEHOLDER)


def test_a_long_key_written_anywhere_in_the_repository_is_refused(tmp_path, monkeypatch):
    """E.g. a key from a test or a README example, copied into production."""
    with pytest.raises(SecretKeyError, match=r"published in this repository \(tests/security/test_secret_key.py\)"):
        start(tmp_path, monkeypatch, KEY_IN_A_TEST)


def test_a_key_in_another_checkout_is_found_there(tmp_path):
    key = secrets.token_hex(32)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "site.env.example").write_text(f"EVENTSITE_SECRET_KEY={key}\n")
    with pytest.raises(SecretKeyError, match=r"deploy/site.env.example"):
        check_secret_key(key, root=tmp_path)
    # A site's own settings file kept in the checkout is not published text.
    (tmp_path / "deploy" / "site.env.example").unlink()
    (tmp_path / "production.env").write_text(f"EVENTSITE_SECRET_KEY={key}\n")
    check_secret_key(key, root=tmp_path)


def test_a_fresh_key_starts_and_the_example_turns_secure_cookies_on(tmp_path, monkeypatch):
    app = start(tmp_path, monkeypatch, secrets.token_hex(32))
    assert app.config["SECRET_KEY"]
    assert example_settings()["EVENTSITE_SECURE_COOKIES"] == "true"
    monkeypatch.setenv("EVENTSITE_SECURE_COOKIES", "true")
    assert start(tmp_path / "secure", monkeypatch, secrets.token_hex(32)).config["SESSION_COOKIE_SECURE"] is True


def test_an_unset_key_is_generated_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("EVENTSITE_SECRET_KEY", raising=False)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}, config_class=Config)
    assert app.config["SECRET_KEY"] == Path(tmp_path / "instance" / "secret_key").read_text().strip()
