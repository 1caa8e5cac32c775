"""The modern landscape: gradient boosting for structured data, deep learning for perception.

Deep Learning with Python, chapter 1, section 1.2.7 "The modern machine learning landscape": in
the book's reading of Kaggle competitions from 2016 on, gradient boosting is the tool when
"structured data is available" and deep learning the tool for perceptual problems such as image
classification.

The same models on both kinds of data: XGBoost and LightGBM, a random forest, logistic
regression, the RBF SVM and a Keras MLP for tables (standardised inputs), on four structured
datasets (letter, shuttle, satellite; covertype when it can be downloaded, its training split
capped at COVERTYPE_CAP rows for every model) and on two image datasets (the experiment's
dataset and the 8x8 digits), where the book's convnet joins them. On the three tables the equal
search has searched (``make tune``: 24 trials for every family on each), every family runs as
the search chose, so the claims about tables compare equal efforts. On covertype, which no
search has seen, and on the images, whose boosters are not searched to the end yet, each runs
on the fair budget: the boosters for rounds until a validation split stops improving, the
forest grown the same way, the MLP the best of three candidate shapes, each with early stopping
on a validation split carved from the training data. The book's convnet runs on the
experiment's dataset as the equal search tuned it, since its fair budget stops short of its
published accuracy there; on the 1,347 digits on its fair budget, each epoch making at least
DIGITS_MIN_STEPS gradient steps (experiment 08's rule for small training sets). The claims
compare macro-F1, since shuttle is about 80 % one class and accuracy would hide the rare ones
(the search scores configurations by validation accuracy, as on every dataset).

What the reader should see: who wins where, by how much and with what seed spread; and the
book's division of labour as an interaction: whether XGBoost's edge over the neural net is
larger on the tables than on the images.
"""

from mlhistory.data import dataset_info
from mlhistory.judging import GapInteraction, Pairwise, RunnerUp, Sometimes
from mlhistory.reporting.plots import Plot
from mlhistory.reporting.tables import Table
from mlhistory.running.experiment import Experiment, Run, main, on_fair_budget, tuned

TABULAR = ["letter", "shuttle", "satellite", "covertype"]
# The tables with a search saved for every family (make tune); covertype needs a download.
SEARCHED_TABLES = ("letter", "shuttle", "satellite")
IMAGES = [None, "digits"]  # None: the experiment's dataset
MODELS = ["xgboost", "lightgbm", "random_forest", "logreg", "rbf_svm", "tabular_mlp"]
# What the summary quotes of the catalogue, which gives every run on these datasets its rule.
COVERTYPE_CAP = dataset_info("covertype").train_cap.n_train
DIGITS_MIN_STEPS = dataset_info("digits").min_steps_per_epoch
# --quick only: the nets on digits make fewer steps per epoch than the catalogue's minimum.
QUICK_DIGITS_STEPS = {"min_steps_per_epoch": 10}
LANDSCAPE = ("1st ed. (section after 1.2.6, The modern machine-learning landscape); 2nd ed. "
             "The modern machine learning landscape")
TREES_SECTION = ("1st ed. 1.2.4 Decision trees, random forests and gradient boosting machines; "
                 "2nd ed. (same section)")


def image_convnet(dataset: str | None) -> Run:
    """The book's convnet on an image dataset: on the experiment's dataset as the equal search
    tuned it (its fair budget stops short of its published accuracy there), on the digits,
    which have no convnet search, on its fair budget."""
    if dataset is None:
        return tuned("convnet")
    return on_fair_budget("convnet", dataset=dataset, quick_params=QUICK_DIGITS_STEPS)


def strongest(model: str, dataset: str | None) -> Run:
    """A family on a table the search has searched, as it chose; elsewhere on its fair budget."""
    if dataset in SEARCHED_TABLES:
        return tuned(model, dataset=dataset)
    return on_fair_budget(model, dataset=dataset)


def label(model: str, dataset: str | None) -> str:
    if model == "convnet":
        return image_convnet(dataset).name
    return strongest(model, dataset).name


