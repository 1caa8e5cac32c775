"""Figures of experiment 10 (hardware): measured FLOP/s beside the machines the book quotes."""

import csv
from pathlib import Path

import numpy as np

from ...paths import REFERENCES_DIR
from ...results import ExperimentResults, mean_std
from ...results.throughput import counted_labels, format_flops, read_hardware, throughput
from .axes import SMALL, WIDE, plt, runs_note, title, wrap
from .readability import save
from .registry import plot_kind

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
