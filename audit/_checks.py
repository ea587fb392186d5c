"""Checks: thresholds on metrics, the gate's yes/no with reasons (DESIGN.md section 6).

A check names ``"<auditor>.<metric>"`` and a ``max`` or ``min``. Without ``over`` every
row of that metric must pass; with ``over`` only the aggregate rows comparing exactly
those sensitive features count. ``bound = "ci"`` gates on the confidence bound that is
most favourable to the model (``ci_low`` for a max, ``ci_high`` for a min), so a small,
noisy group fails only when even its optimistic bound is past the threshold. A failed
check is data, not an exception.
"""
from __future__ import annotations

import dataclasses
import difflib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ._exceptions import SpecError, UsageError
from ._result import AuditResult, Status, _group_value, format_group

__all__ = ["Check", "CheckOutcome", "parse_checks", "load_policy", "evaluate_checks",
           "MSG_CHECK_KEYS", "MSG_CHECK_BOUND", "MSG_CHECK_METRIC", "MSG_UNKNOWN_METRIC",
           "MSG_OUTCOME_FAIL", "MSG_OUTCOME_PASS"]

MSG_CHECK_KEYS = "check #{index} has unknown key(s) {keys}; allowed keys: {allowed}."
MSG_CHECK_BOUND = ("check #{index} ({metric}) must have exactly one of 'max' or 'min' as a number; "
                   "got {got}.")
MSG_CHECK_METRIC = ("check #{index}: metric must look like '<auditor>.<metric>', e.g. "
                    "'fairness.demographic_parity_difference'; got {metric!r}.")
MSG_CHECK_FIELD = "check #{index} ({metric}): {field} must be one of {allowed}; got {got!r}."
MSG_UNKNOWN_METRIC = "check #{index}: auditor {auditor!r} reports no metric {metric!r}{hint}."
MSG_POLICY_READ = "cannot read policy {path!s}: {reason}."
#: A failed (or warned) check: what, for which group, by how much, and the evidence.
MSG_OUTCOME_FAIL = ("{metric} {where}: {basis} {value} is {direction} the {op} {threshold} by {excess} "
                    "({relative}); estimate {estimate}{interval}, n = {n}.{extremes}")
MSG_OUTCOME_PASS = "{metric}: worst is {where}, {basis} {value}, within the {op} {threshold} (margin {margin})."

_ALLOWED = ("metric", "max", "min", "severity", "bound", "over", "group", "label", "name", "description")


@dataclasses.dataclass(frozen=True)
class Check:
    """One threshold: ``metric`` ("<auditor>.<metric>") must stay at most ``max`` / at least ``min``."""

    metric: str
    op: str  # "max" | "min"
    threshold: float
    severity: str = "fail"
    bound: str = "estimate"
    over: tuple[str, ...] | None = None
    group: Mapping[str, Any] | None = None
    label: str | None = None
    name: str | None = None
    index: int = 0

    @property
    def auditor(self) -> str:
        return self.metric.split(".", 1)[0]

    @property
    def metric_name(self) -> str:
        return self.metric.split(".", 1)[1]


@dataclasses.dataclass(frozen=True)
class CheckOutcome:
    """The verdict on one check, with the worst row that decided it."""

    check: Check
    status: Status
    message: str
    value: float | None = None
    group: Mapping[str, Any] | None = None
    over: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        c = self.check
        return {"metric": c.metric, "op": c.op, "threshold": c.threshold, "bound": c.bound,
                "severity": c.severity, "over": list(c.over) if c.over is not None else None,
                "value": self.value, "group": dict(self.group) if self.group is not None else None,
                "status": str(self.status), "message": self.message,
                **({"name": c.name} if c.name else {})}


