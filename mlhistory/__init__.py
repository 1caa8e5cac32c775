"""Shared code for the experiments reproducing chapter 1 of *Deep Learning with Python*.

Data flows one way: ``data`` -> ``models`` -> ``runner`` -> ``results`` -> ``claims``,
``plots`` -> ``report``. Plots, claims and the report read saved results only.
"""
