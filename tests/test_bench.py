"""`make bench`'s measurements, on the 8x8 digits: each row a same-run ratio, and the table in
the results schema; timing on a quiet machine only, with an injected load reader (nothing here
is timed)."""

import csv
from pathlib import Path

import pytest

from mlhistory.data import origin
from mlhistory.errors import MachineBusy
from mlhistory.results.schema import BENCH_COLUMNS, write_rows
from mlhistory.running import bench, quiet


class ScriptedLoad:
    """A machine of ``cpus`` CPUs whose clock moves one second before each sample but the first,
    in which other processes use the next of ``shares`` of the CPUs (the last one once they run
    out) and this process ``own`` CPU seconds. ``script`` says which share lands where."""

    def __init__(self, *shares: float, cpus: int = 2, own: float = 0.5) -> None:
        self.cpus, self.own_rate, self.shares = cpus, own, list(shares)
        self.wall = self.busy = self.own = 0.0
        self.samples = 0

    def sample(self) -> quiet.CpuSample:
        if self.samples:
            share = self.shares.pop(0) if len(self.shares) > 1 else self.shares[0]
            self.wall += 1.0
            self.own += self.own_rate
            self.busy += share * self.cpus + self.own_rate
        self.samples += 1
        return quiet.CpuSample(self.wall, self.busy, self.own)


def script(start: float, *pairs: tuple[float, float]) -> list[float]:
    """The shares a timer reads: at the start, then before and during each pair (a pair takes
    four samples: the two of its probe before, the two around its sides)."""
    return [start, *(share for before, during in pairs for share in (0.0, before, 0.0, during))]


def timer(*shares: float, **options) -> quiet.QuietTimer:
    return quiet.QuietTimer(ScriptedLoad(*shares), sleep=lambda seconds: None, **options)


def test_a_row_keeps_four_significant_digits_of_times_below_a_hundredth_of_a_second():
    # Times of a run once seen saved as 0.0103 against 0.0038 (four decimal places): their
    # ratio, 2.71, was 1.4 % off the 2.673 measured.
    row = quiet.ratio_row("runner overhead", "Gaussian naive Bayes", "digits", 0.010349, 0.003871,
                          "s", goal="ratio <= 1.05")
    assert (row["measured"], row["baseline"], row["ratio"]) == (0.01035, 0.003871, 2.673)
    assert list(row) == BENCH_COLUMNS


@pytest.mark.parametrize("value, expected", [(19_468.37, 19_470.0), (288.149, 288.1),
                                             (1.76649, 1.766), (0.000123456, 0.0001235)])
def test_significant_digits_do_not_depend_on_the_magnitude(value, expected):
    assert quiet.significant(value) == expected


def test_runner_overhead_times_the_runner_against_the_bare_library_call(project_data, tmp_path):
    digest = origin("digits", project_data).digest
    rows = bench.runner_overhead(timer(0.0), "digits", project_data, repeats=2, digest=digest,
                                 names=["gaussian_nb", "logreg"], n_train=500, n_test=200)
    assert [row["subject"] for row in rows] == ["Gaussian naive Bayes", "Logistic regression (C=1)"]
    for row in rows:
        assert row["measured"] > 0 and row["baseline"] > 0
        # Each of the three roundings to four significant digits moves a value by at most
        # 0.05 %, so the saved values' ratio is within 0.2 % of the saved ratio (taken of the
        # unrounded times), however short the times.
        assert row["ratio"] == pytest.approx(row["measured"] / row["baseline"], rel=2e-3)
        assert "median of 2" in row["setting"] and row["goal"] == "ratio <= 1.05"
        assert row["other_cpu_share"] == 0.0 and row["void"] == ""
    write_rows(tmp_path / "bench.csv", rows, BENCH_COLUMNS)
    with open(tmp_path / "bench.csv") as saved:
        assert list(csv.DictReader(saved))[0]["part"] == "runner overhead"


