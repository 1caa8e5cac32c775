"""What makes deep learning different: learned features, and layers learned jointly.

Deep Learning with Python, chapter 1, section "What makes deep learning different". In the
book's account deep learning automates feature engineering, once the most crucial and most
manual step of a workflow, and it learns all layers of representation together, where
stacking shallow methods greedily gives "fast-diminishing returns".

- Representations: the same shallow models (logistic regression, the RBF SVM, a random
  forest) on the raw pixels, on two engineered representations (the book's pixel histograms,
  HOG), on PCA (50 components), and on features learned by the book's convnet (its last layer
  before the softmax; the convnet trained on the same training images only, once per seed).
  Every cell trains on the same GRID_TRAIN images (the grid's budget, explained in
  ``mlhistory/running/budgets.py``), so the grid compares like with like.
- Greedy against joint: a stack of k = 1..4 Dense(256, relu) layers, trained greedily (each
  new layer under a temporary softmax head, the layers below frozen) or jointly end to end,
  with the same total number of epochs (one per layer).

What the reader should see: whether learned features lift even a linear model above every
engineered pipeline, and whether greedy stacking stalls where joint training keeps gaining.
"""

from mlhistory.judging import PROJECT, Beats, DiminishingReturns, KeepsGaining, Pairwise
from mlhistory.reporting.plots import Plot
from mlhistory.reporting.tables import Table
from mlhistory.results.labels import stack_label
from mlhistory.running.budgets import REPRESENTATION_GRID_TRAIN
from mlhistory.running.experiment import Experiment, Run, main

GRID_TRAIN = REPRESENTATION_GRID_TRAIN
MODELS = ["logreg", "rbf_svm", "random_forest"]
DIFFERENT = "1st ed. 1.2.6 What makes deep learning different; 2nd ed. (same section)"
REPRESENTATIONS = ["pixels", "ink_profiles", "hog", "pca50", "convnet_features"]
ENGINEERED = ["ink_profiles", "hog"]
DEPTHS = [1, 2, 3, 4]


def stack(training: str, depth: int) -> Run:
    return Run("stacked_dense", params={"depth": depth, "training": training},
               label=stack_label(training, depth))


GRID = {(model, features): Run(model, features=features, max_n_train=GRID_TRAIN)
        for model in MODELS for features in REPRESENTATIONS}
STACKS = {(training, depth): stack(training, depth)
          for training in ("greedy", "joint") for depth in DEPTHS}


EXPERIMENT = Experiment(
    experiment_id="06_learned_features",
    title="Learned against engineered features; greedy against joint training",
    book_section="Chapter 1.2.6, What makes deep learning different",
    summary=__doc__.replace("GRID_TRAIN", f"{GRID_TRAIN:,}"),
    runs=(*GRID.values(), *STACKS.values()),
    claims=(
        Beats("learned_features_beat_engineering", "Deep learning can \"learn all features in "
              "one pass\", replacing feature engineering: with the convnet's learned features "
              "even logistic regression beats every engineered-feature pipeline.",
              winner=GRID["logreg", "convnet_features"],
              losers=tuple(GRID[model, features] for model in MODELS for features in ENGINEERED),
              passage=DIFFERENT),
        Pairwise("joint_beats_greedy", "Learning all layers jointly is \"much more powerful\" "
                 "than greedily stacking them: joint training beats greedy layer-wise "
                 "training at every depth above one.",
                 pairs=tuple((STACKS["joint", depth], STACKS["greedy", depth])
                             for depth in DEPTHS[1:]),
                 relation="beats", passage=DIFFERENT),
        KeepsGaining("greedy_diminishing_returns", "Greedily stacked layers give "
                     "\"fast-diminishing returns\" where joint training does not: from two "
                     "layers on, joint training gains more accuracy than greedy stacking.",
                     keeps=tuple(STACKS["joint", depth] for depth in DEPTHS),
                     stops=tuple(STACKS["greedy", depth] for depth in DEPTHS), start=1,
                     passage=DIFFERENT),
        DiminishingReturns("greedy_gains_shrink", "Along greedy stacking alone, each added "
                           "layer gains less than the one before.",
                           labels=tuple(STACKS["greedy", depth] for depth in DEPTHS),
                           source=PROJECT, passage=DIFFERENT + " (greedy alone: ours)"),
    ),
    plots=(
        Plot("representation_grid", models=MODELS, representations=REPRESENTATIONS),
        Plot("greedy_vs_joint", depths=DEPTHS),
    ),
    tables=(
        Table("representation_table", models=MODELS, representations=REPRESENTATIONS),
    ),
)

if __name__ == "__main__":
    main(EXPERIMENT)
