"""A ready clip's page offers its link to copy, in Chromium at desktop and phone sizes (axe)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_no_axe_violations

from .test_pages import ready_clip  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_clip_page_has_a_link_to_copy(page, live_server, ready_clip, size):  # noqa: F811
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"/clips/{ready_clip.id}/")
    link = page.get_by_label("Share this clip")
    expect(link).to_have_value(f"{live_server}/clips/{ready_clip.id}/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the link").click()
    expect(page.locator(".clip-share [data-copy-status]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server}/clips/{ready_clip.id}/"
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_no_axe_violations(page)
