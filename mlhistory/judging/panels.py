"""Claims over a panel of cells (datasets, training sizes) and contrasts of several runs' means.

- ``Sometimes``: a "sometimes" claim ("sometimes there isn't enough data for deep learning")
  holds when some cell of the panel shows it, and is refuted only when every counted cell
  refutes it: one case never decides against it;
- ``KeepsGaining``: an interaction. Along the same steps (depth 1, 2, 3, 4), does one way of
  training (joint) keep gaining where another (greedy) stops? The gain from a step on to the
  last, one series' minus the other's, by the paired bootstrap of the mean;
- ``GapInteraction``: an interaction across datasets. Is A's advantage over B larger on one set
  of datasets (tables) than on another (images)? The mean gap over the one minus the other's.
"""

from dataclasses import dataclass

import numpy as np

from ..results import ExperimentResults
from . import paired
from .base import Claim, NoResults, flatten, results_of_each
from .comparisons import all_of, combined, compare_against, illustration
from .margins import (
    ACCURACY_MARGIN,
    BEATS,
    MIN_TEST_IMAGES,
    margin_of,
    points,
    verdict_of_interval,
)
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


@dataclass(frozen=True)
class CountedGap:
    """One dataset's pair in a ``GapInteraction``: its bootstrap draws of the gap, the gap of
    the means, the rows of both sides and its test images."""

    draws: np.ndarray
    gap: float
    rows: list[dict]
    n_test: int


@dataclass(frozen=True)
class GapInteraction(Claim):
    """An interaction across datasets: A's advantage over B is larger on some datasets than on
    others (the booster's over the net on tables against on images).

    ``larger`` and ``smaller``: (A, B) pairs, one per dataset. The contrast is the mean gap (A
    minus B in mean ``metric``) over the counted ``larger`` pairs minus the mean over the
    counted ``smaller`` ones, drawn by the paired bootstrap of the mean: each pair on its own
    test set (its seeds, and its images the same for both sides), independently of the other
    pairs. Holds when the contrast's 95 % interval lies above 0, fails when below, ties when
    within ± the margin. A pair on fewer than ``MIN_TEST_IMAGES`` test images, or without
    results here, is listed and not counted.
    """

    larger: tuple[tuple[str, str], ...]
    smaller: tuple[tuple[str, str], ...]
    metric: str = "accuracy"
    kind = "gap_interaction"
    evidence_plots = ("who_wins_grid", "landscape")

    def run_labels(self) -> tuple[str, ...]:
        return (*flatten(self.larger), *flatten(self.smaller))

    def _gaps(self, results: ExperimentResults, pairs, first_seed: int
              ) -> tuple[list["CountedGap"], list[str]]:
        """Each counted pair's gap and its bootstrap draws, and what every pair was."""
        counted, details = [], []
        for index, (label_a, label_b) in enumerate(pairs):
            try:
                rows = results_of_each(results, (label_a, label_b))
            except NoResults as missing:
                details.append(f"[not counted] {missing.evidence}")
                continue
            name_a, name_b = results.display_name(label_a), results.display_name(label_b)
            n_test = rows[label_a][0]["n_test"]
            means = {label: float(np.mean([row[self.metric] for row in found]))
                     for label, found in rows.items()}
            gap = means[label_a] - means[label_b]
            if n_test < MIN_TEST_IMAGES:
                details.append(f"[illustration, not counted] {name_a} minus {name_b} "
                               f"{points(gap)} points on {n_test:,} test images")
                continue
            labels = results.test_labels(rows[label_a][0])
            sides = [np.stack([results.artifacts(row)["predictions"] for row in rows[label]])
                     for label in (label_a, label_b)]
            draws = paired.bootstrap_means(sides, labels, self.metric,
                                           len(results.dataset_of(label_a).class_names),
                                           seed=first_seed + index)
            counted.append(CountedGap(draws[:, 0] - draws[:, 1], gap,
                                      [row for found in rows.values() for row in found], n_test))
            details.append(f"{name_a} minus {name_b} {points(gap)} points ({len(rows[label_a])} "
                           f"and {len(rows[label_b])} runs, {n_test:,} test images)")
        return counted, details

    def decide(self, results: ExperimentResults) -> Verdict:
        larger, larger_details = self._gaps(results, self.larger, paired.BOOTSTRAP_SEED)
        smaller, smaller_details = self._gaps(results, self.smaller,
                                              paired.BOOTSTRAP_SEED + len(self.larger))
        test = (f"mean gap over one set of datasets minus the mean over the other, each pair by "
                f"the {paired.BOOTSTRAP} on its own test set, against the margin")
        evidence = (f"where it should be larger: {'; '.join(larger_details)} | where smaller: "
                    f"{'; '.join(smaller_details)}")
        sets = ((larger, larger_details, self.larger), (smaller, smaller_details, self.smaller))
        # A set without results decides first (setup short), then one of illustrations only.
        for counted, details, pairs in sets:
            if not counted and not any(detail.startswith("[illustration") for detail in details):
                raise NoResults(*flatten(pairs))
        for counted, _, pairs in sets:
            if not counted:
                return Verdict(UNDERPOWERED, f"no pair of {', '.join(flatten(pairs))} is on "
                                             f"{MIN_TEST_IMAGES:,} test images or more: "
                                             + evidence, test)
        margin = margin_of(self.metric)

        draws = (np.mean([found.draws for found in larger], axis=0)
                 - np.mean([found.draws for found in smaller], axis=0))
        gap_larger = float(np.mean([found.gap for found in larger]))
        gap_smaller = float(np.mean([found.gap for found in smaller]))
        contrast = gap_larger - gap_smaller
        low, high = paired.interval(draws)
        verdict = verdict_of_interval(low, high, margin, BEATS)
        evidence += (f"; mean gaps {points(gap_larger)} and {points(gap_smaller)} points, the "
                     f"difference {points(contrast)}, 95 % interval {points(low)}..{points(high)}, "
                     f"margin {100 * margin:.2f}")

        def side(counted: list[CountedGap]) -> tuple[int, int]:
            rows = [row for found in counted for row in found.rows]
            return len(rows), max(row["n_train"] for row in rows)

        (runs_a, n_train_a), (runs_b, n_train_b) = side(larger), side(smaller)
        n_test = min(found.n_test for found in (*larger, *smaller))
        numbers = Numbers(f"{self.metric} gap", f"mean gap on {len(larger)} datasets",
                          f"mean gap on {len(smaller)} datasets", gap_larger, gap_smaller,
                          contrast, low, high, margin, runs_a, runs_b, n_train_a, n_train_b,
                          n_test, "an interaction: one set of datasets' mean gap minus the "
                                  "other's; runs summed over the pairs, n_train the largest, "
                                  "n_test the smallest counted test set")
        return Verdict(verdict, evidence, test, paired.two_sided_p(draws), numbers)
