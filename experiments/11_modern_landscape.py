"""The modern landscape: gradient boosting for structured data, deep learning for perception.

Deep Learning with Python, chapter 1, section 1.2.7 "The modern machine learning landscape":
"gradient boosting is used for problems where structured data is available, whereas deep
learning is used for perceptual problems such as image classification" (the book's reading
of Kaggle competitions from 2016 on).

The same models on both kinds of data: XGBoost, a random forest, logistic regression and a
Keras MLP for tables (standardised inputs; its tuning budget is three candidate shapes, each
with early stopping on a validation split carved from the training data, the best kept), on
four structured datasets (letter, shuttle, satellite; covertype when it can be downloaded,
its training split capped at COVERTYPE_CAP rows for every model) and on two image datasets
(the experiment's dataset and the 8x8 digits), where the book's convnet joins them. The
shallow models keep their registry configurations and get no tuning runs.

What the reader should see: who wins where, by how much and with what seed spread; shuttle
is heavily imbalanced, so its plot also shows balanced accuracy.
"""

from mlhistory.judging import Pairwise
from mlhistory.reporting.plots import Plot
from mlhistory.reporting.tables import Table
from mlhistory.results.labels import run_label
from mlhistory.running.experiment import Experiment, Run, main

TABULAR = ["letter", "shuttle", "satellite", "covertype"]
IMAGES = [None, "digits"]  # None: the experiment's dataset
MODELS = ["xgboost", "random_forest", "logreg", "tabular_mlp"]
COVERTYPE_CAP = 100_000
# --quick caps each candidate of the tabular MLP at 5 epochs (early stopping still applies).
QUICK_MLP = {"epochs": 5}


def runs_on(dataset: str | None, models: list[str]) -> list[Run]:
    return [Run(model, dataset=dataset, optional=dataset == "covertype",
                max_n_train=COVERTYPE_CAP if dataset == "covertype" else None,
                quick_params=QUICK_MLP if model == "tabular_mlp" else {})
            for model in models]


EXPERIMENT = Experiment(
    experiment_id="11_modern_landscape",
    title="The modern landscape: structured data against perceptual data",
    book_section="Chapter 1.2.7, The modern machine learning landscape",
    summary=__doc__.replace("COVERTYPE_CAP", f"{COVERTYPE_CAP:,}"),
    runs=tuple(run for dataset in TABULAR for run in runs_on(dataset, MODELS))
    + tuple(run for dataset in IMAGES for run in runs_on(dataset, MODELS + ["convnet"])),
    claims=(
        Pairwise("boosting_wins_structured", "On structured data gradient boosting matches or "
                 "beats the neural net on most datasets.",
                 pairs=tuple((run_label("xgboost", dataset=d), run_label("tabular_mlp", dataset=d))
                             for d in TABULAR),
                 relation="matches_or_beats", quorum="most"),
        Pairwise("convnet_wins_images", "On images the convnet beats gradient boosting.",
                 pairs=tuple((run_label("convnet", dataset=d), run_label("xgboost", dataset=d))
                             for d in IMAGES),
                 relation="beats", quorum="all"),
    ),
    plots=(Plot("landscape", models=MODELS + ["convnet"], imbalanced=["shuttle"]),
           Plot("who_wins_grid", models=MODELS + ["convnet"], imbalanced=["shuttle"])),
    tables=(Table("who_wins_where", models=MODELS + ["convnet"]),
            Table("quoted_landscape")),
)

if __name__ == "__main__":
    main(EXPERIMENT)
