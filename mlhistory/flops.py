"""Arithmetic counted from a Keras net's layer shapes, and this machine's measured peak.

Experiment 10 (chapter 1.3.1, "Hardware") sets what the book's nets need per image against
what the machine can do, so both sides are stated here.

What is counted. A FLOP is one floating-point multiply or add, so a multiply-add is two.
Per image, in the forward pass:

- Dense: 2 * inputs * units for the matrix product, plus units for the bias (times the
  number of positions when the layer is applied to more than a vector);
- Conv2D: 2 * kernel_height * kernel_width * (input_channels / groups) * filters per output
  position, plus filters for the bias; strides, padding and dilation enter through the
  layer's output shape.

What is ignored. Activations, pooling, flattening and the softmax cost one or a few
operations per element: about 1 % of the book convnet's count and 0.1 % of the dense net's,
and counting them would need a convention per operation with no agreed answer. Layers
without weights therefore count zero; a layer *with* weights of any other kind (batch
normalisation, recurrent, depthwise) raises, so a count is never silently short.

Training. By the usual convention a training step costs 3x the forward pass per image: the
backward pass computes the gradients with respect to the inputs and to the weights, each
about one forward pass. The optimiser's update (a few operations per weight per batch) is
left out.

The peak. A float32 product of two square n x n matrices with TensorFlow, the framework the
runs train with: 2 n^3 FLOPs, one untimed warm-up, then the fastest of a few timed repeats
(slower repeats were interrupted by something else). It runs on the CPU and on every GPU
TensorFlow sees; a GPU is used when present and never required.

Throughput is not measured here but taken from the experiment's real training runs: their
fit time (which excludes the per-epoch test evaluation), epochs and training size.
"""

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import atomic
from .analysis import first_epoch_reaching
from .data import dataset_info
from .hardware import cpu_name
from .results import MANIFEST_FILE, ExperimentResults, read_json

HARDWARE_FILE = "hardware.json"
TRAINING_TO_FORWARD = 3  # forward + backward (about twice the forward pass)
# A 4096 x 4096 product takes about 0.3 s on two CPU cores; 2048 is enough for --quick.
MATRIX_SIZE = 4096
QUICK_MATRIX_SIZE = 2048
REPEATS = 5
# "Reached the final accuracy": within 0.1 percentage point of the last epoch's test accuracy.
FINAL_ACCURACY_TOLERANCE = 0.001
SI_PREFIXES = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (0, "")]


def layer_flops(layer) -> int:
    """Forward-pass FLOPs per image of one built Keras layer (see the module docstring)."""
    from keras import layers

    if isinstance(layer, layers.Dense | layers.Conv2D):
        kernel = layer.kernel.shape
        filters = kernel[-1]
        # Output positions: pixels of a feature map, or 1 for a Dense layer on a vector.
        positions = int(np.prod(layer.output.shape[1:])) // filters
        products = 2 * int(np.prod(kernel)) * positions  # inputs (x kernel area) x outputs
        bias = filters * positions if layer.use_bias else 0
        return products + bias
    if layer.weights:
        raise ValueError(f"cannot count the FLOPs of layer '{layer.name}' "
                         f"({type(layer).__name__}): only Dense and Conv2D layers carry weights "
                         "that are counted")
    return 0


def count(model) -> dict:
    """Per-image FLOPs of a built Keras model: forward, training, and each layer's share."""
    per_layer = [{"layer": layer.name, "kind": type(layer).__name__, "forward": layer_flops(layer)}
                 for layer in model.layers]
    forward = sum(layer["forward"] for layer in per_layer)
    return {"forward": forward, "training": TRAINING_TO_FORWARD * forward, "layers": per_layer}


def devices() -> list[str]:
    """TensorFlow's CPU, and each GPU it sees (none is required)."""
    import tensorflow as tf

    return ["CPU:0"] + [f"GPU:{index}" for index in range(len(tf.config.list_physical_devices("GPU")))]


