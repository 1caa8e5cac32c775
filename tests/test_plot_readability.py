"""The checks a reader's eye would make on a figure, each shown to catch a broken figure (so it
cannot pass vacuously), and the colours and axes every figure shares."""

import csv

import numpy as np
import pytest

from mlhistory.models import registry
from mlhistory.paths import REFERENCES_DIR
from mlhistory.reporting.plots import axes, colours, readability
from mlhistory.reporting.plots.layers import book_layer_names
from mlhistory.results import ExperimentResults, testing

plt = axes.plt


@pytest.fixture
def figure():
    figure, axis = plt.subplots(figsize=(axes.WIDTH, 5))
    axis.plot([1, 2, 3], [0.2, 0.5, 0.9], label="a line")
    axis.set_xlabel("epoch")
    axis.set_ylabel("test accuracy")
    axis.set_ylim(0, 1)
    axis.legend()
    yield figure
    plt.close(figure)


def test_a_tidy_figure_has_no_problems(figure):
    assert readability.readability_problems(figure) == []


def test_overlapping_tick_labels_are_caught(figure):
    axis = figure.axes[0]
    axis.set_xticks([1, 1.01, 3], ["a long tick label", "another long one", "fine"])
    assert any("tick labels overlap" in problem for problem in readability.readability_problems(figure))


def test_texts_written_over_each_other_are_caught(figure):
    axis = figure.axes[0]
    axis.text(2, 0.5, "a value label")
    axis.text(2.01, 0.5, "another label")
    assert any("texts overlap" in problem for problem in readability.readability_problems(figure))


def test_axis_labels_of_two_panels_written_over_each_other_are_caught():
    figure, (left, right) = plt.subplots(1, 2, figsize=(axes.WIDTH, 4), sharey=True,
                                         gridspec_kw={"width_ratios": [0.1, 1], "wspace": 0.05})
    try:
        for axis in (left, right):
            axis.plot([1, 2], [1, 2])
        left.set_ylabel("y")
        left.set_xlabel("a long label for a narrow panel, wider than it is")
        right.set_xlabel("the wide panel's own label, long enough to reach across into the narrow one")
        assert any("texts overlap" in problem
                   for problem in readability.readability_problems(figure))
    finally:
        plt.close(figure)


@pytest.mark.parametrize("values, split", [
    ([0.52, 0.84, 0.87, 0.9, 0.97, 0.99], 0.84),  # naive Bayes far below: break above it
    ([0.8, 0.83, 0.86, 0.9, 0.95], None),  # no wide gap: one axis
    ([0.1, 0.5, 0.6, 0.7], None),  # the part above the gap is no narrow crowd
    # Fashion-MNIST's tail (naive Bayes at 0.57-0.72) below its crowd at 0.79-0.90: break
    # above the whole tail, not only above its lowest member.
    ([0.571, 0.648, 0.654, 0.717, 0.79, 0.791, 0.804, 0.811, 0.827, 0.835, 0.842, 0.87, 0.88,
      0.896, 0.899], 0.79),
    ([0.5, 0.8, 0.81, 0.82, 0.83, 0.84, 0.98, 0.99], 0.8),  # a higher gap, above too few values
])
def test_an_accuracy_axis_is_broken_only_where_a_few_values_lie_far_below(values, split):
    assert axes.accuracy_split(values) == split


def test_a_legend_entry_with_nothing_drawn_is_caught(figure):
    axis = figure.axes[0]
    axis.legend([plt.Rectangle((0, 0), 1, 1)], ["a family with no bars"])
    assert any("has nothing drawn" in problem for problem in readability.readability_problems(figure))


def test_an_axis_of_numbers_without_a_label_is_caught(figure):
    figure.axes[0].set_xlabel("")
    assert any("has no label" in problem for problem in readability.readability_problems(figure))


def test_a_truncated_accuracy_axis_without_a_mark_is_caught(figure):
    axis = figure.axes[0]
    axis.set_ylim(0.8, 1.0)
    assert any("no mark" in problem for problem in readability.readability_problems(figure))
    axes.label_accuracy_axis(axis, "y", "test accuracy")
    assert readability.readability_problems(figure) == []
    assert "axis starts at 0.8" in axis.get_ylabel()


def test_a_break_mark_over_a_tick_label_is_caught():
    # A tall, narrow panel (the lowest models beside a broken axis): the break mark, sized in
    # points, stays on the axis line, clear of the tick labels under it.
    figure, axis = plt.subplots(figsize=(2, 14))
    axis.plot([0.5, 0.55], [0, 1], label="a line")
    axis.set_xlim(0.5, 0.56)
    axes.label_accuracy_axis(axis, "x", "test accuracy")
    figure.canvas.draw()
    assert readability.marks_over_tick_labels(figure) == []
    # Planted: a mark stretched over the first tick label is caught.
    axis.plot([0.0, 0.1], [-0.05, 0.0], transform=axis.transAxes, clip_on=False,
              gid=axes.TRUNCATION_MARK)
    figure.canvas.draw()
    assert any("drawn over the tick label" in problem
               for problem in readability.marks_over_tick_labels(figure))
    plt.close(figure)


