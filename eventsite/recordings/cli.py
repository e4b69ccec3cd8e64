"""Commands for recordings: ``import-recording`` and ``purge-uploads``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from ..database import needs_schema
from ..extensions import db
from ..times import clock
from .models import JobStatus, Recording
from .operations import RecordingRefused, find_panel, import_recording
from .upload_store import purge_expired_uploads, uploads_folder


@click.command("import-recording")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--panel", "panel_ref", required=True, help="Panel slug, or EVENT/PANEL when several events use it.")
@click.option("--wait", is_flag=True, help="Wait for the transcode and show its progress.")
@click.option("--timeout", type=float, default=0, help="With --wait: give up waiting after this many seconds.")
@with_appcontext
@needs_schema
def import_recording_command(file: Path, panel_ref: str, wait: bool, timeout: float) -> None:
    """Add a recording that is already on this server to a panel."""
    try:
        panel = find_panel(panel_ref)
        size = file.stat().st_size
        with click.progressbar(length=size, label=f"Copying {file.name}", file=sys.stderr) as bar:
            recording = import_recording(file, panel, progress=bar.update)
    except RecordingRefused as exc:
        raise click.ClickException(exc.message) from None
    streams = ", ".join(
        f"{kind}: {facts['codec']}" for kind in ("video", "audio") if (facts := (recording.probe or {}).get(kind))
    )
    click.echo(
        f"Recording {recording.id} added to “{panel.title}”: {recording.original_filename}, "
        f"{recording.duration_seconds:.1f} s ({streams}), sha256 {recording.sha256}."
    )
    if wait:
        wait_for_transcode(recording.id, timeout=timeout)


def wait_for_transcode(recording_id: int, poll_seconds: float = 0.5, timeout: float = 0) -> None:
    """Follow the recording's newest job with a progress bar until it ends.

    :param timeout: seconds to wait at most (0: until the job ends); the job
        itself goes on either way.
    :raise click.ClickException: the job failed or was cancelled, or the wait timed out.
    """
    deadline = time.monotonic() + timeout if timeout else None
    last, told = 0, None
    click.echo("Waiting for a worker (start one with `flask --app wsgi worker`)…", err=True)
    with click.progressbar(length=1000, label="Transcoding", file=sys.stderr) as bar:
        while True:
            db.session.expire_all()
            job = db.session.get(Recording, recording_id).pipeline_jobs[0]
            done = int(job.progress * 1000)
            bar.update(max(0, done - last))
            last = max(last, done)
            if job.status is JobStatus.RUNNING and job.notes and job.notes != told:
                # the quick set went live, another chunk is done: say so once each, the bar goes on
                left = f" About {clock(job.eta_seconds)} left." if job.eta_seconds else ""
                click.echo(f"\n{' '.join(job.notes)}{left}", err=True)
                told = job.notes
            if not job.is_active:
                break
            if deadline and time.monotonic() > deadline:
                raise click.ClickException(
                    f"Still {job.status.value} after {timeout:g} s; the job goes on. Is a worker running?"
                )
            time.sleep(poll_seconds)
    if job.status is not JobStatus.SUCCEEDED:
        raise click.ClickException(f"Transcoding {job.status.value}: {job.error or 'no reason given'}")
    click.echo(f"Ready: {len(job.recording.renditions)} renditions.")


@click.command("purge-uploads")
def purge_uploads_command() -> None:
    """Delete unfinished uploads that have had no new bytes for the expiry period."""
    removed = purge_expired_uploads(uploads_folder(), current_app.config["UPLOAD_EXPIRES_SECONDS"])
    click.echo(f"Removed {removed} expired upload{'s' if removed != 1 else ''}.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(import_recording_command)
    app.cli.add_command(purge_uploads_command)
