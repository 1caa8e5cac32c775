"""How an experiment's Run declarations turn into run specs: sizes, seeds, views, skips."""

from collections import defaultdict
from pathlib import Path

import pytest

from mlhistory.data import Origin
from mlhistory.errors import DataError
from mlhistory.results import SkippedRun
from mlhistory.running.cli import Config
from mlhistory.running.experiment import Run, available_runs

# Every dataset's digest, as data.origin would give it; its value does not matter here.
DIGESTS = defaultdict(lambda: "digest")


def config(seeds=(0, 1, 2), n_train=None, quick=False) -> Config:
    return Config(dataset="fashion_mnist", quick=quick, seeds=list(seeds), n_train=n_train,
                  n_test=None, data_dir=Path("unused"), results_dir=Path("unused"), jobs=1,
                  argv=[])


def sizes_and_seeds(run: Run, cfg: Config) -> list[tuple]:
    return [(spec.n_train, spec.seed) for spec in run.specs(cfg, DIGESTS)]


def test_deterministic_models_run_once_unless_the_seed_draws_the_subset():
    assert sizes_and_seeds(Run("logreg", sizes=(1000,)), config()) == [(1000, 0), (None, 0)]
    resampled = sizes_and_seeds(Run("logreg", sizes=(1000,), resample=True), config())
    # Below full size each seed draws another subset; the full split is the same for all.
    assert resampled == [(1000, 0), (1000, 1), (1000, 2), (None, 0)]


def test_small_sizes_get_extra_seeds_only_when_running_several():
    run = Run("dense", sizes=(100, 1000), small_size_seeds=(300, 5))
    seeds_at = {}
    for n_train, seed in sizes_and_seeds(run, config()):
        seeds_at.setdefault(n_train, []).append(seed)
    assert seeds_at == {100: [0, 1, 2, 3, 4], 1000: [0, 1, 2], None: [0, 1, 2]}
    assert sizes_and_seeds(run, config(seeds=(0,), n_train=2000)) == [(100, 0), (1000, 0), (2000, 0)]


def test_subset_params_leave_the_full_size_run_untouched():
    run = Run("convnet", sizes=(100,), subset_params={"min_steps_per_epoch": 100})
    small, full = run.specs(config(seeds=(0,)), DIGESTS)
    assert small.params_dict["min_steps_per_epoch"] == 100
    assert "min_steps_per_epoch" not in full.params_dict
    # The full-size run is the very run every other experiment makes: same cache key.
    assert full.key == Run("convnet").specs(config(seeds=(0,)), DIGESTS)[0].key


def test_class_views_without_the_full_size_and_their_own_keys():
    run = Run("logreg", sizes=(50, 150), include_full=False, classes=(5, 6, 7, 8, 9))
    specs = run.specs(config(seeds=(0,)), DIGESTS)
    assert [spec.n_train for spec in specs] == [50, 150]
    assert all(spec.classes == (5, 6, 7, 8, 9) for spec in specs)
    plain = Run("logreg", sizes=(50,), include_full=False).specs(config(seeds=(0,)), DIGESTS)[0]
    assert plain.key != specs[0].key and "[5, 6, 7, 8, 9]" in specs[0].describe()


def test_tabular_runs_take_the_columns_and_name_their_dataset():
    run = Run("xgboost", dataset="letter")
    assert run.name == "xgboost (letter)"
    assert run.specs(config(seeds=(0,)), DIGESTS)[0].features == "columns"


def _covertype_offline(monkeypatch):
    def origin(name, data_dir):
        if name == "covertype":
            raise DataError("cannot download covertype: offline")
        return Origin(f"data/{name}", f"{name}-digest")

    monkeypatch.setattr("mlhistory.running.experiment.origin", origin)


