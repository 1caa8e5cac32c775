"""Atomic writes: a temporary file in the same folder, then a rename.

A run killed mid-write leaves either the old file or the new one, never half of one. Files are
created as any other tool creates them, with the user's umask applied (``tempfile.mkstemp``
would leave every result readable by its owner only).
"""

import errno
import io
import json
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import DiskFull

# No space left, or the user's quota spent: either way the disk is full for this user.
FULL_DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT)


def disk_full(error: OSError, path: Path) -> DiskFull:
    """The one line a full disk ends in: which file could not be written, and in which folder."""
    return DiskFull(f"the disk is full: cannot write {path} (no space left in {Path(path).parent}); "
                    "free some space and run again", path)


def _temporary_beside(path: Path) -> tuple[int, Path]:
    """A new file beside ``path``, created with mode 0666 less the umask, as open(2) does."""
    while True:
        temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue


@contextmanager
def _replace_on_success(path: Path, mode: str):
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = _temporary_beside(path)
    except OSError as error:
        if error.errno in FULL_DISK_ERRORS:
            raise disk_full(error, path) from error
        raise
    try:
        with os.fdopen(descriptor, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        os.unlink(temporary)
        if isinstance(error, OSError) and error.errno in FULL_DISK_ERRORS:
            raise disk_full(error, path) from error
        raise


def write_text(path: Path, text: str) -> None:
    with _replace_on_success(path, "w") as handle:
        handle.write(text)


def write_bytes(path: Path, data: bytes) -> None:
    with _replace_on_success(path, "wb") as handle:
        handle.write(data)


def write_json(path: Path, value) -> None:
    write_text(path, json.dumps(value, indent=2, sort_keys=True) + "\n")


def npz_bytes(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def write_npz(path: Path, arrays: dict) -> None:
    write_bytes(path, npz_bytes(arrays))


def save_figure(figure, path: Path) -> None:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    write_bytes(path, buffer.getvalue())