def test_the_runner_overhead_takes_every_model_but_the_composite_ones():
    from mlhistory import models

    timed = bench.overhead_models()
    assert timed == [name for name, entry in models.REGISTRY.items() if not entry.composite]
    assert {"gaussian_nb", "rbf_svm", "xgboost", "dense", "convnet"} <= set(timed)
    assert not {"stacked_dense", "transfer_convnet", "continual_shallow", "tabular_mlp"} & set(timed)


def test_other_processes_share_is_the_machine_s_busy_time_less_this_process_tree_s():
    start, end = quiet.CpuSample(0.0, 100.0, 10.0), quiet.CpuSample(10.0, 112.0, 19.0)
    # 12 CPU seconds busy in 10 s on 2 CPUs, 9 of them this process tree's: 3 / 20 others'.
    assert quiet.other_share(start, end, cpus=2) == pytest.approx(0.15)
    assert quiet.other_share(start, quiet.CpuSample(10.0, 105.0, 19.0), cpus=2) == 0.0


def test_the_machine_s_own_reader_samples_this_process_tree():
    load = quiet.MachineLoad()
    first, second = load.sample(), load.sample()
    assert load.cpus >= 1 and second.wall >= first.wall
    assert second.busy >= first.busy and second.own >= first.own > 0


def test_the_busy_time_never_shrinks_while_only_the_idle_time_grows(monkeypatch):
    # Counters for which the total less the idle fields, in floats, comes out 4e-12 s smaller
    # after 0.01 s more idle time: a reader subtracting them saw a busy time run backwards.
    import collections

    import psutil

    Times = collections.namedtuple("Times", "user system idle iowait guest")
    counters = iter([Times(9908.7, 898.98, 32579.65, 78.87, 0.0),
                     Times(9908.7, 898.98, 32579.66, 78.87, 0.0)])
    monkeypatch.setattr(psutil, "cpu_times", lambda: next(counters))
    load = quiet.MachineLoad()
    first, second = load.sample(), load.sample()
    assert first.busy == second.busy == 9908.7 + 898.98


def test_a_busy_machine_stops_the_bench_in_one_line_before_anything_is_timed():
    busy = timer(0.6)
    with pytest.raises(MachineBusy) as raised:
        busy.check_start()
    message = str(raised.value)
    assert message.startswith("the machine is busy: other processes used 60 % of its 2 CPUs")
    assert "\n" not in message
    assert timer(0.01).check_start() == pytest.approx(0.01)
    assert timer(0.6, allow_busy=True).check_start() == pytest.approx(0.6)


def test_the_bench_command_refuses_a_busy_machine_and_writes_nothing(tmp_path, monkeypatch,
                                                                     capsys):
    from mlhistory.__main__ import main

    monkeypatch.setattr(quiet, "MachineLoad", lambda: ScriptedLoad(0.4))
    monkeypatch.setattr(quiet, "START_PROBE_SECONDS", 0.0)
    with pytest.raises(SystemExit) as exited:
        main(["bench", "--dataset", "digits", "--results-dir", str(tmp_path)])
    assert exited.value.code == 1
    error = capsys.readouterr().err
    assert error.startswith("error: the machine is busy: other processes used 40 %")
    assert error.count("\n") == 1
    assert not (tmp_path / "bench").exists()


def test_a_quiet_comparison_interleaves_the_sides_and_keeps_the_medians():
    calls = []

    def side(name, values):
        values = iter(values)
        return lambda: calls.append(name) or next(values)

    timed = timer(0.01).compare(side("A", [3.0, 1.0, 2.0]), side("B", [10.0, 30.0, 20.0]), repeats=3)
    assert calls == ["A", "B", "B", "A", "A", "B"]  # the order alternates
    assert (timed.measured, timed.baseline, timed.repeats) == (2.0, 20.0, 3)
    assert timed.quiet and timed.other_cpu_share == pytest.approx(0.01)


