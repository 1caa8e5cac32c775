"""Figures of experiment 10 (hardware): measured FLOP/s beside the machines the book quotes."""

import csv
from pathlib import Path

import numpy as np

from ...paths import REFERENCES_DIR
from ...results import ExperimentResults, mean_std
from ...results.throughput import counted_labels, format_flops, read_hardware, throughput
from .style import plot_kind, plt, save, title

MEASURED_COLOR = "#dd8452"
QUOTED_STYLE = {"facecolor": "#d9d9d9", "edgecolor": "grey", "hatch": "//"}


def _quoted(figure: str) -> list[dict]:
    with open(REFERENCES_DIR / "quoted.csv", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["figure"] == figure]


@plot_kind()
def hardware_flops(results: ExperimentResults, path: Path) -> None:
    """Quoted machines and this machine's measured FLOP/s on one log axis; training throughput.

    Left: the book's machines (hatched grey, quoted) beside this machine's float32 matmul
    peak per device and the FLOP/s the book's nets achieve while training (mean over seeds),
    every bar labelled with its value. Right: images per second of each net's real training
    runs, with its counted FLOPs per image and its share of the measured peak.
    """
    hardware = read_hardware(results)
    speeds = [throughput(results, label, hardware) for label in counted_labels(results, hardware)]
    bars = [(float(row["value"]), f"{row['label']}, {row['year']}", True)
            for row in _quoted("flops")]
    for device, peak in hardware["matmul"].items():
        bars.append((peak["gflops"] * 1e9, f"this machine's {device}: float32 matmul peak\n"
                                           f"({peak['name']}, n={peak['matrix_size']:,})", False))
    for speed in speeds:
        seeds = len(speed.images_per_second)
        bars.append((np.mean(speed.achieved_gflops) * 1e9,
                     f"{speed.label} training here, achieved on {speed.device}\n"
                     f"(mean of {seeds} seed{'s' if seeds > 1 else ''})", False))
    bars.sort()

    figure, (flops_axis, rate_axis) = plt.subplots(
        1, 2, figsize=(15, 0.6 * len(bars) + 2.2), layout="constrained",
        gridspec_kw={"width_ratios": [2.2, 1]})
    floor = 10 ** np.floor(np.log10(bars[0][0]) - 1)
    for position, (value, _, quoted) in enumerate(bars):
        style = QUOTED_STYLE if quoted else {"color": MEASURED_COLOR}
        flops_axis.barh(position, value - floor, left=floor, **style)
        flops_axis.text(value * 1.3, position, format_flops(value) + (" (quoted)" if quoted else ""),
                        va="center", fontsize=9)
    flops_axis.set_yticks(range(len(bars)), [label for _, label, _ in bars], fontsize=8)
    flops_axis.set_xscale("log")
    flops_axis.set_xlim(floor, bars[-1][0] * 100)
    flops_axis.set_xlabel("floating-point operations per second (log scale)")
    flops_axis.grid(axis="x", alpha=0.3, which="major")
    flops_axis.legend([plt.Rectangle((0, 0), 1, 1, **QUOTED_STYLE),
                       plt.Rectangle((0, 0), 1, 1, color=MEASURED_COLOR)],
                      ["quoted in the book, not measured", "measured here"], loc="lower right")
    flops_axis.set_title("Peak and achieved FLOP/s")

    largest = max(max(speed.images_per_second) for speed in speeds)
    for position, speed in enumerate(speeds):
        mean, std = mean_std(speed.images_per_second)
        rate_axis.barh(position, mean, xerr=std, color=MEASURED_COLOR, capsize=4)
        rate_axis.scatter(speed.images_per_second, [position] * len(speed.images_per_second),
                          color="black", s=10, zorder=3)
        rate_axis.text(mean + std + 0.05 * largest, position, f"{mean:,.0f} images/s\n"
                       f"{format_flops(speed.training_flops, 'FLOP')} per training image\n"
                       f"{100 * np.mean(speed.fraction_of_peak):.0f} % of the {speed.device} peak",
                       va="center", fontsize=8)
    rate_axis.set_yticks(range(len(speeds)), [speed.label for speed in speeds])
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
    figure.text(0.5, -0.02, "\n".join(notes), ha="center", va="top", fontsize=8)
    figure.suptitle(title(results, "Why now: hardware. This machine's measured FLOP/s beside "
                                   "the machines the book quotes"))
    save(figure, path)
