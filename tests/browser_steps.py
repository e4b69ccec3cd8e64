"""Steps that browser tests share: an organiser signing in through the real form."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def sign_in(page, email: str = "organiser@example.com") -> None:
    """Sign in on /login and land on the studio dashboard."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Studio")
