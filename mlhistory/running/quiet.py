"""Timing on a quiet machine only: the load other processes put on the CPUs, read before and
during every measurement, and A against B interleaved on it.

The project's rule for speed: a figure is a ratio of two ways of doing the same work, taken in
one run with nothing else running, and the load is recorded with it. ``make bench`` refuses to
start on a busy machine (``check_start``), and a pair of timings taken while something else
used the CPUs is measured again, then, if the machine stays busy, kept as void: its row says so
and the README and the report print no figure of it.

The load is the share of the machine's CPUs that processes other than this one and its
descendants used over a span of wall time: the machine's busy CPU time (all CPUs; on a virtual
machine the time the hypervisor gave to other guests, "steal", counts as busy), less this
process tree's own CPU time, over the span's wall time times the number of CPUs. The reader is
injected, so tests give a load of their choosing and time nothing.
"""

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..errors import MachineBusy
from ..results.schema import QUIET_CPU_SHARE

# Above this share of the CPUs used by other processes, a pair is void (the results schema
# owns the figure: a claim judged on timings reads it too).
OTHER_CPU_LIMIT = QUIET_CPU_SHARE
START_PROBE_SECONDS = 3.0  # the load read before the bench starts
PAIR_PROBE_SECONDS = 0.5  # and before each pair
RETRIES = 2  # a void pair is measured again, at most this many times per row
MIN_REPEATS = 3  # of every pair: the median of at least three
SIGNIFICANT_DIGITS = 4  # of every measured value, baseline and ratio in the bench's table


@dataclass(frozen=True)
class CpuSample:
    wall: float  # seconds on a monotonic clock
    busy: float  # CPU seconds the machine's CPUs have been busy (all CPUs, since boot)
    own: float  # CPU seconds of this process and its descendants (the reaped ones included)


class LoadReader(Protocol):
    cpus: int

    def sample(self) -> CpuSample: ...


# psutil's CPU-time fields left out of the busy time: idle ones, and guest time, which is counted
# in user time already (as psutil's own cpu_percent does).
NOT_BUSY = frozenset({"idle", "iowait", "guest", "guest_nice"})


