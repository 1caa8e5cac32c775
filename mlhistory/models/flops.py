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

Throughput is not measured here but read off the experiment's real training runs
(``mlhistory/results/throughput.py``).
"""

import os
import time

import numpy as np

from ..data import DatasetInfo
from ..machine import cpu_name

TRAINING_TO_FORWARD = 3  # forward + backward (about twice the forward pass)
# A 4096 x 4096 product takes about 0.3 s on two CPU cores. --quick runs on one thread per
# process, where 1024 reaches the same GFLOP/s as 2048 in a seventh of the time (0.16 against
# 1.1 CPU seconds for the warm-up and five repeats).
MATRIX_SIZE = 4096
QUICK_MATRIX_SIZE = 1024
REPEATS = 5


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


def measure(nets: list[tuple[str, dict]], info: DatasetInfo, seed: int, quick: bool) -> dict:
    """Experiment 10's measurement: the matmul peak per device, and each Keras net's FLOPs.

    ``nets`` are the experiment's runs of Keras nets, each a model name and its params.
    """
    import keras
    import tensorflow as tf

    from .assembly import build

    size = QUICK_MATRIX_SIZE if quick else MATRIX_SIZE
    peaks = {device: {**matmul_peak(device, size), "name": device_name(device)}
             for device in devices()}
    flops = {}
    for model, params in nets:
        if model not in flops:
            keras.backend.clear_session()  # layer names counted from scratch for each net
            classifier = build(model, info, seed, params)
            flops[model] = count(classifier.build_network(info))
    return {
        "matmul": peaks,
        # TensorFlow trains on the first GPU when there is one, else on the CPU.
        "training_device": "GPU:0" if "GPU:0" in peaks else "CPU:0",
        # On recent NVIDIA GPUs float32 products may run as TF32, both here and in training.
        "tensor_float_32": tf.config.experimental.tensor_float_32_execution_enabled(),
        "training_to_forward": TRAINING_TO_FORWARD,
        "flops_per_image": flops,
    }