def parse_checks(rows: Iterable[Mapping[str, Any]]) -> list[Check]:
    """Validate check dicts (from TOML ``[[checks]]`` or Python) into :class:`Check` objects."""
    checks = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise SpecError(f"check #{i} must be a table of keys; got {type(row).__name__}.")
        unknown = sorted(set(row) - set(_ALLOWED))
        if unknown:
            raise SpecError(MSG_CHECK_KEYS.format(index=i, keys=unknown, allowed=list(_ALLOWED)))
        metric = row.get("metric")
        if not isinstance(metric, str) or "." not in metric or metric.startswith(".") or metric.endswith("."):
            raise SpecError(MSG_CHECK_METRIC.format(index=i, metric=metric))
        bounds = [(k, row[k]) for k in ("max", "min") if k in row]
        if len(bounds) != 1 or isinstance(bounds[0][1], bool) or not isinstance(bounds[0][1], (int, float)) \
                or not math.isfinite(bounds[0][1]):
            raise SpecError(MSG_CHECK_BOUND.format(index=i, metric=metric, got=dict(bounds) or "neither"))
        severity = row.get("severity", "fail")
        if severity not in ("fail", "warn"):
            raise SpecError(MSG_CHECK_FIELD.format(index=i, metric=metric, field="severity",
                                                   allowed=["fail", "warn"], got=severity))
        bound = row.get("bound", "estimate")
        if bound not in ("estimate", "ci"):
            raise SpecError(MSG_CHECK_FIELD.format(index=i, metric=metric, field="bound",
                                                   allowed=["estimate", "ci"], got=bound))
        over = row.get("over")
        if over is not None:
            if isinstance(over, str):
                over = [over]
            if not isinstance(over, Sequence) or not all(isinstance(o, str) for o in over):
                raise SpecError(MSG_CHECK_FIELD.format(index=i, metric=metric, field="over",
                                                       allowed="a list of sensitive feature names", got=over))
            over = tuple(over)
        group = row.get("group")
        if group is not None and not isinstance(group, Mapping):
            raise SpecError(MSG_CHECK_FIELD.format(index=i, metric=metric, field="group",
                                                   allowed="a table feature = value", got=group))
        checks.append(Check(metric=metric, op=bounds[0][0], threshold=float(bounds[0][1]), severity=severity,
                            bound=bound, over=over,
                            group={str(k): _group_value(v) for k, v in group.items()} if group else None,
                            label=None if row.get("label") is None else str(row["label"]),
                            name=row.get("name"), index=i))
    return checks


def load_policy(source: str | os.PathLike[str] | Sequence[Mapping[str, Any]] | None) -> list[Check]:
    """Checks from a policy TOML path, a list of check dicts, or None (no checks)."""
    if source is None:
        return []
    if isinstance(source, (str, os.PathLike)):
        from ._toml import read_toml

        doc = read_toml(Path(source), what="policy")
        unknown = sorted(set(doc) - {"checks", "title", "description"})
        if unknown:
            raise SpecError(f"policy {source!s} has unknown top-level key(s) {unknown}; "
                            "expected [[checks]] tables (and optional title, description).")
        return parse_checks(doc.get("checks", []))
    if isinstance(source, Sequence):
        return parse_checks(source)
    raise UsageError(f"checks must be a path to a policy TOML file or a list of check dicts; "
                     f"got {type(source).__name__}.")


def _fmt_group(group: Mapping[str, Any] | None, over: Sequence[str] | None) -> str:
    if group:
        return format_group(group)
    if over:
        return "across " + " x ".join(over)
    return "overall"


def _g(x: float) -> str:
    return f"{x:.4g}"


def _count(n: Any) -> str:
    try:
        return "?" if n is None or math.isnan(n) else f"{int(n):,}"
    except (TypeError, ValueError):
        return "?"


def _interval(row: Any) -> str:
    lo, hi = row.ci_low, row.ci_high
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return ""
    return f" [CI {_g(lo)}, {_g(hi)}]"


