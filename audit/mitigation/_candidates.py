"""Mitigation candidates: the unchanged model, group thresholds, reweighing and reductions, each fitted once.

A :class:`Candidate` is one fitted fix (or the reason it could not be fitted) that gives
0/1 predictions for raw rows with :meth:`Candidate.predict`. Builders here only fit;
measuring them on held-out rows is the auditor's job (``_auditor.py``).
"""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from ._messages import (
    MSG_BUDGET_SPENT,
    MSG_CANDIDATE_NEEDS_SCORES,
    MSG_CANDIDATE_NOT_FITTED,
    MSG_FIT_FAILED,
    MSG_NO_SAMPLE_WEIGHT,
    MSG_NO_SCORES,
    MSG_NO_TRAIN_DATA,
    MSG_NOT_REFITTABLE,
    MSG_REDUCTIONS_TORCH,
    MSG_TORCH_REFIT,
)
from ._thresholds import GroupThresholds, ScoreSweeps, group_keys

__all__ = ["Candidate", "split_rows", "reweighing_weights", "threshold_candidates", "refit_candidates",
           "REDUCTION_CONSTRAINTS", "MSG_NO_SCORES", "MSG_NOT_REFITTABLE", "MSG_NO_TRAIN_DATA", "MSG_NO_SAMPLE_WEIGHT",
           "MSG_BUDGET_SPENT", "MSG_TORCH_REFIT", "MSG_REDUCTIONS_TORCH", "MSG_FIT_FAILED"]

logger = logging.getLogger(__name__)


#: Post-processing constraint -> the fairlearn.reductions moment that states it.
REDUCTION_CONSTRAINTS = {
    "demographic_parity": "DemographicParity",
    "selection_rate_parity": "DemographicParity",
    "equalized_odds": "EqualizedOdds",
    "true_positive_rate_parity": "TruePositiveRateParity",
    "false_negative_rate_parity": "TruePositiveRateParity",
    "false_positive_rate_parity": "FalsePositiveRateParity",
    "true_negative_rate_parity": "FalsePositiveRateParity",
}


@dataclasses.dataclass
class Candidate:
    """One fix: how it was made, the fitted object, and how to get its 0/1 predictions for raw rows.

    ``fitted`` is a :class:`GroupThresholds` (threshold candidates), a refitted scikit-learn
    estimator (reweighing) or a fitted fairlearn mitigator (reductions); None for the
    unchanged model and for a candidate that could not be fitted (``reason`` says why).
    """

    name: str
    method: str
    description: str
    constraint: str | None = None
    objective: str | None = None
    strength: float | None = None
    over: tuple[str, ...] = ()
    fitted: Any = None
    reason: str | None = None
    seconds: float = 0.0
    model: Any = dataclasses.field(default=None, repr=False)
    features: tuple[str, ...] = ()
    pos_label: Any = 1

    @property
    def ok(self) -> bool:
        return self.reason is None

    def predict(self, frame: pd.DataFrame, *, scores: Any = None, random_state: int = 0) -> np.ndarray:
        """0/1 predictions (1 = the positive class) for raw rows of ``frame``.

        Threshold candidates need the sensitive columns they were fitted on and the model's
        score (computed from ``frame``, or given as ``scores``).
        """
        if not self.ok:
            raise UsageError(MSG_CANDIDATE_NOT_FITTED.format(name=self.name, reason=self.reason))
        if self.method == "threshold_optimizer":
            if scores is None:
                if self.model is None:
                    raise UsageError(MSG_CANDIDATE_NEEDS_SCORES.format(name=self.name))
                scores = self.model.score(frame, list(self.features), "binary", self.pos_label)
            return self.fitted.predict(scores, group_keys(frame, self.over), random_state=random_state)
        if self.method == "unchanged":
            return positive(self.model.predict(frame, list(self.features), "binary"), self.pos_label)
        if self.method == "reweighing" and self.model is not None and self.model.kind in ("torch", "keras"):
            return positive(self.fitted.predict(frame, list(self.features), "binary"), self.pos_label)
        X = self.model.transform(frame, list(self.features))
        if self.method == "exponentiated_gradient":
            return np.asarray(self.fitted.predict(X, random_state=random_state)).astype(np.int64)
        return np.asarray(self.fitted.predict(X)).astype(np.int64)


def positive(values: Any, pos_label: Any) -> np.ndarray:
    """1 where a label is the positive class, else 0 (labels compared as the subject compares them)."""
    from ..subject._adapters import same_label

    arr = np.asarray(values, dtype=object).reshape(-1)
    return np.fromiter((1 if same_label(v, pos_label) else 0 for v in arr), dtype=np.int64, count=len(arr))


