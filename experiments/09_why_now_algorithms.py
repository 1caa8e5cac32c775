"""Why now: algorithms. Gradient propagation through deep stacks, three recipes.

Deep Learning with Python, chapter 1, section 1.3 "Why deep learning? Why now?"
(Algorithms): until the late 2000s "we were missing a reliable way to train very deep
neural networks"; the key was "improvements that allowed for better gradient propagation":
better activation functions, better weight initialisation and better optimisation schemes
(around 2009-2010), then batch normalisation and residual connections (2014-2016).

Dense nets of 2, 5, 10 and 20 hidden layers of 128 units, each trained for the same EPOCHS
epochs with three recipes: the 1990s (sigmoid units, small random-normal weights, plain
SGD), 2010 (ReLU, He initialisation, Adam) and 2015 (the 2010 recipe plus batch
normalisation and residual connections). The gradient norm of every layer's weights is
measured on the same batch of 1,024 training images at initialisation and after the first
epoch.

What the reader should see: the 1990s recipe stalling as the stack deepens while its early
layers' gradients vanish, and the 2015 recipe training 20 layers as well as 5.
"""

from mlhistory.judging import FailsToTrain, MatchesOrBeats
from mlhistory.reporting.plots import Plot
from mlhistory.running.experiment import Experiment, Run, main

DEPTHS = [2, 5, 10, 20]
RECIPES = ["1990s", "2010", "2015"]
EPOCHS = 3


def net(recipe: str, depth: int) -> Run:
    return Run("depth_recipe", params={"depth": depth, "recipe": recipe, "epochs": EPOCHS},
               label=f"{recipe} depth {depth}")


EXPERIMENT = Experiment(
    experiment_id="09_why_now_algorithms",
    title="Why now: algorithms. Depth, and the recipes that made it trainable",
    book_section="Chapter 1.3, Why deep learning? Why now? (Algorithms)",
    summary=__doc__.replace("EPOCHS", str(EPOCHS)),
    runs=tuple(net(recipe, depth) for recipe in RECIPES for depth in DEPTHS),
    claims=(
        FailsToTrain("nineties_recipe_fails_deep", "With the 1990s recipe, nets of 10 or more "
                     "layers fail to train (near chance, or far below the 2-layer net).",
                     labels=("1990s depth 10", "1990s depth 20"), reference="1990s depth 2"),
        MatchesOrBeats("modern_recipe_trains_depth_20", "With batch normalisation and residual "
                       "connections, 20 layers train at least as well as 5.",
                       winner="2015 depth 20", losers=("2015 depth 5",)),
    ),
    plots=(
        Plot("accuracy_vs_depth", recipes=RECIPES, depths=DEPTHS),
        Plot("gradient_norms", recipes=RECIPES, depths=DEPTHS),
    ),
)

if __name__ == "__main__":
    main(EXPERIMENT)
