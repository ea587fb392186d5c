"""Confidence intervals shared by the auditors."""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

__all__ = ["wilson_interval", "wilson_bounds"]


def wilson_interval(rate: float, n: int, level: float) -> tuple[float, float]:
    """Wilson score interval of a proportion: sensible at 0 and 1, where a normal or bootstrap interval collapses."""
    z = NormalDist().inv_cdf(0.5 + level / 2)
    denom = 1 + z * z / n
    centre = (rate + z * z / (2 * n)) / denom
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_bounds(successes: np.ndarray, trials: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Wilson score interval of ``successes / trials``; NaN where ``trials`` is 0.

    ``trials`` may be a weighted effective sample size (not an integer). At 0 successes
    the lower bound is 0 and the upper bound ``z^2 / (n + z^2)`` > 0, so a rate observed at
    0 (or 1) in a small group keeps an honest width.
    """
    z = NormalDist().inv_cdf(0.5 + level / 2)
    successes = np.asarray(successes, dtype=np.float64)
    trials = np.asarray(trials, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = successes / trials
        denom = 1 + z * z / trials
        centre = (rate + z * z / (2 * trials)) / denom
        half = z * np.sqrt(np.maximum(rate * (1 - rate), 0.0) / trials + z * z / (4 * trials * trials)) / denom
    defined = trials > 0
    low = np.where(defined, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(defined, np.clip(centre + half, 0.0, 1.0), np.nan)
    # exact at the edges (floating point could leave 1e-17 there)
    low = np.where(defined & (successes <= 0), 0.0, low)
    high = np.where(defined & (successes >= trials), 1.0, high)
    return low, high
