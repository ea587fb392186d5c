"""Group-specific thresholds from scores and groups: fairlearn's ThresholdOptimizer, sorting once per group.

fairlearn's ``ThresholdOptimizer`` (Hardt, Price and Srebro 2016) walks every row of
every group in Python, which takes minutes at a million rows. :func:`fit_thresholds`
follows the same algorithm step by step with numpy: per group it sorts the scores once,
reads the confusion counts at every distinct threshold from cumulative sums, keeps the
upper convex hull of the trade-off points (vectorised pruning, then Andrew's monotone
chain on what is left, with fairlearn's own predicate), interpolates it on the same
grid and picks the same best point. Its decision probabilities equal fairlearn's; its
labels equal fairlearn's for the same ``random_state`` (fairlearn randomises between
two thresholds, drawing ``RandomState(random_state).rand(n)``, and so does
:meth:`GroupThresholds.predict`).

Not supported (a usage error says so): ``flip=True`` and relaxed constraints (``tol``).
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._exceptions import DataError, UsageError
from ._messages import (
    MSG_DEGENERATE_GROUP,
    MSG_LABELS,
    MSG_LENGTHS,
    MSG_UNKNOWN_CONSTRAINT,
    MSG_UNKNOWN_OBJECTIVE,
    MSG_UNSEEN_GROUP,
)

__all__ = ["CONSTRAINTS", "OBJECTIVES", "GroupRule", "GroupThresholds", "ScoreSweeps", "fit_thresholds",
           "check_constraint", "group_keys",
           "MSG_UNKNOWN_CONSTRAINT", "MSG_UNKNOWN_OBJECTIVE", "MSG_DEGENERATE_GROUP", "MSG_UNSEEN_GROUP",
           "MSG_LENGTHS", "MSG_LABELS"]

#: Simple constraints (one rate equalised across groups) and the rate each equalises, as fairlearn's.
SIMPLE_CONSTRAINTS = {
    "demographic_parity": "selection_rate",
    "selection_rate_parity": "selection_rate",
    "true_positive_rate_parity": "true_positive_rate",
    "false_positive_rate_parity": "false_positive_rate",
    "false_negative_rate_parity": "false_negative_rate",
    "true_negative_rate_parity": "true_negative_rate",
}
#: Every constraint fairlearn's ThresholdOptimizer knows.
CONSTRAINTS = (*SIMPLE_CONSTRAINTS, "equalized_odds")
#: Objectives fairlearn allows, per kind of constraint.
OBJECTIVES = {"simple": ("accuracy_score", "balanced_accuracy_score", "selection_rate", "true_positive_rate",
                         "true_negative_rate"),
              "equalized_odds": ("accuracy_score", "balanced_accuracy_score")}


_METRICS = {
    "selection_rate": lambda tp, fp, tn, fn: (tp + fp) / (tp + fp + tn + fn),
    "false_positive_rate": lambda tp, fp, tn, fn: fp / (tn + fp),
    "false_negative_rate": lambda tp, fp, tn, fn: fn / (tp + fn),
    "true_positive_rate": lambda tp, fp, tn, fn: tp / (tp + fn),
    "true_negative_rate": lambda tp, fp, tn, fn: tn / (tn + fp),
    "accuracy_score": lambda tp, fp, tn, fn: (tp + tn) / (tp + fp + tn + fn),
    "balanced_accuracy_score": lambda tp, fp, tn, fn: 0.5 * tp / (tp + fn) + 0.5 * tn / (tn + fp),
}
#: Vectorised pruning passes before the exact chain takes over (each pass is O(points)).
_PRUNE_PASSES = 64


@dataclasses.dataclass(frozen=True)
class GroupRule:
    """One group's randomised rule: P(positive) = p0 [score > t0] + p1 [score > t1], mixed with a constant.

    ``p_ignore`` and ``constant`` are equalized odds' mixing with a coin of rate ``constant``
    (0 and 0 for simple constraints).
    """

    p0: float
    t0: float
    p1: float
    t1: float
    p_ignore: float = 0.0
    constant: float = 0.0

    def probability(self, scores: np.ndarray) -> np.ndarray:
        out = self.p0 * (scores > self.t0) + self.p1 * (scores > self.t1)
        if self.p_ignore:
            out = self.p_ignore * self.constant + (1 - self.p_ignore) * out
        return out

    def to_dict(self) -> dict[str, Any]:
        return {k: _json_float(v) for k, v in dataclasses.asdict(self).items()}


def _json_float(x: float) -> float | str:
    """A threshold as JSON: finite numbers as they are, infinities as the strings ``"inf"``/``"-inf"``."""
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")


@dataclasses.dataclass(frozen=True)
class GroupThresholds:
    """Fitted group thresholds: a rule per group, and what they were fitted for."""

    constraint: str
    objective: str
    rules: Mapping[Any, GroupRule]
    grid_size: int = 1000

    def probability(self, scores: Any, groups: Any) -> np.ndarray:
        """P(positive) per row; a UsageError names groups that had no rows when fitting."""
        s = np.asarray(scores, dtype=np.float64).reshape(-1)
        keys = _keys(groups, len(s))
        codes, uniques = _factorize(keys)
        unseen = [u for u in uniques if u not in self.rules]
        if unseen:
            count = int(np.isin(codes, [i for i, u in enumerate(uniques) if u not in self.rules]).sum())
            raise UsageError(MSG_UNSEEN_GROUP.format(count=count, groups=sorted(map(str, unseen))[:10]))
        out = np.zeros(len(s))
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        for i, u in enumerate(uniques):
            rows = order[bounds[i]:bounds[i + 1]]
            out[rows] = self.rules[u].probability(s[rows])
        return out

    def predict(self, scores: Any, groups: Any, *, random_state: int = 0) -> np.ndarray:
        """Labels 0/1: ``probability >= RandomState(random_state).rand(n)``, as fairlearn draws them."""
        p = self.probability(scores, groups)
        return (p >= np.random.RandomState(random_state).rand(len(p))).astype(np.int64)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the rule of each group, groups as text, in sorted order."""
        return {"constraint": self.constraint, "objective": self.objective, "grid_size": self.grid_size,
                "rule": "P(positive) = p_ignore * constant + (1 - p_ignore) * (p0 * [score > t0] + "
                        "p1 * [score > t1]); the label is positive when P(positive) >= a uniform draw",
                "groups": [{"group": _group_json(k), **r.to_dict()}
                           for k, r in sorted(self.rules.items(), key=lambda kv: str(kv[0]))]}


