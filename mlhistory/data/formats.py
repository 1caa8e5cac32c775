"""Decoders of the files datasets come in: IDX (LeCun's format), R data frames (.rda), and the
classic deeplearning.net pickle of MNIST. Each checks what it reads and raises ``DataError``
with one sentence naming the file.
"""

import gzip
import io
import pickle
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError
from .catalog import MlbenchTable

IDX_UNSIGNED_BYTE = 0x08
# The pickle holds float32 pixels that are exactly the uint8 values / 256.
MNIST_PICKLE_SCALE = 256


def read_idx(path: Path) -> np.ndarray:
    """Decode one IDX file (optionally gzipped) of unsigned bytes, checking its header and size."""
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: cannot be decompressed ({error}); "
                        "the file is truncated or corrupted") from error
    if len(raw) < 4:
        raise DataError(f"{path}: too short to hold an IDX header; the file is truncated")
    zero_a, zero_b, type_code, n_dims = raw[:4]
    if zero_a != 0 or zero_b != 0 or n_dims == 0:
        raise DataError(f"{path}: bad IDX magic number {raw[:4].hex()}; this is not an IDX file")
    if type_code != IDX_UNSIGNED_BYTE:
        raise DataError(f"{path}: IDX data type 0x{type_code:02x} is not unsigned byte (0x08)")
    header_size = 4 + 4 * n_dims
    if len(raw) < header_size:
        raise DataError(f"{path}: IDX header is cut short; the file is truncated")
    shape = struct.unpack(f">{n_dims}I", raw[4:header_size])
    expected = int(np.prod(shape))
    found = len(raw) - header_size
    if found != expected:
        raise DataError(f"{path}: header promises {expected} bytes for shape {shape} but the file "
                        f"holds {found}; the file is truncated or corrupted")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)


def read_mnist_pickle(payload: bytes, where: str) -> dict:
    """Decode deeplearning.net's ``mnist.pkl.gz`` into the official uint8 split.

    Its "train" (50,000) then "valid" (10,000) are MNIST's 60,000 training images in their
    original order, and its "test" is the 10,000 test images.
    """
    try:
        with gzip.open(io.BytesIO(payload)) as handle:
            train, valid, test = pickle.load(handle, encoding="latin1")
        x_train = np.concatenate([train[0], valid[0]])
        y_train = np.concatenate([train[1], valid[1]])
        x_test, y_test = test
    except (OSError, EOFError, zlib.error, pickle.UnpicklingError, ValueError, TypeError,
            IndexError) as error:
        raise DataError(f"{where}: not the MNIST pickle ({type(error).__name__}); "
                        "the file is truncated or corrupted") from error

    def to_pixels(images: np.ndarray) -> np.ndarray:
        scaled = np.asarray(images, dtype=np.float64) * MNIST_PICKLE_SCALE
        pixels = np.rint(scaled)
        if pixels.min() < 0 or pixels.max() > 255 or not np.array_equal(pixels, scaled):
            raise DataError(f"{where}: pixel values are not whole multiples of 1/256 in [0, 1); "
                            "this is not the MNIST pickle")
        return pixels.astype(np.uint8).reshape(-1, 28, 28)

    return {"x_train": to_pixels(x_train), "y_train": np.asarray(y_train, dtype=np.int64),
            "x_test": to_pixels(x_test), "y_test": np.asarray(y_test, dtype=np.int64)}


def read_mlbench_frame(path: Path, table: MlbenchTable, class_names: tuple[str, ...]
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Decode one mlbench .rda into float32 features and int64 class codes, in file order.

    Every attribute of the frames used here is numeric; a factor attribute would need an encoding
    chosen for it, so it is rejected rather than converted silently.
    """
    import rdata

    try:
        with warnings.catch_warnings():
            # rdata warns before it fails on a damaged file; the error below says it in one line.
            warnings.simplefilter("ignore")
            # The files declare no string encoding; their strings (the factor levels) are ASCII.
            objects = rdata.read_rda(path, default_encoding="ascii")
    except Exception as error:  # rdata's parser raises whatever it meets: LZMAError, IndexError...
        raise DataError(f"{path}: cannot be read as R data ({type(error).__name__}: {error}); "
                        "the file is truncated or corrupted") from error
    frame = objects.get(table.frame)
    if frame is None or not hasattr(frame, "columns"):
        raise DataError(f"{path}: holds no data frame named {table.frame} "
                        f"(found: {', '.join(objects) or 'nothing'}); this is not mlbench's file")
    if table.class_column not in frame.columns or frame[table.class_column].dtype.name != "category":
        raise DataError(f"{path}: {table.frame} has no factor column '{table.class_column}' "
                        "holding the classes")
    classes = frame[table.class_column]
    if tuple(classes.cat.categories) != class_names:
        raise DataError(f"{path}: class levels {list(classes.cat.categories)} differ from the "
                        f"expected {list(class_names)}")
    features = frame.drop(columns=table.class_column)
    not_numeric = [column for column in features.columns if features[column].dtype.kind not in "biuf"]
    if not_numeric:
        raise DataError(f"{path}: attributes {', '.join(not_numeric)} are not numeric, "
                        f"and {table.frame} is expected to hold numbers only")
    return features.to_numpy(dtype=np.float32), classes.cat.codes.to_numpy(dtype=np.int64)
