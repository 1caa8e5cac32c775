"""Representations: Figures 1.5 and 1.6, measured.

Deep Learning with Python, chapter 1, section 1.1.4 "Understanding how deep learning works,
in three figures" (Figures 1.5-1.6, "Deep representations learned by a digit-classification
model"). The book describes a deep network as "a multistage information-distillation
operation": each layer's representation is "increasingly different from the original
image and increasingly informative about the final result".

The book's convnet is trained on the experiment's dataset and on the 8x8 digits; then
a linear probe (PCA to at most 256 components, then logistic regression, fitted on 5,000
training images) reads the class from the input and from every layer's output, and is
scored on the test split. The probes are fitted after training and never change the net.

What the reader should see: the activations of sample images layer by layer (Figure 1.6,
from the trained net), a 2-D projection of each layer coloured by class, and whether the
probe accuracy really rises with depth; where it does not, the report says at which layer.
"""

from mlhistory.judging import RisesAlong
from mlhistory.reporting.plots import Plot
from mlhistory.running.experiment import Experiment, Run, main

NETS = [Run("probed_convnet", label="convnet"),
        Run("probed_convnet", dataset="digits", label="convnet (digits)")]

EXPERIMENT = Experiment(
    experiment_id="07_representations",
    title="Representations layer by layer: information distillation, measured",
    book_section="Chapter 1.1.4-1.1.5, Figures 1.5-1.6",
    summary=__doc__,
    runs=tuple(NETS),
    claims=tuple(
        RisesAlong(f"probe_rises_{net.dataset or 'default'}", "Each layer's representation is "
                   f"more informative about the class: linear-probe accuracy rises with depth "
                   f"({net.name}).", label=net.name, artifact="probe_accuracy",
                   names_artifact="layer_names")
        for net in NETS),
    plots=tuple(
        Plot(kind, label=net.name, file=f"{kind}_{net.dataset or 'default'}.png")
        for net in NETS for kind in ("layer_activations", "probe_accuracy", "layer_projections")),
)

if __name__ == "__main__":
    main(EXPERIMENT)
