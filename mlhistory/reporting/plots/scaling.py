"""Scaling and kernel figures: what fitting costs as the training set, the features or the
machine change (fit time against size, the kernel trick's cost, measured FLOP/s beside the
machines the book quotes), and the kernel trick drawn on 2-D toy data."""

import csv
from pathlib import Path

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ...judging.base import from_dict as claim_from_dict
from ...judging.trends import FitTimeExponents
from ...paths import REFERENCES_DIR
from ...results import TOY_FILE, ExperimentResults, mean_std
from ...results.curves import fit_time_exponent, loglog_slope, size_curve, timed_fit_points
from ...results.throughput import counted_labels, format_flops, read_hardware, throughput
from .axes import (
    SMALL,
    WIDE,
    accuracy_limits,
    label_accuracy_axis,
    plt,
    runs_note,
    seconds_log_axis,
    title,
    wrap,
)
from .colours import family_of, line_styles, member_style
from .readability import save
from .registry import plot_kind


@plot_kind()
def decision_boundaries(results: ExperimentResults, path: Path) -> None:
    """Figure 1.10: boundary (solid) and margins (dashed) of each model on 2-D toy data."""
    with np.load(results.folder / TOY_FILE) as saved:
        toy = dict(saved)
    models = [("linear_svm", "linear SVM"), ("rbf_svm", "RBF SVM (kernel trick)"),
              ("net", "small Keras net (2x16 ReLU)")]
    figure, axes = plt.subplots(2, 3, figsize=(WIDE, 8.2), layout="constrained")
    for row_axes, name in zip(axes, ("moons", "circles"), strict=True):
        points, labels = toy[f"{name}_points"], toy[f"{name}_labels"]
        grid_x, grid_y = toy[f"{name}_grid_x"], toy[f"{name}_grid_y"]
        for axis, (key, caption) in zip(row_axes, models, strict=True):
            decision = toy[f"{name}_{key}_decision"]
            limit = np.abs(decision).max()
            axis.contourf(grid_x, grid_y, decision, levels=20, cmap="RdBu", alpha=0.35,
                          vmin=-limit, vmax=limit)
            axis.contour(grid_x, grid_y, decision, levels=[0], colors="black", linewidths=1.5)
            if key != "net":
                axis.contour(grid_x, grid_y, decision, levels=[-1, 1], colors="black",
                             linewidths=0.8, linestyles="dashed")
                support = toy[f"{name}_{key}_support"]
                axis.scatter(support[:, 0], support[:, 1], s=60, facecolors="none",
                             edgecolors="black", linewidths=0.7, label="support vectors")
            axis.scatter(points[:, 0], points[:, 1], c=labels, cmap="RdBu", s=10,
                         edgecolors="white", linewidths=0.3)
            accuracy = float(toy[f"{name}_{key}_accuracy"])
            axis.set_title(f"{caption} on {name}\ntraining accuracy {accuracy:.2f}", fontsize=11)
            axis.set_xticks([])
            axis.set_yticks([])
    axes[0, 0].legend(loc="lower left", fontsize=SMALL)
    figure.suptitle("Figure 1.10, measured: a linear boundary cannot separate these classes; "
                    "the kernel trick and a small net can\n(solid: decision boundary; dashed: "
                    "the SVM's margins; circled: support vectors)")
    save(figure, path)


def _kernel_trick_labels(options: dict) -> list[str]:
    """The runs behind the kernel trick plot: each label template filled in with each dimension."""
    return [template.format(dim=dim) for template in (options["kernel"], options["explicit"])
            for dim in options["dims"]]


def _bytes_tick(value: float, _) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000:
            return f"{value:g} {unit}"
        value /= 1000
    return f"{value:g} TB"


def _bytes_log_axis(axis, which: str, values) -> None:
    """A log axis of sizes in bytes, one labelled tick per decade ('100 KB', '1 MB')."""
    values = np.asarray(list(values), dtype=float)
    scale_axis = axis.yaxis if which == "y" else axis.xaxis
    (axis.set_yscale if which == "y" else axis.set_xscale)("log")
    (axis.set_ylim if which == "y" else axis.set_xlim)(
        10 ** np.floor(np.log10(values.min())), 10 ** np.ceil(np.log10(values.max() * 1.5)))
    scale_axis.set_major_locator(LogLocator(base=10, numticks=8))
    scale_axis.set_major_formatter(FuncFormatter(_bytes_tick))
    scale_axis.set_minor_formatter(NullFormatter())