def test_text_too_small_at_the_report_width_is_caught():
    figure, axis = plt.subplots(figsize=(16, 5))
    axis.plot([1, 2], [1, 2])
    axis.set_xlabel("x", fontsize=6)
    axis.set_ylabel("y")
    try:
        assert any("px high" in problem for problem in readability.readability_problems(figure))
    finally:
        plt.close(figure)


def test_a_mark_that_is_no_data_inside_the_data_area_is_caught(figure):
    axis = figure.axes[0]
    # A method "not run here" drawn at some error rate reads as a measured value.
    axis.plot(2, 0.1, marker="o", markerfacecolor="white", gid=axes.NOT_DATA, label="not run")
    assert any("no data" in problem for problem in readability.readability_problems(figure))


def test_a_mark_that_is_no_data_in_a_margin_strip_passes(figure):
    strip = figure.add_axes((0.125, 0.02, 0.775, 0.04), sharex=figure.axes[0], gid=axes.MARGIN)
    strip.plot(2, 0.5, marker="o", markerfacecolor="white", gid=axes.NOT_DATA)
    strip.set_yticks([])
    strip.set_xlabel("year")
    figure.axes[0].set_xlabel("")
    figure.axes[0].tick_params(labelbottom=False)
    assert readability.readability_problems(figure) == []


def test_leader_lines_that_cross_are_caught(figure):
    axis = figure.axes[0]
    arrow = {"arrowstyle": "-"}
    axis.annotate("first", (1.2, 0.2), xytext=(2.6, 0.8), arrowprops=arrow)
    axis.annotate("second", (1.2, 0.8), xytext=(2.6, 0.3), arrowprops=arrow)
    assert any("leader lines cross" in problem
               for problem in readability.readability_problems(figure))


def test_leader_lines_to_one_point_or_side_by_side_pass(figure):
    axis = figure.axes[0]
    arrow = {"arrowstyle": "-"}
    axis.annotate("upper", (1.2, 0.8), xytext=(2.6, 0.8), arrowprops=arrow)
    axis.annotate("lower", (1.2, 0.3), xytext=(2.6, 0.3), arrowprops=arrow)
    assert readability.readability_problems(figure) == []


def test_label_placement_draws_no_crossing_leaders():
    figure, axis = plt.subplots(figsize=(axes.WIDTH, 5))
    try:
        # A tight cluster, as the timeline's 2010s: every label needs a leader.
        points = [(2010 + 0.6 * index, 0.02 + 0.0004 * (index % 3), f"method number {index}")
                  for index in range(8)]
        axis.plot([x for x, _, _ in points], [y for _, y, _ in points], "o")
        axis.set_xlim(1990, 2020)
        axis.set_xlabel("year")
        axis.set_ylabel("error")
        axes.label_without_overlap(axis, points)
        assert readability.crossing_leader_lines(figure) == []
    finally:
        plt.close(figure)


def test_two_series_of_one_colour_are_caught(figure):
    axis = figure.axes[0]
    axis.plot([1, 2, 3], [0.3, 0.4, 0.5], color=axis.get_lines()[0].get_color(), linestyle="--",
              label="another line")
    axis.legend()
    assert any("of one colour" in problem for problem in readability.readability_problems(figure))


def test_members_of_one_lineage_get_distinct_colours():
    styles = [colours.member_style("book_net", index) for index in range(3)]
    assert len({style["color"] for style in styles}) == 3
    assert styles[0]["color"] == colours.family_color("book_net")
    assert len(set(colours.category_colours(["1990s", "2010", "2015"]).values())) == 3


@pytest.mark.parametrize("text", ["Vanishing gradients made visible", "The explicit map explodes"])
def test_a_title_that_claims_an_effect_is_caught(figure, text):
    figure.suptitle(text)
    assert any("claims an effect" in problem for problem in readability.readability_problems(figure))


def test_a_title_that_says_what_is_drawn_passes(figure):
    figure.suptitle("Gradient norm of each layer, at initialisation and after one epoch")
    assert readability.readability_problems(figure) == []


def test_save_refuses_an_unreadable_figure_while_checking(figure, tmp_path):
    figure.axes[0].legend([plt.Rectangle((0, 0), 1, 1)], ["nothing drawn"])
    with readability.checking_readability(), \
            pytest.raises(readability.UnreadableFigure, match="nothing drawn"):
        readability.save(figure, tmp_path / "broken.png")
    assert not (tmp_path / "broken.png").exists()


def test_a_single_run_says_so_instead_of_a_zero_width_error_bar(figure):
    axis = figure.axes[0]
    axes.spread(axis, 0, [0.9], "black")
    axes.spread(axis, 1, [0.8, 0.82, 0.84], "black")
    notes = [text.get_text() for text in axis.texts]
    assert notes == ["n = 1 run"]


