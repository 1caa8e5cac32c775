"""`make bench`'s measurements, on the 8x8 digits: each row a same-run ratio, and the table in
the results schema."""

import csv

from mlhistory.data import origin
from mlhistory.results.schema import BENCH_COLUMNS, write_rows
from mlhistory.running import bench


def test_runner_overhead_times_the_runner_against_the_bare_library_call(project_data, tmp_path):
    digest = origin("digits", project_data).digest
    rows = bench.runner_overhead("digits", project_data, repeats=2, digest=digest,
                                 names=["gaussian_nb", "logreg"], n_train=500, n_test=200)
    assert [row["subject"] for row in rows] == ["Gaussian naive Bayes", "Logistic regression (C=1)"]
    for row in rows:
        assert row["measured"] > 0 and row["baseline"] > 0
        # Rounded to four digits each, so the ratio of the rounded values differs a little: by
        # up to half a unit of the last digit of each, relative to times of a few milliseconds.
        rounding = row["ratio"] * (5e-5 / row["measured"] + 5e-5 / row["baseline"]) + 5e-5
        assert abs(row["ratio"] - row["measured"] / row["baseline"]) <= max(rounding, 0.01 * row["ratio"])
        assert "median of 2" in row["setting"] and row["goal"] == "ratio <= 1.05"
    write_rows(tmp_path / "bench.csv", rows, BENCH_COLUMNS)
    with open(tmp_path / "bench.csv") as saved:
        assert list(csv.DictReader(saved))[0]["part"] == "runner overhead"


def test_the_runner_overhead_takes_every_model_but_the_composite_ones():
    from mlhistory import models

    timed = bench.overhead_models()
    assert timed == [name for name, entry in models.REGISTRY.items() if not entry.composite]
    assert {"gaussian_nb", "rbf_svm", "xgboost", "dense", "convnet"} <= set(timed)
    assert not {"stacked_dense", "transfer_convnet", "continual_shallow", "tabular_mlp"} & set(timed)