@plot_kind(labels=_kernel_trick_labels)
def kernel_trick(results: ExperimentResults, path: Path, dims: list[int], kernel: str,
                 explicit: str) -> None:
    """The cost of an explicit degree-2 feature map against the polynomial kernel, as the input
    dimension grows; accuracy beside it as context.

    Both are the same model (a degree-2 polynomial SVM, one solver and C), its inner products
    computed through the kernel on d numbers, or on the explicit map's (d+1)(d+2)/2 features.
    The point of the kernel trick is equal accuracy at lower cost, so the cost panels come
    first: fit time, and what each model keeps (its stored size: the support vectors, of d or
    of (d+1)(d+2)/2 numbers), both on log scales.
    """
    series = {"through the kernel": kernel, "on the explicit map": explicit}
    figure, axes = plt.subplots(1, 3, figsize=(WIDE, 5.4), layout="constrained")
    time_axis, size_axis, accuracy_axis = axes
    seconds, accuracies, sizes = [], [], []
    for index, (caption, template) in enumerate(series.items()):
        present = [dim for dim in dims if results.rows_of(template.format(dim=dim))]
        rows = [results.rows_of(template.format(dim=dim)) for dim in present]
        style = member_style(family_of(results, template.format(dim=present[0])), index)
        runs = {len(dim_rows) for dim_rows in rows}
        note = "; n = 1 run each" if runs == {1} else ""
        for axis, metric, store in ((time_axis, "fit_seconds", seconds),
                                    (size_axis, "model_bytes", sizes),
                                    (accuracy_axis, "accuracy", accuracies)):
            values = [mean_std(row[metric] for row in dim_rows)[0] for dim_rows in rows]
            axis.plot(present, values, **style, label=caption + note)
            store += values
    n_train = results.rows_of(kernel.format(dim=dims[0]))[0]["n_train"]
    for axis in axes:
        axis.set_xscale("log", base=2)
        axis.set_xticks(dims, [f"{dim}\n{(dim + 1) * (dim + 2) // 2:,}" for dim in dims])
        axis.minorticks_off()
        axis.set_xlabel("input dimension d (PCA of the pixels)\nand features of the explicit map")
        axis.grid(alpha=0.3)
    seconds_log_axis(time_axis, "y", seconds)
    time_axis.set_ylabel("fit time (log scale)")
    time_axis.set_title("Fit time")
    _bytes_log_axis(size_axis, "y", sizes)
    size_axis.set_ylabel("stored model size (log scale; the pickled\nestimator: its support "
                         "vectors)")
    size_axis.set_title("What each model keeps", fontsize=11)
    accuracy_axis.set_ylim(accuracy_limits(accuracies, step=0.1)[0], 1.0)
    label_accuracy_axis(accuracy_axis, "y", "test accuracy")
    accuracy_axis.set_title("Accuracy, for context:\none model, computed two ways", fontsize=11)
    time_axis.legend(loc="upper left", fontsize=SMALL)
    figure.supxlabel("Both fit the same degree-2 polynomial SVM with the same solver (libsvm's "
                     "SVC) and C: one computes each inner product through the kernel, on d "
                     "numbers,\nthe other on the explicit map's (d+1)(d+2)/2 features, so the "
                     "accuracies should agree; the point is the cost: the map's features, and "
                     "its fit time, grow with d squared.",
                     fontsize=SMALL, color="dimgray")
    figure.suptitle(title(results, f"The kernel trick, measured: the same degree-2 model with "
                                   f"and without the explicit map ({n_train:,} training images)"))
    save(figure, path)


def _exponent_claim(results: ExperimentResults, labels: list[str]):
    """The saved fit-time-exponent claim about these runs, as its class reads it back (None if
    the experiment makes none): its guide slopes are what the plot draws."""
    for saved in results.manifest.claims:
        if saved.get("kind") == FitTimeExponents.kind:
            claim = claim_from_dict(saved)
            if claim.steep in labels and claim.linear in labels:
                return claim
    return None


def _reference_slope(axis, anchor: tuple[float, float], exponent: float, end: float, **style):
    """A line of fit time proportional to size^exponent through ``anchor``, up to size ``end``."""
    ends = np.array([anchor[0], end])
    axis.plot(ends, anchor[1] * (ends / anchor[0]) ** exponent, **style)


