"""Sufficient statistics: per-cell confusion tables and per-group weighted sums.

Everything here is one ``np.bincount`` over flattened indices. A leading replicate axis
``L`` (1 for point estimates, a chunk of bootstrap replicates otherwise) rides along in
the index, so the bootstrap costs the same code as the point estimate.
"""
from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["cell_table", "weighted_cell_tables", "group_tables", "group_sums",
           "ScoreOrder", "score_order", "auc_by_group", "calibration_bins"]


def cell_table(cell_of_row: np.ndarray, n_cells: int, true_code: np.ndarray,
               pred_code: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (cell, y_true class, y_pred class): shape ``(1, n_cells, K, K)``."""
    k = n_classes
    index = (cell_of_row * k + true_code) * k + pred_code
    counts = np.bincount(index, minlength=n_cells * k * k).astype(np.float64)
    return counts.reshape(1, n_cells, k, k)


def weighted_cell_tables(cell_of_row: np.ndarray, n_cells: int, true_code: np.ndarray,
                         pred_code: np.ndarray, n_classes: int, weights: np.ndarray) -> np.ndarray:
    """As :func:`cell_table`, one table per row of ``weights`` (shape ``(L, N)``)."""
    k = n_classes
    index = (cell_of_row * k + true_code) * k + pred_code
    return group_sums(index, n_cells * k * k, None, weights).reshape(len(weights), n_cells, k, k)


def group_tables(tables: np.ndarray, group_of_cell: np.ndarray, n_groups: int, *,
                 is_identity: bool = False) -> np.ndarray:
    """Sum per-cell tables ``(L, C, K, K)`` into per-group tables ``(L, G, K, K)``."""
    if is_identity:
        return tables
    n_rep, n_cells, k, _ = tables.shape
    kk = k * k
    index = ((np.arange(n_rep)[:, None] * n_groups + group_of_cell[None, :])[:, :, None] * kk
             + np.arange(kk)[None, None, :])
    summed = np.bincount(index.ravel(), weights=tables.reshape(-1), minlength=n_rep * n_groups * kk)
    return summed.reshape(n_rep, n_groups, k, k)


def group_sums(group_of_row: np.ndarray, n_groups: int, values: np.ndarray | None,
               weights: np.ndarray | None) -> np.ndarray:
    """Per-group sums of ``weights * values`` with shape ``(L, G)``.

    ``weights`` is ``(L, N)`` or None (every row once); ``values`` is ``(N,)``, ``(L, N)``
    or None (sum of the weights, i.e. counts).
    """
    if weights is None and (values is None or values.ndim == 1):
        return np.bincount(group_of_row, weights=values, minlength=n_groups)[None, :].astype(np.float64)
    if weights is None:
        if values is None:  # excluded by the one-bincount branch above
            raise RuntimeError("group_sums needs values or weights")
        summed = values
    else:
        summed = weights if values is None else weights * values
    # one bincount per replicate: the same additions in the same order as one bincount over
    # (replicate, group) keys, without building an (L, N) key array
    out = np.empty((summed.shape[0], n_groups), dtype=np.float64)
    for r, row in enumerate(summed):
        out[r] = np.bincount(group_of_row, weights=row, minlength=n_groups)
    return out


@dataclasses.dataclass(frozen=True)
class ScoreOrder:
    """Rows sorted by (group, score) with tie blocks, prepared once per grouping for AUC."""

    order: np.ndarray            # row indices in (group, score) order
    block_of_sorted: np.ndarray  # tie block of each sorted row
    block_group: np.ndarray      # group of each block (non-decreasing)
    block_group_start: np.ndarray  # first block of each block's group
    positive_sorted: np.ndarray  # 1.0 where the sorted row's y_true is positive
    n_groups: int


def score_order(group_of_row: np.ndarray, n_groups: int, score: np.ndarray,
                positive: np.ndarray) -> ScoreOrder:
    """Sort rows by group then score and number the blocks of tied (group, score)."""
    order = np.lexsort((score, group_of_row))
    sorted_group = group_of_row[order]
    sorted_score = score[order]
    new_block = np.empty(len(order), dtype=bool)
    new_block[0] = True
    new_block[1:] = (sorted_group[1:] != sorted_group[:-1]) | (sorted_score[1:] != sorted_score[:-1])
    block_of_sorted = np.cumsum(new_block) - 1
    block_group = sorted_group[new_block]
    block_group_start = np.searchsorted(block_group, block_group, side="left")
    return ScoreOrder(order=order, block_of_sorted=block_of_sorted, block_group=block_group,
                      block_group_start=block_group_start,
                      positive_sorted=positive[order].astype(np.float64), n_groups=n_groups)


def auc_by_group(prepared: ScoreOrder, weights: np.ndarray | None) -> np.ndarray:
    """ROC AUC per group, shape ``(L, G)``: the weighted Mann-Whitney statistic.

    AUC = P(score of a positive > score of a negative) + P(tie) / 2, which equals the
    trapezoidal area under scikit-learn's ROC curve. NaN for a group without both classes
    (scikit-learn raises there). With integer bootstrap weights every sum is exact.
    """
    n_blocks = len(prepared.block_group)
    w = None if weights is None else weights[:, prepared.order]
    pos = group_sums(prepared.block_of_sorted, n_blocks, prepared.positive_sorted, w)
    neg = group_sums(prepared.block_of_sorted, n_blocks, 1.0 - prepared.positive_sorted, w)
    before = np.cumsum(neg, axis=1) - neg
    below = before - before[:, prepared.block_group_start]
    pairs = pos * (below + 0.5 * neg)
    u_stat = group_sums(prepared.block_group, prepared.n_groups, pairs, None)
    n_pos = group_sums(prepared.block_group, prepared.n_groups, pos, None)
    n_neg = group_sums(prepared.block_group, prepared.n_groups, neg, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = u_stat / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)


def calibration_bins(score: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Equal-width bin of each score in [0, 1] and the bin edges.

    Bins follow :func:`sklearn.calibration.calibration_curve` (``strategy='uniform'``):
    a score on an inner edge falls in the lower bin.
    """
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return np.searchsorted(edges[1:-1], score).astype(np.int64), edges
