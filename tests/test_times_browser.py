"""static/js/time.js, the one time formatter and parser of every script, writes and reads
times exactly as eventsite/times.py does (run in Chromium, compared case by case)."""

from __future__ import annotations

import pytest

from eventsite.times import clock, parse_time

pytestmark = pytest.mark.browser

CLOCKS = [
    (0, 0, False),
    (59.6, 0, False),  # a 59.6 s recording is 0:59 on its card and in the player
    (75, 0, False),
    (754, 0, False),
    (3723, 0, False),
    (36000, 0, False),
    (62.5, 3, False),  # the caption editor's cue times
    (1.001, 3, False),
    (3723.25, 3, False),
    (65.48, 2, True),  # a clip's end with its fraction
    (65.5, 2, True),
    (65.0, 2, True),
    (62.56, 1, False),  # the who-speaks page's split times
]
TEXTS = ["90", "62.5", "1:30", "01:02:03", "1m30s", "1h2m", "45s", " 2M ", "1:75", "abc", "", "1:2:3:4", "9" * 30]


def test_the_scripts_write_and_read_times_as_the_server_does(page):
    page.goto("/")
    got = page.evaluate(
        """async ([clocks, texts]) => {
            const t = await import("/static/js/time.js");
            return {
                clocks: clocks.map(([s, d, trim]) => t.clock(s, d, { trim })),
                parsed: texts.map((text) => t.parseTime(text)),
                plyr: t.plainTimes("01:24 / 1:02:03, 00:05"),
                left: [45, 290, 5400].map(t.timeLeft),
                unknown: t.clock(null),
            };
        }""",
        [CLOCKS, TEXTS],
    )
    assert got["clocks"] == [clock(s, d, trim=trim) for s, d, trim in CLOCKS]
    assert got["clocks"][:6] == ["0:00", "0:59", "1:15", "12:34", "1:02:03", "10:00:00"]
    assert got["parsed"] == [parse_time(text) for text in TEXTS]
    assert got["plyr"] == "1:24 / 1:02:03, 0:05"  # Plyr's "01:24" written the one way
    assert got["left"] == ["45 s", "5 min", "1.5 h"]
    assert got["unknown"] == clock(None) == "–"
