"""What a long step costs and how far it is: runs done and to do, and the time left, estimated
from the run cache's recorded costs.

A run's cost is estimated from the fit and predict seconds of cached runs of the same model on
the same data at the same training size (their median), those with the same configuration
first: a net's cost varies more with its epochs and batch size than with anything else. Failing
that, from the nearest size with the same configuration (a search trial's next rung: the same
trial on a third of the images), then of any configuration of the model on the same data, then
on other data, scaled by the training size; and failing that, a rough default per family. The
executor submits the longest runs first, so two workers do not end with one long run on one and
nothing on the other, and prints the estimate of what is left after every run: the estimates
still to go, over the workers, corrected by how far the runs finished so far ran over or under
theirs.
"""

import contextlib
import heapq
import json
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from .. import models
from ..data import dataset_info, validation_size
from ..results.schema import view_name
from .spec import RunSpec, validation_pool

# A run with nothing to go by: a net starts TensorFlow and trains, a shallow model fits.
DEFAULT_SECONDS = {models.DEEP: 10.0, models.SHALLOW: 1.0}
# The least a run takes however small its data: start-up, a net's compiled functions.
FLOOR_SECONDS = {models.DEEP: 3.0, models.SHALLOW: 0.2}


class CostBook:
    """The recorded costs of the runs in some run caches, by model, data and training size."""

    def __init__(self, cache_roots: list[Path]):
        # (model, data, configuration or None for any, n_train) -> costs
        self.seconds: dict[tuple[str, str, str | None, int], list[float]] = defaultdict(list)
        for root in cache_roots:
            for path in Path(root).glob("*/*.json"):
                try:
                    row = json.loads(path.read_text())
                    cost = float(row["fit_seconds"]) + float(row["predict_seconds"])
                    if cost <= 0:
                        continue  # a cost recorded wrong (an older run's negative fit time)
                    model, data, n_train = row["model"], row["dataset"], int(row["n_train"])
                    self.seconds[model, data, None, n_train].append(cost)
                    if "params" in row:
                        configuration = _configuration(json.loads(row["params"]))
                        self.seconds[model, data, configuration, n_train].append(cost)
                except (OSError, ValueError, KeyError, TypeError):
                    continue  # a damaged entry says nothing of costs (the cache names it when read)

    def estimate(self, spec: RunSpec) -> float:
        """The seconds ``spec`` is expected to take (see the module docstring)."""
        family = models.get(spec.model).family
        data = view_name(spec.dataset, spec.classes)
        size = fitted_size(spec)
        configuration = _configuration(spec.params_dict)
        # Ranked: the same configuration at this size, then at the nearest size (scaled), then
        # any configuration at this size, then the nearest size, then other data.
        candidates = [(config != configuration, data_name != data, abs(n_train - size), n_train,
                       costs)
                      for (model, data_name, config, n_train), costs in self.seconds.items()
                      if model == spec.model and n_train > 0
                      and (config is None or (config == configuration and data_name == data))]
        if not candidates:
            return DEFAULT_SECONDS[family]
        *_, n_train, costs = min(candidates, key=lambda candidate: candidate[:3])
        if n_train == size:
            return statistics.median(costs)
        return max(FLOOR_SECONDS[family], statistics.median(costs) * size / n_train)


def fitted_size(spec: RunSpec) -> int:
    """How many images ``spec`` fits on: its ``n_train``, else all the training images, or for
    a search trial all of its validation split's training part."""
    if spec.n_train:
        return spec.n_train
    info = dataset_info(spec.dataset)
    if spec.evaluation is None:
        return info.n_train
    pool = validation_pool(spec.evaluation) or info.n_train
    return pool - validation_size(pool, info.n_classes)


def _configuration(params: dict) -> str:
    """A run's configuration as one comparable text (its params, as the cache records them)."""
    return json.dumps(json.loads(json.dumps(params, default=str)), sort_keys=True)


def duration(seconds: float) -> str:
    """42 -> "42 s", 754 -> "12 min 34 s"."""
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def makespan(seconds: list[float], workers: int) -> float:
    """How long ``seconds`` of runs take on ``workers``, each run given in turn, longest first,
    to the worker that is free first (as the executor submits them)."""
    loads = [0.0] * max(1, workers)
    for cost in sorted(seconds, reverse=True):
        heapq.heapreplace(loads, loads[0] + cost)
    return max(loads)


# How much of a plan's estimated work the estimates are trusted for before the runs done say
# otherwise: the recorded costs may come from other sizes, data or machines.
TRUSTED_SHARE = 0.1


class Progress:
    """Counts the runs of one executor call and prints where it stands after each."""

    def __init__(self, estimates: dict[RunSpec, float], cached: int, workers: int):
        self.estimates, self.workers = estimates, max(1, workers)
        self.done: dict[RunSpec, float] = {}
        self.started = time.monotonic()
        print(f"[plan] {len(estimates)} runs to do, {cached} from the cache; about "
              f"{duration(makespan(list(estimates.values()), self.workers))} of runs on "
              f"{self.workers} "
              f"worker{'s' if self.workers > 1 else ''} (estimated from the run cache)",
              flush=True)

    def left(self) -> float:
        """Seconds left: the estimates to go, packed onto the workers, scaled by how the runs done
        so far compared with theirs. The scale starts at 1 and moves to the measured ratio as
        the work is done (``TRUSTED_SHARE`` of the estimates counts as done at that ratio 1), so
        one first run far off its estimate does not make the rest look free or endless."""
        to_go = [seconds for spec, seconds in self.estimates.items() if spec not in self.done]
        prior = TRUSTED_SHARE * sum(self.estimates.values())
        estimated_done = sum(self.estimates[spec] for spec in self.done)
        measured_done = sum(self.done.values())
        correction = ((measured_done + prior) / (estimated_done + prior)
                      if estimated_done + prior > 0 else 1.0)
        return makespan([seconds * correction for seconds in to_go], self.workers)

    def finished(self, spec: RunSpec, row: dict) -> str:
        """Record a finished run; the progress line's tail: "3 to do, about 1 min 20 s left"."""
        self.done[spec] = float(row.get("fit_seconds", 0.0)) + float(row.get("predict_seconds", 0.0))
        to_do = len(self.estimates) - len(self.done)
        elapsed = duration(time.monotonic() - self.started)
        if not to_do:
            return f"all {len(self.estimates)} done in {elapsed}"
        return f"{to_do} to do, about {duration(self.left())} left ({elapsed} so far)"


def cpu_seconds() -> float:
    """CPU seconds of this process and of the children it has reaped (a pool's workers, once
    the pool is shut down; a Dask cluster's, once it is closed)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Stages:
    """Wall and CPU seconds of each stage of a long step, in the order they ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, dict[str, float]] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), cpu_seconds()
        try:
            yield
        finally:
            spent = self.seconds.setdefault(name, {"wall_seconds": 0.0, "cpu_seconds": 0.0})
            spent["wall_seconds"] += time.perf_counter() - wall
            spent["cpu_seconds"] += cpu_seconds() - cpu

    def record(self) -> dict:
        return {name: {kind: round(value, 2) for kind, value in spent.items()}
                for name, spent in self.seconds.items()}

    def summary(self) -> str:
        """ "data 2 s, fits 40 s, judging 1 s, rendering 3 s" (wall-clock)."""
        return ", ".join(f"{name} {spent['wall_seconds']:.0f} s" for name, spent in self.seconds.items())
