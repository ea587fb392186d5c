"""No-regression checks against a baseline report (the last accepted one).

For every metric a policy gates, each row of the new report (matched to the baseline by
metric, group, ``over`` and class label) must not be worse than the baseline's by more
than the tolerance: worse means higher for a ``max`` check, lower for a ``min`` check.
A change counts as a regression only when it exceeds both the absolute tolerance and
the relative one (a fraction of the baseline's magnitude), as MLflow's model validation
pairs ``min_absolute_change`` with ``min_relative_change``.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .._results import AuditResult, CheckOutcome, Status
from ._checks import Check, outcome, select_rows
from ._messages import (
    MSG_NO_REGRESSION,
    MSG_REGRESSION,
    MSG_TOLERANCE,
)

__all__ = ["regression_checks", "compare_rows", "check_tolerances", "MSG_REGRESSION", "MSG_NO_REGRESSION",
           "MSG_TOLERANCE"]


def check_tolerances(abs_tol: Any, rel_tol: Any) -> None:
    """Raise a UsageError unless both tolerances are finite numbers at least 0."""
    from .._exceptions import UsageError

    for which, got, example in (("abs", abs_tol, "0.01"), ("rel", rel_tol, "0.1")):
        ok = isinstance(got, (int, float)) and not isinstance(got, bool) and math.isfinite(got) and got >= 0
        if not ok:
            raise UsageError(MSG_TOLERANCE.format(which=which, got=got, example=example))


def _key(row: Any) -> tuple[Any, ...]:
    group = tuple(sorted(row.group.items())) if row.group is not None else None
    over = tuple(row.over) if row.over is not None else None
    return (row.metric, group, over, row.label)


def compare_rows(check: Check, new: AuditResult, old: AuditResult, *, abs_tol: float = 0.01,
                 rel_tol: float = 0.1) -> list[tuple[float, Any, float, float]]:
    """Every row the check gates that both reports define: (change, new row, tolerated, old value).

    A tolerance that is not a finite number >= 0 is a UsageError.

    ``change`` is positive when the row got worse for the check (rose for a ``max``, fell
    for a ``min``); the gate calls it a regression when it exceeds ``tolerated``.
    """
    check_tolerances(abs_tol, rel_tol)
    before = {_key(r): r.value for r in select_rows(old, check).itertuples(index=False)}
    out = []
    for row in select_rows(new, check).itertuples(index=False):
        old_value = before.get(_key(row))
        if old_value is None or math.isnan(old_value) or math.isnan(row.value):
            continue
        change = row.value - old_value if check.op == "max" else old_value - row.value
        out.append((change, row, max(abs_tol, rel_tol * abs(old_value)), old_value))
    return out


def regression_checks(checks: Sequence[Check], new: Mapping[str, AuditResult], old: Mapping[str, AuditResult], *,
                      abs_tol: float = 0.01, rel_tol: float = 0.1) -> list[CheckOutcome]:
    """One outcome per policy check: the worst regression of its metric against the baseline."""
    check_tolerances(abs_tol, rel_tol)
    outcomes = []
    for check in checks:
        base = dataclasses.replace(check, name=f"no regression vs baseline: {check.metric}")
        a, b = new.get(check.auditor), old.get(check.auditor)
        if a is None or b is None or a.status in (Status.SKIPPED, Status.ERROR):
            outcomes.append(outcome(base, Status.PASS if b is None else
                                         Status.SKIPPED if check.if_missing == "skip" else Status.FAIL,
                                         f"{check.metric}: no baseline to compare with." if b is None else
                                         f"{check.metric}: the new report has no usable result for "
                                         f"{check.auditor!r}, so no regression check is possible."))
            continue
        worst: tuple[float, Any, float, float] | None = None
        for change, row, allowed, old_value in compare_rows(check, a, b, abs_tol=abs_tol, rel_tol=rel_tol):
            if worst is None or change - allowed > worst[0] - worst[2]:
                worst = (change, row, allowed, old_value)
        if worst is None:
            outcomes.append(outcome(base, Status.PASS, f"{check.metric}: no row in common with the baseline."))
            continue
        change, row, allowed, old_value = worst
        where = ", ".join(f"{k}={v}" for k, v in (row.group or {}).items()) or \
            ("across " + " x ".join(row.over) if row.over else "overall")
        if row.label is not None:
            where += f" for {'class ' if check.auditor == 'fairness' else ''}{str(row.label)!r}"
        fields = dict(metric=check.metric, where=where, old=f"{old_value:.4g}", new=f"{row.value:.4g}",
                      allowed=f"{allowed:.4g}", abs_tol=f"{abs_tol:g}", rel_tol=rel_tol,
                      change=f"{row.value - old_value:+.4g}",
                      relative=(f"{(row.value - old_value) / abs(old_value):+.0%}" if old_value else "from 0"))
        if change > allowed:
            status = Status.FAIL if check.severity == "fail" else Status.WARN
            msg = MSG_REGRESSION.format(direction="rose" if check.op == "max" else "fell", **fields)
        else:
            status = Status.PASS
            msg = MSG_NO_REGRESSION.format(**fields)
        outcomes.append(outcome(base, status, msg, value=float(row.value), group=row.group,
                                     over=tuple(row.over) if row.over is not None else None, label=row.label))
    return outcomes