def _group_json(key: Any) -> Any:
    return [str(v) for v in key] if isinstance(key, tuple) else str(key)


def _keys(groups: Any, n: int) -> np.ndarray:
    """One hashable key a row: the value (one column) or a tuple of values (several)."""
    import pandas as pd

    if isinstance(groups, pd.DataFrame):
        if groups.shape[1] == 1:
            keys = groups.iloc[:, 0].to_numpy(dtype=object)
        else:
            keys = np.empty(len(groups), dtype=object)
            keys[:] = list(groups.itertuples(index=False, name=None))
    else:
        keys = np.asarray(groups, dtype=object).reshape(-1)
    if len(keys) != n:
        raise UsageError(MSG_LENGTHS.format(scores=n, labels=n, groups=len(keys)))
    return keys


def _factorize(keys: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Codes 0..k-1 in the sorted order of the keys (fairlearn's groupby order), and the keys."""
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(keys, dtype=object), sort=True)
    return np.asarray(codes, dtype=np.int64), list(uniques)


@dataclasses.dataclass(frozen=True)
class _Sweep:
    """One group's confusion counts at every distinct threshold, highest threshold first."""

    tp: np.ndarray
    fp: np.ndarray
    thresholds: np.ndarray
    n: int
    n_pos: float
    n_neg: float

    @classmethod
    def of(cls, s: np.ndarray, y: np.ndarray) -> _Sweep:
        order = np.argsort(s)[::-1]  # the one sort of this group; order within a tie does not matter
        s_sorted, y_sorted = s[order], y[order]
        ends = np.flatnonzero(np.append(s_sorted[1:] != s_sorted[:-1], True))
        tp = np.concatenate([[0], np.cumsum(y_sorted)[ends]]).astype(np.float64)
        fp = np.concatenate([[0], ends + 1]).astype(np.float64) - tp
        distinct = s_sorted[ends]
        following = np.append(distinct[1:], -np.inf)
        with np.errstate(invalid="ignore"):
            thresholds = np.concatenate([[np.inf], (distinct + following) / 2])
        return cls(tp, fp, thresholds, len(s), float(tp[-1]), float(fp[-1]))

    def points(self, x_metric: str, y_metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Trade-off points sorted by (x, y), with their thresholds (fairlearn's ``_calculate_tradeoff_points``)."""
        tp, fp = self.tp, self.fp
        n_pos, n_neg = self.n_pos, self.n_neg
        tn, fn = n_neg - fp, n_pos - tp
        with np.errstate(invalid="ignore", divide="ignore"):
            xs = _METRICS[x_metric](tp, fp, tn, fn)
            ys = _METRICS[y_metric](tp, fp, tn, fn)
        dx = np.diff(xs)
        if not ((dx > 0) | ((dx == 0) & (np.diff(ys) >= 0))).all():  # the sweep is often sorted already
            by = np.lexsort((ys, xs))
            return xs[by], ys[by], self.thresholds[by]
        return xs, ys, self.thresholds


def _upper_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the upper convex hull of points sorted by (x, y), as fairlearn's monotone chain keeps them.

    A point on or below the chord of its two neighbours is never a hull vertex (fairlearn's
    chain drops collinear points too), so all of them are dropped at once, pass after pass;
    the exact chain then runs on the survivors.
    """
    idx = np.arange(len(x))
    for _ in range(_PRUNE_PASSES):
        if len(idx) <= 2:
            return idx
        x0, x1, x2 = x[idx[:-2]], x[idx[1:-1]], x[idx[2:]]
        y0, y1, y2 = y[idx[:-2]], y[idx[1:-1]], y[idx[2:]]
        drop = (y1 - y0) * (x2 - x0) <= (y2 - y0) * (x1 - x0)
        if not drop.any():
            return idx
        keep = np.ones(len(idx), dtype=bool)
        keep[1:-1] = ~drop
        idx = idx[keep]
    xs, ys = x[idx].tolist(), y[idx].tolist()
    chosen: list[int] = []
    for j in range(len(idx)):
        while len(chosen) >= 2:
            a, b = chosen[-2], chosen[-1]
            if (ys[b] - ys[a]) * (xs[j] - xs[a]) <= (ys[j] - ys[a]) * (xs[b] - xs[a]):
                chosen.pop()
            else:
                break
        chosen.append(j)
    return idx[np.asarray(chosen, dtype=np.int64)]


def _interpolate(x: np.ndarray, y: np.ndarray, t: np.ndarray, grid: np.ndarray) -> dict[str, np.ndarray]:
    """Fairlearn's ``_interpolate_curve``: y on the grid, with the two hull points that bracket it."""
    i = np.searchsorted(x, grid, side="right") - 1
    i[1:] = np.where(grid[1:] == x[i[1:]], i[1:] - 1, i[1:])
    with np.errstate(invalid="ignore", divide="ignore"):
        p0 = (x[i + 1] - grid) / (x[i + 1] - x[i])
    p1 = 1 - p0
    return {"y": p0 * y[i] + p1 * y[i + 1], "p0": p0, "p1": p1, "t0": t[i], "t1": t[i + 1]}


@dataclasses.dataclass(frozen=True)
class ScoreSweeps:
    """Scores and labels swept once per group, ready for any constraint (:meth:`fit`)."""

    keys: tuple[Any, ...]
    sweeps: tuple[_Sweep, ...]
    shares: tuple[float, ...]
    n_pos: int
    n_neg: int

    @classmethod
    def of(cls, scores: Any, labels: Any, groups: Any) -> ScoreSweeps:
        """Sort each group's scores once; a group with only one label is a DataError naming it."""
        s = np.asarray(scores, dtype=np.float64).reshape(-1)
        y = np.asarray(labels).reshape(-1)
        keys = _keys(groups, len(s))
        if len(y) != len(s):
            raise UsageError(MSG_LENGTHS.format(scores=len(s), labels=len(y), groups=len(keys)))
        bad = ~np.isin(y, (0, 1))
        if bad.any():
            raise UsageError(MSG_LABELS.format(count=int(bad.sum())))
        y = y.astype(np.int64)
        codes, uniques = _factorize(keys)
        order = np.argsort(codes.astype(np.int16) if len(uniques) < 2**15 else codes, kind="stable")  # radix sort
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        sweeps, shares = [], []
        for i, key in enumerate(uniques):
            rows = order[bounds[i]:bounds[i + 1]]
            yg = y[rows]
            n_pos = int(yg.sum())
            if n_pos == 0 or n_pos == len(yg):
                raise DataError(MSG_DEGENERATE_GROUP.format(group=_group_json(key), positives=n_pos,
                                                            negatives=len(yg) - n_pos))
            sweeps.append(_Sweep.of(s[rows], yg))
            shares.append(len(rows) / len(s))
        n_pos_all = int(y.sum())
        return cls(tuple(uniques), tuple(sweeps), tuple(shares), n_pos_all, len(y) - n_pos_all)

    def fit(self, constraint: str = "demographic_parity", objective: str = "accuracy_score",
            grid_size: int = 1000) -> GroupThresholds:
        """The group thresholds fairlearn's ThresholdOptimizer picks for ``constraint`` and ``objective``."""
        check_constraint(constraint, objective)
        grid = np.linspace(0, 1, int(grid_size) + 1)
        eo = constraint == "equalized_odds"
        x_metric, y_metric = ("false_positive_rate", "true_positive_rate") if eo else \
            (SIMPLE_CONSTRAINTS[constraint], objective)
        curves = []
        for sweep in self.sweeps:
            x, y, t = sweep.points(x_metric, y_metric)
            hull = _upper_hull(x, y)
            curves.append(_interpolate(x[hull], y[hull], t[hull], grid))
        rules: dict[Any, GroupRule] = {}
        if not eo:
            total = 0 * grid
            for share, curve in zip(self.shares, curves, strict=False):
                total = total + share * curve["y"]
            best = int(np.argmax(total))  # the first maximum, as pandas' idxmax
            for key, curve in zip(self.keys, curves, strict=False):
                rules[key] = GroupRule(*(float(curve[k][best]) for k in ("p0", "t0", "p1", "t1")))
            return GroupThresholds(constraint, objective, rules, int(grid_size))
        y_min = np.amin(np.column_stack([c["y"] for c in curves]), axis=1)
        fp, tn = self.n_neg * grid, self.n_neg * (1.0 - grid)
        tp, fn = self.n_pos * y_min, self.n_pos * (1.0 - y_min)
        values = np.around(_METRICS[objective](tp, fp, tn, fn), 15)
        best = int(np.nanargmax(values))
        x_best, y_best = float(grid[best]), float(y_min[best])
        for key, curve in zip(self.keys, curves, strict=False):
            yb = float(curve["y"][best])
            p_ignore = 0.0 if yb == x_best else (yb - y_best) / (yb - x_best)
            rules[key] = GroupRule(float(curve["p0"][best]), float(curve["t0"][best]), float(curve["p1"][best]),
                                   float(curve["t1"][best]), float(p_ignore), x_best)
        return GroupThresholds(constraint, objective, rules, int(grid_size))


def check_constraint(constraint: Any, objective: Any = "accuracy_score") -> None:
    """A UsageError for a constraint fairlearn does not know, or an objective it does not allow with it."""
    if constraint not in CONSTRAINTS:
        raise UsageError(MSG_UNKNOWN_CONSTRAINT.format(constraint=constraint, known=list(CONSTRAINTS)))
    allowed = OBJECTIVES["equalized_odds" if constraint == "equalized_odds" else "simple"]
    if objective not in allowed:
        raise UsageError(MSG_UNKNOWN_OBJECTIVE.format(objective=objective, constraint=constraint,
                                                      allowed=list(allowed)))


def fit_thresholds(scores: Any, labels: Any, groups: Any, *, constraint: str = "demographic_parity",
                   objective: str = "accuracy_score", grid_size: int = 1000) -> GroupThresholds:
    """Fit fairlearn ThresholdOptimizer's group thresholds (``prefit=True``, ``flip=False``) from arrays.

    ``groups`` is one key a row, or a frame of sensitive columns (a row's key is then the
    tuple of its values). For several constraints on the same rows, sweep once with
    :meth:`ScoreSweeps.of` and call its :meth:`~ScoreSweeps.fit` for each.
    """
    check_constraint(constraint, objective)
    return ScoreSweeps.of(scores, labels, groups).fit(constraint, objective, grid_size)


def group_keys(frame: Any, columns: Sequence[str]) -> np.ndarray:
    """Row keys of ``columns`` of a frame: values (one column) or tuples (several), missing as ``None``."""
    sub = frame.loc[:, list(columns)].astype(object)
    sub = sub.where(sub.notna(), None)
    return _keys(sub, len(sub))