@plot_kind(labels=("labels",))
def scaling(results: ExperimentResults, path: Path, labels: list[str], min_size: int) -> None:
    """Fit time against training size, log-log, with each model's fitted exponent and the guide slopes
    of the claim about them (the claim compares the two exponents); beside it, what each model
    keeps as the data grows (its stored size: an SVM's support vectors grow, a net's weights do
    not).

    A model capped below the full size gets a dotted extrapolation of its fitted line, labelled
    as such.
    """
    full = results.dataset_record.n_train
    styles = line_styles(results, labels)
    figure, (axis, size_axis) = plt.subplots(1, 2, figsize=(WIDE, 6.5), layout="constrained",
                                             gridspec_kw={"width_ratios": [1.4, 1]})
    drawn, stored = [], []
    # The fits the claim timed again, quiet and repeated, where the experiment saved them.
    timed = timed_fit_points(results, labels, min_size)
    for label in labels:
        sizes, seconds, stds = size_curve(results, label, "fit_seconds")
        exponent, used = fit_time_exponent(results, label, min_size)
        name = results.display_name(label)
        extrapolate = len(used) >= 2 and sizes[-1] < full
        axis.errorbar(sizes, seconds, yerr=stds, capsize=3, **styles[label],
                      label=f"{name}: exponent {exponent:.2f}"
                            + (f" (dotted: extrapolated to {full:,}, not measured)" if extrapolate else ""))
        drawn += seconds
        repeats = timed.quiet.get(label, []) if timed is not None else []
        if len({size for size, _ in repeats}) >= 2:
            axis.scatter(*zip(*repeats, strict=True), marker="x", s=30, zorder=3,
                         color=styles[label]["color"],
                         label=f"{name}, timed again quiet ({len(repeats)} fits): exponent "
                               f"{loglog_slope(*zip(*repeats, strict=True)):.2f}")
            drawn += [second for _, second in repeats]
        if extrapolate:
            anchor = seconds[sizes.index(used[-1])]
            ends = np.array([used[-1], full])
            extrapolated = anchor * (ends / used[-1]) ** exponent
            axis.plot(ends, extrapolated, linestyle=":", color=styles[label]["color"],
                      label="_nolegend_")
            drawn += list(extrapolated)
        model_sizes, model_bytes, _ = size_curve(results, label, "model_bytes")
        size_axis.plot(model_sizes, model_bytes, **styles[label], label="_nolegend_")
        stored += model_bytes
    claim = _exponent_claim(results, labels)
    if claim is not None:
        for run, exponent, style in (
                (claim.steep, claim.steep_reference, {"color": "black", "linestyle": (0, (4, 3))}),
                (claim.linear, claim.linear_reference, {"color": "0.45", "linestyle": (0, (1, 2))})):
            sizes, seconds, _ = size_curve(results, run, "fit_seconds")
            start = next((index for index, size in enumerate(sizes) if size >= claim.min_size),
                         None)
            if start is None:  # no size the claim judges (a quick run): no guide to draw
                continue
            _reference_slope(axis, (sizes[start], seconds[start]), exponent, full, linewidth=1,
                             label=f"guide: size^{exponent:g} through "
                                   f"{results.display_name(run)}'s first judged size", **style)
    smallest = min(min(size_curve(results, label, "fit_seconds")[0]) for label in labels)
    axis.set_xscale("log")
    axis.set_xlabel("training images (log scale)")
    axis.set_xlim(smallest * 0.8, full * 1.25)
    seconds_log_axis(axis, "y", drawn)
    axis.set_ylabel("fit time (log scale, mean ± std over seeds)")
    axis.grid(alpha=0.3, which="both")
    axis.set_title(f"Fit time (exponents fitted over n_train >= {min_size:,})", fontsize=11)
    size_axis.set_xscale("log")
    size_axis.set_xlim(smallest * 0.8, full * 1.25)
    size_axis.set_xlabel("training images (log scale)")
    _bytes_log_axis(size_axis, "y", stored)
    size_axis.set_ylabel("stored model size (log scale; a net's 4 bytes\nper weight, else the "
                         "pickled estimator)")
    size_axis.set_title("What the model keeps as the data grows", fontsize=11)
    size_axis.grid(alpha=0.3, which="both")
    figure.legend(*axis.get_legend_handles_labels(), loc="outside lower center", ncols=2,
                  fontsize=SMALL)
    figure.suptitle(title(results, "How fit time and model size scale with the training set"))
    save(figure, path)


# Machines, not models: measured here (filled orange) or quoted by the book (open grey).
MEASURED_COLOR = "#dd8452"
QUOTED_STYLE = {"marker": "s", "markersize": 9, "color": "grey", "markerfacecolor": "white"}
MEASURED_STYLE = {"marker": "o", "markersize": 9, "color": MEASURED_COLOR}


def _quoted(figure: str) -> list[dict]:
    with open(REFERENCES_DIR / "quoted.csv", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["figure"] == figure]


