"""The results layer: the one schema of saved rows and files, reading them back, the metadata
of a results set, the series derived from saved rows (curves, throughput), and the runs
flagged from them (``flags``: failed runs, impossible times, a results set's flag file).

It imports only the base modules (``atomic``, ``paths``, ``machine``): the writers (``running``)
and the readers (``judging``, ``reporting``) both depend on it, and it on neither.
"""

from .manifest import SCHEMA_VERSION, DatasetRecord, Manifest, RunRecord, SkippedRun
from .metadata import describe_environment, package_versions, write_metadata
from .schema import (
    CLAIMS_FILE,
    COLUMNS,
    HARDWARE_FILE,
    MANIFEST_FILE,
    METADATA_FILE,
    RUNS_FILE,
    SAMPLE_IMAGES_FILE,
    TEST_IMAGES_FILE,
    TEST_LABELS_FILE,
    TOY_FILE,
    base_dataset,
    key_of_test_set,
    read_rows,
    view_name,
    write_rows,
)
from .store import ExperimentResults, experiment_dirs, group_rows, mean_std, read_json, unique_runs

__all__ = ["SCHEMA_VERSION", "DatasetRecord", "Manifest", "RunRecord", "SkippedRun", "CLAIMS_FILE",
           "COLUMNS", "HARDWARE_FILE", "MANIFEST_FILE", "METADATA_FILE",
           "RUNS_FILE", "SAMPLE_IMAGES_FILE", "TEST_IMAGES_FILE", "TEST_LABELS_FILE", "TOY_FILE",
           "ExperimentResults", "base_dataset",
           "describe_environment", "experiment_dirs", "group_rows", "mean_std",
           "package_versions", "read_json", "read_rows", "key_of_test_set", "unique_runs",
           "view_name", "write_metadata", "write_rows"]
