"""Search results in Chromium at desktop and phone sizes: panel hits and quotes carry the
panel's poster, the page has one search box, snippets come from one field with the match
marked, and it fits the screen (axe passes)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsite import search
from tests.conftest import assert_no_axe_violations
from tests.ready_panel import wait_for

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_results_show_posters_and_one_search_box(page, said_panel, size):
    search.reindex_all()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto("/search?q=influence")
    poster = page.locator(".search-panel .search-hit .search-thumb img")
    expect(poster).to_have_count(1)
    wait_for(page, "(() => { const i = document.querySelector('.search-panel .search-thumb img');"
                   " return i.complete && i.naturalWidth > 0; })()")  # fmt: skip
    expect(page.get_by_role("searchbox")).to_have_count(1)  # the page's own box, not the header's too
    # the snippet is the abstract alone (not run into the venue, credits and names), the match marked
    expect(page.locator(".search-panel .search-snippet")).to_have_text("Six people on what influence means online.")
    expect(page.locator(".search-panel .search-snippet mark")).to_have_text("influence")
    page.goto("/search?q=brands")
    expect(page.locator(".search-said .search-hit .search-thumb img")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_no_axe_violations(page)
