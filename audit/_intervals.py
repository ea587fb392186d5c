"""Confidence intervals shared by the auditors."""
from __future__ import annotations

import math
from statistics import NormalDist

__all__ = ["wilson_interval"]


def wilson_interval(rate: float, n: int, level: float) -> tuple[float, float]:
    """Wilson score interval of a proportion: sensible at 0 and 1, where a normal or bootstrap interval collapses."""
    z = NormalDist().inv_cdf(0.5 + level / 2)
    denom = 1 + z * z / n
    centre = (rate + z * z / (2 * n)) / denom
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
