"""Probabilistic modelling: Naive Bayes and logistic regression against the book's dense net.

Deep Learning with Python, chapter 1, "A brief history of machine learning", section
"Probabilistic modeling". Naive Bayes (Gaussian and Bernoulli) assumes every pixel is
independent of the others given the class; logistic regression, the "hello world" of
classification, learns one linear template per class instead. The book's chapter-2 dense
net adds a single hidden layer of 512 ReLU units.

What the reader should see: the independence assumption costs Naive Bayes dearly on images
(its confusion matrix piles whole classes onto a few predictions); logistic regression, one
weight per pixel and class (drawn as ten 28x28 maps of which pixels vote for each class),
classifies far better; and the small dense net beats both.
"""

from mlhistory.judging import Beats
from mlhistory.reporting.plots import Plot
from mlhistory.running.experiment import Experiment, main

NAIVE_BAYES = ("gaussian_nb", "bernoulli_nb")

EXPERIMENT = Experiment(
    experiment_id="01_probabilistic",
    title="Probabilistic modelling: Naive Bayes and logistic regression",
    book_section="Chapter 1.2.1, Probabilistic modeling",
    summary=__doc__,
    runs=(*NAIVE_BAYES, "logreg", "dense"),
    claims=(
        Beats("logreg_beats_naive_bayes", "Logistic regression beats Naive Bayes.",
              winner="logreg", losers=NAIVE_BAYES),
        Beats("dense_beats_probabilistic", "The dense net beats both Naive Bayes and "
              "logistic regression.", winner="dense", losers=(*NAIVE_BAYES, "logreg")),
    ),
    plots=(
        Plot("accuracy_and_fit_time"),
        Plot("confusion_matrices", models=[*NAIVE_BAYES, "logreg", "dense"]),
        Plot("class_templates", model="logreg"),
    ),
)

if __name__ == "__main__":
    main(EXPERIMENT)
