"""The manifest's records of what an experiment ran: each labelled run with the run keys behind
it and its display name in parts, and each dataset as readers show it."""

from .. import models
from ..data import dataset_info
from ..results.labels import RECIPE_KEPT_NOTE, TUNED_NOTE
from ..results.manifest import DatasetRecord, RunRecord
from .cli import Config
from .spec import RunSpec


# ``run`` is an experiment's ``Run`` (experiment.py, which imports this module).
def run_record(run, config: Config, specs: list[RunSpec]) -> RunRecord:
    entry = models.get(run.model)
    features = run.features_for(config)
    # A tuned run's params are the chosen configuration's: none where the search kept the recipe.
    tuned_note = (TUNED_NOTE if run.params else RECIPE_KEPT_NOTE) if run.tuned else ""
    # Under --quick the name says what the quick run trained ("2 epochs"), not the full run.
    shown = {**run.params, **run.quick_params_for(config)}
    return RunRecord(
        label=run.name, model=run.model, model_display=entry.display_name(shown) + tuned_note,
        features=features, features_display=models.features_display(features),
        family=entry.family, color_family=entry.lineage_of(run.params),
        preprocessing=entry.preprocessing, provenance=entry.provenance,
        params=models.resolve_params(run.model, run.params_for(config)),
        subset_params=run.subset_params, quick_params=run.quick_params_for(config),
        max_n_train=run.train_cap(config),
        dataset=run.dataset_name(config), dataset_shown=run.dataset is not None,
        classes=run.classes, run_keys=tuple(spec.key for spec in specs), tuned=run.tuned)


def dataset_record(name: str) -> DatasetRecord:
    info = dataset_info(name)
    return DatasetRecord(name=info.name, title=info.title or info.name,
                         description=info.description, kind=info.kind,
                         input_shape=tuple(info.input_shape), class_names=tuple(info.class_names),
                         n_train=info.n_train, n_test=info.n_test)
