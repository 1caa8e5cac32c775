"""Representations: Figures 1.5 and 1.6, measured.

Deep Learning with Python, chapter 1, section 1.1.4 "Understanding how deep learning works,
in three figures" (Figures 1.5-1.6, "Deep representations learned by a digit-classification
model"). The book calls a deep network a multistage "information distillation" operation:
each successive representation looks less like the input image and says more about the
digit it shows.

The book's convnet is trained on the experiment's dataset and on the 8x8 digits (on their
1,347 training images each epoch makes at least MIN_STEPS gradient steps, the rule of
experiment 08, so the small net is not left undertrained); then
a linear probe (PCA to at most 256 components, then logistic regression, fitted on 5,000
training images) reads the class from the input and from every layer's output, and is
scored on the test split. The probes are fitted after training and never change the net.
How much each layer still looks like the input is measured by linear CKA (centred kernel
alignment) between the input pixels and the layer's output, on ten batches of the test images.

What the reader should see: the activations of sample images layer by layer (Figure 1.6,
from the trained net), a 2-D projection of each layer coloured by class, whether each block's
output is less like the input than the one before (the first half of the distillation), and
whether the probe accuracy rises with depth (the second). Both are judged step by step over the
block outputs (the input, each pooling, the last convolution and the dense head), each step's
change with its interval over seeds and test images against the margin: a layer inside a
block may dip (the plot shows every layer), a block output may not. Only the experiment's
dataset is judged: the 8x8 digits' 450 test images are too few to decide a verdict (and their
probe starts near its ceiling, so it cannot rise), so their net's plots illustrate and its
claims are not made.
"""

from mlhistory.judging import DriftsFromInput, RisesAlong
from mlhistory.reporting.plots import Plot
from mlhistory.running.experiment import Experiment, Run, main

MIN_STEPS = 100  # experiment 08's rule for small training sets
JUDGED_NET = Run("probed_convnet", label="convnet")
NETS = [JUDGED_NET,
        Run("probed_convnet", dataset="digits", label="convnet (digits)",
            params={"min_steps_per_epoch": MIN_STEPS})]
# The output of each block of the book's convnet, in Keras' names for its layers.
BLOCK_OUTPUTS = ("input", "max_pooling2d", "max_pooling2d_1", "conv2d_2", "dense")
DISTILLATION = "1st ed. 1.1.4 The \"deep\" in deep learning (Figures 1.5-1.6); 2nd ed. (same section)"

EXPERIMENT = Experiment(
    experiment_id="07_representations",
    title="Representations layer by layer: information distillation, measured",
    book_section="Chapter 1.1.4-1.1.5, Figures 1.5-1.6",
    summary=__doc__.replace("MIN_STEPS", str(MIN_STEPS)),
    runs=tuple(NETS),
    claims=(
        DriftsFromInput("drifts_from_input_default", "In \"information distillation\" each "
                        "representation looks less like the input image: every block's output "
                        "is less similar to the input pixels (linear CKA) than the block before "
                        f"({JUDGED_NET.name}).", label=JUDGED_NET.name, steps=BLOCK_OUTPUTS,
                        passage=DISTILLATION, book_dataset="mnist"),
        RisesAlong("probe_rises_default", "A deep net works as \"information distillation\": "
                   "what a linear probe reads about the class rises from block to block "
                   f"({JUDGED_NET.name}).", label=JUDGED_NET.name, steps=BLOCK_OUTPUTS, passage=DISTILLATION,
                   book_dataset="mnist")),
    plots=tuple(
        Plot(kind, label=net.name, file=f"{kind}_{net.dataset or 'default'}.png")
        for net in NETS for kind in ("layer_activations", "input_similarity", "probe_accuracy",
                                     "layer_projections")),
)

if __name__ == "__main__":
    main(EXPERIMENT)
