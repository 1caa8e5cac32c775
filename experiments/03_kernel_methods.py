"""Kernel methods: SVMs (1995), the kernel trick, feature engineering, and scale.

Deep Learning with Python, chapter 1, "A brief history of machine learning", section
"Kernel methods". SVMs find the boundary with the widest margin, and the kernel trick lets
them do it in a high-dimensional space without ever computing coordinates there. The book
adds two catches: on perceptual data they needed hand-engineered features, and they "proved
hard to scale to large datasets".

- Pixels against engineered features: the RBF SVM on raw pixels, on the book's "pixel
  histograms" (ink per row and column plus an intensity histogram) and on HOG (the standard
  4x4-pixel cells); a linear SVM.
- The SVM against the nets of its day (the 1986 MLP and LeNet-1989, as experiment 02 trains
  them) and against the book's dense net, each as the equal search tuned it.
- Figure 1.10 as a real plot: linear SVM, RBF SVM and a small net on 2-D toy data.
- The kernel trick, measured: a degree-2 polynomial kernel SVM against the same SVM made
  linear on the kernel's exact feature map of the same standardised PCA components (the same
  solver, libsvm, and the same C), as the input dimension grows: one model computed two ways,
  so the accuracies should agree and the cost is the point.
- Scaling: fit time and fitted model size against training size for the RBF SVM, the dense
  net, a random forest and XGBoost, with fitted log-log exponents. The claim compares the
  SVM's exponent with the dense net's, on their fits timed again like a benchmark once the
  runs are done: three repeats per size, each with the load it was taken under, the quiet
  ones judged (the runs' own fit times, taken two at a time, are drawn beside them).

What the reader should see: the linear SVM fails on the toy data where the kernel and the
net succeed; the explicit map's size and cost explode with the dimension while the kernel's
stay flat; the SVM keeps more of its training set (support vectors) the more it is given,
where the dense net's weights stay the same; the RBF SVM's fit time grows much faster than
linearly (even through oneDAL, the fast implementation that lets it run here on all 60,000
images, as in the Fashion-MNIST paper); whether engineered features help the SVM is decided
by the measurement.
"""

from mlhistory.judging import PROJECT, Beats, FitTimeExponents, GrowsWithData, Pairwise
from mlhistory.reporting.plots import Plot
from mlhistory.running.experiment import Experiment, Run, main, tuned
from mlhistory.running.steps import timed_fits, toy_boundaries

SCALING_SIZES = (1_000, 2_000, 5_000, 10_000, 20_000, 60_000)
# Start-up costs dominate the smallest fits; exponents are fitted from here up.
EXPONENT_MIN_SIZE = 5_000
KERNEL_TRICK_DIMS = [8, 16, 32, 64]
KERNEL_TRICK_TRAIN = 10_000
# The kernel machine and the linear machine on its explicit map, at each input dimension.
KERNEL_TRICK_PAIRS = tuple((Run("poly_svm", features=f"pca{dim}", max_n_train=KERNEL_TRICK_TRAIN),
                            Run("kernel_map_svm", features=f"pca{dim}_poly2",
                                max_n_train=KERNEL_TRICK_TRAIN))
                           for dim in KERNEL_TRICK_DIMS)

SVM = Run("rbf_svm", sizes=SCALING_SIZES)
SVM_ON_HISTOGRAMS = Run("rbf_svm", features="ink_profiles")
SVM_ON_HOG = Run("rbf_svm", features="hog")
# The SVM at its strongest on pixels: the configuration the equal search chose (C, gamma and
# the pixel scaling, results/tuning/), refitted on all the training images. The feature
# comparisons keep one setting (C=10) for every input, so that only the features differ.
SVM_TUNED = tuned("rbf_svm")
DENSE_TUNED = tuned("dense")
# Each trained as in its time: the period's architecture and plain SGD, in the configuration
# the equal search chose for its period's knobs (learning rate, decay, epochs).
NETS_OF_ITS_DAY = (tuned("mlp_1986"), tuned("lenet1989"))
SVM_RUNS = [SVM, SVM_TUNED, SVM_ON_HISTOGRAMS, SVM_ON_HOG, Run("linear_svm"), *NETS_OF_ITS_DAY,
            DENSE_TUNED]
