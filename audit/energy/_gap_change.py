"""How much a compressed variant changes each group gap, with a paired interval.

The original model and a variant predict the same rows, so the change of a gap is a paired
quantity: one bootstrap replicate of the rows moves both gaps at once, and the interval is
that of their difference, not two intervals compared by eye.

Classification needs no rows: per (group, true class) cell, a 2 x 2 table counts the rows by
an indicator under the original and under the variant ("predicts the positive class" for
binary, from which selection rate, TPR and FPR follow; "is correct" for multiclass). A
replicate redraws that table as ``N * Dirichlet(counts)``, which is distributed like a Bayesian
bootstrap of the rows (Rubin 1981), so the cost does not grow with the rows. Unlike the
fairness engine's intervals there is no Jeffreys pseudo-count: in a paired table it would
invent rows on which the two models disagree, and a variant that changes no prediction
changes no gap, in every replicate.
Regression's MAE gap takes Bayesian-bootstrap row weights over the paired absolute errors.
The point values are the fairness engine's gaps (same groups left out below
``min_group_size``, same conventions: :func:`audit.fairness._metrics.between_groups`); the
interval is the percentile interval of the replicates.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..fairness._bootstrap import CELL_BUDGET, percentile_interval, row_weight_replicates
from ..fairness._groups import encode_sensitive_features
from ..fairness._metrics import between_groups
from ..fairness._targets import validate_targets

__all__ = ["GapChange", "gap_changes"]


@dataclasses.dataclass(frozen=True)
class GapChange:
    """One gap under the original and the variant, its change, and the change's interval (NaN: undefined)."""

    metric: str
    over: str
    original: float
    variant: float
    ci_low: float
    ci_high: float

    @property
    def change(self) -> float:
        """The variant's gap minus the original's."""
        return self.variant - self.original


#: Per replicate, a gap under the original and under the variant: ``(L, 2)``.
_Gaps = dict[str, np.ndarray]


def gap_changes(y_true: Any, y_original: Any, variants: Mapping[str, Any], sensitive: Any, *, task: str,
                metrics: Sequence[str], min_group_size: int = 0, n_boot: int = 200, ci: float = 0.95,
                random_state: int = 0) -> dict[str, list[GapChange]]:
    """Per variant (name -> its predictions), each of ``metrics`` over each sensitive feature.

    ``metrics`` are among ``accuracy_score_difference`` (multiclass), ``demographic_parity_difference``
    and ``equalized_odds_difference`` (binary) and ``mean_absolute_error_difference`` (regression);
    the others of a task are skipped. ``sensitive`` is what :func:`audit.fairness.group_metrics`
    takes, encoded once for all variants; features are compared one at a time, not intersected.
    Every variant's replicates are drawn from ``random_state`` afresh, so a variant's interval
    does not depend on which others are compared. ``n_boot=0`` gives NaN bounds.
    """
    y_true = np.asarray(y_true)
    encoding = encode_sensitive_features(sensitive, len(y_true), intersections=False)
    return {name: _one_variant(y_true, y_original, y_variant, encoding.features, task=task, metrics=metrics,
                               min_group_size=min_group_size, n_boot=n_boot, ci=ci,
                               rng=np.random.default_rng(random_state))
            for name, y_variant in variants.items()}


def _one_variant(y_true: np.ndarray, y_original: Any, y_variant: Any, features: Sequence[Any], *, task: str,
                 metrics: Sequence[str], min_group_size: int, n_boot: int, ci: float,
                 rng: np.random.Generator) -> list[GapChange]:
    out: list[GapChange] = []
    for feature in features:
        groups, n_groups = feature.codes, len(feature.levels)
        if task == "regression":
            point, replicates = _regression(y_true, y_original, y_variant, groups, n_groups, min_group_size,
                                            n_boot, rng)
        else:
            point, replicates = _classification(y_true, y_original, y_variant, groups, n_groups, task,
                                                min_group_size, n_boot, rng)
        for metric in metrics:
            if metric not in point:
                continue
            g0, g1 = (float(v) for v in point[metric][0])
            low = high = np.nan
            if replicates:
                bounds = percentile_interval(np.concatenate([r[metric] for r in replicates])[:, None],
                                             np.array([g1 - g0]), ci)
                low, high = float(bounds[0][0]), float(bounds[1][0])
            out.append(GapChange(metric, feature.name, g0, g1, low, high))
    return out


def _difference(values: np.ndarray) -> np.ndarray:
    """``(L, G, 2)`` per-group rates (original, variant) -> ``(L, 2)`` between-groups differences."""
    return np.stack([between_groups(values[..., k])["difference"] for k in (0, 1)], axis=-1)


