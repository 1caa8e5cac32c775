"""Tables that compare labelled runs: model x representation, crossover sizes, who wins where."""
