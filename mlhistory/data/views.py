"""Views of a loaded dataset: a subset of its classes, as a dataset of its own.

Experiment 12 trains on half of the classes and reuses the network on the other half. A
class view keeps the dataset's fixed split, keeps only the chosen classes in both splits,
and renumbers them 0..k-1 in the order given, so every model sees an ordinary k-class task.
"""

from dataclasses import replace

import numpy as np

from ..errors import UsageError
from .catalog import Dataset, DatasetInfo


def check_classes(info: DatasetInfo, classes: tuple[int, ...], what: str) -> None:
    if len(set(classes)) != len(classes) or len(classes) < 2:
        raise UsageError(f"{what} must name at least two distinct classes, got {list(classes)}")
    outside = [label for label in classes if not 0 <= label < info.n_classes]
    if outside:
        raise UsageError(f"{what}: {info.name} has classes 0..{info.n_classes - 1}, "
                         f"not {', '.join(map(str, outside))}")


def _select(images: np.ndarray, labels: np.ndarray, classes: tuple[int, ...]):
    renumber = np.full(labels.max() + 1, -1, dtype=np.int64)
    renumber[list(classes)] = np.arange(len(classes))
    keep = renumber[labels] >= 0
    return images[keep], renumber[labels[keep]]


def restrict_classes(dataset: Dataset, classes: tuple[int, ...]) -> Dataset:
    """The dataset with only ``classes``, renumbered 0..k-1 in the order given."""
    check_classes(dataset.info, classes, "the class subset")
    x_train, y_train = _select(dataset.x_train, dataset.y_train, classes)
    x_test, y_test = _select(dataset.x_test, dataset.y_test, classes)
    names = tuple(dataset.info.class_names[label] for label in classes)
    info = replace(dataset.info, n_train=len(y_train), n_test=len(y_test), class_names=names)
    return Dataset(info, x_train, y_train, x_test, y_test, dataset.source)