def _classification(y_true: np.ndarray, y_original: Any, y_variant: Any, groups: np.ndarray, n_groups: int,
                    task: str, min_group_size: int, n_boot: int,
                    rng: np.random.Generator) -> tuple[_Gaps, list[dict[str, np.ndarray]]]:
    original = validate_targets(y_true, y_original, task=task)
    if task == "binary":
        variant = validate_targets(y_true, y_variant, task=task, pos_label=original.pos_label)
        labels = original.true_code.astype(np.int64)
        first, second = original.pred_code.astype(np.int64), variant.pred_code.astype(np.int64)
    else:  # multiclass: the indicator is "correct"
        labels = np.zeros(len(y_true), np.int64)
        first = (np.asarray(y_original) == y_true).astype(np.int64)
        second = (np.asarray(y_variant) == y_true).astype(np.int64)
    n_labels = 2 if task == "binary" else 1
    cells = groups * n_labels + labels
    table = np.bincount(cells * 4 + first * 2 + second, minlength=n_groups * n_labels * 4)
    table = table.reshape(1, n_groups * n_labels, 2, 2).astype(np.float64)
    # a group is compared on a rate only with at least min_group_size rows in that rate's denominator
    rows = table[0].sum(axis=(-2, -1)).reshape(n_groups, n_labels)
    keep_all, keep_label = rows.sum(axis=1) >= min_group_size, rows >= min_group_size

    def rate(hits: np.ndarray, totals: np.ndarray, keep: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(totals > 0, hits / totals, np.nan)
        return np.where(keep[None, :, None], values, np.nan)

    def gaps(tables: np.ndarray) -> _Gaps:
        t = tables.reshape(len(tables), n_groups, n_labels, 2, 2)
        hits = np.stack([t[..., 1, :].sum(-1), t[..., :, 1].sum(-1)], axis=-1)  # (L, G, Y, 2)
        sizes = t.sum(axis=(-2, -1))[..., None]  # (L, G, Y, 1)
        whole = _difference(rate(hits.sum(2), sizes.sum(2), keep_all))
        if task != "binary":
            return {"accuracy_score_difference": whole}
        tpr = _difference(rate(hits[:, :, 1], sizes[:, :, 1], keep_label[:, 1]))
        fpr = _difference(rate(hits[:, :, 0], sizes[:, :, 0], keep_label[:, 0]))
        return {"demographic_parity_difference": whole, "equalized_odds_difference": np.maximum(tpr, fpr)}

    changes = [{k: v[:, 1] - v[:, 0] for k, v in gaps(chunk).items()} for chunk in _redraws(table, n_boot, rng)]
    return gaps(table), changes


def _redraws(table: np.ndarray, n_boot: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Chunks of ``N * Dirichlet(counts)`` redraws of the count table ``(1, C, 2, 2)`` (empty slots stay empty)."""
    counts = table.reshape(-1)
    total = counts.sum()
    chunk = max(1, CELL_BUDGET // counts.size)
    for start in range(0, n_boot, chunk):
        draws = rng.gamma(counts, size=(min(chunk, n_boot - start), counts.size))
        with np.errstate(divide="ignore", invalid="ignore"):
            draws *= total / draws.sum(axis=1, keepdims=True)
        yield draws.reshape((len(draws),) + table.shape[1:])


def _regression(y_true: np.ndarray, y_original: Any, y_variant: Any, groups: np.ndarray, n_groups: int,
                min_group_size: int, n_boot: int,
                rng: np.random.Generator) -> tuple[_Gaps, list[dict[str, np.ndarray]]]:
    truth = y_true.astype(np.float64)
    errors = [np.abs(truth - np.asarray(y, dtype=np.float64)) for y in (y_original, y_variant)]
    keep = np.bincount(groups, minlength=n_groups) >= min_group_size

    def gaps(weights: np.ndarray) -> _Gaps:
        """``(L, N)`` row weights -> the MAE gap under the original and the variant, ``(L, 2)``."""
        mae = np.full((len(weights), n_groups, 2), np.nan)
        for i, w in enumerate(weights):
            totals = np.bincount(groups, weights=w, minlength=n_groups)
            for k in (0, 1):
                with np.errstate(divide="ignore", invalid="ignore"):
                    mae[i, :, k] = np.bincount(groups, weights=w * errors[k], minlength=n_groups) / totals
        mae[:, ~keep] = np.nan
        return {"mean_absolute_error_difference": _difference(mae)}

    chunks = row_weight_replicates(len(groups), n_boot, rng) if n_boot > 0 else ()
    changes = [{k: v[:, 1] - v[:, 0] for k, v in gaps(chunk).items()} for chunk in chunks]
    return gaps(np.ones((1, len(groups)))), changes
