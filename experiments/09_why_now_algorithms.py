"""Why now: algorithms. Gradient propagation through deep stacks, three recipes.

Deep Learning with Python, chapter 1, section 1.3 "Why deep learning? Why now?"
(Algorithms): until the late 2000s there was no reliable way to train very deep nets, because
the gradient would "fade away" as layers were added. What changed was better gradient
propagation: better activation functions, weight initialisation and optimisers (around
2009-2010), then batch normalisation and residual connections (2014-2016).

Dense nets of 2, 5, 10 and 20 hidden layers of 128 units, each trained for the same EPOCHS
epochs (the same steps; enough for depth 2 to level off) with three recipes: the 1990s as
practised (tanh units, the period's small uniform initialisation U(+-1/sqrt(fan_in)), plain
SGD at the learning rate, of LEARNING_RATES, that scores best on a validation split at each
depth), 2010 (ReLU, He initialisation, Adam) and 2015 (the 2010 recipe plus batch
normalisation and residual connections). Only the depth changes along a recipe. The gradient
norm of every layer's weights is measured on the same batch of 1,024 training images at
initialisation and after the first epoch.

Depth is judged on trainability, the book's point: the final training loss each net reaches,
against the same recipe's at depth 2, and the gradient that reaches the first layer (and, for
the 2015 recipe, its ratio to the last layer's).
A seed whose loss climbs (diverged) is left out of the means and counted as a divergence.

What the reader should see: whether the 1990s recipe, fine at depth 2, stalls as the stack
deepens while its early layers' gradients vanish, and whether the 2015 recipe trains 20
layers as well as 5 (and how it compares with the 2010 recipe at every depth).
"""

from mlhistory.judging import (
    PROJECT,
    FadesWithDepth,
    FailsToTrain,
    MatchesOrBeats,
    Pairwise,
    PropagatesBetter,
    Trains,
)
from mlhistory.reporting.plots import Plot
from mlhistory.results.labels import recipe_label
from mlhistory.running.experiment import Experiment, Run, main

DEPTHS = [2, 5, 10, 20]
RECIPES = ["1990s", "2010", "2015"]
EPOCHS = 10


LEARNING_RATES = (0.01, 0.1, 1.0)
ALGORITHMS = "1st ed. Why deep learning? Why now? (Algorithms); 2nd ed. (same section)"


def net(recipe: str, depth: int) -> Run:
    chosen = {"learning_rates": LEARNING_RATES} if recipe == "1990s" else {}
    return Run("depth_recipe", params={"depth": depth, "recipe": recipe, "epochs": EPOCHS, **chosen},
               label=recipe_label(recipe, depth))


NETS = {(recipe, depth): net(recipe, depth) for recipe in RECIPES for depth in DEPTHS}


EXPERIMENT = Experiment(
    experiment_id="09_why_now_algorithms",
    title="Why now: algorithms. Depth, and the recipes that made it trainable",
    book_section="Chapter 1.3, Why deep learning? Why now? (Algorithms)",
    summary=__doc__.replace("EPOCHS", str(EPOCHS)).replace(
        "LEARNING_RATES", ", ".join(map(str, LEARNING_RATES))),
    runs=tuple(NETS.values()),
    claims=(
        FailsToTrain("nineties_recipe_fails_deep", "Before 2009-2010 the training signal "
                     "would \"fade away\" with depth: with the 1990s recipe, nets of 10 or more "
                     "layers fail to train (after the same steps, their training loss stays far "
                     "above the recipe's at depth 2).",
                     labels=(NETS["1990s", 10], NETS["1990s", 20]), reference=NETS["1990s", 2],
                     passage=ALGORITHMS),
        FadesWithDepth("fading_gradient", "The training signal would \"fade away\" as layers "
                       "were added: with the 1990s recipe, the gradient reaching the first "
                       "layer is weaker in the deepest net than in the shallowest.",
                       labels=tuple(NETS["1990s", depth] for depth in DEPTHS),
                       passage=ALGORITHMS),
        Trains("recipe_2010_trains_10_layers", "Around 2009-2010 better activations, "
               "initialisation and optimisers let nets of \"10 or more layers\" train: with the "
               "2010 recipe, 10 and 20 layers train (after the same steps, their training loss "
               "is not far above depth 2's).",
               labels=(NETS["2010", 10], NETS["2010", 20]), reference=NETS["2010", 2],
               passage=ALGORITHMS),
        PropagatesBetter("modern_recipe_trains_depth_20", "Batch normalisation and residual "
                         "connections (2014-2016) improved gradient propagation further: at 20 "
                         "layers, a lower training loss than the 2010 recipe and a first-layer "
                         "gradient nearer the last layer's.",
                         better=NETS["2015", 20], worse=NETS["2010", 20], passage=ALGORITHMS),
        MatchesOrBeats("depth_20_matches_depth_5", "With batch normalisation and residual "
                       "connections, 20 layers score at least as well on the test images as 5, "
                       f"after the same {EPOCHS} epochs.", winner=NETS["2015", 20],
                       losers=(NETS["2015", 5],), source=PROJECT,
                       passage=ALGORITHMS + f" (test accuracy after {EPOCHS} epochs: ours)"),
        Pairwise("recipe_2015_vs_2010", "The 2015 recipe (batch normalisation, residual "
                 "connections) matches or beats the 2010 recipe at every depth.",
                 pairs=tuple((NETS["2015", depth], NETS["2010", depth]) for depth in DEPTHS),
                 source=PROJECT, passage=ALGORITHMS + " (the comparison is ours)"),
    ),
    plots=(
        Plot("accuracy_vs_depth", recipes=RECIPES, depths=DEPTHS),
        Plot("gradient_norms", recipes=RECIPES, depths=DEPTHS),
    ),
)

if __name__ == "__main__":
    main(EXPERIMENT)
