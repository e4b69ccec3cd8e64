"""Command-line tools: ``flask --app wsgi <command>``."""

from __future__ import annotations

import ipaddress
import logging

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from . import signals
from .accounts.models import Organiser, Role
from .accounts.operations import AccountError, create_organiser
from .accounts.tokens import MAX_TOKEN_DAYS, create_token
from .database import needs_schema, schema_is_current
from .demo import DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD, demo_panel, seed_demo, seed_demo_thread
from .demo_recording import seed_demo_recording
from .discussion.notifications import send_moderation_digest
from .extensions import db, queue
from .mail import normalise_email
from .storage import sweep_orphaned_temp


def is_loopback(host: str) -> bool:
    """True when ``host`` (EVENTSITE_HOST) is reachable from this machine only."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def demo_password() -> tuple[str | None, str]:
    """The demo organiser's password and a sentence saying where it came from.

    A known password is only acceptable where nobody else can reach the site:
    on a loopback address. Elsewhere it must come from EVENTSITE_DEMO_PASSWORD,
    or the account is not created.
    """
    chosen = current_app.config.get("DEMO_PASSWORD")
    if chosen:
        return str(chosen), "password from EVENTSITE_DEMO_PASSWORD"
    if is_loopback(str(current_app.config["HOST"])):
        return DEMO_ORGANISER_PASSWORD, DEMO_ORGANISER_PASSWORD
    return None, "not created: the site listens beyond this machine; set EVENTSITE_DEMO_PASSWORD to create it"


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Add the Social Media Week demo panel and a demo organiser (once)."""
    if not schema_is_current():
        click.echo("Setting up the database (applying migrations) first.")
        upgrade()
    created = seed_demo()
    click.echo("Demo content created." if created else "Demo content already there; nothing changed.")
    panel = demo_panel()
    if panel is not None and seed_demo_recording(panel):
        click.echo("Demo recording spoken by six voices and queued: the worker transcodes it, then draws the birds.")
    if panel is not None:
        seed_demo_thread(panel)
    signals.content_loaded.send()  # the demo's rows were written directly, not by the operations
    if not db.session.scalar(sa.select(Organiser).where(Organiser.email == DEMO_ORGANISER_EMAIL)):
        password, said = demo_password()
        if password:
            # An organiser, not an admin: the demo account can't manage other accounts.
            create_organiser(DEMO_ORGANISER_EMAIL, "Demo Organiser", password, Role.ORGANISER)
        click.echo(f"Demo organiser: {DEMO_ORGANISER_EMAIL} / {said}")


@click.command("create-organiser")
@with_appcontext
@click.argument("email")
@click.option("--name", default="", help="Name shown in the studio.")
@click.option("--admin", is_flag=True, help="Give the account the admin role.")
@click.password_option(help="Asked for when not given.")
@needs_schema
def create_organiser_command(email: str, name: str, admin: bool, password: str):
    """Create an organiser account that can sign in to the studio."""
    try:
        organiser = create_organiser(email, name, password, Role.ADMIN if admin else Role.ORGANISER)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Organiser {organiser.email} created.")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="", help="What the token is for (shown in the studio's list of tokens).")
@click.option(
    "--days",
    type=click.IntRange(1, MAX_TOKEN_DAYS),
    default=None,
    help="Days until it expires (default EVENTSITE_API_TOKEN_DAYS, 90).",
)
@needs_schema
def create_token_command(email: str, name: str, days: int | None):
    """Print a new API token for command-line upload clients."""
    organiser = db.session.scalar(sa.select(Organiser).where(Organiser.email == normalise_email(email)))
    if organiser is None:
        raise click.ClickException(f"No organiser with the e-mail {email}.")
    if not organiser.active:
        raise click.ClickException(f"The account {organiser.email} is deactivated; an admin can reactivate it.")
    click.echo(create_token(organiser, name or "made with flask create-token", days))


@click.command("worker")
@click.option("--threads", type=int, default=None, help="Jobs run at once (default EVENTSITE_WORKER_THREADS).")
@with_appcontext
@needs_schema
def worker_command(threads: int | None):
    """Run the job worker (transcoding and housekeeping) until stopped."""
    # What each job did, on the worker's output (systemd's journal, or the terminal).
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if swept := sweep_orphaned_temp():
        logging.getLogger(__name__).warning("removed %s temporary folder(s) of killed processes", swept)
    workers = threads or current_app.config["WORKER_THREADS"]
    click.echo(f"Worker started: {workers} thread(s), queue {type(queue.storage).__name__}.")
    # max_delay: an idle worker polling an SQLite queue checks every 2 s at most
    # (huey's default backs off to 10 s, so a new upload could wait that long).
    queue.create_consumer(
        workers=workers, worker_type="thread", periodic=True, check_worker_health=True, max_delay=2.0
    ).run()


@click.command("send-moderation-digest")
@with_appcontext
@needs_schema
def send_moderation_digest_command():
    """E-mail organisers the comments waiting for moderation (run it from cron)."""
    sent = send_moderation_digest()
    click.echo(f"Digest sent to {sent} organiser(s)." if sent else "No comments waiting; nothing sent.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (
        seed_demo_command,
        create_organiser_command,
        create_token_command,
        worker_command,
        send_moderation_digest_command,
    ):
        app.cli.add_command(command)
