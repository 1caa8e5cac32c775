"""Errors a user can cause. The command line prints them as one line, without a traceback."""


class UserError(Exception):
    """A problem with the user's input or environment (exit status 1)."""

    exit_status = 1


class UsageError(UserError):
    """A bad command-line value: unknown name, impossible size (exit status 2)."""

    exit_status = 2


class DataError(UserError):
    """A dataset that is missing, corrupted, or cannot be fetched."""


class RunFailed(UserError):
    """A run that kept killing the worker running it (out of memory, a crash in native code)."""


class DamagedResults(UserError):
    """A saved result that is missing, truncated, edited, or disagrees with what refers to it."""


class DiskFull(UserError):
    """A write that found no space left on its file system (or the user's quota spent)."""

    def __init__(self, message: str, path=None):
        super().__init__(message)
        self.path = path  # the file that could not be written


class Busy(UserError):
    """A results folder that another process is writing."""


class MachineBusy(UserError):
    """Other processes using the CPUs when a measurement of speed is to start."""
