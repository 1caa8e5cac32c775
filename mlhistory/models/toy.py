"""Figure 1.10 of the book, measured: decision boundaries on 2-D toy data.

A linear SVM, an RBF SVM and a small Keras net are fitted on two moons and on two circles.
The fitted decision functions are evaluated on a grid and saved beside the experiment's
results, so the figure is drawn from saved arrays like every other plot. These toy fits take
seconds and are not runs of the registry: they illustrate the kernel trick, they measure
nothing about images.
"""

import numpy as np

# Bump when the toy data, models or grid change, so cached boundaries of the old code are not reused.
VERSION = 1
N_POINTS = 300
GRID_SIZE = 150
NET_EPOCHS = 300
QUICK_NET_EPOCHS = 30  # --quick: the smoke run draws the figure from a shorter fit


def _datasets(seed: int) -> dict:
    from sklearn.datasets import make_circles, make_moons

    return {"moons": make_moons(N_POINTS, noise=0.2, random_state=seed),
            "circles": make_circles(N_POINTS, noise=0.1, factor=0.5, random_state=seed)}


def _small_net():
    import keras
    from keras import layers

    from .nets import build_training_state

    network = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(16, activation="relu"),
                                layers.Dense(16, activation="relu"),
                                layers.Dense(1, activation="sigmoid")])
    network.compile(optimizer="adam", loss="binary_crossentropy")
    build_training_state(network)
    return network


def fit_toy_boundaries(seed: int, epochs: int = NET_EPOCHS) -> dict:
    """Fit the three models on both toy sets; grids of their decision values, as arrays."""
    import keras
    from sklearn.svm import SVC

    arrays = {}
    for name, (points, labels) in _datasets(seed).items():
        low, high = points.min(axis=0) - 0.5, points.max(axis=0) + 0.5
        grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], GRID_SIZE),
                                     np.linspace(low[1], high[1], GRID_SIZE))
        grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
        arrays[f"{name}_points"], arrays[f"{name}_labels"] = points, labels
        arrays[f"{name}_grid_x"], arrays[f"{name}_grid_y"] = grid_x, grid_y
        for kernel in ("linear", "rbf"):
            svm = SVC(kernel=kernel, C=1.0, gamma="scale").fit(points, labels)
            # decision_function is the signed distance in margin units: 0 boundary, ±1 margins.
            arrays[f"{name}_{kernel}_svm_decision"] = svm.decision_function(grid).reshape(grid_x.shape)
            arrays[f"{name}_{kernel}_svm_support"] = svm.support_vectors_
            arrays[f"{name}_{kernel}_svm_accuracy"] = svm.score(points, labels)
        keras.utils.set_random_seed(seed)
        network = _small_net()
        network.fit(points, labels, epochs=epochs, batch_size=32, verbose=0)
        probability = network.predict(grid, verbose=0).reshape(grid_x.shape)
        arrays[f"{name}_net_decision"] = probability - 0.5
        arrays[f"{name}_net_accuracy"] = np.mean(
            (network.predict(points, verbose=0).ravel() > 0.5) == labels)
    return arrays
