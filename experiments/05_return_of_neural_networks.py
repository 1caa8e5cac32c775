"""Back to neural networks: the whole history in one figure.

Deep Learning with Python, chapter 1, "A brief history of machine learning", sections "Back
to neural networks" and "What makes deep learning different". From 2011-2012 GPU-trained
deep convnets won every vision competition (ImageNet top-5 accuracy: 74.3 % in 2011, 83.6 %
in 2012, 96.4 % in 2015, quoted from the book). Here every model of the earlier experiments
is gathered (from the run cache: nothing is refitted) next to the book's convnet with three
seeds and one modern convnet with batch normalisation, dropout and data augmentation: first
as the book and the libraries set them, then on the fair budget, where every net, booster and
forest trains until a validation split stops improving, and in the configurations the equal
search chose (the book's convnet and the shallow families it has tuned).

What the reader should see: how test error moves era by era on a log scale, where the deep
nets land among the shallow models, whether the book's "about 60 %" error reduction of the
convnet over the dense net (an MNIST figure from its convnet chapter) holds on MNIST and
carries over to Fashion-MNIST, and whether the convnet reaches human accuracy where a human
figure is published (Fashion-MNIST).
"""

from mlhistory.judging import PROJECT, Beats, ErrorReduction, ReachesReference
from mlhistory.judging.references import human_accuracy
from mlhistory.reporting.plots import Plot
from mlhistory.reporting.tables import Table
from mlhistory.running.experiment import Experiment, fair, main, tuned
from mlhistory.running.steps import first_test_images

# The same runs as experiments 01-04, so they come from the run cache.
SHALLOW = ["gaussian_nb", "bernoulli_nb", "logreg", "linear_svm", "rbf_svm", "decision_tree",
           "random_forest", "xgboost", "hist_gradient_boosting"]
DEEP = ["mlp_1986", "lenet1989", "lenet5", "dense", "convnet", "convnet_modern"]

FAIR_ENSEMBLES = [fair(model) for model in ["random_forest", "xgboost", "lightgbm"]]
CONVNET_FAIR = fair("convnet")
FAIR = [*FAIR_ENSEMBLES, fair("dense"), CONVNET_FAIR]
# The book's convnet as the equal search tuned it (learning rate, its decay, batch size,
# dropout, epochs by early stopping on validation accuracy), refitted on all the training
# images: the deep side of every convnet-against-shallow claim.
CONVNET_TUNED = tuned("convnet")
# Every shallow model at its strongest here: the families the equal search has tuned in the
# configuration it chose (results/tuning/), refitted on all the training images; the tree
# ensembles on their fair budget too (the boosters are not searched yet; the forest's fair
# budget stays beside its searched configuration, so the convnet must beat both).
SEARCHED_SHALLOW = ["gaussian_nb", "bernoulli_nb", "perceptron", "logreg", "linear_svm", "rbf_svm",
                    "decision_tree", "random_forest"]
TUNED_SHALLOW = [tuned(model) for model in SEARCHED_SHALLOW]
SVM_TUNED = TUNED_SHALLOW[SEARCHED_SHALLOW.index("rbf_svm")]
STRONGEST_SHALLOW = [*TUNED_SHALLOW, *FAIR_ENSEMBLES]
HUMAN_ACCURACY = human_accuracy()

EXPERIMENT = Experiment(
    experiment_id="05_return_of_neural_networks",
    title="Back to neural networks: the whole history in one figure",
    book_section="Chapter 1.2.5-1.2.6, Back to neural networks; What makes deep learning different",
    summary=__doc__,
    runs=(*SHALLOW, "perceptron", *DEEP, *FAIR, *TUNED_SHALLOW, CONVNET_TUNED),
    claims=(
        Beats("convnet_beats_shallow", "Convnets became the \"go-to algorithm\" for computer "
              "vision: the book's convnet, as the equal search tuned it, beats every shallow "
              "model, each at its strongest here (searched, or on its fair budget).",
              winner=CONVNET_TUNED, losers=tuple(STRONGEST_SHALLOW),
              passage="1st ed. 1.2.5 Back to neural networks; 2nd ed. (same section)"),
        Beats("svm_weak_on_perception", "SVMs \"didn't provide good results\" on perceptual "
              "problems: on images the convnet that replaced them beats the RBF SVM on raw "
              "pixels, each as the equal search tuned it.", winner=CONVNET_TUNED,
              losers=(SVM_TUNED,),
              passage="1st ed. 1.2.3 Kernel methods; 2nd ed. Kernel methods"),
        ErrorReduction("convnet_vs_dense_error", "On MNIST the book's convnet makes about 60 % "
                       "fewer test errors than its dense net (1st edition: 68 %), each on the "
                       "book's recipe.", better="convnet", worse="dense", quoted=0.6,
                       passage="2nd ed. ch. 8 (about 60 %); 1st ed. ch. 5 (68 %); not a "
                               "chapter-1 passage", book_dataset="mnist"),
        ReachesReference("near_human_accuracy", "Deep learning reached \"near-human-level image "
                         "classification\": the book's convnet, as the equal search tuned it, "
                         "reaches the published human accuracy.", label=CONVNET_TUNED,
                         references=HUMAN_ACCURACY,
                         passage="1st ed. 1.1.6 What deep learning has achieved so far; 2nd ed. "
                                 "(same section)"),
        Beats("modern_beats_book_convnet", "Batch normalisation, dropout and augmentation "
              "improve on the book's convnet, both on the book's 5 epochs (few for a "
              "regularised net: a weak test, kept as a question of ours).",
              winner="convnet_modern", losers=("convnet",), source=PROJECT,
              passage="1st ed. Why deep learning? Why now? (Algorithms) names batch "
                      "normalization; the comparison is ours"),
    ),
    plots=(
        Plot("timeline"),
        Plot("error_reduction", better="convnet"),
        Plot("accuracy_and_fit_time", references=HUMAN_ACCURACY),
        # The best convnet and the best shallow model: where they go wrong.
        Plot("confusion_and_errors",
             deep=["convnet", "convnet_modern", CONVNET_FAIR, CONVNET_TUNED],
             shallow=[*SHALLOW, "perceptron", *FAIR_ENSEMBLES, *TUNED_SHALLOW]),
        Plot("accuracy_across_datasets"),
    ),
    # Each era: what changed, and what it bought on each dataset.
    tables=(Table("era_table"),),
    # The first test images in order, for the figure of the images a model gets wrong.
    extra_steps=(first_test_images,),
)

if __name__ == "__main__":
    main(EXPERIMENT)