def split_rows(keys: np.ndarray, y: np.ndarray, *, fit_share: float = 0.5,
               random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the fitting and the evaluation part, seeded and stratified by group x label.

    Each (group, label) stratum is shuffled and cut at ``fit_share`` (rounded down, so a
    stratum of one row is evaluated, never silently fitted on alone).
    """
    strata = pd.Series([(str(k), int(v)) for k, v in zip(keys, y, strict=False)], dtype=object)
    codes, _ = pd.factorize(strata, sort=True)
    rng = np.random.default_rng(random_state)
    fit, evaluate = [], []
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(codes.max() + 2 if len(codes) else 1))
    for i in range(len(bounds) - 1):
        rows = order[bounds[i]:bounds[i + 1]]
        rows = rows[rng.permutation(len(rows))]
        cut = int(np.floor(len(rows) * fit_share))
        fit.append(rows[:cut])
        evaluate.append(rows[cut:])
    return np.sort(np.concatenate(fit)).astype(np.int64), np.sort(np.concatenate(evaluate)).astype(np.int64)


def threshold_candidates(scores: np.ndarray | None, y: np.ndarray, keys: np.ndarray, *,
                         constraints: Sequence[str], objective: str, grid_size: int, over: tuple[str, ...],
                         model: Any, features: Sequence[str], pos_label: Any) -> list[Candidate]:
    """One ThresholdOptimizer-equivalent candidate per constraint, all from one sweep of the scores."""
    def make(constraint: str, **kw: Any) -> Candidate:
        return Candidate(f"threshold_optimizer:{constraint}[{' x '.join(over)}]", "threshold_optimizer",
                         f"fairlearn ThresholdOptimizer(constraints={constraint!r}, objective={objective!r}, "
                         f"prefit=True): group-specific thresholds on the model's score over "
                         f"{' x '.join(over)}", constraint=constraint, objective=objective, over=over,
                         model=model, features=tuple(features), pos_label=pos_label, **kw)

    if scores is None:
        return [make(c, reason=MSG_NO_SCORES) for c in constraints]
    start = time.perf_counter()
    try:
        sweeps = ScoreSweeps.of(scores, y, keys)
    except DataError as exc:
        return [make(c, reason=f"the thresholds cannot be fitted: {exc}") for c in constraints]
    shared = time.perf_counter() - start
    out = []
    for c in constraints:
        t0 = time.perf_counter()
        fitted: GroupThresholds = sweeps.fit(c, objective, grid_size)
        out.append(make(c, fitted=fitted, seconds=shared / len(constraints) + time.perf_counter() - t0))
    return out


def reweighing_weights(keys: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kamiran and Calders' weights, w = P(A = a) P(Y = y) / P(A = a, Y = y), from the count table."""
    a_codes, _ = pd.factorize(pd.Series(keys, dtype=object).map(str), sort=True)
    y = np.asarray(y, dtype=np.int64)
    n = len(y)
    k = int(a_codes.max()) + 1
    joint = np.bincount(a_codes * 2 + y, minlength=2 * k).reshape(k, 2).astype(np.float64)
    p_a = joint.sum(axis=1) / n
    p_y = joint.sum(axis=0) / n
    expected = np.outer(p_a, p_y)
    observed = joint / n
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(observed > 0, expected / observed, 0.0)
    return w[a_codes, y]


def _estimator(model: Any) -> tuple[Any, str | None]:
    """The scikit-learn estimator behind an audit.Model, or the reason there is none to refit."""
    inner = model.model
    if model.kind in ("torch", "keras"):
        return None, "torch"
    if model.kind != "sklearn" or not (hasattr(inner, "get_params") and hasattr(inner, "fit")):
        return None, "other"
    return inner, None


def _takes_weight(estimator: Any) -> bool:
    from sklearn.utils.validation import has_fit_parameter

    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    return has_fit_parameter(final, "sample_weight")


def _fit_weighted(estimator: Any, X: Any, y: np.ndarray, w: np.ndarray) -> Any:
    from sklearn.base import clone

    est = clone(estimator)
    if hasattr(est, "steps"):
        return est.fit(X, y, **{f"{est.steps[-1][0]}__sample_weight": w})
    return est.fit(X, y, sample_weight=w)


def refit_candidates(model: Any, train: pd.DataFrame | None, *, target_pos: Callable[[Any], np.ndarray],
                     features: Sequence[str], over: tuple[str, ...], constraints: Sequence[str],
                     strengths: Sequence[float], reweighing: bool, reductions: bool, time_budget_s: float,
                     random_state: int, pos_label: Any, target: str,
                     progress: Callable[[str], None] | None = None) -> list[Candidate]:
    """Reweighing and the reductions (ExponentiatedGradient, GridSearch), refitted on ``train``.

    Each is fitted only while the time budget lasts; a skipped one says why.
    """
    methods: list[tuple[str, str, str | None, float | None]] = []
    if reweighing:
        methods.append(("reweighing", "reweighing", None, None))
    if reductions:
        for c in constraints:
            if c not in REDUCTION_CONSTRAINTS:
                continue
            for s in strengths:
                methods.append((f"exponentiated_gradient:{c}:{s:g}", "exponentiated_gradient", c, float(s)))
            methods.append((f"grid_search:{c}", "grid_search", c, None))
    if not methods:
        return []
    descriptions = {
        "reweighing": "Kamiran and Calders reweighing: the model refitted on train_data with weights "
                      f"P(A)P(Y)/P(A,Y) over {' x '.join(over)}"
                      + (" (a reference network: retrained by its recipe, same seed and epochs)"
                         if _recipe(model) is not None else ""),
        "exponentiated_gradient": "fairlearn ExponentiatedGradient({moment}(difference_bound={s:g})) refitted on "
                                  "train_data",
        "grid_search": "fairlearn GridSearch({moment}(), grid_size=11) refitted on train_data, the best of its "
                       "grid by its own error and disparity",
    }

    def make(name: str, method: str, c: str | None, s: float | None, **kw: Any) -> Candidate:
        text = descriptions[method].format(moment=REDUCTION_CONSTRAINTS.get(c or "", ""), s=s or 0)
        return Candidate(name, method, text, constraint=c, strength=s, over=over, model=model,
                         features=tuple(features), pos_label=pos_label, **kw)

    estimator, why = _estimator(model)
    cls = type(model.model).__name__
    recipe = _recipe(model) if why == "torch" else None
    if estimator is None and recipe is None:
        reason = (MSG_TORCH_REFIT.format(cls=cls, method="{method}") if why == "torch" else
                  MSG_NOT_REFITTABLE.format(kind=model.kind, cls=cls, method="{method}"))
        return [make(n, m, c, s, reason=reason.format(method=m)) for n, m, c, s in methods]
    if train is None:
        return [make(n, m, c, s, reason=MSG_NO_TRAIN_DATA.format(method=m)) for n, m, c, s in methods]
    if recipe is not None:  # a reference network: reweighing retrains it by its recipe; reductions cannot
        skipped = [make(n, m, c, s, reason=MSG_REDUCTIONS_TORCH.format(method=m, cls=cls))
                   for n, m, c, s in methods if m != "reweighing"]
        methods = [row for row in methods if row[1] == "reweighing"]
        estimator = recipe
    elif not _takes_weight(estimator):
        return [make(n, m, c, s, reason=MSG_NO_SAMPLE_WEIGHT.format(cls=type(estimator).__name__, method=m))
                for n, m, c, s in methods]
    else:
        skipped = []
    X = model.encode(train, list(features)) if recipe is not None else model.transform(train, list(features))
    y = target_pos(train[target])
    keys = group_keys(train, over)
    start = time.perf_counter()
    out: list[Candidate] = []
    for i, row in enumerate(methods, start=1):
        name, method, constraint, strength = row
        spent = time.perf_counter() - start
        if spent >= time_budget_s:
            reason = MSG_BUDGET_SPENT.format(budget=time_budget_s, spent=spent, name=name)
            out.append(make(name, method, constraint, strength, reason=reason))
            continue
        if progress is not None:
            progress(f"mitigation: fitting {name} ({i} of {len(methods)}; {spent:.1f} s of {time_budget_s:g} s)")
        t0 = time.perf_counter()
        try:
            fitted = _fit_one(method, estimator, X, y, keys, constraint, strength, random_state)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - the user's estimator failed on a refit: this candidate says so
            out.append(make(name, method, constraint, strength, reason=MSG_FIT_FAILED.format(
                name=name, error_type=type(exc).__name__, error=(str(exc).splitlines() or [""])[0][:300])))
            continue
        if recipe is not None:
            fitted = _as_model(fitted, model)
        out.append(make(name, method, constraint, strength, fitted=fitted, seconds=time.perf_counter() - t0))
    return out + skipped


def _recipe(model: Any) -> dict[str, Any] | None:
    """The training recipe of a reference network (binary), which can retrain it; None for any other torch model."""
    recipe = (model.metadata or {}).get("recipe")
    if not isinstance(recipe, dict) or recipe.get("task") != "binary" or "architecture" not in recipe:
        return None
    return recipe


def _as_model(module: Any, like: Any) -> Any:
    """A retrained module behind the same preprocessing, classes and metadata as the network it replaces."""
    from ..subject import Model

    return Model(module, preprocess=like.preprocess, feature_names=like.feature_names, task="binary",
                 classes=like.classes, pos_label=like.pos_label)


def _fit_one(method: str, estimator: Any, X: Any, y: np.ndarray, keys: np.ndarray, constraint: str | None,
             strength: float | None, random_state: int) -> Any:
    if method == "reweighing" and isinstance(estimator, dict):  # a reference network's recipe
        import torch

        from ..models._train import fit_network

        w = torch.tensor(reweighing_weights(keys, y), dtype=torch.float32)
        return fit_network(estimator, X, torch.tensor(y, dtype=torch.float32), sample_weight=w)
    if method == "reweighing":
        return _fit_weighted(estimator, X, y, reweighing_weights(keys, y))
    from fairlearn import reductions as red
    from sklearn.base import clone

    groups = pd.Series(keys, dtype=object).map(str).to_numpy()
    moment_cls = getattr(red, REDUCTION_CONSTRAINTS[constraint or ""])
    if method == "exponentiated_gradient":
        mitigator = red.ExponentiatedGradient(clone(estimator), moment_cls(difference_bound=strength),
                                              max_iter=50)
    else:
        mitigator = red.GridSearch(clone(estimator), moment_cls(), grid_size=11)
    mitigator.fit(X, y, sensitive_features=groups)
    return mitigator
