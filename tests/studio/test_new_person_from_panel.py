"""A new person is added from the panel's seat form, seated on save, and the organiser
lands back on the panel; the bare "Order 0" is a place in the line-up that can be left empty."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsite.events.models import Consent, Panelist, Seat, SeatRole
from eventsite.extensions import db
from tests.browser_steps import sign_in
from tests.conftest import assert_no_axe_violations, csrf_token


def test_a_new_person_saved_from_a_panel_is_seated_there(login, make_panel):
    client = login()
    panel = make_panel()
    page = client.get(f"/studio/people/new?panel={panel.id}").text
    assert f"New panelist for “{panel.title}”" in page
    response = client.post(
        f"/studio/people/new?panel={panel.id}",
        data={"csrf_token": csrf_token(page), "name": "Gemma Went", "seat-role": "moderator", "seat-consent": "video"},
    )
    seat = db.session.scalars(db.select(Seat)).one()
    assert response.headers["Location"].endswith(f"/studio/panels/{panel.id}/#seat-{seat.id}")
    assert (seat.panelist.name, seat.role, seat.consent) == ("Gemma Went", SeatRole.MODERATOR, Consent.VIDEO)
    landed = client.get(response.headers["Location"]).text
    assert f"Gemma Went saved and seated on “{panel.title}” as moderator." in landed


def test_an_empty_place_puts_a_new_seat_at_the_end(login, make_panel, make_panelist):
    client = login()
    panel = make_panel()
    make_panelist(name="Ana", panel=panel, position=1)
    make_panelist(name="Bo", panel=panel, position=2)
    newcomer = make_panelist(name="Cy")
    page = client.get(f"/studio/panels/{panel.id}/").text
    assert "Place in the line-up" in page and ">Order<" not in page
    form = {
        "csrf_token": csrf_token(page),
        "seat-panelist_id": newcomer.id,
        "seat-role": "panelist",
        "seat-position": "",
    }
    client.post(f"/studio/panels/{panel.id}/seats", data=form)
    db.session.expire_all()
    assert [s.panelist.name for s in db.session.get(type(panel), panel.id).seats] == ["Ana", "Bo", "Cy"]


def test_a_missing_panel_is_a_404_on_the_person_form(login):
    client = login()
    response = client.get("/studio/people/new?panel=999")
    assert response.status_code == 404


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_add_a_new_person_from_the_panel_and_come_back(page, make_organiser, make_panel, make_panelist, size):
    make_panelist(name="Someone Else")  # the seat list has people, but not the one needed
    panel = make_panel("Measuring influence")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    make_organiser()
    sign_in(page)
    page.goto(f"/studio/panels/{panel.id}/")
    page.get_by_role("link", name="Not in the list? Add a new person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New panelist for “Measuring influence”")
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_no_axe_violations(page)
    page.get_by_label("Name").fill("Azeem Azhar")
    page.get_by_label("Role").select_option("host")
    page.get_by_label("Agreed to appear as").select_option("cartoon")
    page.get_by_role("button", name="Save and seat on the panel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Measuring influence")
    expect(page.locator(".flash-success")).to_have_text(
        "Azeem Azhar saved and seated on “Measuring influence” as host."
    )
    expect(page.locator(".seat", has_text="Azeem Azhar").get_by_label("Appears as")).to_have_value("cartoon")
    assert db.session.scalar(db.select(Panelist).where(Panelist.name == "Azeem Azhar")) is not None
