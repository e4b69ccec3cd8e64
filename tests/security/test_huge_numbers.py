"""Huge numbers in URLs and forms are bad input (400 or 404 with a message), never a 500:
400 digits of ``?t=``, a ``?replytocom=`` past any id, a recording id past 2**63 in a
media path, an oversized clip end, and query keys that collide with a redirect's own."""

from __future__ import annotations

import pytest

from eventsite.events.slugs import rename
from eventsite.extensions import db
from eventsite.times import parse_time
from tests.conftest import csrf_token
from tests.ready_panel import panel_path

HUGE = "9" * 400


@pytest.mark.parametrize(
    "query",
    [
        {"t": HUGE},
        {"t": HUGE + "s"},
        {"t": f"{HUGE}h{HUGE}m"},
        {"t": "1" * 5000},
        {"t": "1:" + "9" * 400},
        {"replytocom": HUGE},
        {"replytocom": str(2**63)},
        {"cpage": HUGE},
        {"t": "1e400"},
    ],
)
def test_a_huge_number_in_the_panel_page_query_is_ignored(client, ready_panel, query):
    response = client.get(panel_path(ready_panel), query_string=query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [f"/media/recordings/{HUGE}/", f"/media/recordings/{HUGE}/renditions/720p.mp4", f"/media/people/{HUGE}/x.png"],
)
def test_a_huge_id_in_a_media_path_is_404(client, ready_panel, path):
    response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "end", [HUGE, f"{HUGE}h", f"{HUGE}h{HUGE}m", f"{HUGE}:00", "1" * 5000, "99999999999999999999h"]
)
def test_an_oversized_clip_end_is_refused_with_a_message(client, ready_panel, end):
    page = client.get(panel_path(ready_panel)).get_data(as_text=True)
    response = client.post(
        panel_path(ready_panel) + "clips",
        data={"csrf_token": csrf_token(page), "start": "0", "end": end, "view": "video", "shape": "vertical"},
    )
    assert response.status_code == 400, response.status_code
    assert "time" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("key", ["slug", "event_slug", "_external", "_scheme", "_anchor", "_method"])
def test_query_keys_on_an_old_slug_redirect_are_kept_not_fatal(app, client, ready_panel, key):
    old = panel_path(ready_panel)
    rename(ready_panel, "A new title")
    db.session.commit()
    response = client.get(old, query_string={key: "javascript", "t": "90"})
    assert response.status_code == 301
    assert response.headers["Location"].startswith(panel_path(ready_panel))
    assert f"{key}=javascript" in response.headers["Location"] and "t=90" in response.headers["Location"]


@pytest.mark.parametrize("text", [HUGE, "1" * 5000, f"{HUGE}h", "1:" + HUGE, "inf", "nan", "1e400"])
def test_parse_time_reads_no_absurd_time(text):
    assert parse_time(text) is None
