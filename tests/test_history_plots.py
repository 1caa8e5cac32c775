"""The era experiments' figures, drawn from a fixture results set (no model is fitted)."""

import numpy as np
import pytest

from mlhistory import atomic, models
from mlhistory.reporting import plots
from mlhistory.reporting.plots import readability
from mlhistory.results import TOY_FILE, ExperimentResults, testing, write_rows

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZES = [1_000, 5_000, 20_000, 60_000]


def _tree(rng):
    """A complete depth-3 tree over 784 pixels, in scikit-learn's node-array layout."""
    n_nodes = 15
    left = np.array([2 * node + 1 if node < 7 else -1 for node in range(n_nodes)])
    right = np.array([2 * node + 2 if node < 7 else -1 for node in range(n_nodes)])
    return {"tree_feature": rng.integers(0, 784, n_nodes), "tree_threshold": rng.random(n_nodes),
            "tree_left": left, "tree_right": right,
            "tree_samples": np.array([60000 >> (int(np.log2(node + 1))) for node in range(n_nodes)]),
            "tree_class": rng.integers(0, 10, n_nodes)}


@pytest.fixture
def era_results(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "fashion_mnist" / "05_fixture"
    runs, rows = [], []

    def add(label, model, family, sizes=(60_000,), seeds=(0, 1, 2), features="pixels", **artifacts):
        keys = []
        for size in sizes:
            for seed in seeds:
                key = f"{label}-{size}-{seed}".replace(" ", "_")
                keys.append(key)
                rows.append({"experiment": "05_fixture", "dataset": "fashion_mnist", "model": model,
                             "features": features, "params": "{}", "seed": seed, "n_train": size,
                             "n_test": 10000, "accuracy": 0.8 + 0.1 * rng.random(),
                             "macro_f1": 0.8, "fit_seconds": 1e-4 * size ** (1.9 if "svm" in model else 1.0),
                             "predict_seconds": 0.5, "n_params": 50_000 if family == "deep" else None,
                             "model_bytes": 200_000, "peak_rss_mb": 500.0 + 0.01 * size, "run_key": key})
                atomic.write_npz(tmp_path / "cache" / "fashion_mnist" / f"{key}.npz",
                                 {"confusion": np.eye(10, dtype=int), **artifacts})
        runs.append(testing.run_record(label, model=model, features=features, family=family,
                                       color_family=models.get(model).lineage_of({}),
                                       dataset="fashion_mnist", run_keys=keys))

    curve = np.linspace(0.7, 0.9, 10)
    add("mlp_1986", "mlp_1986", "deep", test_accuracy_per_epoch=curve - 0.05)
    add("convnet", "convnet", "deep", test_accuracy_per_epoch=curve[:5] + 0.02)
    add("decision_tree", "decision_tree", "shallow", importances=rng.random(784), **_tree(rng))
    add("random_forest", "random_forest", "shallow", sizes=SIZES, importances=rng.random(784),
        staged_accuracy=np.linspace(0.6, 0.87, 100))
    add("xgboost", "xgboost", "shallow", seeds=(0,), staged_accuracy=np.linspace(0.5, 0.9, 100))
    add("rbf_svm", "rbf_svm", "shallow", sizes=SIZES[:3], seeds=(0,))
    for dim in (8, 16):
        add(f"poly_svm on pca{dim}", "poly_svm", "shallow", features=f"pca{dim}", seeds=(0,))
        add(f"linear_svm on pca{dim}_poly2", "linear_svm", "shallow", features=f"pca{dim}_poly2",
            seeds=(0,))
    manifest = testing.manifest(
        runs, [testing.dataset_record("fashion_mnist", title="Fashion-MNIST",
                                      description="Fashion-MNIST", input_shape=(28, 28),
                                      class_names=tuple(f"class {i}" for i in range(10)),
                                      n_train=60_000, n_test=10_000)],
        experiment_id="05_fixture", seeds=(0, 1, 2),
        claims=({"kind": "error_reduction", "better": "convnet", "worse": "mlp_1986",
                 "quoted": 0.6},))
    atomic.write_json(folder / "experiment.json", manifest.to_dict())
    write_rows(folder / "runs.csv", rows)
    grid_x, grid_y = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20))
    toy = {}
    for name in ("moons", "circles"):
        toy.update({f"{name}_points": rng.normal(size=(30, 2)), f"{name}_labels": rng.integers(0, 2, 30),
                    f"{name}_grid_x": grid_x, f"{name}_grid_y": grid_y})
        for key in ("linear_svm", "rbf_svm", "net"):
            toy[f"{name}_{key}_decision"] = grid_x + grid_y ** 2
            toy[f"{name}_{key}_accuracy"] = 0.9
            toy[f"{name}_{key}_support"] = rng.normal(size=(5, 2))
    atomic.write_npz(folder / TOY_FILE, toy)
    return ExperimentResults.read(folder)



@pytest.fixture(autouse=True)
def readable_figures():
    """Every figure drawn here must pass the checks a reader's eye would make (readability.save
    raises otherwise)."""
    with readability.checking_readability():
        yield

@pytest.mark.parametrize("kind, options", [
    ("epoch_curves", {"labels": ["mlp_1986", "convnet"]}),
    ("params_vs_accuracy", {"labels": ["mlp_1986", "convnet"]}),
    ("decision_boundaries", {}),
    ("kernel_trick", {"dims": [8, 16], "kernel": "poly_svm on pca{dim}",
                      "explicit": "linear_svm on pca{dim}_poly2"}),
    ("scaling", {"labels": ["rbf_svm", "random_forest"], "min_size": 5_000}),
    ("tree_diagram", {"label": "decision_tree"}),
    ("importance_maps", {"labels": ["decision_tree", "random_forest"]}),
    ("staged_curves", {"labels": ["random_forest", "xgboost"]}),
    ("timeline", {}),
    ("error_reduction", {"better": "convnet"}),
    ("accuracy_and_fit_time", {}),
])
def test_every_era_plot_renders_from_saved_results(era_results, kind, options):
    path = plots.Plot(kind, **options).draw(era_results)
    content = path.read_bytes()
    assert content.startswith(PNG_SIGNATURE) and len(content) > 10_000
