"""The shared preamble of every chapter.

    from fiscalbook import book
    book.setup()
    book.glue("uk_rank_theil", rank)          # numbers: glued as float/int, unrounded

Glued numbers are collected by fiscalbook.sphinx_results into _build/html/results.json.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd

from . import charts


def setup() -> None:
    """Configure Altair and pandas the same way for every chapter."""
    charts.enable()
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    warnings.filterwarnings("ignore", message=".*inplace.*", category=DeprecationWarning, module="pyfixest")
    try:  # pyfixest's import warns that tqdm's notebook widgets are missing; not our output
        from tqdm import TqdmWarning
        warnings.filterwarnings("ignore", category=TqdmWarning)
    except ImportError:
        pass


def as_number(value):
    """numpy scalars -> plain float/int (myst-nb renders numpy scalars with a format spec blank)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if isinstance(value, (numbers.Real, np.floating)):
        value = float(value)
        if math.isnan(value):
            raise ValueError("Refusing to glue NaN: a number in the prose must exist.")
        return value
    return value


def glue(key: str, value, display: bool = False):
    """myst-nb glue with numbers converted first; returns the glued value."""
    from myst_nb import glue as _glue

    value = as_number(value)
    _glue(key, value, display=display)
    return value


def glue_many(prefix: str, mapping: dict) -> None:
    """Glue each item of a mapping under `prefix_key`."""
    for k, v in mapping.items():
        glue(f"{prefix}_{k}", v)
