"""A one-run experiment (Gaussian naive Bayes) for the tests of how a results folder is written,
run as a script with any experiment's options.

With KILL_AFTER_WRITES=N in its environment it kills itself with SIGKILL right after its N-th
file written into a staging folder, as a kill -9 between two writes would.
"""

import os
import signal
from contextlib import contextmanager

from mlhistory import atomic
from mlhistory.running.experiment import Experiment, main

EXPERIMENT = Experiment("01_tiny", "A tiny experiment", "none", "A tiny experiment.\n\nOne run.",
                        runs=("gaussian_nb",))


def kill_after_staged_writes(count: int) -> None:
    original = atomic._replace_on_success
    written = []

    @contextmanager
    def replace_then_die(path, mode):
        with original(path, mode) as handle:
            yield handle
        if ".staging-" in str(path):
            written.append(path)
            if len(written) == count:
                os.kill(os.getpid(), signal.SIGKILL)

    atomic._replace_on_success = replace_then_die


if __name__ == "__main__":
    if "KILL_AFTER_WRITES" in os.environ:
        kill_after_staged_writes(int(os.environ["KILL_AFTER_WRITES"]))
    main(EXPERIMENT)
