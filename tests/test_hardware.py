"""Experiment 10 (hardware): FLOP counting by hand, the matmul benchmark, its plot and table."""

import importlib.util
import json
from collections import defaultdict
from types import SimpleNamespace

import keras
import numpy as np
import pytest
from keras import layers

from mlhistory import atomic, models
from mlhistory.data import dataset_info
from mlhistory.models import flops, nets
from mlhistory.paths import PROJECT_ROOT
from mlhistory.reporting import tables
from mlhistory.reporting.plots import scaling
from mlhistory.results import HARDWARE_FILE, ExperimentResults, testing, write_rows
from mlhistory.running.cli import config_from, experiment_parser
from mlhistory.running.steps import hardware_measurement

# Every dataset's digest, as data.origin would give it; its value does not matter here.
DIGESTS = defaultdict(lambda: "digest")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_dense_layers_count_two_flops_per_multiply_add_plus_the_bias():
    model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(4, activation="relu"),
                              layers.Dense(3, use_bias=False)])
    # Dense(4) on 6 inputs: 6 x 4 multiply-adds of 2 FLOPs, plus 4 bias adds = 48 + 4.
    # Dense(3) without a bias on 4 inputs: 4 x 3 x 2 = 24. The ReLU is not counted.
    assert [flops.layer_flops(layer) for layer in model.layers] == [52, 24]
    assert flops.count(model)["forward"] == 76
    assert flops.count(model)["training"] == 3 * 76


def test_conv_layers_count_kernel_times_channels_per_output_position():
    model = keras.Sequential([
        keras.Input(shape=(7, 7, 2)),
        layers.Conv2D(5, 3, strides=2),  # valid: (7 - 3) // 2 + 1 = 3, so 3 x 3 x 5 out
        layers.Conv2D(4, (1, 2), padding="same"),  # 3 x 3 x 4 out
        layers.MaxPooling2D(1),
        layers.Flatten(),  # 36 values
        layers.Dense(2),
    ])
    # Conv 1: 3 x 3 kernel x 2 channels x 5 filters x 2 FLOPs at 9 positions = 1,620, plus 5 x 9 biases.
    # Conv 2: 1 x 2 kernel x 5 channels x 4 filters x 2 FLOPs at 9 positions = 720, plus 4 x 9.
    # Pooling and flattening count zero; Dense: 36 x 2 x 2 + 2.
    assert [flops.layer_flops(layer) for layer in model.layers] == [1_665, 756, 0, 0, 146]
    assert flops.count(model)["forward"] == 1_665 + 756 + 146


def test_the_book_nets_total_the_sum_of_their_layers():
    info = dataset_info("fashion_mnist")
    dense = flops.count(nets.dense_network(info))
    # 784 -> 512: 2 x 784 x 512 + 512; 512 -> 10: 2 x 512 x 10 + 10.
    assert [layer["forward"] for layer in dense["layers"]] == [803_328, 10_250]
    assert dense["forward"] == 813_578
    convnet = flops.count(nets.convnet(info))
    # 28x28x1 -> conv 26x26x32 -> pool 13x13 -> conv 11x11x64 -> pool 5x5 -> conv 3x3x128 -> 1,152 -> 10.
    by_hand = [2 * 9 * 1 * 32 * 26 * 26 + 32 * 26 * 26, 0, 2 * 9 * 32 * 64 * 11 * 11 + 64 * 11 * 11, 0,
               2 * 9 * 64 * 128 * 3 * 3 + 128 * 3 * 3, 0, 2 * 1_152 * 10 + 10]
    assert [layer["forward"] for layer in convnet["layers"]] == by_hand
    assert convnet["forward"] == sum(by_hand) == 6_230_602
    assert convnet["training"] == 3 * convnet["forward"]


def test_a_layer_with_uncounted_weights_is_refused():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.BatchNormalization()])
    with pytest.raises(ValueError, match="BatchNormalization"):
        flops.count(model)


def test_the_matmul_benchmark_reports_positive_gflops():
    peak = flops.matmul_peak("CPU:0", size=32, repeats=2)
    assert peak["matrix_size"] == 32 and len(peak["seconds"]) == 2
    assert peak["gflops"] == pytest.approx(2 * 32 ** 3 / min(peak["seconds"]) / 1e9)
    assert peak["gflops"] > 0
    assert peak["other_cpus_busy"] is None or peak["other_cpus_busy"] >= 0


def test_measure_hardware_counts_every_keras_run_and_no_other(tmp_path, monkeypatch):
    monkeypatch.setattr(flops, "QUICK_MATRIX_SIZE", 32)
    runs = [testing.run_record(model, family=models.get(model).family,
                               params=models.resolve_params(model))
            for model in ("logreg", "dense", "convnet")]
    atomic.write_json(tmp_path / "experiment.json", testing.manifest(runs).to_dict())
    hardware_measurement(SimpleNamespace(dataset="digits", quick=True, seeds=[0]), tmp_path)
    saved = json.loads((tmp_path / HARDWARE_FILE).read_text())
    assert set(saved["flops_per_image"]) == {"dense", "convnet"}
    # digits are 8x8: 64 -> 512 -> 10.
    assert saved["flops_per_image"]["dense"]["forward"] == 2 * 64 * 512 + 512 + 2 * 512 * 10 + 10
    assert saved["matmul"]["CPU:0"]["matrix_size"] == 32
    assert saved["training_device"] in saved["matmul"]


