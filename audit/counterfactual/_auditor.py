"""The counterfactual auditor: whether the prediction changes when only the group attribute changes.

Given ``swap(batch, from_group, to_group) -> batch`` (a batch of model inputs in, the same
inputs as members of ``to_group`` out), every input of ``from_group`` is swapped and
predicted again. Per ordered group pair: the flip rate (share of predictions that change,
Wilson interval) and the mean change of the score (binary: the positive class's probability;
multiclass: the probability of the class predicted before the swap), with a t interval.

Modality-agnostic: for an image subject a batch is a float32 ``(n, C, H, W)`` tensor as the
model takes it; for a table it is a frame of the model's input columns, and without a
``swap`` the sensitive column itself is set to the other group (when the model reads it).
Reference image networks supply their generator's swap.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .._base import BaseAuditor, Interval, Requirement
from .._exceptions import UsageError
from .._intervals import wilson_interval
from .._results import AuditResult, Finding, Severity, Status, metrics_frame
from . import _messages as msg

__all__ = ["CounterfactualAuditor", "METRICS"]

#: The metric names this auditor reports (the gate knows them from here).
METRICS = ("counterfactual_flip_rate", "counterfactual_score_change", "counterfactual_abs_score_change",
           "counterfactual_flip_rate_group_max")
#: More groups than this in the swapped feature is a usage error (pairs grow as k * (k - 1)).
MAX_GROUPS = 12


class CounterfactualAuditor(BaseAuditor):
    """Prediction change under a swap of the group attribute, per ordered group pair, with intervals.

    Parameters
    ----------
    swap : ``swap(batch, from_group, to_group) -> batch`` of the same shape; default: the reference
        network's own (image references), or setting the sensitive column (tables whose model reads it).
    feature : the sensitive feature whose groups are swapped (default: the only one).
    max_flip_rate : a pair whose flip rate's lower confidence bound exceeds this gets a finding.
    ci : confidence level of the intervals.
    batch_size : inputs per forward pass (default 2,048: a table's rows are encoded per batch, and
        256-row batches spent two thirds of adult-mlp's time in pandas encoding; 2,048 images of
        3x28x28 float32 are 19 MB).
    """

    name = "counterfactual"
    version = "1.0"
    requires = frozenset({Requirement.MODEL, Requirement.SENSITIVE_FEATURES})
    modalities = frozenset({"table", "image"})
    metrics = METRICS
    # Callable is an ABC: isinstance checks it, though mypy reads it as a typing form
    constraints = {"swap": [Callable, None], "feature": [str, None],  # type: ignore[list-item]
                   "max_flip_rate": [Interval(float, 0, 1)], "ci": [Interval(float, 0, 1, "neither")],
                   "batch_size": [Interval(int, 1, None)]}

    def __init__(self, *, swap: Callable[..., Any] | None = None, feature: str | None = None,
                 max_flip_rate: float = 0.1, ci: float = 0.95, batch_size: int = 2048) -> None:
        self.swap = swap
        self.feature = feature
        self.max_flip_rate = max_flip_rate
        self.ci = ci
        self.batch_size = batch_size

    # -- the work ----------------------------------------------------------------------------
    def run(self, subject: Any) -> AuditResult:
        if subject.task not in ("binary", "multiclass"):
            return self._skipped(msg.NOT_CLASSIFIER.format(task=subject.task))
        plan = self._plan(subject)
        if isinstance(plan, str):
            return self._skipped(plan)
        pos_column = self._pos_column(subject)
        measured = []
        for feature, swap, source in plan:
            groups = subject.sensitive_frame[feature].to_numpy()
            present = [g for g in _sorted_levels(groups) if g is not None]
            if len(present) > MAX_GROUPS:
                raise UsageError(msg.TOO_MANY_GROUPS.format(feature=feature, n=len(present), limit=MAX_GROUPS))
            if len(present) < 2:
                continue
            pairs = [(a, b) for a in present for b in present if a != b]
            flips: dict[tuple[Any, Any], list[np.ndarray]] = {p: [] for p in pairs}
            changes: dict[tuple[Any, Any], list[np.ndarray]] = {p: [] for p in pairs}
            known = getattr(subject, "class_probabilities", None)  # an image subject's, from its one pass
            for start, batch, proba in self._batches(subject):
                g = groups[start:start + _length(batch)]
                # the batch's own probabilities: the image subject's one pass, else one forward pass shared by
                # every pair (a table's rows of group a were otherwise passed once per group they are swapped to)
                own = _two_columns(np.asarray(known[start:start + len(g)])) if known is not None else proba(batch)
                for a in present:
                    mask = np.asarray([_same(v, a) for v in g], dtype=bool)
                    if not mask.any():
                        continue
                    part, before = _take(batch, mask), own[mask]
                    column = np.full(len(before), pos_column) if pos_column is not None else before.argmax(1)
                    rows = np.arange(len(before))
                    for b in present:
                        if b == a:
                            continue
                        after = proba(self._apply(swap, part, a, b, feature, subject))
                        flips[(a, b)].append(before.argmax(1) != after.argmax(1))
                        changes[(a, b)].append(after[rows, column] - before[rows, column])
            measured.append((feature, source, pairs, flips, changes))
        if not measured:
            return self._skipped(msg.ONE_GROUP.format(feature=", ".join(f for f, _, _ in plan)))
        return self._result(measured, pos_column is not None)

    def _plan(self, subject: Any) -> list[tuple[str, Callable[..., Any], str]] | str:
        """(feature, swap, where the swap came from) for each feature to swap; a reason to skip otherwise."""
        features = list(subject.sensitive_features)
        if self.feature is not None and self.feature not in features:
            raise UsageError(msg.UNKNOWN_FEATURE.format(feature=self.feature, features=features))
        if self.swap is not None or (subject.model is not None and subject.model.metadata.get("swap") is not None):
            feature = self._feature(subject)
            swap, source = self._swap(subject, feature)
            return [(feature, swap, source)]  # type: ignore[list-item]
        chosen = [self.feature] if self.feature is not None else features
        plan = []
        for feature in chosen:
            swap, source = self._swap(subject, feature)
            if swap is not None:
                plan.append((feature, swap, source))
        return plan or msg.NO_SWAP.format(feature=", ".join(chosen))

    def _feature(self, subject: Any) -> str:
        features = list(subject.sensitive_features)
        if self.feature is not None:
            if self.feature not in features:
                raise UsageError(msg.UNKNOWN_FEATURE.format(feature=self.feature, features=features))
            return self.feature
        if len(features) != 1:
            raise UsageError(msg.WHICH_FEATURE.format(features=features))
        return features[0]

    def _swap(self, subject: Any, feature: str) -> tuple[Callable[..., Any] | None, str]:
        if self.swap is not None:
            if not callable(self.swap):
                raise UsageError(msg.NOT_CALLABLE.format(type=type(self.swap).__name__))
            return self.swap, "given"
        own = subject.model.metadata.get("swap") if subject.model is not None else None
        if own is not None:
            return own, "the reference network's generator"
        if getattr(subject, "modality", "table") == "table" and feature in subject.features:
            def set_column(frame: Any, from_group: Any, to_group: Any) -> Any:
                return frame.assign(**{feature: [to_group] * len(frame)})

            return set_column, f"column {feature!r} set to the other group"
        return None, msg.NO_SWAP.format(feature=feature)

    def _pos_column(self, subject: Any) -> int | None:
        if subject.task != "binary":
            return None
        classes = subject.model.model_classes(2) if subject.model is not None else None
        if classes is None:
            return 1
        from ..subject._adapters import same_label

        hits = [i for i, c in enumerate(classes) if same_label(c, subject.pos_label)]
        return hits[0] if hits else 1

    def _batches(self, subject: Any) -> Iterator[tuple[int, Any, Callable[[Any], np.ndarray]]]:
        if getattr(subject, "modality", "table") == "image":
            for start, x in subject.images.batches(self.batch_size):
                yield start, x, lambda b: _two_columns(subject.proba(b))
            return
        features = list(subject.features)
        model = subject.model

        def proba(frame: Any) -> np.ndarray:
            p = model.proba(frame, features)
            if p is None:
                raise UsageError(msg.NO_PROBA.format(kind=model.kind))
            return _two_columns(np.asarray(p, dtype=np.float64))

        start = 0
        for frame in subject.batches(features, self.batch_size):
            yield start, frame, proba
            start += len(frame)

    def _apply(self, swap: Callable[..., Any], part: Any, a: Any, b: Any, feature: str, subject: Any) -> Any:
        try:
            out = swap(_copy(part), a, b)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except UsageError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's function failing is theirs to fix: say which pair
            raise UsageError(msg.SWAP_FAILED.format(a=a, b=b, feature=feature, error_type=type(exc).__name__,
                                                    error=(str(exc).splitlines() or [""])[0][:200])) from None
        got, expected = _shape(out), _shape(part)
        if got != expected:
            raise UsageError(msg.SWAP_SHAPE.format(a=a, b=b, feature=feature, got=got, expected=expected))
        if getattr(subject, "modality", "table") == "image":
            import torch

            out = out if isinstance(out, torch.Tensor) else torch.as_tensor(np.asarray(out, dtype=np.float32))
            if not bool(torch.isfinite(out).all()):
                raise UsageError(msg.SWAP_NOT_FINITE.format(a=a, b=b, feature=feature))
            out = out.to(torch.float32)
        return out

    # -- the result --------------------------------------------------------------------------
    def _skipped(self, reason: str) -> AuditResult:
        return AuditResult(self.name, self.version, Status.SKIPPED, params=self.get_params(), reason=reason)

    def _result(self, measured: list[tuple[Any, ...]], binary: bool) -> AuditResult:
        rows: list[dict[str, Any]] = []
        findings: list[Finding] = []
        level = float(self.ci)
        limit = float(self.max_flip_rate)
        for feature, _, pairs, flips, changes in measured:
            all_flips, all_changes = [], []
            worst: dict[str, Any] | None = None
            for a, b in pairs:
                f = np.concatenate(flips[(a, b)]) if flips[(a, b)] else np.zeros(0, bool)
                c = np.concatenate(changes[(a, b)]) if changes[(a, b)] else np.zeros(0)
                all_flips.append(f)
                all_changes.append(c)
                group = {feature: _text(a), "swapped_to": _text(b)}
                rate_row = _rate_row("counterfactual_flip_rate", group, f, level)
                rows += [rate_row, _mean_row("counterfactual_score_change", group, c, level),
                         _mean_row("counterfactual_abs_score_change", group, np.abs(c), level)]
                if len(f) and (worst is None or rate_row["value"] > worst["value"]):
                    worst = rate_row
                if len(f) and rate_row["ci_low"] > limit:
                    findings.append(Finding(Severity.HIGH, "counterfactual.flips", msg.FLIPS.format(
                        a=_text(a), b=_text(b), feature=feature, rate=rate_row["value"], low=rate_row["ci_low"],
                        high=rate_row["ci_high"], n=len(f), limit=limit, level=level),
                        {"group": group, "flip_rate": rate_row["value"], "ci_low": rate_row["ci_low"],
                         "ci_high": rate_row["ci_high"], "n": int(len(f))}))
            f_all, c_all = np.concatenate(all_flips), np.concatenate(all_changes)
            over = [feature]
            rows.append({**_rate_row("counterfactual_flip_rate", None, f_all, level), "over": over})
            rows.append({**_mean_row("counterfactual_score_change", None, c_all, level), "over": over})
            rows.append({**_mean_row("counterfactual_abs_score_change", None, np.abs(c_all), level), "over": over})
            if worst is not None:
                rows.append({**worst, "metric": "counterfactual_flip_rate_group_max", "group": None, "over": over})
            if not any(x.evidence.get("group", {}).get(feature) is not None for x in findings):
                findings.append(Finding(Severity.INFO, "counterfactual.stable", msg.STABLE.format(
                    feature=feature, rate=float(f_all.mean()) if len(f_all) else float("nan"), n=len(f_all),
                    limit=limit), {"feature": feature, "n": int(len(f_all))}))
        status = Status.WARN if any(x.severity is not Severity.INFO for x in findings) else Status.PASS
        details = {"features": [m[0] for m in measured], "swap": {m[0]: m[1] for m in measured}, "ci": level,
                   "pairs": {m[0]: [[_text(a), _text(b)] for a, b in m[2]] for m in measured},
                   "score": "positive-class probability" if binary else "probability of the class predicted before "
                                                                      "the swap",
                   "interval": {"flip_rate": "Wilson score", "score_change": "Student t"}}
        return AuditResult(self.name, self.version, status, metrics=metrics_frame(rows), findings=tuple(findings),
                           params=self.get_params(), details=details)


def _rate_row(metric: str, group: dict[str, Any] | None, flips: np.ndarray, level: float) -> dict[str, Any]:
    n = int(len(flips))
    if n == 0:
        return {"metric": metric, "group": group, "value": None, "ci_low": None, "ci_high": None, "n": 0}
    rate = float(flips.mean())
    low, high = wilson_interval(rate, n, level)
    return {"metric": metric, "group": group, "value": rate, "ci_low": low, "ci_high": high, "n": n}


def _mean_row(metric: str, group: dict[str, Any] | None, values: np.ndarray, level: float) -> dict[str, Any]:
    n = int(len(values))
    if n == 0:
        return {"metric": metric, "group": group, "value": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(values.mean())
    if n < 2:
        return {"metric": metric, "group": group, "value": mean, "ci_low": None, "ci_high": None, "n": n}
    from scipy.stats import t

    half = float(t.ppf(0.5 + level / 2, n - 1)) * float(values.std(ddof=1)) / math.sqrt(n)
    return {"metric": metric, "group": group, "value": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def _two_columns(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1.0 - p, p]) if p.ndim == 1 else p


def _length(batch: Any) -> int:
    return int(len(batch))


def _take(batch: Any, mask: np.ndarray) -> Any:
    if hasattr(batch, "iloc"):
        return batch.loc[mask].reset_index(drop=True)
    import torch

    if isinstance(batch, torch.Tensor):
        return batch[torch.from_numpy(mask)]
    return batch[mask]


def _copy(part: Any) -> Any:
    if hasattr(part, "copy") and hasattr(part, "iloc"):
        return part.copy()
    if hasattr(part, "clone"):
        return part.clone()
    return np.array(part, copy=True)


def _shape(x: Any) -> tuple[int, ...] | str:
    if hasattr(x, "iloc"):
        return tuple(int(s) for s in x.shape)
    shape = getattr(x, "shape", None)
    return tuple(int(s) for s in shape) if shape is not None else type(x).__name__


def _same(v: Any, g: Any) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and v == g


def _sorted_levels(values: np.ndarray) -> list[Any]:
    import pandas as pd

    levels = [v.item() if isinstance(v, np.generic) else v for v in pd.unique(pd.Series(values).dropna())]
    try:
        return sorted(levels)
    except TypeError:
        return sorted(levels, key=str)


def _text(v: Any) -> str:
    return str(v)
