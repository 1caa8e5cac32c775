"""Claims over a panel of cells (datasets, training sizes) and contrasts of several runs' means.

- ``Sometimes``: a "sometimes" claim ("sometimes there isn't enough data for deep learning")
  holds when some cell of the panel shows it, and is refuted only when every counted cell
  refutes it: one case never decides against it;
- ``KeepsGaining``: an interaction. Along the same steps (depth 1, 2, 3, 4), does one way of
  training (joint) keep gaining where another (greedy) stops? The gain from a step on to the
  last, one series' minus the other's, by the paired bootstrap of the mean.
"""

from dataclasses import dataclass

import numpy as np

from ..results import ExperimentResults
from . import paired
from .base import Claim, NoResults, results_of_each
from .comparisons import all_of, combined, compare_against, illustration
from .margins import ACCURACY_MARGIN, BEATS, MIN_TEST_IMAGES, points, verdict_of_interval
from .verdicts import FAILS, HOLDS, TIES, UNDERPOWERED, Numbers, Verdict


@dataclass(frozen=True)
class Sometimes(Claim):
    """In some cell, some of the cell's ``candidates`` beats every one of its ``opponents``.

    ``cells``: (candidates, opponents, n_train or None for the largest size), one per dataset
    and size. In a cell a candidate shows the claim when it beats every opponent (each gap's
    95 % interval above 0, the paired test of the mean); it is refuted there when some opponent
    beats or ties it (an interval below 0, or within ± the margin). A cell shows the claim when
    one candidate does, refutes it when every candidate is refuted. Holds when a counted cell
    shows it; fails when every counted cell refutes it; underpowered otherwise. A cell on fewer
    than ``MIN_TEST_IMAGES`` test images, or without results here, is listed and not counted.
    """

    cells: tuple[tuple[tuple[str, ...], tuple[str, ...], int | None], ...]
    metric: str = "accuracy"
    kind = "sometimes"
    evidence_plots = ("learning_curves", "who_wins_grid", "landscape")

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "cells", tuple(
            (tuple(candidates), tuple(opponents), n_train)
            for candidates, opponents, n_train in self.cells))

    def run_labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(label for candidates, opponents, _ in self.cells
                                   for label in (*candidates, *opponents)))

    def judged_rows(self, results: ExperimentResults, label: str) -> list[dict]:
        """A label's rows at every size a cell judges it at (None: its largest)."""
        sizes = {n_train for candidates, opponents, n_train in self.cells
                 if label in (*candidates, *opponents)}
        rows = results.rows_of(label, all_sizes=True, with_excluded=True)
        largest = max((row["n_train"] for row in rows), default=None)
        return [row for row in rows
                if row["n_train"] in sizes or (None in sizes and row["n_train"] == largest)]

    def decide(self, results: ExperimentResults) -> Verdict:
        shown, refuted, open_cells, details = [], [], [], []
        for candidates, opponents, n_train in self.cells:
            where = f"n_train={n_train:,}" if n_train else "largest size"
            outcomes = []
            for candidate in candidates:
                try:
                    comparisons = compare_against(results, candidate, opponents, self.metric,
                                                  n_train, BEATS)
                except NoResults as missing:
                    details.append(f"[not counted] {missing.evidence}")
                    continue
                outcomes.append((candidate, comparisons))
            if not outcomes:
                continue
            if any(illustration(comparison) for _, found in outcomes for comparison in found):
                details.append(f"[illustration, not counted] {results.display_name(outcomes[0][0])}"
                               f" ({where}): fewer than {MIN_TEST_IMAGES:,} test images")
                continue
            showing = [(candidate, found) for candidate, found in outcomes
                       if all(comparison.verdict == HOLDS for comparison in found)]
            if showing:
                candidate, found = showing[0]
                summary = combined(HOLDS, found)
                shown.append(summary)
                details.append(f"[shows it] {results.display_name(candidate)} ({where}) beats "
                               f"every opponent: {summary.evidence}")
            elif all(any(comparison.verdict in (FAILS, TIES) for comparison in found)
                     for _, found in outcomes):
                refuted.append(min((comparison for _, found in outcomes for comparison in found),
                                   key=lambda comparison: -comparison.numbers.high))
                details.append(f"[refutes it] ({where}) every candidate is beaten or tied by "
                               f"an opponent")
            else:
                best = [all_of(comparison.verdict for comparison in found) for _, found in outcomes]
                open_cells.append(best)
                details.append(f"[undecided] ({where}) no candidate beats every opponent "
                               f"clearly, and not every one is beaten or tied")
        counted = len(shown) + len(refuted) + len(open_cells)
        if not counted:
            raise NoResults(*self.run_labels())
        if shown:
            verdict, chosen = HOLDS, max(shown, key=lambda summary: summary.numbers.low)
        elif not open_cells:
            verdict, chosen = FAILS, refuted[0]
        else:
            verdict, chosen = UNDERPOWERED, None
        evidence = (f"{len(shown)} of {counted} counted cells show it, {len(refuted)} refute it, "
                    f"{len(open_cells)} undecided; " + "; ".join(details))
        test = ("per cell, each candidate against every opponent by the paired test of the mean "
                "against the margin; holds when one cell shows a candidate beating them all")
        return Verdict(verdict, evidence, test, chosen.p_value if chosen else None,
                       chosen.numbers if chosen else None)


