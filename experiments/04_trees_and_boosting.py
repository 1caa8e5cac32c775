"""Decision trees, random forests and gradient boosting, against the book's convnet.

Deep Learning with Python, chapter 1, "A brief history of machine learning", section
"Decision trees, random forests, and gradient boosting machines". A decision tree asks a
chain of simple questions about the input (the book's Figure 1.11); a random forest averages
many randomised trees and is "almost always the second-best algorithm"; gradient boosting
adds trees that fix the ensemble's remaining errors and "strictly outperforms random forests
most of the time". Two gradient-boosting implementations are measured (XGBoost and
scikit-learn's HistGradientBoostingClassifier), and the comparison with the forest is
repeated on the 8x8 digits, with every seed, to count how often boosting wins.

What the reader should see: the tree's questions are about single pixels, the forest looks
at a broad blob of pixels where the tree looks at a few, and accuracy climbs as trees are
added (staged predictions from one fit, not refits). Whether the book's small convnet, with
its 5 epochs, still beats boosted trees on these images is for the measurement to decide.
"""

from mlhistory.judging import Beats, WinRate
from mlhistory.reporting.plots import Plot
from mlhistory.running.experiment import Experiment, Run, main

TREES = ["decision_tree", "random_forest", "xgboost", "hist_gradient_boosting"]
CROSS_CHECK = "digits"
BOOSTERS = ["xgboost", "hist_gradient_boosting"]

EXPERIMENT = Experiment(
    experiment_id="04_trees_and_boosting",
    title="Decision trees, random forests and gradient boosting",
    book_section="Chapter 1.2.4, Decision trees, random forests, and gradient boosting machines",
    summary=__doc__,
    runs=(
        *TREES,
        "convnet",
        *(Run(model, dataset=CROSS_CHECK) for model in ["random_forest", *BOOSTERS]),
    ),
    claims=(
        Beats("forest_beats_tree", "A random forest beats a single decision tree.",
              winner="random_forest", losers=("decision_tree",)),
        WinRate("boosting_beats_forest", "Gradient boosting beats the random forest most of the "
                "time (win rate over both boosters, every available dataset and every seed).",
                pairs=tuple((f"{booster}{suffix}", f"random_forest{suffix}")
                            for booster in BOOSTERS for suffix in ("", f" ({CROSS_CHECK})"))),
        Beats("convnet_beats_trees", "The convnet beats every tree model on images.",
              winner="convnet", losers=tuple(TREES)),
    ),
    plots=(
        Plot("tree_diagram", label="decision_tree"),
        Plot("importance_maps", labels=["decision_tree", "random_forest"]),
        Plot("staged_curves", labels=["random_forest", *BOOSTERS]),
        Plot("accuracy_and_fit_time", labels=[*TREES, "convnet"]),
    ),
)

if __name__ == "__main__":
    main(EXPERIMENT)
