"""Row positions and bin codes: the same picks and codes for every engine."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["sample_positions", "locate", "bin_codes"]


def sample_positions(n_rows: int, n: int, seed: int) -> np.ndarray:
    """Sorted row positions of a seeded sample of ``n`` rows (all rows when there are no more than ``n``).

    The same positions for every engine, so a table sampled in pandas, polars, DuckDB or
    Dask yields the same rows.
    """
    if n_rows <= n:
        return np.arange(n_rows, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=n, replace=False)).astype(np.int64)


def locate(positions: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(partition, place inside it) of each sorted global row position; positions past the end are dropped."""
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    positions = positions[positions < bounds[-1]]
    owner = np.searchsorted(bounds, positions, side="right") - 1
    return owner, positions - bounds[owner]


def bin_codes(values: pd.Series, edges: Sequence[float]) -> pd.Series:
    """Bin codes of a numeric column: ``-1`` when missing, else how many of ``edges[1:-1]`` lie below.

    With ``edges`` from :func:`pandas.qcut` (deduplicated), these are qcut's codes for every
    value inside the edges: right-closed bins, the lowest edge included in the first bin.
    """
    x = pd.to_numeric(values, errors="coerce").astype("float64")
    codes = np.zeros(len(x), dtype=np.int64)
    array = x.to_numpy()
    for edge in list(edges)[1:-1]:
        codes += array > float(edge)
    codes[np.isnan(array)] = -1
    return pd.Series(codes, index=values.index, name=values.name)
