"""The book's training recipes, shared by the registry entries and the nets built from them
(the learned-feature net, the pretrained base), so each recipe is written once."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """How a Keras net is trained: epochs, batch size, optimiser and its learning rate (None:
    the optimiser's own default)."""

    epochs: int
    batch_size: int
    optimizer: str
    learning_rate: float | None = None

    def params(self) -> dict:
        """The recipe as a model's params, in this order (the registry's defaults, so the runs'
        params and cache keys are the recipe's)."""
        return asdict(self)


# Deep Learning with Python, ch. 2: the dense net on MNIST.
BOOK_DENSE = Recipe(epochs=5, batch_size=128, optimizer="rmsprop")
# Deep Learning with Python, 2nd ed. ch. 8: the convnet on MNIST.
BOOK_CONVNET = Recipe(epochs=5, batch_size=64, optimizer="rmsprop")
