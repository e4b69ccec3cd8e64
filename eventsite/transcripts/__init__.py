"""Transcripts that know who said what.

- Files to keep: plain text in speaker turns, WebVTT and SubRip (:mod:`.views`,
  :mod:`.formats`); the words are the captions the panel page shows, who said
  them comes from the cues' WebVTT voices matched to seated panelists (:mod:`.speakers`).
- The panel page's transcript in speaker turns (:mod:`.page`).
- Draft captions by offline speech recognition (:mod:`.recognise`), an
  organiser's pasted transcript timed by forced alignment (:mod:`.align`,
  :mod:`.transcript_text`), both turned into readable cues (:mod:`.cueing`) by
  the caption jobs (:mod:`.job`).
- The studio's caption editor and transcript tools (:mod:`.studio_views`, :mod:`.editor`).
- Captions voiced from the speech timeline follow its corrections (:mod:`.revoice`).
"""

from __future__ import annotations

from flask import Flask

from . import revoice  # noqa: F401  (connects re-voicing to each drawing of the birds)


def init_app(app: Flask) -> None:
    """Register the download routes (under each panel's URL) and the studio's transcript pages."""
    from .studio_views import bp as studio_bp
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(studio_bp, url_prefix="/studio")