@plot_kind()
def hardware_flops(results: ExperimentResults, path: Path) -> None:
    """Quoted machines and this machine's measured FLOP/s on one log axis; training throughput.

    Left: the book's machines (open grey squares, quoted) beside this machine's float32 matmul
    peak per device and the FLOP/s the book's nets achieve while training (mean over seeds),
    each a point with its value: on a log axis a bar's length would mean nothing. Right:
    images per second of each net's real training runs, with its counted FLOPs per image and
    its share of the measured peak.
    """
    hardware = read_hardware(results)
    speeds = [throughput(results, label, hardware) for label in counted_labels(results, hardware)]
    points = [(float(row["value"]), f"{row['label']}, {row['year']}", True)
              for row in _quoted("flops")]
    for device, peak in hardware["matmul"].items():
        points.append((peak["gflops"] * 1e9, f"this machine's {device}: float32 matmul peak "
                                             f"({peak['name']}, n={peak['matrix_size']:,})", False))
    for speed in speeds:
        points.append((np.mean(speed.achieved_gflops) * 1e9,
                       f"{results.display_name(speed.label)} training here, achieved on "
                       f"{speed.device} ({runs_note(len(speed.images_per_second))})", False))
    points.sort()

    figure, (flops_axis, rate_axis) = plt.subplots(
        2, 1, figsize=(WIDE, 0.55 * len(points) + 0.8 * len(speeds) + 4.5), layout="constrained",
        gridspec_kw={"height_ratios": [len(points), max(len(speeds), 1) * 1.6]})
    labelled = set()
    for position, (value, _, quoted) in enumerate(points):
        legend = "quoted in the book, not measured" if quoted else "measured here"
        flops_axis.plot(value, position, linestyle="", **(QUOTED_STYLE if quoted else MEASURED_STYLE),
                        label=legend if legend not in labelled else "_nolegend_")
        labelled.add(legend)
        flops_axis.annotate(format_flops(value) + (" (quoted)" if quoted else ""), (value, position),
                            textcoords="offset points", xytext=(9, 0), va="center", fontsize=SMALL)
    flops_axis.set_yticks(range(len(points)), [wrap(label, 48) for _, label, _ in points],
                          fontsize=SMALL)
    flops_axis.set_xscale("log")
    flops_axis.set_xlim(points[0][0] / 10, points[-1][0] * 100)
    flops_axis.set_xlabel("floating-point operations per second (log scale)")
    flops_axis.grid(alpha=0.3, which="major")
    flops_axis.legend(loc="lower right", fontsize=SMALL)
    flops_axis.set_title("Peak and achieved FLOP/s")

    largest = max(max(speed.images_per_second) for speed in speeds)
    for position, speed in enumerate(speeds):
        mean, std = mean_std(speed.images_per_second)
        runs = len(speed.images_per_second)
        rate_axis.barh(position, mean, xerr=std if runs > 1 else None, color=MEASURED_COLOR,
                       capsize=4)
        rate_axis.scatter(speed.images_per_second, [position] * len(speed.images_per_second),
                          color="black", s=10, zorder=3)
        rate_axis.text(mean + std + 0.05 * largest, position, f"{mean:,.0f} images/s ({runs_note(runs)})\n"
                       f"{format_flops(speed.training_flops, 'FLOP')} per training image\n"
                       f"{100 * np.mean(speed.fraction_of_peak):.0f} % of the {speed.device} peak",
                       va="center", fontsize=SMALL)
    rate_axis.set_yticks(range(len(speeds)), [wrap(results.display_name(speed.label), 30)
                                              for speed in speeds])
    rate_axis.invert_yaxis()
    rate_axis.set_xlim(0, 1.8 * largest)
    rate_axis.set_xlabel("training images per second (epochs x images / fit time;\n"
                         "each dot a seed, bar mean ± std)")
    rate_axis.grid(axis="x", alpha=0.3)
    rate_axis.set_title("Training throughput of the real runs")

    notes = ["Achieved FLOP/s = training FLOPs per image (counted from the layer shapes, "
             f"{hardware['training_to_forward']}x the forward pass) x images/s."]
    busy = hardware["matmul"]["CPU:0"]["other_cpus_busy"]
    if busy is not None:
        notes.append(f"Other processes kept {busy:.1f} CPUs busy while the CPU peak was measured.")
    notes += [f"The book also quotes: {row['label']}, {row['year']}: about "
              f"{float(row['value']):,.0f} {row['unit']}." for row in _quoted("cpu_speedup")]
    figure.text(0.5, -0.01, "\n".join(notes), ha="center", va="top", fontsize=SMALL)
    figure.suptitle(title(results, "Why now: hardware. This machine's measured FLOP/s beside "
                                   "the machines the book quotes"))
    save(figure, path)
