"""Tables of experiment 10 (hardware): measured throughput against the machine's peak."""

from ...results import ExperimentResults, mean_std
from ...results import throughput as flops
from .registry import ResultTable, table_kind


def _mean_std(values, digits: int, unit: str = "") -> str:
    mean, std = mean_std(values)
    return f"{mean:,.{digits}f} ± {std:,.{digits}f}{unit}"


def _other_load(peak: dict) -> str:
    if peak["other_cpus_busy"] is None:
        return ""
    return (f"While the peak was measured, other processes kept {peak['other_cpus_busy']:.1f} "
            "CPUs busy on average (any such load lowers the peak). ")


@table_kind()
def hardware_throughput(results: ExperimentResults) -> ResultTable:
    """Per Keras net: FLOPs per image, images/s, achieved GFLOP/s and its share of the
    measured peak, and how soon training reaches its final accuracy; then the peak rows."""
    hardware = flops.read_hardware(results)
    training_device = hardware["training_device"]
    rows = []
    for label in flops.counted_labels(results, hardware):
        speed = flops.throughput(results, label, hardware)
        rows.append([
            results.display_name(label), flops.format_flops(speed.training_flops, "FLOP"),
            _mean_std(speed.images_per_second, 0), _mean_std(speed.achieved_gflops, 1),
            f"{100 * mean_std(speed.fraction_of_peak)[0]:.1f} %",
            f"{', '.join(map(str, speed.epochs_to_final))} of {speed.epochs}",
            _mean_std(speed.seconds_to_final, 1, " s"), _mean_std(speed.accuracy, 4),
        ])
    for device, peak in hardware["matmul"].items():
        rows.append([f"float32 matmul peak, {device} ({peak['name']})", "", "",
                     f"{peak['gflops']:,.1f}",
                     "the reference" if device == training_device else "", "", "", ""])
    peak = hardware["matmul"][training_device]
    return ResultTable(
        title="Training throughput against this machine's measured peak",
        header=["net", "training FLOPs per image", "images/s (mean ± std over seeds)",
                "achieved GFLOP/s", f"share of the {training_device} peak",
                "epochs to final accuracy (per seed)", "time to final accuracy",
                "final test accuracy"],
        rows=rows,
        notes=[
            "Measured: each run's fit time (training only: the per-epoch test evaluation is "
            "timed apart and left out), from which images/s = epochs x training images / fit "
            "time; and, by this experiment, a float32 product of two "
            f"{peak['matrix_size']:,} x {peak['matrix_size']:,} matrices with TensorFlow on "
            f"each device (2n³ FLOPs, the fastest of {peak['repeats']} repeats after a "
            f"warm-up; saved in {flops.HARDWARE_FILE}). {_other_load(peak)}"
            "The fit time includes Keras' start-up "
            "(building the graph), which weighs most on small training sets.",
            "Counted, not measured: FLOPs per image from the layer shapes (the multiply-adds "
            "and biases of the dense and convolution layers; activations, pooling and the "
            "softmax, about 1 % of the convnet's count, are left out), and training taken as "
            f"{hardware['training_to_forward']}x the forward pass (the backward pass about "
            "twice the forward), the optimiser's update left out. Achieved GFLOP/s = training "
            "FLOPs per image x images/s; its share is of the matmul peak of the device "
            f"training ran on ({training_device}).",
            "Assumed: the time to the final accuracy is the first epoch whose test accuracy is "
            f"within {100 * flops.FINAL_ACCURACY_TOLERANCE:.1f} point of the last epoch's, times the "
            "mean epoch time (fit time / epochs). The first epoch also builds the graph, so "
            "this understates the time when the final accuracy comes before the last epoch.",
            "Runs reused from the run cache keep the fit time of the experiment that made "
            "them; the peak is measured each time this experiment runs.",
        ],
    )