EXPERIMENT = Experiment(
    experiment_id="11_modern_landscape",
    title="The modern landscape: structured data against perceptual data",
    book_section="Chapter 1.2.7, The modern machine learning landscape",
    summary=__doc__.replace("COVERTYPE_CAP", f"{COVERTYPE_CAP:,}").replace(
        "DIGITS_MIN_STEPS", str(DIGITS_MIN_STEPS)),
    runs=tuple(strongest(model, dataset) for dataset in TABULAR for model in MODELS)
    + tuple(on_fair_budget(model, dataset=dataset) for dataset in IMAGES for model in MODELS)
    + tuple(image_convnet(dataset) for dataset in IMAGES),
    claims=(
        Pairwise("boosting_wins_structured", "Gradient boosting is the tool where \"structured "
                 "data is available\": on tables XGBoost matches or beats the neural net on "
                 "macro-F1, on most datasets, each as the equal search tuned it.",
                 pairs=tuple((label("xgboost", d), label("tabular_mlp", d)) for d in TABULAR),
                 relation="matches_or_beats", quorum="most", metric="macro_f1",
                 passage=LANDSCAPE),
        Pairwise("convnet_wins_images", "Deep learning is the tool for perceptual problems: on "
                 "images the book's convnet (as the equal search tuned it, where it is searched) "
                 "beats XGBoost on macro-F1.",
                 pairs=tuple((label("convnet", d), label("xgboost", d)) for d in IMAGES),
                 relation="beats", quorum="all", metric="macro_f1", passage=LANDSCAPE),
        GapInteraction("boosting_for_tables_nets_for_images", "Gradient boosting where "
                       "\"structured data is available\", deep learning for perception: "
                       "XGBoost's macro-F1 advantage over the neural net (the tabular MLP, the "
                       "book's convnet on images) is larger on the tables (each as the equal "
                       "search tuned it) than on the images.",
                       larger=tuple((label("xgboost", d), label("tabular_mlp", d))
                                    for d in TABULAR),
                       smaller=tuple((label("xgboost", d), label("convnet", d)) for d in IMAGES),
                       metric="macro_f1", passage=LANDSCAPE),
        Pairwise("boosting_best_every_table", "Gradient boosting may be the best algorithm for "
                 "nonperceptual data: on every table XGBoost is the best or within the margin "
                 "of the best, on macro-F1, each as the equal search tuned it.",
                 pairs=tuple((label("xgboost", d), label(m, d))
                             for d in TABULAR for m in MODELS if m != "xgboost"),
                 relation="matches_or_beats", quorum="all", metric="macro_f1",
                 passage=TREES_SECTION),
        Sometimes("tables_shallow_wins", "Sometimes there \"isn't enough data for deep "
                  "learning\" or another algorithm suits better: on some table some shallow "
                  "model beats the neural net on macro-F1, each as the equal search tuned it "
                  "(experiment 08 asks the same along training sizes).",
                  cells=tuple((tuple(label(m, d) for m in MODELS if m != "tabular_mlp"),
                               (label("tabular_mlp", d),), None) for d in TABULAR),
                  metric="macro_f1",
                  passage="1st ed. 1.2 Before deep learning; 2nd ed. A brief history of "
                          "machine learning"),
        RunnerUp("forest_second_best", "Random forests are \"almost always the second-best "
                 "algorithm\" on shallow-learning tasks: on tables the forest ranks first or "
                 "second on macro-F1, on most datasets, each as the equal search tuned it.",
                 groups=tuple((label("random_forest", d),
                               *(label(m, d) for m in MODELS if m != "random_forest"))
                              for d in TABULAR),
                 metric="macro_f1", passage=TREES_SECTION),
        Pairwise("trees_over_kernels", "By 2010 tree methods were \"often preferred to kernel "
                 "methods\": on tables the random forest matches or beats the RBF SVM on "
                 "macro-F1, on most datasets, each as the equal search tuned it.",
                 pairs=tuple((label("random_forest", d), label("rbf_svm", d)) for d in TABULAR),
                 relation="matches_or_beats", quorum="most", metric="macro_f1",
                 passage=TREES_SECTION),
    ),
    plots=(Plot("landscape", models=[*MODELS, "convnet"], imbalanced=["shuttle"]),
           Plot("who_wins_grid", models=[*MODELS, "convnet"], imbalanced=["shuttle"])),
    tables=(Table("who_wins_where", models=[*MODELS, "convnet"]),
            Table("quoted_landscape")),
)

if __name__ == "__main__":
    main(EXPERIMENT)
