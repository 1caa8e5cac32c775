"""Will it last: deep models are reusable and can keep learning.

Deep Learning with Python, chapter 1, section 1.3.5 "Will it last?": a trained deep model
can be repurposed for another task, which makes deep learning "applicable to fairly small
datasets", and it can keep learning from new data "without restarting from scratch", which
suits continuous online learning.

- Reuse: the book's convnet is pretrained on the first half of the classes (the full
  training split of classes 0-4), then reused for the other half (classes 5-9) with only 10,
  30, 100 or 300 labelled images per class: its convolutional base under a new head, frozen
  or fine-tuned; against the same convnet from scratch and the shallow models on pixels.
  Three seeds per size (each seed draws the images and pretrains its own base). Every net
  trains 5 epochs of at least MIN_STEPS steps.
- Continual training: the dense net, the convnet, a linear SVM trained by SGD and Gaussian
  naive Bayes see the training split in three stratified parts; each either continues on
  every new part or is retrained from scratch on all parts so far, with the same epochs per
  stage (one pass over the new data, or over all data so far). Trees, kernel SVMs and
  boosting in scikit-learn/XGBoost have no partial_fit: they can only refit from scratch
  (the scratch rows show what that costs).

What the reader should see: reuse making the convnet usable on a few dozen images, and
continued training keeping up with retraining at a fraction of the cumulative cost.
"""

from mlhistory.judging import Beats, CheaperToContinue
from mlhistory.reporting.plots import Plot
from mlhistory.results.labels import continual_label
from mlhistory.running.experiment import Experiment, Run, main

SOURCE, TARGET = (0, 1, 2, 3, 4), (5, 6, 7, 8, 9)
PER_CLASS = (10, 30, 100, 300)
SIZES = tuple(count * len(TARGET) for count in PER_CLASS)
MIN_STEPS = 50
SHALLOW = ["logreg", "rbf_svm", "random_forest", "xgboost"]
REUSE_PARAMS = {"source_classes": SOURCE, "min_steps_per_epoch": MIN_STEPS}
# --quick pretrains on a stratified 1,000 of the source images instead of all 30,000, and its
# few-shot nets make fewer steps per epoch.
QUICK_MIN_STEPS = {"min_steps_per_epoch": 10}
QUICK_SOURCE = {"source_n_train": 1_000, **QUICK_MIN_STEPS}


def few_shot(model: str, label: str, params: dict | None = None, quick: dict | None = None) -> Run:
    return Run(model, params=params or {}, sizes=SIZES, include_full=False, classes=TARGET,
               resample=True, label=label, quick_params=quick or {})


def continual(model: str, name: str, mode: str, **params) -> Run:
    return Run(model, params={"mode": mode, **params}, label=continual_label(name, mode))


CONTINUAL = [("continual_net", "dense", {"network": "dense"}),
             ("continual_net", "convnet", {"network": "convnet", "batch_size": 64}),
             ("continual_shallow", "SGD linear SVM", {"learner": "sgd_hinge"}),
             ("continual_shallow", "Gaussian NB", {"learner": "gaussian_nb"})]

WILL_IT_LAST = "1st ed. Will it last? (MEAP draft 1.2.6); 2nd ed. (same section)"

EXPERIMENT = Experiment(
    experiment_id="12_will_it_last",
    title="Will it last: reusing a trained network, and training it further",
    book_section="Chapter 1.3.5, Will it last?",
    summary=__doc__.replace("MIN_STEPS", str(MIN_STEPS)),
    runs=(
        few_shot("transfer_convnet", "reused base, frozen", {**REUSE_PARAMS, "mode": "frozen"},
                 QUICK_SOURCE),
        few_shot("transfer_convnet", "reused base, fine-tuned",
                 {**REUSE_PARAMS, "mode": "finetune"}, QUICK_SOURCE),
        few_shot("convnet", "convnet from scratch", {"min_steps_per_epoch": MIN_STEPS},
                 QUICK_MIN_STEPS),
        *(few_shot(model, model) for model in SHALLOW),
        *(continual(model, name, mode, **params) for model, name, params in CONTINUAL
          for mode in ("continue", "scratch")),
    ),
    claims=(
        Beats("reuse_wins_small_data", "Reusing trained models makes deep learning "
              "\"applicable to fairly small datasets\": with "
              f"{PER_CLASS[0]} images per class the reused, frozen base beats the convnet from "
              "scratch and every shallow model.",
              winner="reused base, frozen", losers=("convnet from scratch", *SHALLOW),
              n_train=SIZES[0], passage=WILL_IT_LAST),
        CheaperToContinue("continuing_keeps_up", "Deep models keep learning from new data "
                          "\"without restarting from scratch\": a model continued on each new "
                          "part of the data is not worse than one retrained on all of it.",
                          pairs=tuple((f"{name} (continue)", f"{name} (scratch)")
                                      for model, name, _ in CONTINUAL if model == "continual_net"),
                          passage=WILL_IT_LAST),
    ),
    plots=(
        Plot("transfer_curves", per_class=list(PER_CLASS),
             labels=["reused base, frozen", "reused base, fine-tuned", "convnet from scratch",
                     *SHALLOW]),
        Plot("continual_curves", models=[name for _, name, _ in CONTINUAL]),
    ),
)

if __name__ == "__main__":
    main(EXPERIMENT)