def test_runs_on_a_dataset_the_catalogue_calls_optional_are_skipped_with_their_reason(monkeypatch):
    _covertype_offline(monkeypatch)
    runs = [Run("xgboost", dataset="letter"), Run("xgboost", dataset="covertype")]
    kept, skipped, origins = available_runs(runs, config())
    assert kept == runs[:1]
    assert skipped == [SkippedRun(label="xgboost (covertype)", dataset="covertype",
                                  reason="cannot download covertype: offline")]
    assert origins == {"letter": Origin("data/letter", "letter-digest")}


def test_the_experiment_s_own_dataset_is_never_skipped(monkeypatch):
    _covertype_offline(monkeypatch)
    own = Config(**{**config().__dict__, "dataset": "covertype"})
    with pytest.raises(DataError, match="offline"):
        available_runs([Run("xgboost")], own)


def test_the_catalogue_caps_every_run_on_a_dataset_and_the_manifest_says_so():
    from mlhistory.data import dataset_info
    from mlhistory.running.manifests import run_record

    cap = dataset_info("covertype").train_cap.n_train
    for run in (Run("xgboost", dataset="covertype"), Run("logreg", dataset="covertype")):
        assert sizes_and_seeds(run, config(seeds=(0,))) == [(cap, 0)]
        assert run_record(run, config(), run.specs(config(), DIGESTS)).max_n_train == cap
    # A run's own cap below the dataset's wins; above it, the dataset's does.
    assert Run("logreg", dataset="covertype", max_n_train=5_000).train_cap(config()) == 5_000
    assert Run("logreg", dataset="covertype", max_n_train=10 * cap).train_cap(config()) == cap
    assert Run("logreg", dataset="letter").train_cap(config()) is None


def test_a_small_dataset_gives_its_nets_their_steps_per_epoch():
    from mlhistory.data import dataset_info

    steps = dataset_info("digits").min_steps_per_epoch
    assert steps > 0
    net = Run("convnet", dataset="digits").specs(config(seeds=(0,)), DIGESTS)[0]
    assert net.params_dict["min_steps_per_epoch"] == steps
    # The run's own value wins, a model without the param takes none, other datasets none.
    own = Run("convnet", dataset="digits", params={"min_steps_per_epoch": 7})
    assert own.specs(config(seeds=(0,)), DIGESTS)[0].params_dict["min_steps_per_epoch"] == 7
    assert "min_steps_per_epoch" not in Run("xgboost", dataset="digits").specs(
        config(seeds=(0,)), DIGESTS)[0].params_dict
    assert "min_steps_per_epoch" not in Run("convnet").specs(config(seeds=(0,)), DIGESTS)[0].params_dict


def test_a_model_s_quick_params_come_from_its_registry_entry():
    from mlhistory import models

    quick = models.get("tabular_mlp").quick_params
    assert quick
    run = Run("tabular_mlp", dataset="letter")
    assert run.specs(config(seeds=(0,), quick=True), DIGESTS)[0].params_dict.items() >= quick.items()
    full = run.specs(config(seeds=(0,)), DIGESTS)[0].params_dict
    assert full == models.resolve_params("tabular_mlp")


def test_a_quick_run_is_named_for_what_it_trained():
    from mlhistory.running.manifests import run_record

    run = Run("convnet")
    assert run_record(run, config(), []).display_name == "Book's convnet (5 epochs)"
    assert run_record(run, config(quick=True), []).display_name == "Book's convnet (2 epochs)"


def test_a_required_run_is_never_skipped(monkeypatch):
    def origin(name, data_dir):
        raise DataError("broken")

    monkeypatch.setattr("mlhistory.running.experiment.origin", origin)
    with pytest.raises(DataError, match="broken"):
        available_runs([Run("xgboost", dataset="letter")], config())


@pytest.mark.parametrize("run", [Run("logreg", features="convnet_features"), Run("dense")])
def test_models_or_features_that_depend_on_the_seed_run_every_seed(run):
    assert [seed for _, seed in sizes_and_seeds(run, config())] == [0, 1, 2]
