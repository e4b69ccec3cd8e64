"""Database engine set-up: where the data lives and how SQLite behaves."""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask

from .extensions import db


def database_url(app: Flask) -> str:
    """Return the configured URL, defaulting to an SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(app.instance_path) / "eventsite.db")
    # Heroku-style URLs say postgres://; SQLAlchemy wants postgresql+psycopg://.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and one writer work at once; the busy timeout makes a
    # second writer wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    """Configure SQLAlchemy for the app and bind ``db``."""
    url = database_url(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    db.init_app(app)
    if url.startswith("sqlite"):
        with app.app_context():
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)


#: Largest row id there can be (a 32-bit key on every database); URLs' ``<int:…>`` stop here too.
MAX_ROW_ID = 2**31 - 1


def row_id(value: int | str | None) -> int | None:
    """``value`` as a row id, or None when it cannot be one (missing, not a number, out of range):
    SQLite raises OverflowError past 2**63, so such numbers must never reach a query."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None


def value_enum(cls: type[enum.Enum]) -> sa.Enum:
    """A column type storing ``cls``'s values ("published"), not its names, as
    plain strings: no native database enum, so adding a member needs no migration."""
    return sa.Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


def utcnow() -> datetime:
    """Timezone-aware now, so comparisons never mix naive and aware times."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores UTC, returns aware datetimes on every database (SQLite drops tzinfo)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


@contextmanager
def write_transaction() -> Iterator[so.Session]:
    """Run a block as one write transaction that cannot fail half-way on SQLite.

    SQLite's default ``BEGIN`` takes the write lock only at the first write, and
    a transaction that read first and then tries to write gets "database is
    locked" at once, without waiting for the busy timeout. ``BEGIN IMMEDIATE``
    takes the write lock up front, so concurrent writers queue politely behind
    the busy timeout instead. Other databases get an ordinary transaction.

    Work already pending in the session is committed first; the block's work
    is committed when it ends, or rolled back if it raises.
    """
    session = db.session
    session.commit()  # ends any read snapshot, which could not be upgraded later
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def schema_is_current() -> bool:
    """True when the database has every migration applied (Alembic's head).

    Commands check this first, so a person who forgot ``db upgrade`` reads one
    sentence instead of an SQL traceback.
    """
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


#: What to type when the database is missing or behind.
UPGRADE_HINT = "flask --app wsgi db upgrade"


def needs_schema(command):
    """Refuse to run ``command`` (a CLI command) on a database without the current tables.

    Without this, a forgotten ``db upgrade`` shows up as an SQL traceback.
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        if not schema_is_current():
            raise click.ClickException(f"The database is not set up or is out of date: run `{UPGRADE_HINT}` first.")
        return command(*args, **kwargs)

    return wrapper
