"""The rule of one check against one row, and the verdict counts: pure functions the gate and the report share.

The report marks each group row against the checks that gate it with the same rule the
gate uses, so what the page shows and what the exit code says cannot disagree.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = ["EACH", "over_matches", "judge_row", "check_counts", "format_check_counts"]

#: ``over = "each"``: each sensitive feature on its own.
EACH = "each"


def _defined(x: Any) -> bool:
    if x is None or x is pd.NA:
        return False
    try:
        return not math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def over_matches(check_over: Any, row_over: Any) -> bool:
    """Whether a check's ``over`` (None, ``"each"`` or a list of features) selects a row with ``row_over``."""
    if check_over is None:
        return True
    if row_over is None or isinstance(row_over, str):
        return False
    if check_over == EACH:
        return len(row_over) == 1
    return list(check_over) == list(row_over)


def judge_row(op: str, threshold: float, bound: str, severity: str, value: Any, ci_low: Any = None,
              ci_high: Any = None) -> tuple[str, float, bool, float] | None:
    """One row against one threshold: (status, the value used, whether it is a CI bound, excess).

    The status is ``"pass"``, ``"warn"`` or ``"fail"`` (the values of :class:`audit.Status`).

    None when the row's value is undefined: an undefined row never passes. A non-finite value
    used (an infinite estimate, or an infinite CI bound with ``bound = "ci"``) never passes either:
    its excess is infinite.
    """
    if not _defined(value):
        return None
    used, from_ci = float(value), False
    if bound == "ci":
        b = ci_low if op == "max" else ci_high
        if _defined(b):
            used, from_ci = float(b), True
    excess = (used - threshold if op == "max" else threshold - used) if math.isfinite(used) else math.inf
    status = "pass" if excess <= 0 else ("fail" if severity == "fail" else "warn")
    return status, used, from_ci, excess


# -- counting verdicts -----------------------------------------------------------------------------
def check_counts(statuses: Iterable[Any]) -> dict[str, int]:
    """How many checks failed, could not be evaluated (error), warned, passed and were skipped."""
    counts = {"fail": 0, "error": 0, "warn": 0, "pass": 0, "skipped": 0}
    for s in statuses:
        key = str(s.get("status") if isinstance(s, Mapping) else getattr(s, "status", s))
        if key in counts:
            counts[key] += 1
    return counts


def format_check_counts(statuses: Iterable[Any]) -> str:
    """``2 failed, 1 warned, 0 passed`` (errors and skipped checks added only when there are some)."""
    c = check_counts(statuses)
    parts = [f"{c['fail']} failed"]
    if c["error"]:
        parts.append(f"{c['error']} could not be evaluated")
    parts += [f"{c['warn']} warned", f"{c['pass']} passed"]
    if c["skipped"]:
        parts.append(f"{c['skipped']} skipped")
    return ", ".join(parts)
