"""Commands for recordings: ``import-recording`` and ``purge-uploads``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from .operations import RecordingRefused, find_panel, import_recording
from .upload_store import purge_expired_uploads, uploads_folder


@click.command("import-recording")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--panel", "panel_ref", required=True, help="Panel slug, or EVENT/PANEL when several events use it.")
def import_recording_command(file: Path, panel_ref: str) -> None:
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


@click.command("purge-uploads")
def purge_uploads_command() -> None:
    """Delete unfinished uploads that have had no new bytes for the expiry period."""
    removed = purge_expired_uploads(uploads_folder(), current_app.config["UPLOAD_EXPIRES_SECONDS"])
    click.echo(f"Removed {removed} expired upload{'s' if removed != 1 else ''}.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(import_recording_command)
    app.cli.add_command(purge_uploads_command)
