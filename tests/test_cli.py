"""End to end through the real command line: a quick run on digits, reruns, and bad input."""

import csv
import os
import subprocess

import pytest
from conftest import PROJECT_ROOT, run_cli

EXPERIMENT = "experiments/01_probabilistic.py"


def test_experiment_writes_rows_claims_plots_and_metadata(digits_results):
    folder = digits_results / "digits" / "01_probabilistic"
    with open(folder / "runs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Deterministic models run once; the dense net once per seed.
    assert sorted((row["model"], row["seed"]) for row in rows) == [
        ("bernoulli_nb", "0"), ("dense", "0"), ("dense", "1"), ("gaussian_nb", "0"),
        ("logreg", "0")]
    assert all(row["n_train"] == "1347" and row["n_test"] == "450" for row in rows)
    with open(folder / "claims.csv", newline="") as handle:
        verdicts = {row["claim_id"]: row["verdict"] for row in csv.DictReader(handle)}
    assert set(verdicts) == {"logreg_beats_naive_bayes", "dense_beats_probabilistic"}
    # The digits' 450 test images decide nothing: every comparison is an illustration.
    assert set(verdicts.values()) == {"underpowered"}
    for name in ("accuracy_and_fit_time.png", "confusion_matrices.png", "class_templates.png",
                 "metadata.json", "experiment.json"):
        assert (folder / name).stat().st_size > 0


def test_rerun_reuses_every_cached_run(digits_results):
    completed = run_cli(EXPERIMENT, "--dataset", "digits", "--seeds", "0", "1",
                        "--results-dir", str(digits_results))
    assert completed.returncode == 0, completed.stderr
    assert "5 runs (5 from the cache)" in completed.stdout
    assert "[run " not in completed.stdout


def test_report_command_renders_from_saved_results(digits_results):
    completed = run_cli("-m", "mlhistory", "report", "--results-dir", str(digits_results))
    assert completed.returncode == 0, completed.stderr
    # The main page's section of the experiment links to its page on digits.
    main_page = (digits_results / "REPORT.md").read_text()
    assert "\n## 01 Probabilistic modelling" in main_page
    assert "(digits/01_probabilistic/README.md)" in main_page
    assert "\n## Claims\n" in (digits_results / "digits" / "01_probabilistic" / "README.md").read_text()


def _assert_one_line_error(completed, status, fragment):
    assert completed.returncode == status
    assert completed.stderr.strip().count("\n") == 0, completed.stderr
    assert "Traceback" not in completed.stderr and fragment in completed.stderr


@pytest.mark.parametrize("arguments, status, fragment", [
    (["--dataset", "cifar10"], 2, "unknown dataset 'cifar10'; choose one of"),
    (["--dataset", "digits", "--n-train", "5"], 2, "below the number of classes"),
    (["--dataset", "digits", "--n-train", "100000"], 2, "larger than the 1347"),
])
def test_bad_experiment_arguments_fail_in_one_line(arguments, status, fragment, tmp_path):
    completed = run_cli(EXPERIMENT, *arguments, "--results-dir", str(tmp_path))
    _assert_one_line_error(completed, status, fragment)
    assert os.listdir(tmp_path) == []


def test_unknown_model_fails_in_one_line(tmp_path):
    completed = run_cli("-m", "mlhistory", "run", "--model", "deep_svm", "--dataset", "digits",
                        "--results-dir", str(tmp_path))
    _assert_one_line_error(completed, 2, "unknown model 'deep_svm'; choose one of: gaussian_nb")


def test_unknown_experiment_fails_in_one_line():
    completed = subprocess.run(["make", "--no-print-directory", "experiment", "NAME=99_future"],
                               cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert completed.returncode != 0
    assert "unknown experiment '99_future'; choose one of: 01_probabilistic" in completed.stderr


def test_corrupted_data_fails_in_one_line_and_keeps_existing_results(digits_results, tmp_path):
    data_dir = tmp_path / "data"
    (data_dir / "fashion_mnist").mkdir(parents=True)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (data_dir / "fashion_mnist" / name).write_bytes(b"\x1f\x8b garbage")
    runs_csv = digits_results / "digits" / "01_probabilistic" / "runs.csv"
    before = runs_csv.read_bytes()
    completed = run_cli(EXPERIMENT, "--dataset", "fashion_mnist", "--quick", "--data-dir",
                        str(data_dir), "--results-dir", str(digits_results))
    _assert_one_line_error(completed, 1, "train-images-idx3-ubyte.gz: cannot be decompressed")
    assert runs_csv.read_bytes() == before
    assert not (digits_results / "fashion_mnist").exists()


def test_data_dir_can_come_from_the_environment(tmp_path):
    env = {**os.environ, "MLHISTORY_DATA_DIR": str(tmp_path / "elsewhere")}
    completed = run_cli("-m", "mlhistory", "data", "--dataset", "satellite", env=env)
    assert completed.returncode == 0, completed.stderr
    assert str(tmp_path / "elsewhere" / "satellite") in completed.stdout
    assert (tmp_path / "elsewhere" / "satellite" / "decoded" / "x_train.npy").exists()


@pytest.mark.parametrize("option", ["--data-dir", "--results-dir"])
def test_an_unwritable_folder_fails_in_one_line(tmp_path, option):
    (tmp_path / "a-file").write_text("not a folder")
    dataset = "fashion_mnist" if option == "--data-dir" else "digits"
    completed = run_cli(EXPERIMENT, "--dataset", dataset, "--quick", option,
                        str(tmp_path / "a-file" / "inside"))
    _assert_one_line_error(completed, 1 if option == "--data-dir" else 2, "choose a writable")


def test_bench_refuses_fewer_than_one_repeat(tmp_path):
    completed = run_cli("-m", "mlhistory", "bench", "--repeats", "0", "--results-dir", str(tmp_path))
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == ["error: --repeats must be at least 1, not 0"]
