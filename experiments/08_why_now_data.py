"""Why now: data. Learning curves of the shallow models and the deep nets.

Deep Learning with Python, chapter 1, section 1.3 "Why deep learning? Why now?" (Data), and
section 1.2.6: deep learning took off once large labelled datasets existed, and "sometimes
there isn't enough data for deep learning" to beat simpler methods.

Test accuracy against the number of training images on log-spaced sizes (100 to the full
split), for logistic regression, the RBF SVM, a random forest and XGBoost at their registry
configurations (100 trees, 100 rounds), and the book's dense net and convnet on the book's
recipe (5 epochs). At full size every model also runs at its strongest here (as the equal
search tuned it, or on the fair budget where its family is not searched yet: the runs of
experiment 05), and the full-size claim is judged on those. The
subsets are seeded, stratified and nested (a smaller one is inside a larger one); every model
runs every seed below full size, since the seed draws the subset (5 seeds up to 300 images).
On a few hundred images one pass of a net is a handful of steps, so below full size each
epoch of a net makes at least MIN_STEPS gradient steps (the shallow models train to
convergence at every size); the full-size points are the very runs of experiment 05.

What the reader should see: where each curve starts, how fast it climbs, the size at which
the deep nets overtake each shallow model (the crossover table), and, with both axes on log
scales, how much each model's test error shrinks per doubling of the data: the slope of its
line, the power law error ~ n^-a.
"""

from mlhistory.judging import Beats, FallsFaster, Sometimes
from mlhistory.reporting.plots import Plot
from mlhistory.reporting.tables import Table
from mlhistory.running.experiment import Experiment, Run, fair, main, tuned

SIZES = (100, 300, 1_000, 3_000, 10_000)
MIN_STEPS = 100
QUICK_MIN_STEPS = 10  # --quick only (its nets then learn less at the small sizes)
SHALLOW_MODELS = ["logreg", "rbf_svm", "random_forest", "xgboost"]
DEEP_MODELS = ["dense", "convnet"]


def curve(model: str, **options) -> Run:
    return Run(model, sizes=SIZES, resample=True, small_size_seeds=(300, 5), **options)


SHALLOW = [curve(model) for model in SHALLOW_MODELS]
DEEP = [curve(model, subset_params={"min_steps_per_epoch": MIN_STEPS},
              quick_params={"min_steps_per_epoch": QUICK_MIN_STEPS}) for model in DEEP_MODELS]
CONVNET_CURVE = DEEP[DEEP_MODELS.index("convnet")]
DATA = "1st ed. Why deep learning? Why now? (Data); 2nd ed. (same section)"
# At full size every model also runs at its strongest here, the very runs of experiment 05:
# as the equal search tuned it, or on the fair budget where its family is not searched yet.
STRONGEST_SHALLOW = (*(tuned(model) for model in ["logreg", "rbf_svm", "random_forest"]),
                     fair("xgboost"))
DENSE_TUNED, CONVNET_TUNED = tuned("dense"), tuned("convnet")

EXPERIMENT = Experiment(
    experiment_id="08_why_now_data",
    title="Why now: data. Learning curves, and where deep learning takes over",
    book_section="Chapter 1.3, Why deep learning? Why now? (Data); 1.2.6",
    summary=__doc__.replace("MIN_STEPS", str(MIN_STEPS)),
    runs=(*SHALLOW, *DEEP, *STRONGEST_SHALLOW, DENSE_TUNED, CONVNET_TUNED),
    claims=(
        Sometimes("small_data_shallow_wins", "Sometimes there \"isn't enough data for deep "
                  "learning\": at some training size of the learning curves some shallow model "
                  "beats both of the book's nets (experiment 11 asks the same of the tables).",
                  cells=tuple((tuple(SHALLOW), tuple(DEEP), size) for size in SIZES),
                  passage="1st ed. 1.2 Before deep learning; 2nd ed. A brief history of "
                          "machine learning"),
        Beats("convnet_best_at_full_size", "Deep learning took off once large datasets existed: "
              "with all the data the convnet beats every other model, each at its strongest "
              "here (searched, or on its fair budget).", winner=CONVNET_TUNED,
              losers=(*STRONGEST_SHALLOW, DENSE_TUNED), passage=DATA),
        FallsFaster("convnet_gains_more_from_data", "Data \"is its coal\": deep learning gains "
                    "more from more data than shallow models do. Along the learning curves the "
                    "convnet's test error falls faster per doubling of the training set than "
                    "each shallow model's.", fast=CONVNET_CURVE, slow=tuple(SHALLOW),
                    passage=DATA),
    ),
    plots=(Plot("learning_curves", labels=SHALLOW + DEEP),
           Plot("error_curves", labels=SHALLOW + DEEP)),
    tables=(Table("crossover_table", deep=DEEP, shallow=SHALLOW),),
)

if __name__ == "__main__":
    main(EXPERIMENT)
