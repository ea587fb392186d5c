"""Bootstrap replicates from sufficient statistics, and percentile intervals.

A replicate is a Bayesian bootstrap (Rubin 1981) of the data, smoothed with a Jeffreys
prior on each sensitive cell's confusion table:

- *cells*: when every metric is a function of confusion counts, a replicate redraws the
  (cell x y_true x y_pred) table as ``N * Dirichlet(counts + 1/2)``, the ``1/2`` added to
  every slot of a non-empty cell (empty cells stay empty). Its cost does not grow with N.
  Without the prior this is distributed like resampling N rows (what fairlearn's
  ``MetricFrame(n_boot=...)`` does), up to O(1/N); the prior is what keeps a rate
  observed at 0 or 1 in a small cell from giving every replicate the same 0 or 1, so the
  interval of a gap that cell decides cannot collapse to a point.
- *rows*: when a metric needs row-level values (regression errors, AUC, Brier, ECE),
  each row gets an Exp(1) weight (Dirichlet(1, ..., 1) scaled to N), the sufficient
  statistics become weighted ``bincount`` sums, and the confusion tables get the same
  Jeffreys pseudo-counts (Gamma(1/2) draws), so both paths draw from one distribution.
  Replicates are processed in chunks so the ``(chunk, N)`` weight matrix stays within
  :data:`ROW_BUDGET` elements.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["ROW_BUDGET", "CELL_BUDGET", "PRIOR", "cell_replicates", "row_weight_replicates",
           "smoothed_tables", "percentile_interval"]

#: Largest replicate-by-row weight matrix built at once (elements).
ROW_BUDGET = 1 << 21
#: Largest replicate-by-cell table drawn at once (elements).
CELL_BUDGET = 1 << 22
#: Jeffreys pseudo-count added to every confusion slot of a non-empty cell in a replicate.
PRIOR = 0.5


def _prior(cells: np.ndarray) -> np.ndarray:
    """``PRIOR`` on every slot of a non-empty cell of ``cells`` ``(1, C, K, K)``, flattened."""
    nonempty = cells[0].sum(axis=(-2, -1)) > 0
    return np.broadcast_to((PRIOR * nonempty)[:, None, None], cells.shape[1:]).reshape(-1)


def _gamma_parameters(cells: np.ndarray, squares: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Per slot, the Gamma shape and scale of a replicate's (weighted) count, flattened.

    Unweighted: shape = count + prior, scale 1. With sample weights (``squares``: sums of
    squared weights), the replicate of a slot is sum_i w_i E_i with E_i ~ Exp(1), whose mean
    W and variance Q a Gamma(W^2 / Q, Q / W) matches; the prior's pseudo-count is in units
    of the cell's mean weight Q / W.
    """
    counts = cells.reshape(-1)
    if squares is None:
        return counts + _prior(cells), np.ones_like(counts)
    sq = squares.reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = np.where(sq > 0, counts * counts / sq, 0.0)
        cell_w = cells[0].sum(axis=(-2, -1))
        cell_q = squares[0].sum(axis=(-2, -1))
        cell_scale = np.where(cell_w > 0, cell_q / cell_w, 1.0)
        scale = np.where(counts > 0, sq / counts, np.repeat(cell_scale, cells[0, 0].size))
    return shape + _prior(cells), scale


def cell_replicates(cells: np.ndarray, n_boot: int, rng: np.random.Generator,
                    squares: np.ndarray | None = None) -> Iterator[np.ndarray]:
    """Yield chunks of smoothed Dirichlet redraws of the count table ``cells`` (shape ``(1, C, K, K)``).

    With sample weights, ``cells`` holds weight sums and ``squares`` sums of squared weights.
    """
    counts = cells.reshape(-1)
    total = counts.sum()
    shape, scale = _gamma_parameters(cells, squares)
    chunk = max(1, CELL_BUDGET // counts.size)
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        draws = rng.gamma(shape, size=(size, counts.size))
        if squares is not None:
            draws *= scale
        draws *= total / draws.sum(axis=1, keepdims=True)
        yield draws.reshape((size,) + cells.shape[1:])


def row_weight_replicates(n_rows: int, n_boot: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield chunks ``(chunk, N)`` of Bayesian-bootstrap row weights (Exp(1), mean 1)."""
    chunk = max(1, ROW_BUDGET // n_rows)
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        yield rng.standard_exponential((size, n_rows))


def smoothed_tables(tables: np.ndarray, cells: np.ndarray, weights: np.ndarray,
                    rng: np.random.Generator, squares: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Add the Jeffreys pseudo-counts to row-weighted tables ``(L, C, K, K)`` and scale to N.

    Returns the tables and the row weights, both scaled so each replicate totals the
    (weighted) total of ``cells``.
    """
    prior = rng.gamma(np.broadcast_to(_prior(cells), (len(tables), cells[0].size)))
    if squares is not None:
        prior = prior * _gamma_parameters(cells, squares)[1]
    prior = prior.reshape(tables.shape)
    tables = tables + prior
    scale = cells.sum() / tables.sum(axis=(1, 2, 3))
    return tables * scale[:, None, None, None], weights * scale[:, None]


def percentile_interval(replicates: np.ndarray, point: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval at level ``ci`` over axis 0, ignoring NaN replicates.

    Same values as ``np.nanpercentile`` (linear interpolation), computed with one sort
    for all columns. NaN where the point estimate is NaN or every replicate is NaN.
    """
    tail = (1.0 - ci) / 2.0
    ordered = np.sort(replicates, axis=0)  # NaN sort last
    valid = (~np.isnan(ordered)).sum(axis=0)
    bounds = []
    for quantile in (tail, 1.0 - tail):
        position = quantile * np.maximum(valid - 1, 0)
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, np.maximum(valid - 1, 0))
        low_value = np.take_along_axis(ordered, below[None, ...], axis=0)[0]
        high_value = np.take_along_axis(ordered, above[None, ...], axis=0)[0]
        with np.errstate(invalid="ignore"):
            value = low_value + (high_value - low_value) * (position - below)
        value = np.where(high_value == low_value, low_value, value)
        bounds.append(np.where((valid == 0) | np.isnan(point), np.nan, value))
    return bounds[0], bounds[1]
