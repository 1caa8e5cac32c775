"""An experiment's results folder, written as a unit and by one writer at a time.

The experiment writes into a staging folder beside its target
(``results/mnist/.01_probabilistic.staging-<pid>``, on the same file system) and, once every
file is written, the staging folder takes the target's place in one rename: an exchange of the
two (Linux's ``renameat2``), or where the file system cannot exchange, two renames that the next
writer completes or undoes. A full disk, a kill or a crash before then leaves the old folder
whole, never a mix of old and new files. The run cache is not staged: it is shared by every
experiment of the results set, each run written atomically, so finished runs are kept.

A lock file beside the target (``.01_probabilistic.lock``) names the process writing it, and a
second writer is refused with that process's id. The lock is an ``flock``, which the kernel
releases when its process ends however it ends, so the lock of a killed writer is taken over,
and the staging folder it left behind is deleted.
"""

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..atomic import FULL_DISK_ERRORS, disk_full
from ..errors import Busy, DiskFull
from ..paths import shown

STAGING = "staging"
PREVIOUS = "previous"  # the old folder between the two renames of a file system that cannot exchange
# renameat2(2): AT_FDCWD resolves relative paths as rename(2) does; RENAME_EXCHANGE swaps the two.
AT_FDCWD = -100
RENAME_EXCHANGE = 2
_LIBC = ctypes.CDLL(None, use_errno=True)


def lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def _beside(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{os.getpid()}"


@contextmanager
def results_folder(target: Path) -> Iterator[Path]:
    """Hold the target's lock, and yield an empty staging folder that replaces the target when
    the block ends without an error; on any error or signal the staging folder is deleted."""
    target = Path(target)
    with writer_lock(target):
        _clear_leftovers(target)
        staging = _beside(target, STAGING)
        try:
            os.mkdir(staging)  # 0777 less the umask, as any tool's new folder
        except OSError as error:
            if error.errno in FULL_DISK_ERRORS:
                raise disk_full(error, staging) from error
            raise
        try:
            yield staging
            _replace(target, staging)
        except DiskFull as full:
            shutil.rmtree(staging, ignore_errors=True)
            # The staging folder is gone: name the folder the user asked for.
            raise DiskFull(f"the disk is full: cannot write {shown(target)} (no space left for "
                           f"{Path(full.path).name}); the folder is left as it was; free some "
                           "space and run again", full.path) from full
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


@contextmanager
def writer_lock(target: Path) -> Iterator[None]:
    """The lock of one results folder: refused, naming the holder, while another process has it."""
    path = lock_path(target)
    created = not path.parent.exists()  # removed again if nothing was written into it
    try:
        descriptor = _take(path, target)
    except OSError as error:
        if error.errno in FULL_DISK_ERRORS:
            raise disk_full(error, path) from error
        raise
    try:
        os.ftruncate(descriptor, 0)
        try:
            os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        except OSError as error:
            if error.errno in FULL_DISK_ERRORS:
                raise disk_full(error, path) from error
            raise
        yield
    finally:
        # Removed while still held, so that no other writer can take a lock on this file.
        os.unlink(path)
        os.close(descriptor)
        if created:
            with contextlib.suppress(OSError):  # not empty: the folder holds results now
                path.parent.rmdir()


def _take(path: Path, target: Path) -> int:
    """An open descriptor of the lock file at ``path``, locked."""
    while True:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip()
            os.close(descriptor)
            raise Busy(f"{shown(target)} is being written by "
                       f"{f'process {holder}' if holder else 'another process'} (which holds "
                       f"{shown(path)}); wait for it to finish, or stop it, then run again") from None
        # A holder that finished may have removed the file between our open and our flock: the
        # lock is then on a file nobody else will open, so take the one at the path again.
        if path.exists() and os.path.samestat(os.fstat(descriptor), os.stat(path)):
            return descriptor
        os.close(descriptor)


def _clear_leftovers(target: Path) -> None:
    """What a killed writer left beside the target: its staging folder, which is deleted, and
    the old folder between two renames, which is put back unless the new one took its place."""
    for previous in target.parent.glob(f".{target.name}.{PREVIOUS}-*"):
        if target.exists():
            shutil.rmtree(previous)
        else:
            previous.rename(target)
    for staging in target.parent.glob(f".{target.name}.{STAGING}-*"):
        shutil.rmtree(staging)


def _replace(target: Path, staging: Path) -> None:
    if not target.exists():
        staging.rename(target)
    elif exchange(staging, target):
        shutil.rmtree(staging)  # now the old folder
    else:
        previous = _beside(target, PREVIOUS)
        target.rename(previous)
        staging.rename(target)
        shutil.rmtree(previous)


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False where the system or the file system cannot."""
    renameat2 = getattr(_LIBC, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))