def test_a_pair_measured_while_others_use_the_cpus_is_measured_again():
    # The first pair's "during" is busy; the next three are quiet.
    checked = timer(*script(0.0, (0.0, 0.3), (0.0, 0.0), (0.0, 0.0), (0.02, 0.0)))
    counter = iter(range(100))
    checked.check_start()
    timed = checked.compare(lambda: float(next(counter)), lambda: 1.0, repeats=3)
    assert timed.quiet and timed.repeats == 3
    assert timed.other_cpu_share == pytest.approx(0.02)  # the busy pair is not among those kept
    assert timed.measured == 2.0  # A's figures 1, 2, 3 kept, the busy pair's 0 dropped


def test_a_machine_that_stays_busy_makes_the_row_void_and_says_why():
    timed = timer(0.25).compare(lambda: 1.0, lambda: 2.0, repeats=3)
    assert not timed.quiet and timed.repeats == 3 + quiet.RETRIES
    assert timed.void == "void: other processes used 25 % of the 2 CPUs"
    row = quiet.timed_row("part", "subject", "setting", timed, "s")
    assert row["void"] == timed.void and row["other_cpu_share"] == 0.25
    assert list(row) == BENCH_COLUMNS


def test_the_bench_records_the_load_of_every_row_and_in_its_metadata(tmp_path, project_data,
                                                                     monkeypatch):
    import json

    def part(timer, dataset, data_dir, repeats, digest):
        return [quiet.timed_row("fake", "quiet", "", timer.compare(lambda: 1.0, lambda: 2.0, repeats), "s"),
                quiet.timed_row("fake", "busy", "", timer.compare(lambda: 1.0, lambda: 2.0, repeats), "s")]

    monkeypatch.setattr(bench, "PARTS", {"fake": part})
    # A quiet start and the first row's three pairs, then busy from there on.
    path = bench.run_bench("digits", project_data, tmp_path, 3, False, ["bench"],
                           timer=timer(*script(0.0, (0.0, 0.0), (0.0, 0.0), (0.0, 0.0)), 0.5))
    with open(path) as saved:
        rows = list(csv.DictReader(saved))
    assert [(row["subject"], row["void"][:5]) for row in rows] == [("quiet", ""), ("busy", "void:")]
    assert float(rows[0]["other_cpu_share"]) == 0.0 and float(rows[1]["other_cpu_share"]) == 0.5
    load = json.loads((tmp_path / "bench" / "metadata.json").read_text())["load"]
    assert load["other_cpu_limit"] == quiet.OTHER_CPU_LIMIT and load["void_rows"] == 1


def test_a_bench_of_one_part_replaces_that_parts_rows_and_keeps_the_others(tmp_path, project_data,
                                                                           monkeypatch):
    def part(name, subject):
        def timed(timer, dataset, data_dir, repeats, digest):
            return [quiet.timed_row(name, subject, "", timer.compare(lambda: 1.0, lambda: 2.0,
                                                                      repeats), "s")]
        return timed

    monkeypatch.setattr(bench, "PARTS", {"one": part("one", "first"), "two": part("two", "first")})
    bench.run_bench("digits", project_data, tmp_path, 3, False, ["bench"], timer=timer(0.0))
    monkeypatch.setattr(bench, "PARTS", {"one": part("one", "again"), "two": part("two", "again")})
    path = bench.run_bench("digits", project_data, tmp_path, 3, False, ["bench"], timer=timer(0.0),
                           parts=("two",))
    with open(path) as saved:
        rows = list(csv.DictReader(saved))
    assert [(row["part"], row["subject"]) for row in rows] == [("one", "first"), ("two", "again")]