def _extremes(result: AuditResult, metric: str, row: Any) -> str:
    """For an aggregate row, the two groups it compares, when the auditor's finding names them."""
    if row.group is not None or row.over is None:
        return ""
    for f in result.findings:
        ev = f.evidence
        if (f.code.split(".", 1)[-1] == metric and list(ev.get("over") or []) == list(row.over)
                and isinstance(ev.get("lowest"), Mapping) and isinstance(ev.get("highest"), Mapping)):
            parts = []
            for end in ("lowest", "highest"):
                e = ev[end]
                measures = [f"{k} {_g(v)}" for k, v in e.items()
                            if k not in ("group", "n") and isinstance(v, (int, float)) and not isinstance(v, bool)]
                measures.append(f"n = {_count(e.get('n'))}")
                parts.append(f"{_fmt_group(e.get('group'), None)} ({', '.join(measures)})")
            return f" Extremes: {parts[0]} to {parts[1]}."
    return ""


def _evaluate_one(check: Check, result: AuditResult | None) -> CheckOutcome:
    if result is None:
        return CheckOutcome(check, Status.FAIL, f"{check.metric}: auditor {check.auditor!r} did not run, "
                                                "so this check cannot pass.")
    if result.status in (Status.SKIPPED, Status.ERROR):
        status = Status.ERROR if result.status == Status.ERROR else Status.FAIL
        return CheckOutcome(check, status, f"{check.metric}: auditor {check.auditor!r} {result.status}: "
                                           f"{result.reason or 'no reason given'}")
    rows = result.rows(check.metric_name, group=check.group, over=check.over, label=check.label)
    if len(rows) == 0:
        known = sorted(set(result.metrics["metric"]))
        if check.metric_name in known:
            return CheckOutcome(check, Status.FAIL, f"{check.metric}: no row matches over={list(check.over or [])} "
                                                    f"group={dict(check.group or {})}.")
        close = difflib.get_close_matches(check.metric_name, known, n=1)
        hint = f" (did you mean {check.auditor}.{close[0]!r}?)" if close else ""
        raise SpecError(MSG_UNKNOWN_METRIC.format(index=check.index, auditor=check.auditor,
                                                  metric=check.metric_name, hint=hint))
    worst: tuple[float, float, bool, Any] | None = None
    for row in rows.itertuples(index=False):
        value, from_ci = row.value, False
        if check.bound == "ci":
            b = row.ci_low if check.op == "max" else row.ci_high
            if b is not None and not math.isnan(b):
                value, from_ci = b, True
        if value is None or math.isnan(value):
            continue
        excess = value - check.threshold if check.op == "max" else check.threshold - value
        if worst is None or excess > worst[0]:
            worst = (excess, value, from_ci, row)
    if worst is None:
        return CheckOutcome(check, Status.FAIL, f"{check.metric}: every matching row is undefined (NaN), "
                                                "so the check cannot pass.")
    excess, value, from_ci, row = worst
    where = _fmt_group(row.group, row.over)
    if from_ci:
        basis = f"even its {'lower' if check.op == 'max' else 'upper'} confidence bound"
    elif check.bound == "ci":
        basis = "its estimate (no interval available)"
    else:
        basis = "its estimate"
    op_word = "maximum" if check.op == "max" else "minimum"
    if excess > 0:
        status = Status.FAIL if check.severity == "fail" else Status.WARN
        relative = f"{excess / abs(check.threshold):.0%} of the threshold" if check.threshold else "threshold 0"
        msg = MSG_OUTCOME_FAIL.format(
            metric=check.metric, where=where, basis=basis, value=_g(value),
            direction="above" if check.op == "max" else "below", op=op_word, threshold=_g(check.threshold),
            excess=_g(excess), relative=relative, estimate=_g(row.value), interval=_interval(row),
            n=_count(row.n), extremes=_extremes(result, check.metric_name, row))
    else:
        status = Status.PASS
        msg = MSG_OUTCOME_PASS.format(metric=check.metric, where=where, basis=basis, value=_g(value), op=op_word,
                                      threshold=_g(check.threshold), margin=_g(-excess))
    return CheckOutcome(check, status, msg, value=float(value), group=row.group,
                        over=tuple(row.over) if row.over is not None else None)


def evaluate_checks(checks: Sequence[Check], results: Mapping[str, AuditResult]) -> list[CheckOutcome]:
    """Apply every check to the results (keyed by auditor name)."""
    return [_evaluate_one(c, results.get(c.auditor)) for c in checks]