@dataclass(frozen=True)
class KeepsGaining(Claim):
    """``keeps`` (e.g. joint training at depth 1..4) gains more from step ``start`` to its last
    step than ``stops`` (greedy training at the same depths) does: the contrast
    (keeps[-1] - keeps[start]) - (stops[-1] - stops[start]) of the mean accuracies, drawn by the
    paired bootstrap of the mean (seeds and the same test images for every run). Holds when its
    95 % interval lies above 0, fails when below, ties when within ± the margin."""

    keeps: tuple[str, ...]
    stops: tuple[str, ...]
    start: int = 1
    kind = "keeps_gaining"
    evidence_plots = ("greedy_vs_joint",)

    def run_labels(self) -> tuple[str, ...]:
        return (*self.keeps, *self.stops)

    def decide(self, results: ExperimentResults) -> Verdict:
        labels = (self.keeps[self.start], self.keeps[-1], self.stops[self.start], self.stops[-1])
        rows = results_of_each(results, labels)
        test_labels = results.test_labels(rows[labels[0]][0])
        sides = [np.stack([results.artifacts(row)["predictions"] for row in rows[label]])
                 for label in labels]
        draws = paired.bootstrap_means(sides, test_labels, "accuracy", int(test_labels.max()) + 1)
        weights = np.array([-1.0, 1.0, 1.0, -1.0])
        means = np.array([np.mean([row["accuracy"] for row in rows[label]]) for label in labels])
        gain_keeps, gain_stops = means[1] - means[0], means[3] - means[2]
        contrast = float(means @ weights)
        low, high = paired.interval(draws @ weights)
        verdict = verdict_of_interval(low, high, ACCURACY_MARGIN, BEATS)
        n_test = rows[labels[0]][0]["n_test"]
        name = results.display_name
        evidence = (f"from {name(labels[0])} to {name(labels[1])} {points(gain_keeps)} points; "
                    f"from {name(labels[2])} to {name(labels[3])} {points(gain_stops)}; the "
                    f"difference {points(contrast)}, 95 % interval {points(low)}..{points(high)}, "
                    f"margin {100 * ACCURACY_MARGIN:.2f}")
        if n_test < MIN_TEST_IMAGES:
            evidence += f"; only {n_test:,} test images: an illustration, not a verdict"
            verdict = UNDERPOWERED
        numbers = Numbers("accuracy gain", f"gain of {name(labels[0])} to {name(labels[1])}",
                          f"gain of {name(labels[2])} to {name(labels[3])}", float(gain_keeps),
                          float(gain_stops), contrast, low, high, ACCURACY_MARGIN,
                          len(rows[labels[1]]), len(rows[labels[3]]),
                          rows[labels[1]][0]["n_train"], rows[labels[3]][0]["n_train"], n_test,
                          "an interaction: one series' gain minus the other's over the same steps")
        test = f"a contrast of four runs' mean accuracies, {paired.BOOTSTRAP}, against the margin"
        return Verdict(verdict, evidence, test, paired.two_sided_p(draws @ weights), numbers)