class MachineLoad:
    """This machine's CPU times, through psutil (``/proc/stat`` and ``/proc/<pid>/stat`` on
    Linux)."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self.cpus = psutil.cpu_count() or 1

    def sample(self) -> CpuSample:
        psutil = self._psutil
        times = psutil.cpu_times()
        # The busy fields summed, never the total less the idle ones: each field only grows, so
        # their sum in a fixed order does too, where a difference of large totals can shrink by
        # a rounding (and Linux's iowait can run backwards).
        busy = sum(seconds for field, seconds in times._asdict().items()
                   if field not in NOT_BUSY)
        mine = os.times()
        own = mine.user + mine.system + mine.children_user + mine.children_system
        for child in psutil.Process().children(recursive=True):
            try:
                # A live descendant's own time and that of the children it has reaped; once it
                # ends and is reaped, its total is in its parent's children times.
                cpu = child.cpu_times()
                own += cpu.user + cpu.system + cpu.children_user + cpu.children_system
            except psutil.Error:  # ended since it was listed
                continue
        return CpuSample(time.monotonic(), busy, own)


class FixedLoad:
    """A reader whose other processes always use ``share`` of the CPUs, one second passing between
    samples: for tests (nothing timed) and for timing a part where the load is known."""

    def __init__(self, share: float = 0.0, cpus: int = 2) -> None:
        self.share, self.cpus, self._samples = share, cpus, 0

    def sample(self) -> CpuSample:
        self._samples += 1
        return CpuSample(float(self._samples), self.share * self.cpus * self._samples, 0.0)


def other_share(start: CpuSample, end: CpuSample, cpus: int) -> float:
    """The share of all CPUs that other processes used between two samples (0 to 1)."""
    wall = end.wall - start.wall
    if wall <= 0:
        return 0.0
    other = (end.busy - start.busy) - (end.own - start.own)
    return min(1.0, max(0.0, other / (wall * cpus)))


def percent(share: float) -> str:
    """0.25 -> "25 %"."""
    return f"{100 * share:.0f} %"


def void_reason(share: float, cpus: int) -> str:
    return f"void: other processes used {percent(share)} of the {cpus} CPUs"


@dataclass(frozen=True)
class Timed:
    """What ``QuietTimer.compare`` or ``measure`` kept: the median of the quiet repeats (of all
    of them when too few were quiet, and then ``void`` says why), and the largest share of the
    CPUs that other processes used during the repeats kept."""

    measured: float
    baseline: float | None
    repeats: int
    other_cpu_share: float
    void: str = ""

    @property
    def quiet(self) -> bool:
        return not self.void


class QuietTimer:
    """Interleaved repeats of A and B, each pair read for load before and during, void pairs
    measured again (up to ``retries`` times per row)."""

    def __init__(self, load: LoadReader | None = None, limit: float | None = None,
                 start_probe: float | None = None, pair_probe: float | None = None,
                 retries: int = RETRIES, allow_busy: bool = False,
                 sleep: Callable[[float], None] | None = None) -> None:
        # None: this module's settings, read now (so a test may set them).
        self.load = load or MachineLoad()
        self.limit = OTHER_CPU_LIMIT if limit is None else limit
        self.start_probe = START_PROBE_SECONDS if start_probe is None else start_probe
        self.pair_probe = PAIR_PROBE_SECONDS if pair_probe is None else pair_probe
        self.retries, self.allow_busy, self.sleep = retries, allow_busy, sleep or time.sleep
        self.shares: list[float] = []  # every share read, in order: the bench's metadata keeps it

    def share_over(self, seconds: float) -> float:
        """The share of the CPUs other processes use over the next ``seconds``, this one idle."""
        start = self.load.sample()
        self.sleep(seconds)
        return self._record(other_share(start, self.load.sample(), self.load.cpus))

    def _record(self, share: float) -> float:
        self.shares.append(round(share, 4))
        return share

    def check_start(self) -> float:
        """The load before anything is timed; a busy machine stops the bench here, in one line."""
        share = self.share_over(self.start_probe)
        if share > self.limit and not self.allow_busy:
            raise MachineBusy(
                f"the machine is busy: other processes used {percent(share)} of its "
                f"{self.load.cpus} CPUs over {self.start_probe:g} s (the bench times only below "
                f"{percent(self.limit)}); run it again when nothing else runs")
        return share

    def _pair(self, sides: list[Callable[[], float]]) -> tuple[list[float], float]:
        """One repeat: the load read before, then each side once, the load read during."""
        before = self.share_over(self.pair_probe)
        start = self.load.sample()
        values = [side() for side in sides]
        during = self._record(other_share(start, self.load.sample(), self.load.cpus))
        return values, max(before, during)

    def compare(self, measured: Callable[[], float], baseline: Callable[[], float],
                repeats: int = MIN_REPEATS) -> Timed:
        """``measured`` against ``baseline``: each call returns its figure (seconds, or a rate);
        the order alternates (AB, BA, ...), so a drift of the machine hits both sides alike."""
        return self._repeat([measured, baseline], repeats)

    def measure(self, figure: Callable[[], float], repeats: int = 1) -> Timed:
        """One figure on its own (set against a fixed goal), read for load like a pair."""
        return self._repeat([figure], repeats)

    def _repeat(self, sides: list[Callable[[], float]], repeats: int) -> Timed:
        quiet, everything = [], []
        for attempt in range(repeats + self.retries):
            if len(quiet) == repeats:
                break
            order = sides if attempt % 2 == 0 else sides[::-1]
            values, share = self._pair(order)
            values = values if attempt % 2 == 0 else values[::-1]
            everything.append((values, share))
            if share <= self.limit:
                quiet.append((values, share))
        kept = quiet if len(quiet) == repeats else everything
        share = max(share for _, share in kept)
        medians = [statistics.median(values[index] for values, _ in kept)
                   for index in range(len(sides))]
        return Timed(medians[0], medians[1] if len(sides) > 1 else None, len(kept), share,
                     "" if kept is quiet else void_reason(share, self.load.cpus))


# --- the bench's rows: the figures and the load they were measured under ------------------


def ratio_row(part: str, subject: str, setting: str, measured: float, baseline: float, unit: str,
              goal: str = "", detail: str = "", other_cpu_share: float | None = None,
              void: str = "") -> dict:
    """One row of the bench table (``BENCH_COLUMNS``). The ratio is taken of the unrounded values;
    then each of the three keeps four significant digits. ``other_cpu_share`` is the largest
    share of the CPUs that other processes used while it was measured (None: not read), and
    ``void`` says why the row's figures are not to be printed ("" when it was quiet)."""
    return {"part": part, "subject": subject, "setting": setting,
            "measured": significant(measured), "baseline": significant(baseline),
            "ratio": significant(measured / baseline), "unit": unit, "goal": goal,
            "other_cpu_share": "" if other_cpu_share is None else round(other_cpu_share, 3),
            "void": void, "detail": detail}


def timed_row(part: str, subject: str, setting: str, timed: Timed, unit: str,
              baseline: float | None = None, goal: str = "", detail: str = "",
              measured: float | None = None) -> dict:
    """A row from what ``QuietTimer`` kept: its medians (or ``measured`` and ``baseline`` derived
    from them, e.g. a rate), its load and whether it is void."""
    return ratio_row(part, subject, setting, timed.measured if measured is None else measured,
                     timed.baseline if baseline is None else baseline, unit, goal, detail,
                     timed.other_cpu_share, timed.void)


def significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits. Not to decimal places: a fit of
    0.0038 s would keep two digits, and the ratio of two such saved values would be off by
    several per cent from the ratio measured."""
    return float(f"{value:.{digits}g}")


def seconds(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start
