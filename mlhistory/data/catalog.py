"""What each dataset is: its description, shape, sizes, class names and kind.

The catalogue is pure data: a reader of saved results never needs it (the manifest records
what it shows), and the loaders check what they decode against it.
"""

import string
from dataclasses import dataclass, field

import numpy as np

from ..errors import UsageError

IMAGE, TABULAR = "image", "tabular"


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset must look like; used to validate it and to check sizes before loading."""

    name: str
    description: str
    input_shape: tuple[int, ...]  # (height, width) of an image, (n_features,) of a table row
    n_train: int
    n_test: int
    class_names: tuple[str, ...]
    offline: bool
    kind: str = IMAGE
    title: str = ""  # what a reader calls it: "MNIST", "Fashion-MNIST" (default: its name)
    # How a dataset without checksums in data/checksums.json is verified instead. Only a
    # network-fetched dataset may have one (its fetch checks the file it downloads); any
    # other dataset without recorded checksums is refused.
    own_check: str | None = None

    def __post_init__(self) -> None:
        if self.own_check and self.offline:
            raise TypeError(f"dataset {self.name!r}: only a network-fetched dataset may be "
                            "verified by its own check instead of recorded checksums")

    @property
    def is_image(self) -> bool:
        return self.kind == IMAGE

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


@dataclass(frozen=True)
class Dataset:
    info: DatasetInfo
    # uint8 (n, height, width) images, or float32 (n, n_features) rows; labels int64 in
    # [0, n_classes). Left out of the repr, which would print the pixels.
    x_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    x_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    source: str  # where the arrays were read from


DIGIT_NAMES = tuple(str(digit) for digit in range(10))
FASHION_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
# The tables' class names are the levels of their R factors, in level order.
LETTER_NAMES = tuple(string.ascii_uppercase)
SHUTTLE_NAMES = ("Rad.Flow", "Fpv.Close", "Fpv.Open", "High", "Bypass", "Bpv.Close", "Bpv.Open")
SATELLITE_NAMES = ("red soil", "cotton crop", "grey soil", "damp grey soil", "vegetation stubble",
                   "very damp grey soil")
# Cover types 1..7 as the UCI documentation (covtype.info) names them.
COVERTYPE_NAMES = ("Spruce/Fir", "Lodgepole Pine", "Ponderosa Pine", "Cottonwood/Willow", "Aspen",
                   "Douglas-fir", "Krummholz")
DATASETS = {
    "fashion_mnist": DatasetInfo(
        "fashion_mnist", "Fashion-MNIST (Xiao et al. 2017), 28x28 greyscale clothing",
        (28, 28), 60_000, 10_000, FASHION_NAMES, offline=True, title="Fashion-MNIST"),
    "mnist": DatasetInfo(
        "mnist", "MNIST (LeCun et al. 1998), 28x28 handwritten digits; the book's dataset",
        (28, 28), 60_000, 10_000, DIGIT_NAMES, offline=True, title="MNIST"),
    "digits": DatasetInfo(
        "digits", "scikit-learn's bundled 8x8 digits (UCI), fixed stratified 75/25 split",
        (8, 8), 1347, 450, DIGIT_NAMES, offline=True, title="scikit-learn's bundled 8x8 digits"),
    "letter": DatasetInfo(
        "letter", "UCI Letter Recognition (Frey & Slate 1991), 16 integer features of distorted "
        "capital letters; the published first-16,000 / last-4,000 split",
        (16,), 16_000, 4_000, LETTER_NAMES, offline=True, kind=TABULAR, title="UCI Letter Recognition"),
    "shuttle": DatasetInfo(
        "shuttle", "Statlog Shuttle (UCI), 9 numeric sensor readings, 7 heavily imbalanced "
        "classes; fixed stratified 75/25 split",
        (9,), 43_500, 14_500, SHUTTLE_NAMES, offline=True, kind=TABULAR, title="Statlog Shuttle"),
    "satellite": DatasetInfo(
        "satellite", "Statlog Landsat Satellite (UCI), 4 spectral bands of 3x3 pixel "
        "neighbourhoods, 6 soil and crop classes; fixed stratified 75/25 split",
        (36,), 4_826, 1_609, SATELLITE_NAMES, offline=True, kind=TABULAR, title="Statlog Landsat Satellite"),
    "covertype": DatasetInfo(
        "covertype", "UCI Forest Covertype (Blackard & Dean 1999), 54 cartographic features "
        "(44 of them one-hot), 7 tree cover types; fixed stratified 75/25 split",
        (54,), 435_759, 145_253, COVERTYPE_NAMES, offline=False, kind=TABULAR,
        title="UCI Forest Covertype",
        own_check="scikit-learn checks covtype.data.gz against the SHA-256 it pins when it "
                  "downloads it"),
}


@dataclass(frozen=True)
class MlbenchTable:
    """One data frame of R's mlbench package: its file, its class column, its official split."""

    frame: str  # the data frame's name, which is also its file's: <frame>.rda
    class_column: str
    official_n_train: int | None = None  # the first rows are the published training set


MLBENCH_TABLES = {
    # mlbench's help page for LetterRecognition gives the split its authors used, and the rows
    # are in the order of the UCI file (mlbench's notes/Data-Administration.R).
    "letter": MlbenchTable("LetterRecognition", "lettr", official_n_train=16_000),
    # Shuttle and Satellite concatenate the Statlog training and test files without recording
    # where one ends, so they get the seeded stratified split.
    "shuttle": MlbenchTable("Shuttle", "Class"),
    "satellite": MlbenchTable("Satellite", "classes"),
}


def dataset_info(name: str) -> DatasetInfo:
    if name not in DATASETS:
        by_kind = "; ".join(
            f"{', '.join(sorted(n for n, info in DATASETS.items() if info.kind == kind))} ({kind})"
            for kind in (IMAGE, TABULAR))
        raise UsageError(f"unknown dataset '{name}'; choose one of: {by_kind}")
    return DATASETS[name]
