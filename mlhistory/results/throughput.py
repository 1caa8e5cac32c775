"""Training throughput read off saved results: what experiment 10's nets achieved against the
measured peak of the machine they trained on (``hardware.json``, written by its measuring
step; see ``mlhistory/models/flops.py`` for how FLOPs are counted).

images/s = epochs x training images / fit time, from the experiment's real training runs
(their fit time excludes the per-epoch test evaluation).
"""

import json
from dataclasses import dataclass

from .curves import first_epoch_reaching
from .schema import HARDWARE_FILE
from .store import ExperimentResults, read_json

# "Reached the final accuracy": within 0.1 percentage point of the last epoch's test accuracy.
FINAL_ACCURACY_TOLERANCE = 0.001
SI_PREFIXES = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (0, "")]


def read_hardware(results: ExperimentResults) -> dict:
    return read_json(results.folder / HARDWARE_FILE)


def counted_labels(results: ExperimentResults, hardware: dict) -> list[str]:
    """The experiment's runs whose FLOPs were counted (its Keras nets), in its order."""
    return [label for label in results.labels
            if results.run(label).model in hardware["flops_per_image"]]


def format_flops(value: float, unit: str = "FLOP/s") -> str:
    """16e12 -> "16 TFLOP/s": an SI prefix and at most three significant figures."""
    scale, prefix = next((scale, prefix) for scale, prefix in SI_PREFIXES if value >= scale)
    return f"{value / scale:.3g} {prefix}{unit}"


@dataclass(frozen=True)
class Throughput:
    """One labelled net's training speed, per seed, from its saved rows and curves."""

    label: str
    training_flops: int  # per image, counted from the layer shapes
    images_per_second: list[float]
    epochs: int
    epochs_to_final: list[int]
    seconds_to_final: list[float]
    accuracy: list[float]
    device: str  # the device training ran on, whose matmul peak is the reference
    peak_gflops: float

    @property
    def achieved_gflops(self) -> list[float]:
        return [self.training_flops * rate / 1e9 for rate in self.images_per_second]

    @property
    def fraction_of_peak(self) -> list[float]:
        return [achieved / self.peak_gflops for achieved in self.achieved_gflops]


def throughput(results: ExperimentResults, label: str, hardware: dict) -> Throughput:
    """images/s = epochs x training images / fit time; the time to the final accuracy assumes
    every epoch takes the mean epoch time (fit time / epochs)."""
    rows = results.rows_of(label)
    epochs = [json.loads(row["params"])["epochs"] for row in rows]
    reached = []
    for row in rows:
        curve = results.artifacts(row)["test_accuracy_per_epoch"]
        reached.append(first_epoch_reaching(curve, curve[-1] - FINAL_ACCURACY_TOLERANCE))
    device = hardware["training_device"]
    return Throughput(
        label=label,
        training_flops=hardware["flops_per_image"][results.run(label).model]["training"],
        images_per_second=[epoch_count * row["n_train"] / row["fit_seconds"]
                           for epoch_count, row in zip(epochs, rows, strict=True)],
        epochs=epochs[0],
        epochs_to_final=reached,
        seconds_to_final=[epoch * row["fit_seconds"] / epoch_count
                          for epoch, epoch_count, row in zip(reached, epochs, rows, strict=True)],
        accuracy=[row["accuracy"] for row in rows],
        device=device,
        peak_gflops=hardware["matmul"][device]["gflops"],
    )
