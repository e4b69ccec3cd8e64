"""Password hashing with argon2id at (or above) OWASP's recommended cost."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_KIB"], parallelism=1)


def hash_password(password: str) -> str:
    """Return an argon2id PHC string for ``password``."""
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong password."""
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker settings than configured now."""
    return _hasher().check_needs_rehash(stored_hash)


#: A valid hash to verify against when the e-mail is unknown, so a wrong e-mail
#: takes as long as a wrong password and does not reveal which accounts exist.
def dummy_hash() -> str:
    cache = current_app.extensions.setdefault("dummy_password_hash", {})
    if "hash" not in cache:
        cache["hash"] = hash_password("not-a-real-password")
    return cache["hash"]
