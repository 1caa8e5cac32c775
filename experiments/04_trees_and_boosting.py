"""Decision trees, random forests and gradient boosting, against the book's convnet.

Deep Learning with Python, chapter 1, "A brief history of machine learning", section
"Decision trees, random forests, and gradient boosting machines". A decision tree asks a
chain of simple questions about the input (the book's Figure 1.11); a random forest averages
many randomised trees and is "almost always the second-best algorithm"; gradient boosting
adds trees that fix the ensemble's remaining errors and "strictly outperforms random forests
most of the time". The libraries' defaults (100 trees, 100 rounds) are shown as they are.
The tree and the forest are judged in the configuration the equal search chose for each (the
forest's trees, features per split and split criterion), refitted on all the training images;
where boosting meets the forest, both are on the fair budget, where the forest grows and the
boosters (XGBoost, and LightGBM, which the 2nd edition names beside it) add rounds until a
validation split stops improving, because the boosters are not searched yet and a tuned forest
against untuned boosters would be unequal. The convnet, whose fair budget stops it short of
its published accuracy, meets the ensembles as the equal search tuned it; the boosters' fair
budget already reaches theirs (the sanity gate checks both). Boosting against the forest is
counted once per booster and dataset: this dataset, the 8x8 digits and three UCI tables (the
same runs as experiment 11).

What the reader should see: the tree's questions are about single pixels, the forest looks
at a broad blob of pixels where the tree looks at a few, and accuracy climbs as trees are
added (staged predictions from one fit, not refits). Whether the book's convnet beats boosted
trees on these images, each at its strongest here, is for the measurement to decide; and
whether the forest, like the SVM in experiment 03, beats the nets of the 1980s, which "weren't
able to shine" against such shallow methods.
"""

from mlhistory.judging import PROJECT, Beats, WinRate
from mlhistory.reporting.plots import Plot
from mlhistory.running.experiment import Experiment, fair, main, tuned

TREES = ["decision_tree", "random_forest", "xgboost", "hist_gradient_boosting"]
BOOSTERS = ["xgboost", "lightgbm"]
# Where boosting meets the forest besides this dataset: the 8x8 digits and the UCI tables of
# experiment 11 (covertype only when it can be downloaded).
OTHER_DATASETS = ["digits", "letter", "satellite", "shuttle", "covertype"]
FOREST_FAIR = fair("random_forest")
# The tree and the forest as the equal search tuned each, for the claims that set them against
# each other and against the nets of the forest's day, which are searched too.
TREE_TUNED, FOREST_TUNED = tuned("decision_tree"), tuned("random_forest")
FAIR_ENSEMBLES = [FOREST_FAIR, *(fair(booster) for booster in BOOSTERS)]
FAIR_EVERYWHERE = [fair(model, dataset=dataset) for dataset in (None, *OTHER_DATASETS)
                   for model in ["random_forest", *BOOSTERS]]
# The book's convnet as the equal search tuned it, against the ensembles at their strongest
# here: the boosters on their fair budget (not searched yet), the forest on both.
CONVNET_TUNED = tuned("convnet")
# The nets of the forest's day, trained as in their time, each in the configuration the equal
# search chose for its period's knobs (the runs of experiment 03).
NETS_OF_ITS_DAY = (tuned("mlp_1986"), tuned("lenet1989"))
TREES_SECTION = ("1st ed. 1.2.4 Decision trees, random forests and gradient boosting machines; "
                 "2nd ed. (same section)")


EXPERIMENT = Experiment(
    experiment_id="04_trees_and_boosting",
    title="Decision trees, random forests and gradient boosting",
    book_section="Chapter 1.2.4, Decision trees, random forests, and gradient boosting machines",
    summary=__doc__,
    runs=(
        *TREES,
        *FAIR_EVERYWHERE,
        CONVNET_TUNED,
        *NETS_OF_ITS_DAY,
        TREE_TUNED,
        FOREST_TUNED,
    ),
    claims=(
        Beats("forest_beats_tree", "A random forest beats a single decision tree, each as the "
              "equal search tuned it.", winner=FOREST_TUNED, losers=(TREE_TUNED,), source=PROJECT,
              passage=TREES_SECTION + " (forests as ensembles of trees; no comparison given)"),
        WinRate("boosting_beats_forest", "Gradient boosting beats random forests \"most of the "
                "time\": on the fair budget, on macro-F1, once per booster and dataset.",
                pairs=tuple((fair(booster, dataset=dataset), fair("random_forest", dataset=dataset))
                            for dataset in (None, *OTHER_DATASETS) for booster in BOOSTERS),
                metric="macro_f1", passage=TREES_SECTION),
        Beats("convnet_beats_trees", "Convnets became the \"go-to algorithm\" for computer "
              "vision: on images the book's convnet, as the equal search tuned it, beats every "
              "tree ensemble at its strongest here (searched, or on its fair budget).",
              winner=CONVNET_TUNED, losers=(*FAIR_ENSEMBLES, FOREST_TUNED),
              passage="1st ed. 1.2.5 Back to neural networks; 2nd ed. (same section)"),
        Beats("forest_beats_nets_of_its_day", "Until the late 2000s shallow nets \"weren't able "
              "to shine\" against shallow methods such as random forests: the forest beats the "
              "nets of its day, the 1986 MLP and LeNet-1989, each trained as in its time, all "
              "as the equal search tuned them.", winner=FOREST_TUNED, losers=NETS_OF_ITS_DAY,
              passage="1st ed. Why deep learning? Why now? (Algorithms); 2nd ed. (same section)"),
    ),
    plots=(
        Plot("tree_diagram", label="decision_tree"),
        Plot("importance_maps", labels=["decision_tree", "random_forest"]),
        Plot("staged_curves", labels=FAIR_ENSEMBLES),
        # The boosting-against-forest count, one row per dataset, on the claim's metric.
        Plot("who_wins_grid", models=["random_forest", *BOOSTERS], labels=FAIR_EVERYWHERE,
             metric="macro_f1"),
        Plot("accuracy_and_fit_time", labels=[*TREES, TREE_TUNED, FOREST_TUNED, *FAIR_ENSEMBLES,
                                              CONVNET_TUNED, *NETS_OF_ITS_DAY]),
    ),
)

if __name__ == "__main__":
    main(EXPERIMENT)
