"""Early neural networks: backpropagation (mid-1980s) and LeNet (1989), against the book's convnet.

Deep Learning with Python, chapter 1, "A brief history of machine learning", section
"Early neural networks". Backpropagation made it possible to train layered networks; at
Bell Labs in 1989 LeCun combined it with convolutions into LeNet, which read the digits on
US mail. This experiment trains the era's networks as they were trained (tanh or sigmoid
units, plain SGD) next to the book's modern convnet (ReLU, max-pooling, RMSprop):

- ``perceptron``: Rosenblatt's 1958 single layer of threshold units, the "toy form" of the
  1950s, trained by the perceptron rule (no hidden layer, so no backpropagation needed);
- ``mlp_1986``: one hidden layer of 300 sigmoid units;
- ``lenet1989``: LeCun's 1989 zip-code network on 16x16 inputs;
- ``lenet5``: the 1998 layout, 6@5x5, average pooling, 16@5x5, 120, 84, 10;
- ``convnet``: the book's chapter-8 convnet.

What the reader should see: backpropagation's hidden layer beats the single-layer
perceptron; convolutions beat the fully connected network with far fewer
weights, and the modern recipe gets there in a fraction of the epochs the 1989-1998 recipe
needs. The per-epoch curves are test accuracy recorded after each epoch; they never steer
training.
"""

from mlhistory.judging import PROJECT, Beats, ReachesSooner
from mlhistory.reporting.plots import Plot
from mlhistory.running.experiment import Experiment, main, tuned

NETWORKS = ["mlp_1986", "lenet1989", "lenet5", "convnet"]
# The perceptron, the 1986 MLP and LeNet-5 at their strongest: each its period's method in the
# configuration the equal search chose (results/tuning/), refitted on all the training images.
PERCEPTRON_TUNED = tuned("perceptron")
MLP_TUNED = tuned("mlp_1986")
LENET5_TUNED = tuned("lenet5")

EXPERIMENT = Experiment(
    experiment_id="02_early_neural_networks",
    title="Early neural networks: backpropagation and LeNet",
    book_section="Chapter 1.2.2, Early neural networks",
    summary=__doc__,
    runs=("perceptron", PERCEPTRON_TUNED, MLP_TUNED, LENET5_TUNED, *NETWORKS),
    claims=(
        Beats("backprop_beats_perceptron", "Neural nets existed \"in toy forms\" in the 1950s "
              "but lacked a way to train larger ones until backpropagation: the 1986 MLP beats "
              "the single-layer perceptron, each as the equal search tuned it.",
              winner=MLP_TUNED, losers=(PERCEPTRON_TUNED,),
              passage="1st ed. 1.2.2 Early neural networks; 2nd ed. (same section)"),
        Beats("lenet_beats_mlp", "A LeNet-style convnet (LeNet-5) beats the one-hidden-layer MLP, "
              "each as the equal search tuned it.",
              winner=LENET5_TUNED, losers=(MLP_TUNED,), source=PROJECT,
              passage="1st ed. 1.2.2 Early neural networks (LeNet's success, no comparison given)"),
        ReachesSooner("modern_recipe_is_faster", "The modern recipe (the book's convnet) reaches "
                      "LeNet-5's final accuracy in fewer epochs.", fast="convnet", slow="lenet5",
                      source=PROJECT, passage="2nd ed. ch. 8 convnet against the 1998 recipe"),
    ),
    plots=(
        Plot("epoch_curves", labels=NETWORKS),
        Plot("params_vs_accuracy", labels=NETWORKS),
        Plot("accuracy_and_fit_time"),
    ),
)

if __name__ == "__main__":
    main(EXPERIMENT)
