"""A thousand sign-ups for one address: past the limit each is refused, stores nothing and sends nothing."""

from __future__ import annotations

import re

from eventsite.extensions import db
from eventsite.offers.models import Subscriber

from .conftest import human_started, panel_path, subscriber_count


def test_a_thousand_sign_ups_from_one_address_are_refused_past_the_limit(app, client, panel, make_offer, inbox):
    app.config.update(OFFER_SIGNUP_RATE_LIMIT="3 per hour", OFFER_SIGNUP_IP_RATE_LIMIT="20 per hour")
    offer = make_offer(panel=panel)
    page = client.get(panel_path(panel)).get_data(as_text=True)
    data = {
        "offer-csrf_token": re.search(r'name="offer-csrf_token" type="hidden" value="([^"]+)"', page).group(1),
        "offer-started": human_started(app),
        "offer-email": "victim@example.com",
        "offer-consent": "y",
    }
    statuses = []
    for attempt in range(1000):
        # Spread over many client addresses: the limit follows the inbox, not the machine.
        environ = {"REMOTE_ADDR": f"198.51.100.{attempt % 250}"}
        statuses.append(client.post(f"/offers/{offer.id}/signup", data=data, environ_base=environ).status_code)
    assert statuses[:3] == [303, 303, 303]
    assert statuses[3:] == [429] * 997
    # One row (the three accepted sign-ups share it), three mails, nothing from the 997 refused.
    assert subscriber_count() == 1
    assert len(inbox.to("victim@example.com")) == 3 and len(inbox.messages) == 3
    refused = client.post(f"/offers/{offer.id}/signup", data=data)
    assert refused.status_code == 429 and b"Too many attempts" in refused.data
    # Someone else still gets through.
    other = client.post(f"/offers/{offer.id}/signup", data={**data, "offer-email": "someone@example.com"})
    assert other.status_code == 303
    assert db.session.scalar(db.select(Subscriber.email).where(Subscriber.email == "someone@example.com"))


def test_one_machine_cannot_mail_many_inboxes(app, client, panel, make_offer, inbox):
    app.config.update(OFFER_SIGNUP_RATE_LIMIT="3 per hour", OFFER_SIGNUP_IP_RATE_LIMIT="5 per hour")
    offer = make_offer(panel=panel)
    page = client.get(panel_path(panel)).get_data(as_text=True)
    token = re.search(r'name="offer-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    statuses = [
        client.post(
            f"/offers/{offer.id}/signup",
            data={
                "offer-csrf_token": token,
                "offer-started": human_started(app),
                "offer-email": f"person{n}@example.com",
                "offer-consent": "y",
            },
        ).status_code
        for n in range(8)
    ]
    assert statuses == [303] * 5 + [429] * 3
    assert subscriber_count() == 5 and len(inbox.messages) == 5
