"""A results folder is written as a unit, by one writer at a time, with the user's umask: a kill
or a full disk leaves the old folder byte for byte, a second writer is refused naming the first,
and the lock of a killed writer is taken over."""

import errno
import importlib.util
import os
import signal
import subprocess
import sys

import pytest

from mlhistory import atomic
from mlhistory.errors import Busy
from mlhistory.paths import PROJECT_ROOT
from mlhistory.results.integrity import verified_experiment_dirs
from mlhistory.running import experiment, staging
from mlhistory.running.cli import config_from, experiment_parser

TINY = "tests/tiny_experiment.py"


def _load_tiny_experiment():
    """The script's Experiment, loaded from its file as the declaration tests load the real ones."""
    spec = importlib.util.spec_from_file_location("tiny_experiment", PROJECT_ROOT / TINY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPERIMENT


EXPERIMENT = _load_tiny_experiment()


def snapshot(folder) -> dict:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def leftovers(folder) -> list[str]:
    """What a writer leaves beside its target while it writes: its lock and staging folder."""
    return sorted(path.name for path in folder.parent.iterdir() if path.name.startswith("."))


@pytest.fixture(scope="session")
def run_tiny(run_cli):
    """``run_tiny(results_dir, **env)``: the tiny experiment on digits into ``results_dir``."""
    def run(results_dir, **env):
        return run_cli(TINY, "--dataset", "digits", "--results-dir", str(results_dir),
                       env={**os.environ, **env})
    return run


@pytest.fixture
def written(tmp_path, run_tiny):
    """The tiny experiment's results folder, written once."""
    completed = run_tiny(tmp_path)
    assert completed.returncode == 0, completed.stderr
    return tmp_path / "digits" / EXPERIMENT.experiment_id


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_files_and_folders_are_created_with_the_users_umask(tmp_path, umask):
    previous = os.umask(umask)
    try:
        atomic.write_text(tmp_path / "file.txt", "text")
        target = tmp_path / "folder"
        with staging.results_folder(target) as folder:
            atomic.write_json(folder / "inside.json", {})
    finally:
        os.umask(previous)
    assert (tmp_path / "file.txt").stat().st_mode & 0o777 == 0o666 & ~umask
    assert (target / "inside.json").stat().st_mode & 0o777 == 0o666 & ~umask
    assert target.stat().st_mode & 0o777 == 0o777 & ~umask


def test_a_second_writer_is_refused_naming_the_first_and_a_dead_writers_lock_is_taken(tmp_path):
    target = tmp_path / "digits" / "01_tiny"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from mlhistory.running "
         "import staging\nwith staging.writer_lock(Path(sys.argv[1])):\n"
         "    print('locked', flush=True); sys.stdin.read()", str(target)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(Busy, match=f"01_tiny is being written by process {holder.pid} "):
            with staging.results_folder(target):
                pass
    finally:
        holder.kill()
        holder.wait()
    assert staging.lock_path(target).exists()  # left behind by the killed holder
    with staging.results_folder(target) as folder:
        (folder / "new.txt").write_text("new")
    assert (target / "new.txt").read_text() == "new" and leftovers(target) == []


def test_an_experiment_is_refused_before_any_run_while_another_writes_its_folder(tmp_path):
    config = config_from(experiment_parser("").parse_args(
        ["--dataset", "digits", "--results-dir", str(tmp_path)]), [])
    with staging.writer_lock(tmp_path / "digits" / EXPERIMENT.experiment_id):
        with pytest.raises(Busy, match=f"being written by process {os.getpid()}"):
            experiment.run(EXPERIMENT, config)
    assert not (tmp_path / "cache").exists()


@pytest.mark.slow  # a subprocess writer, killed
def test_a_writer_killed_between_two_writes_leaves_the_old_folder_byte_identical(written, run_tiny):
    before = snapshot(written)
    killed = run_tiny(written.parent.parent, KILL_AFTER_WRITES="2")
    assert killed.returncode == -signal.SIGKILL
    assert snapshot(written) == before
    assert len(leftovers(written)) == 2  # its lock file and its staging folder
    again = run_tiny(written.parent.parent)
    assert again.returncode == 0, again.stderr
    assert leftovers(written) == [] and verified_experiment_dirs(written.parent.parent) == [written]


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def fill(folder, spare: int) -> None:
    """Write a file until the file system is full, then give back ``spare`` bytes."""
    descriptor = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for block in (b"\0" * (1 << 20), b"\0" * 512):
            try:
                while True:
                    os.write(descriptor, block)
            except OSError as error:
                assert error.errno == errno.ENOSPC
        os.ftruncate(descriptor, os.fstat(descriptor).st_size - spare)
    finally:
        os.close(descriptor)


@pytest.mark.slow  # a subprocess run on a tmpfs filled up
def test_a_full_disk_is_one_line_naming_the_folder_and_keeps_the_old_results(small_disk, run_tiny):
    first = run_tiny(small_disk)
    assert first.returncode == 0, first.stderr
    target = small_disk / "digits" / EXPERIMENT.experiment_id
    before = snapshot(target)
    fill(small_disk, spare=2 * 4096)  # room for the lock and a first file, not for all of them
    full = run_tiny(small_disk)
    assert full.returncode == 1
    assert full.stderr.count("\n") == 1 and "Traceback" not in full.stderr
    assert full.stderr.startswith(f"error: the disk is full: cannot write {target} (no space")
    assert "the folder is left as it was" in full.stderr
    assert snapshot(target) == before and leftovers(target) == []


def test_where_folders_cannot_be_exchanged_two_renames_replace_them_and_a_kill_between_is_undone(
        tmp_path, monkeypatch):
    monkeypatch.setattr(staging, "exchange", lambda first, second: False)
    target = tmp_path / "01_tiny"
    for text in ("old", "new"):
        with staging.results_folder(target) as folder:
            (folder / "file.txt").write_text(text)
    assert (target / "file.txt").read_text() == "new" and leftovers(target) == []
    # Killed between the two renames: the old folder is aside and the target gone.
    target.rename(tmp_path / ".01_tiny.previous-12345")
    with pytest.raises(RuntimeError), staging.results_folder(target):
        raise RuntimeError("the next writer fails too")
    assert (target / "file.txt").read_text() == "new" and leftovers(target) == []
