"""Shared code for the experiments reproducing chapter 1 of *Deep Learning with Python*.

One package per role, and imports flow one way (``tests/test_architecture.py`` checks it):

- ``running`` turns an experiment's declaration into runs and saves them; it may use all below;
- ``models`` (the registry and the estimators) may use ``data``;
- ``data`` (datasets: sources, checks, subsets, views) uses only the base modules;
- ``reporting`` (plots, tables, the report) may use ``judging`` and ``results``;
- ``judging`` (claims and verdicts) may use ``results``;
- ``results`` (the schema of saved results, and reading them back) uses only the base modules.

The base modules ``errors``, ``paths``, ``atomic`` and ``machine`` may be used by every layer.
Judging and reporting read saved results only: never the runner, the models or live data.
"""
