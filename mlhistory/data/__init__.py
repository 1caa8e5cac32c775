"""The data layer: what each dataset is, where it comes from, how it is checked, and the
subsets and class views runs take of it.

It imports nothing of the project but ``errors``, ``paths`` and ``atomic``: models and the
runner import it, never the other way round, and readers of saved results never need it
(the manifest records what they show of a dataset).
"""

from .catalog import (
    DATASETS,
    IMAGE,
    MLBENCH_TABLES,
    TABULAR,
    Dataset,
    DatasetInfo,
    TrainCap,
    dataset_info,
)
from .checks import array_checksums, recorded_checksums, validate, verification, verify_checksums
from .formats import read_idx, read_mlbench_frame, read_mnist_pickle
from .sources import Origin, load, locate, origin
from .subsets import (
    VALIDATION_FRACTION,
    array_digest,
    check_subset_size,
    stratified_order,
    stratified_subset,
    validation_size,
    validation_split,
)
from .views import check_classes, restrict_classes

__all__ = [
    "DATASETS", "IMAGE", "MLBENCH_TABLES", "TABULAR", "Dataset", "DatasetInfo", "Origin", "TrainCap",
    "array_checksums", "array_digest", "check_classes", "check_subset_size", "dataset_info",
    "load", "locate", "origin", "read_idx", "read_mlbench_frame", "read_mnist_pickle",
    "recorded_checksums", "restrict_classes", "stratified_order", "stratified_subset",
    "validation_size", "validation_split", "VALIDATION_FRACTION",
    "validate", "verification", "verify_checksums",
]
