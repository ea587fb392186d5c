"""Bootstrap replicates from sufficient statistics, and percentile intervals.

Two ways to draw a replicate, both distributionally identical to resampling N rows with
replacement (what fairlearn's ``MetricFrame(n_boot=...)`` does):

- *cells*: when every metric is a function of confusion counts, a replicate is one
  multinomial draw of N over the (cell x y_true x y_pred) table. Its cost does not grow
  with N.
- *rows*: when a metric needs row-level values (regression errors, AUC, Brier, ECE),
  each row gets a multinomial weight (how often it is drawn in a resample of N), and
  the sufficient statistics become weighted ``bincount`` sums. All metrics of a
  replicate then come from the same resample. Replicates are processed in chunks so
  the ``(chunk, N)`` weight matrix stays within :data:`ROW_BUDGET` elements.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["ROW_BUDGET", "CELL_BUDGET", "cell_replicates", "row_weight_replicates",
           "percentile_interval"]

#: Largest replicate-by-row weight matrix built at once (elements).
ROW_BUDGET = 1 << 21
#: Largest replicate-by-cell table drawn at once (elements).
CELL_BUDGET = 1 << 22


def cell_replicates(cells: np.ndarray, n_boot: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield chunks of multinomial redraws of the count table ``cells`` (shape ``(1, C, K, K)``)."""
    counts = cells.reshape(-1)
    n_rows = int(round(counts.sum()))
    probabilities = counts / counts.sum()
    chunk = max(1, CELL_BUDGET // counts.size)
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        draws = rng.multinomial(n_rows, probabilities, size=size)
        yield draws.astype(np.float64).reshape((size,) + cells.shape[1:])


def row_weight_replicates(n_rows: int, n_boot: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield chunks ``(chunk, N)`` of per-row resampling counts (multinomial, N draws each)."""
    chunk = max(1, ROW_BUDGET // n_rows)
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        drawn = rng.integers(0, n_rows, size=(size, n_rows)) \
            + (np.arange(size, dtype=np.int64) * n_rows)[:, None]
        yield np.bincount(drawn.ravel(), minlength=size * n_rows).reshape(size, n_rows).astype(np.float64)


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
