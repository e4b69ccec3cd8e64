"""The W3C feed validator (https://github.com/w3c/feedvalidator, run from its source)
finds no error and no warning in the podcast. It is no package: point
``EVENTSITE_FEEDVALIDATOR_SRC`` at its ``src`` folder (html5lib and rdflib importable)."""

from __future__ import annotations

import importlib
import os
import sys

import pytest

from tests.feeds import test_podcast

SOURCE = os.environ.get("EVENTSITE_FEEDVALIDATOR_SRC", "")
pytestmark = pytest.mark.skipif(not SOURCE, reason="set EVENTSITE_FEEDVALIDATOR_SRC to feedvalidator's src folder")

event_with_episodes = test_podcast.event_with_episodes  # the same fixture


@pytest.fixture(scope="module")
def feedvalidator():
    sys.path.insert(0, SOURCE)
    try:
        yield importlib.import_module("feedvalidator")
    finally:
        sys.path.remove(SOURCE)


def test_the_podcast_has_no_error_or_warning(app, client, event_with_episodes, feedvalidator):
    panel, _ = event_with_episodes
    app.config.update(BASE_URL="https://panels.example.org", PODCAST_OWNER_EMAIL="podcasts@panels.example.org")
    body = test_podcast.fetch(client, panel.event.slug).data
    from feedvalidator import compatibility  # noqa: PLC0415  (only importable once SOURCE is on the path)
    from feedvalidator.formatter.text_plain import Formatter  # noqa: PLC0415

    url = f"https://panels.example.org/events/{panel.event.slug}/podcast.xml"
    events = feedvalidator.validateString(body, firstOccurrenceOnly=1, base=url)["loggedEvents"]
    assert list(Formatter(compatibility.AA(events))) == []


def test_the_validator_would_have_warned_before(app, client, event_with_episodes, feedvalidator):
    """The same feed without the new <itunes:owner>: the validator warns (so it is really looking)."""
    panel, _ = event_with_episodes
    app.config["BASE_URL"] = "https://panels.example.org"
    body = test_podcast.fetch(client, panel.event.slug).get_data(as_text=True)
    old = body.split("<itunes:owner>")[0] + body.split("</itunes:owner>")[1]
    from feedvalidator import compatibility  # noqa: PLC0415
    from feedvalidator.formatter.text_plain import Formatter  # noqa: PLC0415

    url = f"https://panels.example.org/events/{panel.event.slug}/podcast.xml"
    events = feedvalidator.validateString(old.encode(), firstOccurrenceOnly=1, base=url)["loggedEvents"]
    warnings = list(Formatter(compatibility.AA(events)))
    assert any("<itunes:email> element is missing" in line for line in warnings), warnings
