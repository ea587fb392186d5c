"""The Pareto front of candidates: accuracy against the gated disparity, and the side effects.

A candidate is on the front when no other candidate is at least as good on both axes and
better on one (point estimates; the report draws each point with its interval). A side
effect is a metric a candidate makes worse than the unchanged model by more than the
unchanged model's own interval: its estimate lies beyond the interval's worse end.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["front", "worse_beyond_interval"]


def _number(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def front(points: Sequence[tuple[Any, Any]], *, lower_is_better: bool = True) -> list[bool]:
    """For (accuracy, disparity) pairs: whether each is non-dominated; undefined points never are.

    Accuracy is better higher; the disparity is better lower (a gap) or higher (a ratio,
    ``lower_is_better=False``).
    """
    clean = [(_number(a), _number(d)) for a, d in points]
    sign = 1.0 if lower_is_better else -1.0
    out = []
    for i, (a, d) in enumerate(clean):
        if a is None or d is None:
            out.append(False)
            continue
        dominated = False
        for j, (b, e) in enumerate(clean):
            if j == i or b is None or e is None:
                continue
            if b >= a and sign * e <= sign * d and (b > a or sign * e < sign * d):
                dominated = True
                break
        out.append(not dominated)
    return out


def worse_beyond_interval(direction: str | None, value: Any, baseline: Mapping[str, Any]) -> bool | None:
    """Whether ``value`` is worse than the baseline beyond the baseline's interval.

    None when it cannot be said: no direction, an undefined value, or a baseline without
    an interval (a point estimate alone never makes a side effect certain).
    """
    v, low, high = _number(value), _number(baseline.get("ci_low")), _number(baseline.get("ci_high"))
    if direction not in ("higher", "lower") or v is None or low is None or high is None:
        return None
    return v < low if direction == "higher" else v > high
