"""What makes deep learning different: learned features, and layers learned jointly.

Deep Learning with Python, chapter 1, section "What makes deep learning different". Deep
learning "completely automates what used to be the most crucial step in a machine learning
workflow: feature engineering", and it learns all layers of representation jointly, where
stacking shallow methods greedily gives "fast-diminishing returns".

- Representations: the same shallow models (logistic regression, the RBF SVM, a random
  forest) on the raw pixels, on two engineered representations (the book's pixel histograms,
  HOG), on PCA (50 components), and on features learned by the book's convnet (its last layer
  before the softmax; the convnet trained on the same training images only, once per seed).
  Every cell trains on the same GRID_TRAIN images, the RBF SVM's cap from experiment 03, so
  the grid compares like with like.
- Greedy against joint: a stack of k = 1..4 Dense(256, relu) layers, trained greedily (each
  new layer under a temporary softmax head, the layers below frozen) or jointly end to end,
  with the same total number of epochs (one per layer).

What the reader should see: whether learned features lift even a linear model above every
engineered pipeline, and whether greedy stacking stalls where joint training keeps gaining.
"""

from mlhistory.judging import Beats, DiminishingReturns, Pairwise
from mlhistory.reporting.plots import Plot
from mlhistory.reporting.tables import Table
from mlhistory.results.labels import run_label
from mlhistory.running.budgets import SVM_MAX_TRAIN
from mlhistory.running.experiment import Experiment, Run, main

# The RBF SVM's cap from experiment 03, for every cell of the grid, so all cells see the same
# images and the SVM's runs come cached.
GRID_TRAIN = SVM_MAX_TRAIN
MODELS = ["logreg", "rbf_svm", "random_forest"]
REPRESENTATIONS = ["pixels", "ink_profiles", "hog", "pca50", "convnet_features"]
ENGINEERED = ["ink_profiles", "hog"]
DEPTHS = [1, 2, 3, 4]


def stack(training: str, depth: int) -> Run:
    return Run("stacked_dense", params={"depth": depth, "training": training},
               label=f"{training} k={depth}")


EXPERIMENT = Experiment(
    experiment_id="06_learned_features",
    title="Learned against engineered features; greedy against joint training",
    book_section="Chapter 1.2.6, What makes deep learning different",
    summary=__doc__.replace("GRID_TRAIN", f"{GRID_TRAIN:,}"),
    runs=(
        *(Run(model, features=features, max_n_train=GRID_TRAIN)
          for model in MODELS for features in REPRESENTATIONS),
        *(stack(training, depth) for training in ("greedy", "joint") for depth in DEPTHS),
    ),
    claims=(
        Beats("learned_features_beat_engineering", "With learned deep features even logistic "
              "regression beats the best engineered-feature pipeline.",
              winner="logreg on convnet_features",
              losers=tuple(run_label(model, features) for model in MODELS for features in ENGINEERED)),
        Pairwise("joint_beats_greedy", "Training all layers jointly matches or beats greedy "
                 "layer-wise training at every depth.",
                 pairs=tuple((f"joint k={depth}", f"greedy k={depth}") for depth in DEPTHS)),
        DiminishingReturns("greedy_diminishing_returns", "Greedily stacked layers give "
                           "fast-diminishing returns: each added layer gains less.",
                           labels=tuple(f"greedy k={depth}" for depth in DEPTHS)),
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