def device_name(device: str) -> str:
    import tensorflow as tf

    if device.startswith("GPU"):
        gpu = tf.config.list_physical_devices("GPU")[int(device.split(":")[1])]
        return tf.config.experimental.get_device_details(gpu).get("device_name", device)
    return f"{cpu_name()}, {os.cpu_count()} logical CPUs"


def _cpu_seconds() -> tuple[float, float, float] | None:
    """CPU seconds used so far by the whole machine and by this process, and the clock."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None  # not Linux: the other processes' load is not recorded
    busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait (steal counts as busy)
    own = os.times()
    return busy / os.sysconf("SC_CLK_TCK"), own.user + own.system, time.perf_counter()


def matmul_peak(device: str, size: int, repeats: int = REPEATS) -> dict:
    """Time float32 products of two size x size matrices on one device; GFLOP/s of the fastest.

    Other processes lower the peak, so the CPUs they kept busy meanwhile (on average, from
    /proc/stat; None elsewhere than Linux) are recorded with it.
    """
    import tensorflow as tf

    with tf.device(device):
        left = tf.random.stateless_normal((size, size), seed=(0, 0))
        right = tf.random.stateless_normal((size, size), seed=(0, 1))
        # Reading one element back waits for the product: GPU kernels run asynchronously.
        float(tf.matmul(left, right)[0, 0])  # warm-up: thread pools, kernel choice, GPU start
        before = _cpu_seconds()
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            float(tf.matmul(left, right)[0, 0])
            seconds.append(time.perf_counter() - start)
        after = _cpu_seconds()
    other_cpus_busy = None
    if before is not None and after is not None:
        machine, own, wall = (end - begin for begin, end in zip(before, after, strict=True))
        other_cpus_busy = max(0.0, (machine - own) / wall)
    return {"device": device, "matrix_size": size, "repeats": repeats, "seconds": seconds,
            "gflops": 2 * size ** 3 / min(seconds) / 1e9, "other_cpus_busy": other_cpus_busy}


def measure_hardware(config, folder: Path) -> None:
    """Extra step of experiment 10: the matmul peak per device and each Keras run's FLOPs.

    Saved as ``hardware.json`` beside the experiment's results, for its plot and table.
    """
    import keras
    import tensorflow as tf

    from . import models  # the registry (and TensorFlow) only when measuring, never for the report

    folder = Path(folder)
    info = dataset_info(config.dataset)
    size = QUICK_MATRIX_SIZE if config.quick else MATRIX_SIZE
    peaks = {device: {**matmul_peak(device, size), "name": device_name(device)}
             for device in devices()}
    manifest = read_json(folder / MANIFEST_FILE)
    flops = {}
    for run in manifest["runs"]:
        if run["family"] == models.DEEP and run["model"] not in flops:
            keras.backend.clear_session()  # layer names counted from scratch for each net
            classifier = models.build(run["model"], info, config.seeds[0], run["params"])
            flops[run["model"]] = count(classifier.build_network(info))
    atomic.write_json(folder / HARDWARE_FILE, {
        "matmul": peaks,
        # TensorFlow trains on the first GPU when there is one, else on the CPU.
        "training_device": "GPU:0" if "GPU:0" in peaks else "CPU:0",
        # On recent NVIDIA GPUs float32 products may run as TF32, both here and in training.
        "tensor_float_32": tf.config.experimental.tensor_float_32_execution_enabled(),
        "training_to_forward": TRAINING_TO_FORWARD,
        "flops_per_image": flops,
    })


def read_hardware(results: ExperimentResults) -> dict:
    return read_json(results.folder / HARDWARE_FILE)


def counted_labels(results: ExperimentResults, hardware: dict) -> list[str]:
    """The experiment's runs whose FLOPs were counted (its Keras nets), in its order."""
    return [label for label in results.labels
            if results.run(label)["model"] in hardware["flops_per_image"]]


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
        training_flops=hardware["flops_per_image"][results.run(label)["model"]]["training"],
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
