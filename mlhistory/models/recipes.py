"""The book's training recipes, shared by the registry entries and the nets built from them
(the learned-feature net, the pretrained base), so each recipe is written once."""

# Deep Learning with Python, ch. 2: the dense net on MNIST.
BOOK_DENSE = {"epochs": 5, "batch_size": 128, "optimizer": "rmsprop", "learning_rate": None}
# Deep Learning with Python, 2nd ed. ch. 8: the convnet on MNIST.
BOOK_CONVNET = {"epochs": 5, "batch_size": 64, "optimizer": "rmsprop", "learning_rate": None}
