"""eventsite: conference panels published as video, with a discussion under each."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import Config, check_secret_key, load_secret_key


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` limited to what a database id can be."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (Werkzeug's parameter name)
        kwargs.setdefault("max", 2**31 - 1)  # database.MAX_ROW_ID
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None, config_class: type = Config) -> Flask:
    """Build the application: config, extensions, blueprints, CLI, error pages.

    :param test_config: mapping applied last, for tests.
    :param config_class: defaults class (``TestingConfig`` in tests).
    """
    app = Flask(
        __name__,
        instance_path=os.environ.get("EVENTSITE_INSTANCE_PATH")
        or str(Path(__file__).resolve().parent.parent / "instance"),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(config_class)
    app.config.from_prefixed_env("EVENTSITE")
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["PROXY_HOPS"]:
        # Behind nginx every visitor would otherwise be 127.0.0.1, and the
        # comment and sign-in rate limits would apply to the whole site at once.
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config.get("SECRET_KEY") is None:  # set but empty (the env example) is refused below
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    check_secret_key(app.config["SECRET_KEY"], testing=app.testing)

    from . import compression, database, locks, ratelimits, security, storage, urls
    from .extensions import csrf, migrate

    # Ids in URLs are database keys: larger numbers can't exist, and SQLite
    # raises OverflowError (a 500) past 2**63, so such URLs simply don't match.
    app.url_map.converters["int"] = BoundedIntConverter
    urls.init_app(app)  # first: no hook may see a request with an untrusted Host
    compression.init_app(app)  # its after_request runs last, on the finished answer
    database.init_app(app)
    migrate.init_app(
        app, database.db, directory=str(Path(__file__).resolve().parent.parent / "migrations"), render_as_batch=True
    )
    from . import request_limits

    request_limits.init_app(app)  # before CSRF, which reads the form
    csrf.init_app(app)
    ratelimits.init_app(app)  # counters every worker sees (Redis, or a file of the instance folder)
    storage.init_app(app)
    locks.init_app(app)
    security.init_app(app)

    from . import jobs

    jobs.init_app(app)

    from . import accounts, cli, discussion, errors, events, recordings, rendering, sharing, studio  # noqa: F401

    rendering.init_app(app)
    accounts.init_app(app)
    events.init_app(app)
    discussion.init_app(app)
    app.register_blueprint(studio.bp, url_prefix="/studio")
    recordings.init_app(app)
    sharing.init_app(app)
    from . import search, transcripts

    search.init_app(app)
    transcripts.init_app(app)
    from . import api, feeds

    feeds.init_app(app)
    api.init_app(app)
    from . import clips

    clips.init_app(app)
    from . import offers

    offers.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app
