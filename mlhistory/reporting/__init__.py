"""The reporting layer: plots, report tables and the report, drawn from saved results only.

It may import ``judging``, ``results`` and the base modules, never ``running``, ``models`` or
``data``: everything a plot shows of a dataset is in the experiment's manifest.
"""