def test_every_lineage_of_the_registry_has_a_colour_and_nothing_else_does():
    assert set(colours.FAMILIES) == set(registry.LINEAGES)
    assert all(colours.family_color(lineage).startswith("#") for lineage in registry.LINEAGES)


def test_a_model_entry_without_a_lineage_fails_loudly():
    entry = registry.get("logreg")
    with pytest.raises(TypeError, match="needs a lineage"):
        registry.ModelEntry(name="unmapped", family=entry.family, build=entry.build, defaults={},
                            preprocessing="", provenance="", stochastic=False, display="Unmapped",
                            lineage="")


def test_a_wrapper_takes_the_lineage_of_the_model_it_wraps():
    assert registry.get("continual_shallow").lineage_of({"learner": "gaussian_nb"}) == "naive_bayes"
    assert registry.get("continual_net").lineage_of({"network": "convnet"}) == "book_net"


def test_family_legend_names_each_family_once():
    legend = colours.FamilyLegend()
    assert [legend.label(family) for family in ("svm", "svm", "forest")] == \
        ["SVMs", "_nolegend_", "forests"]


def test_keras_layer_names_in_the_book_s_words():
    names = ["input", "conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "conv2d_2", "dense"]
    assert book_layer_names(names) == ["input pixels", "conv block 1", "pooling 1", "conv block 2",
                                       "pooling 2", "conv block 3", "dense head"]
    with pytest.raises(ValueError, match="book's words"):
        book_layer_names(["input", "lstm"])


def test_timeline_dates_carry_their_sources_and_follow_the_issue():
    with open(REFERENCES_DIR / "timeline.csv", newline="") as handle:
        rows = {row["model"]: row for row in csv.DictReader(handle)}
    assert all(row["source"].strip() and row["label"].strip() for row in rows.values())
    # A method's lineage on the timeline is its registry entry's.
    assert all(row["lineage"] == registry.get(model).lineage_of({}) for model, row in rows.items())
    years = {model: int(row["year"]) for model, row in rows.items()}
    assert years["decision_tree"] == 1984 and "CART" in rows["decision_tree"]["label"]
    assert years["hist_gradient_boosting"] == 1999 and years["xgboost"] == 2014
    assert years["perceptron"] == 1958 and years["lightgbm"] == 2017
    assert "modern recipe" in rows["dense"]["label"]


def _capture(monkeypatch, module):
    """Draw a figure but keep it open, returning the figure the plot function saved."""
    drawn = []
    monkeypatch.setattr(module, "save", lambda figure, path: drawn.append(figure))
    return drawn


def test_who_wins_on_imbalanced_data_by_balanced_accuracy(tmp_path, monkeypatch):
    from mlhistory import atomic
    from mlhistory.reporting.plots import grids
    from mlhistory.results import write_rows

    folder = tmp_path / "digits" / "11_fixture"
    # On "shuttle" the forest is right more often, but only the booster finds the rare class.
    confusions = {"random_forest": np.array([[98, 0], [2, 0]]),
                  "xgboost": np.array([[90, 8], [0, 2]])}
    runs, rows = [], []
    for model, confusion in confusions.items():
        key = f"{model}-shuttle"
        accuracy = float(np.trace(confusion) / confusion.sum())
        rows.append({"experiment": "11_fixture", "dataset": "shuttle", "model": model,
                     "features": "columns", "params": "{}", "seed": 0, "n_train": 100,
                     "n_test": 100, "accuracy": accuracy, "macro_f1": 0.5, "fit_seconds": 1.0,
                     "predict_seconds": 0.1, "n_params": None, "model_bytes": 1, "peak_rss_mb": 1.0,
                     "run_key": key})
        atomic.write_npz(tmp_path / "cache" / "shuttle" / f"{key}.npz", {"confusion": confusion})
        runs.append(testing.run_record(f"{model} (shuttle)", model=model,
                                       color_family=registry.get(model).lineage_of({}),
                                       dataset="shuttle", dataset_shown=True, run_keys=[key]))
    manifest = testing.manifest(
        runs, [testing.dataset_record("digits", description="fixture"),
               testing.dataset_record("shuttle", description="fixture", kind="tabular",
                                      input_shape=(9,), class_names=("common", "rare"),
                                      n_train=100, n_test=100)],
        experiment_id="11_fixture")
    atomic.write_json(folder / "experiment.json", manifest.to_dict())
    write_rows(folder / "runs.csv", rows)
    drawn = _capture(monkeypatch, grids)
    grids.who_wins_grid(ExperimentResults.read(folder), tmp_path / "grid.png",
                        models=["random_forest", "xgboost"], imbalanced=["shuttle"])
    axis = drawn[0].axes[0]
    best = [text for text in axis.texts if text.get_text().startswith("best")]
    assert len(best) == 1 and best[0].get_position()[0] == 1  # the booster's column
    assert "balanced accuracy" in axis.get_yticklabels()[0].get_text()
    plt.close(drawn[0])