def test_the_suite_part_alone_times_quick_a_no_op_all_and_the_tests_each_in_a_fresh_clone(
        tmp_path, project_data, monkeypatch):
    import subprocess

    made, real_run = [], subprocess.run

    def fake_run(command, cwd=None, **options):
        if command[:2] == ["git", "clone"]:  # a clone: only its folder is needed
            Path(command[-1], "data").mkdir(parents=True)
        elif command[0] != "make":
            return real_run(command, cwd=cwd, **options)  # the metadata's own git calls
        else:
            made.append((Path(cwd).name, [argument for argument in command
                                           if not argument.startswith(("INSTALLED=", "--"))][1:]))
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(bench.subprocess, "run", fake_run)
    monkeypatch.setattr(bench, "PARTS", {"one": lambda *arguments: pytest.fail("not the suite")})
    path = bench.run_bench("digits", project_data, tmp_path, 3, False, ["bench"], timer=timer(0.0),
                           parts=(bench.SUITE,))
    with open(path) as saved:
        subjects = [row["subject"] for row in csv.DictReader(saved)]
    assert subjects == ["make quick from a fresh clone", "make quick on more jobs",
                        "no-op make all", "make test from a fresh clone"]
    quick = [clone for clone, target in made if target[0] == "quick"]
    tests = [clone for clone, target in made if target == ["test"]]
    no_op = [clone for clone, target in made if target == ["all"]]
    # Every quick run and every test run had a clone of its own; the no-op ran in the last quick's.
    assert len(quick) == 6 and len(tests) == 3 and len(set(quick + tests)) == 9
    assert set(no_op) == {quick[-1]}


@pytest.mark.slow  # starts three worker interpreters, two of them at once
def test_a_thread_side_times_the_runs_of_workers_started_with_its_settings(project_data, monkeypatch):
    from mlhistory.running import bench_threads, threads

    monkeypatch.setitem(bench_threads.WORKLOADS, "Naive Bayes", ("gaussian_nb", {}, 300))
    monkeypatch.setattr(bench_threads, "N_TEST", 200)
    workers = bench_threads.Workers("Naive Bayes", "digits", project_data,
                                    origin("digits", project_data).digest)
    one = threads.LAYOUTS["alone"].with_threads(1)
    assert workers.alone(one) > 0 and len(workers.last) == 1
    assert workers.two(one, at_once=True) > 0 and len(workers.last) == 2
    # Both fit the same model on the same data.
    assert workers.last[0]["accuracy"] == workers.last[1]["accuracy"]


class FakeWorkers:
    """Workers that start nothing: each side takes 1 s alone and 3 s for two runs."""

    def __init__(self, library, *arguments):
        self.accuracies = {}

    def side(self, settings, runs="alone"):
        def run():
            self.accuracies[settings.layout] = "0.9000"
            return 1.0 if runs == "alone" else 3.0
        return run


def test_the_thread_part_has_two_rows_per_library_and_tensorflow_s_inter_op(monkeypatch):
    from mlhistory.running import bench_threads

    monkeypatch.setattr(bench_threads, "Workers", FakeWorkers)
    rows = bench_threads.thread_counts(timer(0.0), "digits", None, 3, "d")
    libraries = list(bench_threads.WORKLOADS)
    assert [row["subject"] for row in rows] == [
        *(subject for library in libraries for subject in (
            f"{library}: 1 thread against 2, alone",
            f"{library}: 2 runs side by side on 1 thread each against one after the other on 2")),
        "TensorFlow inter-op: 1 thread against 2 (intra-op 2)"]
    assert all(row["void"] == "" and "median of 3" in row["setting"] for row in rows)
    assert rows[0]["detail"] == "accuracy 0.9000 against 0.9000"


def test_the_bins_part_compares_fewer_bins_with_the_library_default(project_data, monkeypatch):
    from mlhistory.running import bench_threads

    monkeypatch.setattr(bench_threads, "N_TRAIN", 300)
    monkeypatch.setattr(bench_threads, "N_TEST", 200)
    digest = origin("digits", project_data).digest
    rows = bench_threads.booster_bins(timer(0.0), "digits", project_data, 1, digest)
    assert [row["subject"] for row in rows] == ["XGBoost max_bin 64 against 256",
                                                "LightGBM max_bin 64 against 255"]
    assert all(row["detail"].startswith("accuracy ") and "points)" in row["detail"] for row in rows)


def test_a_fixed_load_reads_the_same_share_every_time():
    fixed = quiet.QuietTimer(quiet.FixedLoad(0.3, cpus=4), sleep=lambda seconds: None)
    assert fixed.share_over(1.0) == pytest.approx(0.3) and fixed.load.cpus == 4
    assert not fixed.compare(lambda: 1.0, lambda: 1.0).quiet
