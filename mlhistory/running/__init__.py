"""The running layer: the command line, an experiment's declaration and its ``main``, the run
spec and its cache key, the run cache, the executor that dispatches runs (to a pool of processes
here, or through ``cluster`` to Dask), the search stage (``search.py``, whose trials go through
the same executor), and the extra steps.

It may import every other layer: it turns a declaration into runs (``models``, ``data``),
saves them (``results``), then judges and draws them (``judging``, ``reporting``). Nothing
imports it but the experiment scripts and ``python -m mlhistory``.
"""
