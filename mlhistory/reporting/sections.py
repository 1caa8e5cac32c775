"""The appendix's glossary of the report's terms."""

from .common import JudgedExperiment
from .document import BulletList, Heading

# The report's terms; the fair budget's own parts come from the saved manifests.
GLOSSARY = {
    "fair budget": "the training every family gets when models are compared on equal terms: "
                   "each trains until a validation split, carved from its own training images, "
                   "stops improving (never the test split); the book's recipes instead train "
                   "for the fixed epochs or rounds the book uses",
    "macro-F1": "the F1 score (the harmonic mean of precision and recall) of each class, "
                "averaged over the classes with equal weight, so a rare class counts as much as "
                "a common one; on an imbalanced table (shuttle) accuracy would hide the rare "
                "classes, macro-F1 does not",
    "HOG": "histograms of oriented gradients: an engineered image feature that counts the "
           "directions of the edges in each small cell of the image (4x4 pixels here), the "
           "standard hand-made input of an SVM on digits",
    "probe": "a linear probe: a simple linear classifier (PCA, then logistic regression) fitted "
             "on one layer's activations of the training images and scored on the test "
             "images; what it reads is what that layer makes linearly available about the class",
    "margin": "of an SVM, the width of the empty band between its decision boundary and the "
              "nearest training points (the support vectors), which the SVM makes as wide as "
              "it can; of a verdict, the smallest gap counted as a difference rather than "
              "noise, stated in each claim's evidence",
    "seed": "the number that fixes a run's random choices (initial weights, data order, "
            "subsets); a model run with several seeds shows its spread, one run once says "
            "\"n = 1 run\"",
}


def glossary_section(experiments: list[JudgedExperiment]) -> list:
    """The report's terms, the fair budget with the parts the results were run with."""
    budgets = experiments[0].results.manifest.fair_budgets if experiments else {}
    items = [f"**{term}**: {meaning}" for term, meaning in GLOSSARY.items()]
    if budgets:
        items[0] += " (" + "; ".join(f"{part}: {text}" for part, text in budgets.items()) + ")"
    return [Heading(2, "Glossary"), BulletList(items)]
