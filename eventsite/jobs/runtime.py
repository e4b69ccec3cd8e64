"""State the job modules share: the app whose context tasks run in."""

from __future__ import annotations

from flask import Flask

#: Set by :func:`eventsite.jobs.init_app`; tasks open their own app context with it.
app: Flask | None = None

#: Where a recording's rendition set lives, relative to the media root.
RENDITIONS_DIR = "recordings/{id}/renditions"