# --- the plot and the table, from a fixture results set ---------------------------------------

FIT_SECONDS = {"dense": [5.0, 6.0, 7.5], "convnet": [40.0, 45.0, 50.0]}
TRAINING_FLOPS = {"dense": 2_440_734, "convnet": 18_691_806}
EPOCHS, N_TRAIN = 5, 60_000
# Within 0.001 of the last epoch's 0.8704 from epoch 3 on.
DENSE_CURVE = [0.80, 0.85, 0.8695, 0.87, 0.8704]
PEAKS = {"CPU:0": 400.0, "GPU:0": 1_000.0}


def _hardware_results(folder, training_device: str) -> ExperimentResults:
    rows, runs = [], []
    for model, fits in FIT_SECONDS.items():
        keys = [f"{model}{seed}" for seed in range(len(fits))]
        for seed, (key, fit_seconds) in enumerate(zip(keys, fits, strict=True)):
            rows.append({"experiment": "10_fixture", "dataset": "fashion_mnist", "model": model,
                         "features": "pixels", "params": json.dumps({"epochs": EPOCHS}),
                         "seed": seed, "n_train": N_TRAIN, "n_test": 10_000, "accuracy": 0.87,
                         "macro_f1": 0.87, "fit_seconds": fit_seconds, "predict_seconds": 0.1,
                         "n_params": 1000, "model_bytes": 4000, "peak_rss_mb": 900.0, "run_key": key})
            curve = DENSE_CURVE if model == "dense" else np.linspace(0.8, 0.9, EPOCHS)
            atomic.write_npz(folder.parent.parent / "cache" / "fashion_mnist" / f"{key}.npz",
                             {"test_accuracy_per_epoch": np.asarray(curve, dtype=np.float32)})
        runs.append(testing.run_record(model, family="deep", color_family="book_net",
                                       params={"epochs": EPOCHS}, dataset="fashion_mnist",
                                       run_keys=keys))
    manifest = testing.manifest(
        runs, [testing.dataset_record("fashion_mnist", description="Fashion-MNIST",
                                      input_shape=(28, 28), n_train=N_TRAIN)],
        experiment_id="10_fixture")
    atomic.write_json(folder / "experiment.json", manifest.to_dict())
    write_rows(folder / "runs.csv", rows)
    devices = ["CPU:0"] if training_device == "CPU:0" else ["CPU:0", "GPU:0"]
    atomic.write_json(folder / HARDWARE_FILE, {
        "matmul": {device: {"device": device, "gflops": PEAKS[device], "matrix_size": 64,
                            "name": f"fixture {device}", "repeats": 3, "seconds": [0.1] * 3,
                            "other_cpus_busy": 0.2}
                   for device in devices},
        "training_device": training_device, "tensor_float_32": False,
        "training_to_forward": 3,
        "flops_per_image": {model: {"forward": total // 3, "training": total, "layers": []}
                            for model, total in TRAINING_FLOPS.items()}})
    return ExperimentResults.read(folder)


@pytest.mark.parametrize("training_device", ["CPU:0", "GPU:0"])
def test_the_table_divides_achieved_flops_by_the_training_device_peak(tmp_path, training_device):
    results = _hardware_results(tmp_path / "fashion_mnist" / "10_fixture", training_device)
    table = tables.render(results, {"kind": "hardware_throughput"})
    cells = {row[0]: dict(zip(table.header, row, strict=True)) for row in table.rows}
    for model, fits in FIT_SECONDS.items():
        achieved = [TRAINING_FLOPS[model] * EPOCHS * N_TRAIN / fit / 1e9 for fit in fits]
        share = cells[model][f"share of the {training_device} peak"]
        assert share == f"{100 * np.mean(achieved) / PEAKS[training_device]:.1f} %"
        assert cells[model]["achieved GFLOP/s"].startswith(f"{np.mean(achieved):,.1f} ±")
    assert cells["dense"]["images/s (mean ± std over seeds)"] == "50,000 ± 10,000"
    # Epoch 3 of 5, at the mean epoch time: 3 x fit / 5 per seed.
    assert cells["dense"]["epochs to final accuracy (per seed)"] == "3, 3, 3 of 5"
    assert cells["dense"]["time to final accuracy"].startswith(
        f"{np.mean([3 * fit / EPOCHS for fit in FIT_SECONDS['dense']]):.1f} ±")


def test_the_plot_renders_from_saved_results(tmp_path):
    results = _hardware_results(tmp_path / "fashion_mnist" / "10_fixture", "GPU:0")
    path = results.folder / "hardware_flops.png"
    scaling.hardware_flops(results, path)
    content = path.read_bytes()
    assert content.startswith(PNG_SIGNATURE) and len(content) > 10_000


def _experiment(name: str):
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPERIMENT


def test_the_nets_are_experiment_05s_runs_so_they_come_from_the_run_cache():
    config = config_from(experiment_parser("").parse_args([]), [])
    specs = {run.name: run.specs(config, DIGESTS)
             for run in _experiment("05_return_of_neural_networks").labelled_runs}
    for run in _experiment("10_why_now_hardware").labelled_runs:
        assert run.specs(config, DIGESTS) == specs[run.name]
