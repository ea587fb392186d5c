"""Membership-inference risk: whether the model's loss tells training rows from held-out rows.

The loss-threshold attack (Yeom et al. 2018): an attacker who sees a record's loss guesses
"member" when it is low. Sweeping the threshold gives a ROC curve of training rows
(members) against held-out rows (non-members). We report its AUC, the membership
advantage max(TPR - FPR) (Yeom's advantage, the best threshold's), and the TPR at 1% and
0.1% FPR (Carlini et al. 2022: what matters is how many members are exposed with few
false alarms). Loss: cross-entropy of the positive-class score for binary tasks, squared
error for regression.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import UsageError
from . import _messages as msg

__all__ = ["MembershipRisk", "membership_inference", "per_row_loss", "ROC_POINTS"]

#: The ROC curve kept for the report is thinned to at most this many points.
ROC_POINTS = 101
_EPS = 1e-12


@dataclass(frozen=True)
class MembershipRisk:
    """AUC, advantage and low-FPR TPRs of the loss-threshold attack, overall and by group."""

    auc: float
    advantage: float
    tpr_at_1pct_fpr: float
    tpr_at_01pct_fpr: float
    n_members: int
    n_non_members: int
    roc: tuple[tuple[float, float], ...] = field(repr=False)
    by_group: Mapping[str, Mapping[str, Mapping[str, float]]] = field(default_factory=dict, repr=False)


def per_row_loss(y_true: Any, prediction: Any, task: str) -> np.ndarray:
    """Cross-entropy of positive-class scores (binary) or squared error (regression), per row."""
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(prediction, dtype=np.float64)
    if len(y) != len(p):
        raise UsageError(msg.MIA_LENGTH.format(what="predictions", got=len(p), expected=len(y)))
    if task == "regression":
        return (y - p) ** 2
    p = np.clip(p, _EPS, 1 - _EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def _tpr_at(fpr: np.ndarray, tpr: np.ndarray, level: float) -> float:
    ok = fpr <= level
    return float(tpr[ok].max()) if ok.any() else 0.0


def _attack(member_loss: np.ndarray, other_loss: np.ndarray) -> tuple[float, float, float, float, np.ndarray,
                                                                         np.ndarray]:
    labels = np.concatenate([np.ones(len(member_loss)), np.zeros(len(other_loss))])
    score = -np.concatenate([member_loss, other_loss])  # low loss -> "member"
    from sklearn.metrics import roc_auc_score, roc_curve  # imported when used: `import audit` stays light

    auc = float(roc_auc_score(labels, score))
    fpr, tpr, _ = roc_curve(labels, score, drop_intermediate=False)
    return auc, float(np.max(tpr - fpr)), _tpr_at(fpr, tpr, 0.01), _tpr_at(fpr, tpr, 0.001), fpr, tpr


def _thin(fpr: np.ndarray, tpr: np.ndarray) -> tuple[tuple[float, float], ...]:
    grid = np.linspace(0.0, 1.0, ROC_POINTS)
    # the ROC step function's upper envelope at each grid FPR
    idx = np.searchsorted(fpr, grid, side="right") - 1
    return tuple((round(float(x), 4), round(float(tpr[max(i, 0)]), 4)) for x, i in zip(grid, idx, strict=True))


def membership_inference(member_loss: Any, non_member_loss: Any, *,
                         member_groups: pd.DataFrame | None = None, non_member_groups: pd.DataFrame | None = None,
                         min_group_size: int = 30) -> MembershipRisk:
    """Run the loss-threshold attack; ``*_groups`` (one column per sensitive feature) add per-group figures.

    A group is attacked when it has at least ``min_group_size`` members and non-members.
    """
    a = np.asarray(member_loss, dtype=np.float64)
    b = np.asarray(non_member_loss, dtype=np.float64)
    auc, adv, t1, t01, fpr, tpr = _attack(a, b)
    by_group: dict[str, dict[str, dict[str, float]]] = {}
    if member_groups is not None and non_member_groups is not None:
        for feature in member_groups.columns:
            gm = member_groups[feature].astype(object).where(member_groups[feature].notna(), None).to_numpy()
            gn = non_member_groups[feature].astype(object).where(non_member_groups[feature].notna(), None).to_numpy()
            values = sorted({*gm.tolist(), *gn.tolist()}, key=lambda v: (v is None, str(v)))
            per: dict[str, dict[str, float]] = {}
            for value in values:
                sa, sb = a[gm == value], b[gn == value]
                if len(sa) < min_group_size or len(sb) < min_group_size:
                    continue
                g_auc, g_adv, g_t1, g_t01, _, _ = _attack(sa, sb)
                per["(missing)" if value is None else str(value)] = {
                    "auc": g_auc, "advantage": g_adv, "tpr_at_1pct_fpr": g_t1, "tpr_at_01pct_fpr": g_t01,
                    "n": float(len(sa) + len(sb))}
            by_group[str(feature)] = per
    return MembershipRisk(auc, adv, t1, t01, len(a), len(b), _thin(fpr, tpr), by_group)


def groups_frame(frame: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    return frame.loc[:, list(features)].reset_index(drop=True)
