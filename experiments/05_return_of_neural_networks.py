"""Back to neural networks: the whole history in one figure.

Deep Learning with Python, chapter 1, "A brief history of machine learning", sections "Back
to neural networks" and "What makes deep learning different". From 2011-2012 GPU-trained
deep convnets won every vision competition (ImageNet top-5 accuracy: 74.3 % in 2011, 83.6 %
in 2012, 96.4 % in 2015, quoted from the book). Here every model of the earlier experiments
is gathered (from the run cache: nothing is refitted) next to the book's convnet with three
seeds and one modern convnet with batch normalisation, dropout and data augmentation.

What the reader should see: how test error moves era by era on a log scale, where the deep
nets land among the shallow models, and whether the book's "about 60 %" error reduction of
the convnet over the dense net (on MNIST) carries over to this dataset.
"""

from mlhistory.judging import Beats, ErrorReduction
from mlhistory.reporting.plots import Plot
from mlhistory.running.budgets import SVM_MAX_TRAIN
from mlhistory.running.experiment import Experiment, Run, main

# The same runs as experiments 01-04, so they come from the run cache. The RBF SVM keeps
# experiment 03's size cap.
SHALLOW = ["gaussian_nb", "bernoulli_nb", "logreg", "linear_svm", "rbf_svm", "decision_tree",
           "random_forest", "xgboost", "hist_gradient_boosting"]
DEEP = ["mlp_1986", "lenet1989", "lenet5", "dense", "convnet", "convnet_modern"]

EXPERIMENT = Experiment(
    experiment_id="05_return_of_neural_networks",
    title="Back to neural networks: the whole history in one figure",
    book_section="Chapter 1.2.5-1.2.6, Back to neural networks; What makes deep learning different",
    summary=__doc__,
    runs=tuple(Run(model, max_n_train=SVM_MAX_TRAIN) if model == "rbf_svm" else model
               for model in SHALLOW + DEEP),
    claims=(
        Beats("convnet_beats_shallow", "The book's convnet beats every shallow model.",
              winner="convnet", losers=tuple(SHALLOW)),
        ErrorReduction("convnet_vs_dense_error", "The convnet removes about 60 % of the dense "
                       "net's test errors (the book's figure on MNIST).",
                       better="convnet", worse="dense", quoted=0.6),
        Beats("modern_beats_book_convnet", "Batch normalisation, dropout and augmentation "
              "improve on the book's convnet.", winner="convnet_modern", losers=("convnet",)),
    ),
    plots=(
        Plot("timeline"),
        Plot("error_reduction", better="convnet"),
        Plot("accuracy_and_fit_time"),
    ),
)

if __name__ == "__main__":
    main(EXPERIMENT)
