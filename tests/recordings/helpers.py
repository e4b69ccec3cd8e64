"""Small helpers shared by the recordings tests."""

from __future__ import annotations

import base64
from pathlib import Path

TUS = {"Tus-Resumable": "1.0.0"}
PATCH_TYPE = "application/offset+octet-stream"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def metadata(panel_id: int | str, filename: str = "talk.mp4") -> str:
    return f"filename {b64(filename)},panel {b64(str(panel_id))}"


def folder_files(root: Path, sub: str) -> list[str]:
    """Every file under ``root/sub`` (recursively), as relative paths."""
    base = root / sub
    return sorted(p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file()) if base.exists() else []
