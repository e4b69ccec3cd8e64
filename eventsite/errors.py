"""Friendly error pages."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError


def init_app(app: Flask) -> None:
    """Register the 400 (CSRF), 403, 404, 413, 429 and 500 pages."""

    def page(code: int, title: str, message: str):
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_failed(_e):
        message = "This form was open too long or came from another page. Go back, reload the page and send it again."
        if request.accept_mimetypes.best == "application/json" or request.is_json:
            return jsonify(error=message), 400
        return page(400, "Please reload the page", message)

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
