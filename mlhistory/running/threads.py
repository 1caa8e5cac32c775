"""Threads and bins in one place: how many threads each library computes on, for every executor,
and the boosters' histogram bins.

Two layouts of the machine, chosen by an experiment's ``--threads`` (default:
``$MLHISTORY_THREADS``, else ``alone``):

- ``alone``, one run alone: a run has the machine to itself (``make all``, one job). Every
  library keeps its own default, every core, but for the two the quiet bench rows found faster
  on one thread: BLAS (logistic regression's lbfgs 0.56 times the time on 1 thread) and
  TensorFlow's inter-op pool (0.91 times). The committed full runs before them were computed
  on every library's default; each run's record says which.
- ``side_by_side``, two runs side by side (``make quick``'s two experiments at a time, ``make
  test-fast``): one thread for BLAS, OpenMP (XGBoost, LightGBM, scikit-learn's
  HistGradientBoosting), joblib, oneDAL and TensorFlow, so two runs never oversubscribe two
  cores.

Where it is applied, the same for every executor: ``use`` in the process that runs the
experiment, before any worker starts (the environment the workers inherit is read by OpenBLAS,
MKL, libgomp and TensorFlow as they load; ``OMP_WAIT_POLICY`` can be set no other way), and again
in every worker: the process pool's initializer and the Dask workers' setup plugin
(``cluster.py``), where threadpoolctl caps the BLAS and OpenMP libraries already loaded and the
boosters get their ``n_jobs``. What a run was computed with is recorded in its cache entry's row
(``threads``: neither a column of runs.csv nor part of the run's key) and in the experiment's
metadata.

The values are a declared configuration, each backed by the quiet rows of ``make bench``
(parts ``threads``, ``wait policy`` and ``bins``, ``bench_threads.py``; committed in
``results/bench/bench.csv``): two runs side by side on one thread each finish sooner than one
after the other on two for every library (0.30 to 0.82 times the time), so ``side_by_side``;
alone, the boosters, HistGradientBoosting and oneDAL are faster on two threads (1.2 to 1.7
times slower on one), OpenMP's default active wait is faster than passive (passive 1.54 times
the time), TensorFlow's intra-op threads make no difference (1.00), so those keep their
defaults. The rows for each value:

- ``openmp``, ``blas``, ``joblib`` against the rows "<library>: 1 thread against 2, alone" and
  "<library>: 2 runs side by side on 1 thread each against one after the other on 2";
- ``booster_n_jobs`` against the XGBoost and LightGBM rows of the same two kinds;
- ``onedal`` against "oneDAL SVM: 1 thread against 2, alone" (and side by side);
- ``tf_intra``, ``tf_inter`` against "TensorFlow dense net: 1 thread against 2, alone",
  "TensorFlow inter-op: 1 thread against 2 (intra-op 2)" and the side-by-side row;
- ``omp_wait_policy`` against "OpenMP wait policy: passive against active, ...";
- ``BOOSTER_MAX_BIN`` against "XGBoost max_bin 64 against 256" and "LightGBM max_bin 64
  against 255", whose detail gives the accuracy difference.

A bins value is a model param: set, it enters every booster run's params and key (the committed
runs keep theirs while it is None). 64 bins took XGBoost 0.36 and LightGBM 0.44 times the time
on 5,000 images, 0.2 and 0.45 points more accurate; the full-size runs keep the defaults until
rows at full size back a change (it would refit every booster run).
"""

import contextlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

THREADS_ENV = "MLHISTORY_THREADS"
ALONE, SIDE_BY_SIDE = "alone", "side_by_side"


@dataclass(frozen=True)
class ThreadSettings:
    """One layout's thread counts; None leaves a library at its own default (every core)."""

    layout: str
    blas: int | None = None  # OpenBLAS / MKL (threadpoolctl "blas")
    openmp: int | None = None  # every OpenMP runtime loaded (threadpoolctl "openmp")
    joblib: int | None = None  # what joblib's n_jobs=-1 means (random forests, linear models)
    booster_n_jobs: int = -1  # XGBoost's and LightGBM's n_jobs; -1: as many as OpenMP allows
    onedal: int | None = None  # scikit-learn-intelex (oneDAL's TBB threads)
    tf_intra: int | None = None  # TensorFlow's intra-op threads
    tf_inter: int | None = None  # and inter-op threads
    omp_wait_policy: str | None = None  # "PASSIVE" or "ACTIVE"; None: the runtime's default

    def environment(self) -> dict[str, str]:
        """The variables the libraries read as they load; a None setting sets none."""
        values = {"OMP_NUM_THREADS": self.openmp, "OPENBLAS_NUM_THREADS": self.blas,
                  "MKL_NUM_THREADS": self.blas, "LOKY_MAX_CPU_COUNT": self.joblib,
                  "TF_NUM_INTRAOP_THREADS": self.tf_intra, "TF_NUM_INTEROP_THREADS": self.tf_inter,
                  "OMP_WAIT_POLICY": self.omp_wait_policy}
        return {name: str(value) for name, value in values.items() if value is not None}

    def with_threads(self, count: int, layout: str | None = None) -> "ThreadSettings":
        """Every library on ``count`` threads (the bench's sides)."""
        return replace(self, layout=layout or f"{count} threads", blas=count, openmp=count,
                       joblib=count, booster_n_jobs=count, onedal=count, tf_intra=count,
                       tf_inter=count)


