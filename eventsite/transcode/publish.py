"""Put a finished rendition folder in place of the previous one.

The previous set stays live until the new one is complete. On Linux the two
folders are swapped in one ``renameat2(RENAME_EXCHANGE)`` call, so a visitor
never sees a missing folder; elsewhere (or on file systems without it) the
old folder is renamed aside first, leaving a gap of two renames.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def publish_directory(new: Path, final: Path) -> None:
    """Move the folder ``new`` to ``final``, replacing and deleting any old one.

    Both must be on the same file system (``new`` is made beside ``final``).
    """
    if final.exists():
        if _exchange(new, final):
            # ``new`` now names the previous set
            shutil.rmtree(new, ignore_errors=True)
            _sync_folder(final.parent)
            return
        retired = final.with_name(f".{final.name}.old-{secrets.token_hex(4)}")
        os.replace(final, retired)
        try:
            os.replace(new, final)
        except OSError:
            os.replace(retired, final)  # put the previous set back
            raise
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(new, final)
    _sync_folder(final.parent)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the platform cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable, not just the files."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
