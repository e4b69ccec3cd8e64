"""Run the chunks of one recording (chunks.py): encode one chunk, and lay the chunks out to be joined.

``encode_chunk`` is what one worker does with one chunk: one ffmpeg run into an
empty folder, checked. ``prepare_stitch`` gets a set's folder ready for the
joining run that :func:`eventsite.transcode.transcode` makes (``chunks=``): the
chunks' thumbnails moved into the set, and one ``ffconcat`` list per stream whose
relative names point (through links in a hidden folder) at the chunk folders,
wherever the store put them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from . import command
from .chunks import CHUNK_CARTOON, CHUNK_THUMBS, ChunkSpan, chunk_argv, chunk_rung, concat_list, stitch_argv
from .errors import TranscodeError
from .plan import Plan
from .run import Progress, run_ffmpeg
from .settings import TranscodeSettings

#: inside a set's folder while it is joined: links to the chunk folders and the lists; removed after
LINKS_DIR = ".chunks"


def chunk_files(plan: Plan) -> list[str]:
    """The files every chunk's folder must hold (thumbnails aside: a chunk may have none)."""
    files = [chunk_rung(r.label) for r in plan.rungs]
    if plan.cartoon:
        files.append(CHUNK_CARTOON)
    return files


def encode_chunk(
    input_path: str | Path,
    out_dir: str | Path,
    plan: Plan,
    span: ChunkSpan,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float | None = None,
    settings: TranscodeSettings | None = None,
) -> None:
    """Encode chunk ``span`` of ``plan`` into the empty folder ``out_dir``.

    :raise TranscodeError: (or TranscodeTimeout / TranscodeCancelled) as ``transcode`` does.
    """
    settings = settings or TranscodeSettings()
    input_path, workdir = Path(input_path).resolve(), Path(out_dir).resolve()
    if not input_path.is_file():
        raise TranscodeError("The uploaded file is missing.", str(input_path))
    (workdir / Path(CHUNK_THUMBS).parent).mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        chunk_argv(input_path, plan, span, settings),
        duration=span.duration(plan),
        on_progress=on_progress,
        timeout=timeout,
        cancel=cancel,
        nice=settings.nice,
        cwd=workdir,
    )
    missing = [name for name in chunk_files(plan) if not _non_empty(workdir / name)]
    if missing:
        raise TranscodeError(
            "The video could not be converted completely.", f"chunk {span.index} missing: {', '.join(missing)}"
        )
    if span.end_frame is not None:
        # a chunk one frame short would open a gap at its join: refuse it rather than publish it
        made = count_frames(workdir / chunk_rung(plan.rungs[-1].label), settings)
        if made != span.end_frame - span.first_frame:
            raise TranscodeError(
                "The video could not be converted completely.",
                f"chunk {span.index} has {made} frames, not {span.end_frame - span.first_frame}",
            )


def count_frames(path: Path, settings: TranscodeSettings) -> int | None:
    """Frames in an MP4 we wrote, from its index (no decoding)."""
    argv = [
        settings.ffprobe, "-v", "error", "-protocol_whitelist", "file", "-f", "mp4", "-select_streams", "v:0",
        "-show_entries", "stream=nb_frames", "-of", "json", f"file:{path}",
    ]  # fmt: skip
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
        return int(json.loads(result.stdout)["streams"][0]["nb_frames"])
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError):
        return None


def prepare_stitch(workdir: Path, plan: Plan, chunk_dirs: list[Path], settings: TranscodeSettings) -> list[str]:
    """Lay the chunks out in ``workdir`` and return the joining run's argv (cwd ``workdir``).

    :raise TranscodeError: a chunk's folder lacks one of its files.
    """
    links = workdir / LINKS_DIR
    links.mkdir()
    names = []
    for number, folder in enumerate(chunk_dirs):
        missing = [name for name in chunk_files(plan) if not _non_empty(folder / name)]
        if missing:
            raise TranscodeError(
                "The video could not be converted completely.", f"chunk {number} missing: {', '.join(missing)}"
            )
        name = f"{number:05d}"
        os.symlink(Path(folder).resolve(), links / name, target_is_directory=True)
        names.append(name)
        for thumb in sorted((Path(folder) / Path(CHUNK_THUMBS).parent).glob("t*.jpg")):
            shutil.copyfile(thumb, workdir / command.THUMBS_DIR / thumb.name)
    lists = {}
    for key, name in [(r.label, chunk_rung(r.label)) for r in plan.rungs] + [("cartoon", CHUNK_CARTOON)]:
        if key == "cartoon" and not plan.cartoon:
            continue
        listed = links / f"{key}.ffconcat"
        listed.write_text(concat_list(names, name), encoding="utf-8")
        lists[key] = f"{LINKS_DIR}/{listed.name}"
    return stitch_argv(plan, lists, settings)


def clean_stitch(workdir: Path) -> None:
    """Remove the links and lists (never the chunk folders they point at)."""
    links = workdir / LINKS_DIR
    if links.is_dir():
        for entry in links.iterdir():
            entry.unlink()
        links.rmdir()


def _non_empty(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0