LAYOUTS = {
    ALONE: ThreadSettings(ALONE, blas=1, tf_inter=1),
    SIDE_BY_SIDE: ThreadSettings(SIDE_BY_SIDE, blas=1, openmp=1, joblib=1, onedal=1, tf_intra=1,
                                 tf_inter=1),
}
# The boosters' histogram bins; None: the library's default (XGBoost 256, LightGBM 255).
BOOSTER_MAX_BIN: dict[str, int | None] = {"xgboost": None, "lightgbm": None}

# The variables a run's record shows as they were in its process, whoever set them.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "LOKY_MAX_CPU_COUNT", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
                    "OMP_WAIT_POLICY")
_current: ThreadSettings | None = None


def layout(name: str | None = None) -> ThreadSettings:
    """The named layout, or the one ``$MLHISTORY_THREADS`` names, or ``alone``."""
    from ..errors import UsageError

    name = name or os.environ.get(THREADS_ENV) or ALONE
    if name not in LAYOUTS:
        raise UsageError(f"unknown thread layout {name!r}; choose one of: {', '.join(LAYOUTS)}")
    return LAYOUTS[name]


def use(settings: ThreadSettings) -> None:
    """Apply ``settings`` to this process and to every process it starts from now on."""
    from .. import models

    global _current
    os.environ.update(settings.environment())
    _limit_loaded_libraries(settings)
    models.set_library_threads(booster_n_jobs=settings.booster_n_jobs, onedal=settings.onedal)
    _current = settings


def start_worker(settings: ThreadSettings) -> None:
    """A worker's setup, the same for the process pool and for Dask."""
    use(settings)


def _limit_loaded_libraries(settings: ThreadSettings) -> None:
    import sys

    limits = {api: count for api, count in (("blas", settings.blas), ("openmp", settings.openmp))
              if count is not None}
    if limits:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=limits)  # kept for the life of the process
    if "tensorflow" in sys.modules and (settings.tf_intra or settings.tf_inter):
        import tensorflow as tf

        try:  # only before TensorFlow's runtime starts; the variables above did it otherwise
            tf.config.threading.set_intra_op_parallelism_threads(settings.tf_intra or 0)
            tf.config.threading.set_inter_op_parallelism_threads(settings.tf_inter or 0)
        except RuntimeError:
            pass


def widened(settings: ThreadSettings, cores: int) -> ThreadSettings:
    """The threads of a run that has ``cores`` workers' cores to itself in a pool laid out side
    by side (the last rung of a search batch: one trial on two workers' cores, the other worker
    idle): the one-run-alone layout on those cores. TensorFlow keeps the pool's threads: its
    thread pools are fixed once its runtime starts. Any other layout, or one core, is kept."""
    if settings.layout != SIDE_BY_SIDE or cores <= 1:
        return settings
    alone = LAYOUTS[ALONE]
    return replace(alone, layout=f"{ALONE} on {cores} cores of a {SIDE_BY_SIDE} pool",
                   openmp=alone.openmp or cores, joblib=alone.joblib or cores,
                   booster_n_jobs=cores, onedal=alone.onedal or cores,
                   tf_intra=settings.tf_intra, tf_inter=settings.tf_inter)


@contextlib.contextmanager
def applied(settings: ThreadSettings | None) -> Iterator[None]:
    """This process on ``settings`` for the block, then back on what it had (None: no change)."""
    if settings is None:
        yield
        return
    before, environment = current(), dict(os.environ)
    use(settings)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(environment)
        use(before)


def current() -> ThreadSettings:
    """The settings this process was given (``use``); the library defaults when none were."""
    return _current or LAYOUTS[ALONE]


def record() -> dict:
    """What a run records of its threads: the layout's settings and the variables as they were."""
    return {**asdict(current()),
            "environment": {name: os.environ[name] for name in THREAD_VARIABLES
                            if name in os.environ}}


def model_params(model: str) -> dict:
    """What the declared bins add to a run's params (nothing while they are the defaults)."""
    bins = BOOSTER_MAX_BIN.get(model)
    return {} if bins is None else {"max_bin": bins}
