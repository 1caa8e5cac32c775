"""What each dataset is: its description, shape, sizes, class names and kind, and the policies
every run on it follows (network, optional, training cap, a net's steps per epoch).

The catalogue is pure data: a reader of saved results never needs it (the manifest records
what it shows), and the loaders check what they decode against it.
"""

import string
from dataclasses import dataclass, field

import numpy as np

from ..errors import UsageError

IMAGE, TABULAR = "image", "tabular"


@dataclass(frozen=True, kw_only=True)
class TrainCap:
    """A training size every run on a dataset keeps to (a stratified subset of that many), for
    methods that cannot take the whole training split within the time budget."""

    n_train: int
    reason: str


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is and must look like (used to validate it and to check sizes before
    loading), and what every run on it must know: whether it needs the network, whether a run on
    it may be skipped, the training size runs keep to. Where it comes from is declared beside it,
    in ``sources.SOURCES``, under the same name."""

    name: str
    description: str
    input_shape: tuple[int, ...]  # (height, width) of an image, (n_features,) of a table row
    n_train: int
    n_test: int
    class_names: tuple[str, ...]
    kind: str = IMAGE
    title: str = ""  # what a reader calls it: "MNIST", "Fashion-MNIST" (default: its name)
    needs_network: bool = False  # its only source is a download (no package, no bundled copy)
    # How a dataset without checksums in data/checksums.json is verified instead. Only a
    # network-fetched dataset may have one (its fetch checks the file it downloads); any
    # other dataset without recorded checksums is refused.
    own_check: str | None = None
    # A run on it is optional: when the dataset cannot be loaded here, the run is skipped and the
    # manifest and report say why (never a run on the experiment's own dataset).
    optional: bool = False
    train_cap: TrainCap | None = None  # every run on it trains on at most this many examples
    # A training set so small that one pass of a net is a handful of gradient steps: each epoch
    # of a net that can repeat its data (a ``min_steps_per_epoch`` param) makes at least this
    # many steps, unless the run says otherwise (experiment 08's rule for small training sets).
    min_steps_per_epoch: int = 0

    def __post_init__(self) -> None:
        if self.own_check and not self.needs_network:
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
        (28, 28), 60_000, 10_000, FASHION_NAMES, title="Fashion-MNIST"),
    "mnist": DatasetInfo(
        "mnist", "MNIST (LeCun et al. 1998), 28x28 handwritten digits; the book's dataset",
        (28, 28), 60_000, 10_000, DIGIT_NAMES, title="MNIST"),
    "digits": DatasetInfo(
        "digits", "scikit-learn's bundled 8x8 digits (UCI), fixed stratified 75/25 split",
        (8, 8), 1347, 450, DIGIT_NAMES, title="scikit-learn's bundled 8x8 digits",
        # 1,347 images are 11 to 22 batches of a net: too few steps per epoch to train.
        min_steps_per_epoch=100),
    "letter": DatasetInfo(
        "letter", "UCI Letter Recognition (Frey & Slate 1991), 16 integer features of distorted "
        "capital letters; the published first-16,000 / last-4,000 split",
        (16,), 16_000, 4_000, LETTER_NAMES, kind=TABULAR, title="UCI Letter Recognition"),
    "shuttle": DatasetInfo(
        "shuttle", "Statlog Shuttle (UCI), 9 numeric sensor readings, 7 heavily imbalanced "
        "classes; fixed stratified 75/25 split",
        (9,), 43_500, 14_500, SHUTTLE_NAMES, kind=TABULAR, title="Statlog Shuttle"),
    "satellite": DatasetInfo(
        "satellite", "Statlog Landsat Satellite (UCI), 4 spectral bands of 3x3 pixel "
        "neighbourhoods, 6 soil and crop classes; fixed stratified 75/25 split",
        (36,), 4_826, 1_609, SATELLITE_NAMES, kind=TABULAR, title="Statlog Landsat Satellite"),
    "covertype": DatasetInfo(
        "covertype", "UCI Forest Covertype (Blackard & Dean 1999), 54 cartographic features "
        "(44 of them one-hot), 7 tree cover types; fixed stratified 75/25 split",
        (54,), 435_759, 145_253, COVERTYPE_NAMES, kind=TABULAR, title="UCI Forest Covertype",
        needs_network=True, optional=True,
        own_check="scikit-learn checks covtype.data.gz against the SHA-256 it pins when it "
                  "downloads it",
        train_cap=TrainCap(n_train=100_000, reason="of its 581,012 rows every model trains on "
                           "a stratified 100,000, so the random forest and the RBF SVM fit in "
                           "minutes and every model sees as many")),
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