KERNEL_METHODS = "1st ed. 1.2.3 Kernel methods; 2nd ed. Kernel methods"
SCALING_RUNS = ["rbf_svm", "dense", "random_forest", "xgboost"]
DENSE_ALONG_SIZES = Run("dense", sizes=SCALING_SIZES)

HARD_TO_SCALE = FitTimeExponents(
    "svm_hard_to_scale", "SVMs are \"hard to scale to large datasets\": the RBF SVM's fit time "
    "grows faster with the training set than the dense net's (a steeper log-log slope).",
    steep=SVM.name, linear=DENSE_ALONG_SIZES.name, min_size=EXPONENT_MIN_SIZE,
    passage=KERNEL_METHODS)

EXPERIMENT = Experiment(
    experiment_id="03_kernel_methods",
    title="Kernel methods: SVMs, the kernel trick, feature engineering and scale",
    book_section="Chapter 1.2.3, Kernel methods",
    summary=__doc__,
    runs=(
        *SVM_RUNS,
        DENSE_ALONG_SIZES,
        Run("random_forest", sizes=SCALING_SIZES),
        Run("xgboost", sizes=SCALING_SIZES),
        *(run for pair in KERNEL_TRICK_PAIRS for run in pair),
    ),
    claims=(
        Beats("hog_beats_pixels", "On handwritten digits an SVM needs engineered features: "
              "the RBF SVM on HOG beats it on raw pixels.", winner=SVM_ON_HOG,
              losers=(SVM,), passage=KERNEL_METHODS + " (2nd ed.: digits need "
              "hand-made features first)", book_dataset="mnist"),
        Beats("histograms_beat_pixels", "On handwritten digits an SVM needs engineered features: "
              "the RBF SVM on the 2nd edition's example, pixel histograms, beats it on raw "
              "pixels.", winner=SVM_ON_HISTOGRAMS, losers=(SVM,),
              passage=KERNEL_METHODS + " (2nd ed. names pixel histograms)", book_dataset="mnist"),
        Beats("dense_beats_svm", "The book's two-layer dense net beats the RBF SVM on raw "
              "pixels, each as the equal search tuned it (the book's claim that SVMs did poorly "
              "on perception is tested against the convnets that replaced them, in experiment "
              "05).",
              winner=DENSE_TUNED, losers=(SVM_TUNED,), source=PROJECT,
              passage=KERNEL_METHODS + " (the comparison with the dense net is ours)"),
        Pairwise("kernel_trick", "The \"kernel trick\" gives the SVM a high-dimensional map "
                 "without computing it: the degree-2 polynomial kernel SVM scores as the same "
                 "SVM, linear on the kernel's exact degree-2 map, does, within the margin, at "
                 "every input dimension.",
                 pairs=KERNEL_TRICK_PAIRS, relation="equals", passage=KERNEL_METHODS),
        Beats("svm_beats_nets_of_its_day", "Kernel methods \"sent neural nets back to "
              "oblivion\": the RBF SVM beats the nets of its day, the 1986 MLP and LeNet-1989, "
              "each trained as in its time.", winner=SVM_TUNED,
              losers=NETS_OF_ITS_DAY,
              passage=KERNEL_METHODS + "; 1st ed. Why deep learning? Why now? (Algorithms)"),
        HARD_TO_SCALE,
        GrowsWithData("svm_memory_grows", "A kernel SVM keeps support vectors, part of its "
                      "training set, while a net learns from \"datasets of arbitrary size\" in "
                      "a fixed number of weights: the RBF SVM grows with the training set, the "
                      "dense net does not.", grows=SVM,
                      fixed=DENSE_ALONG_SIZES,
                      passage=KERNEL_METHODS + "; 1st ed. Will it last? (scalability); 2nd ed. "
                              "(same section)"),
    ),
    plots=(
        Plot("accuracy_and_fit_time", labels=SVM_RUNS),
        Plot("decision_boundaries"),
        Plot("kernel_trick", dims=KERNEL_TRICK_DIMS, kernel="poly_svm on pca{dim}",
             explicit="kernel_map_svm on pca{dim}_poly2"),
        Plot("scaling", labels=SCALING_RUNS, min_size=EXPONENT_MIN_SIZE),
    ),
    extra_steps=(toy_boundaries, timed_fits(HARD_TO_SCALE.run_labels(), EXPONENT_MIN_SIZE)),
)

if __name__ == "__main__":
    main(EXPERIMENT)
