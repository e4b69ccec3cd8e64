"""Friendly error pages."""

from __future__ import annotations

from flask import Flask, render_template


def init_app(app: Flask) -> None:
    """Register the 403, 404, 413, 429 and 500 pages."""

    def page(code: int, title: str, message: str):
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(403)
    def forbidden(_e):
        return page(403, "Not allowed", "You don't have access to this page.")

    @app.errorhandler(404)
    def not_found(_e):
        return page(404, "Page not found", "We couldn't find that page. It may have moved, or it isn't public yet.")

    @app.errorhandler(413)
    def too_large(_e):
        return page(413, "File too large", "That file is larger than this site accepts.")

    @app.errorhandler(429)
    def too_many(_e):
        return page(429, "Slow down", "Too many attempts in a short time. Please wait a minute and try again.")

    @app.errorhandler(500)
    def server_error(_e):
        return page(500, "Something went wrong", "Sorry, something broke on our side. Please try again shortly.")
