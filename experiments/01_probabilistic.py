"""Probabilistic modelling: Naive Bayes and logistic regression against the book's dense net.

Deep Learning with Python, chapter 1, "A brief history of machine learning", section
"Probabilistic modeling". Naive Bayes (Gaussian and Bernoulli) assumes every pixel is
independent of the others given the class; logistic regression, the "hello world" of
classification, learns one linear template per class instead. The book's chapter-2 dense
net adds a single hidden layer of 512 ReLU units.

What the reader should see: the independence assumption costs Naive Bayes dearly on images
(its confusion matrix piles whole classes onto a few predictions); logistic regression, one
weight per pixel and class (drawn as ten 28x28 maps of which pixels vote for each class),
classifies far better; and the small dense net beats both. The independence assumption leaves
a second trace, in how sure Naive Bayes is: neighbouring pixels say the same thing, and it
counts each of them as fresh evidence, so it gives its predicted class a probability near 1
far more often than it is right (the reliability diagram), where logistic regression's
confidence tracks its accuracy.
"""

from mlhistory.judging import PROJECT, Beats, MoreOverconfident
from mlhistory.reporting.plots import Plot
from mlhistory.running.experiment import Experiment, main, tuned
from mlhistory.running.steps import sample_images

NAIVE_BAYES = ("gaussian_nb", "bernoulli_nb")
# The claims compare each family at its strongest: in the configuration the equal search chose
# on a validation split (results/tuning/), refitted on all the training images.
NAIVE_BAYES_TUNED = tuple(tuned(model) for model in NAIVE_BAYES)
LOGREG_TUNED = tuned("logreg")
DENSE_TUNED = tuned("dense")

EXPERIMENT = Experiment(
    experiment_id="01_probabilistic",
    title="Probabilistic modelling: Naive Bayes and logistic regression",
    book_section="Chapter 1.2.1, Probabilistic modeling",
    summary=__doc__,
    runs=(*NAIVE_BAYES, "logreg", "dense", *NAIVE_BAYES_TUNED, LOGREG_TUNED, DENSE_TUNED),
    # The section describes these models and ranks none of them, so both questions are ours.
    claims=(
        Beats("logreg_beats_naive_bayes", "Logistic regression, which does not assume that "
              "pixels are independent, beats naive Bayes, which does.",
              winner=LOGREG_TUNED, losers=NAIVE_BAYES_TUNED, source=PROJECT,
              passage="1st ed. 1.2.1 Probabilistic modeling; 2nd ed. A brief history of "
                      "machine learning (no ranking given)"),
        Beats("dense_beats_probabilistic", "The book's first deep-learning example, its dense "
              "net, beats both naive Bayes models and logistic regression, each as the equal "
              "search tuned it.",
              winner=DENSE_TUNED, losers=(*NAIVE_BAYES_TUNED, LOGREG_TUNED), source=PROJECT,
              passage="1st ed. 1.2.1 Probabilistic modeling (context)"),
        MoreOverconfident("naive_bayes_overconfident", "Naive Bayes assumes the pixels "
                          "\"all independent\" given the class: both naive Bayes models are "
                          "more over-confident (mean confidence minus accuracy) than logistic "
                          "regression.", overconfident=NAIVE_BAYES_TUNED, calibrated=LOGREG_TUNED,
                          passage="1st ed. 1.2.1 Probabilistic modeling; 2nd ed. (same section)"),
    ),
    plots=(
        Plot("accuracy_and_fit_time"),
        Plot("confusion_matrices", models=[*NAIVE_BAYES, "logreg", "dense"]),
        Plot("class_templates", model="logreg"),
        Plot("reliability", labels=[*NAIVE_BAYES_TUNED, LOGREG_TUNED]),
        Plot("sample_images"),
    ),
    # The first test images of each class, for the figure of what the data look like.
    extra_steps=(sample_images,),
)

if __name__ == "__main__":
    main(EXPERIMENT)
