"""The running API against its own OpenAPI document, with schemathesis.

Property-based: for every operation, schemathesis generates requests from the
document (random slugs and paging, then the slugs of real content) and checks
each answer: no server error, a documented status and content type, and a
body that matches the schema. The schemas forbid undocumented fields, so a
field added to a serialiser without review (an e-mail address, say) fails
here. Bounded to a few examples per operation so it runs in seconds.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from eventsite.discussion.models import Comment, CommentStatus
from eventsite.events.models import PanelStatus, SeatRole
from eventsite.extensions import db

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture
def content(make_panel, make_panelist, add_ready_recording):
    panel = make_panel(abstract="How *influence* spreads.")
    make_panelist("Gemma Went", panel=panel, role=SeatRole.HOST)
    make_panelist("Azeem Azhar", panel=panel, position=1)
    add_ready_recording(panel)
    make_panel("Unlisted talk", event=panel.event, status=PanelStatus.UNLISTED)
    top = Comment(
        panel=panel, author_name="Anne", author_email="anne@example.com", body_source="Hi", body_html="<p>Hi</p>",
        status=CommentStatus.APPROVED, video_time=12.0,
    )  # fmt: skip
    reply = Comment(
        panel=panel, parent=top, depth=2, author_name="Ben", author_email="ben@example.com", body_source="Yes",
        body_html="<p>Yes</p>", status=CommentStatus.APPROVED, author_website="https://ben.example",
    )  # fmt: skip
    db.session.add_all([top, reply])
    db.session.commit()
    return {
        "event_slug": panel.event.slug,
        "panel_slug": panel.slug,
        "panelist_slug": panel.seats[0].panelist.slug,
    }


def test_the_api_keeps_to_its_openapi_document(app, content):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        real = {name: value for name, value in content.items() if name in names}
        for path_parameters in ({}, real) if real else ({},):

            @given(case=operation.as_strategy(path_parameters=path_parameters or None))
            @SETTINGS
            def check(case):
                # Schemathesis's WSGI calls ask for gzip and brotli but read the body undecoded.
                case.call_and_validate(headers={"Accept-Encoding": "identity"})

            check()
    assert time.monotonic() - started < 60
