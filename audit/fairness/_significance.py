"""Tests of "no difference between groups" from the count table, and FDR control.

A binomial rate (selection rate, TPR, FPR, precision, ...) is the same in every compared
group under the null; Pearson's chi-square test of homogeneity on the 2 x G table of its
numerators and non-numerators gives the p-value (with sample weights, on each group's
effective sample size). A fairness definition inherits its rate's test; equalized odds,
whose null is "TPR and FPR both equal", takes the Bonferroni combination of the two. The
chi-square approximation needs a few expected counts per cell: ``min_group_size`` (which
counts each rate's own denominator) keeps tiny cells out of the test as out of the gap.

Many aggregates over many groupings are many tests; :func:`benjamini_hochberg` adjusts
their p-values so that the share of false discoveries among the findings reported as
significant stays below the chosen rate.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["benjamini_hochberg", "chi2_sf", "homogeneity_p_value"]


def homogeneity_p_value(successes: np.ndarray, trials: np.ndarray, compared: np.ndarray) -> float:
    """Pearson chi-square p-value that ``successes / trials`` is equal across the compared groups.

    NaN unless at least two compared groups have ``trials > 0``; 1 when the pooled rate is
    0 or 1 (every group agrees exactly).
    """
    use = compared & (trials > 0)
    if use.sum() < 2:
        return float("nan")
    s, n = successes[use].astype(np.float64), trials[use].astype(np.float64)
    pooled = s.sum() / n.sum()
    if pooled <= 0.0 or pooled >= 1.0:
        return 1.0
    expected = n * pooled
    statistic = float((((s - expected) ** 2) / (expected * (1.0 - pooled))).sum())
    return chi2_sf(int(use.sum()) - 1, statistic)


def chi2_sf(df: int, x: float) -> float:
    """P(X >= x) for X chi-square with ``df`` >= 1 degrees of freedom (scipy's ``chdtrc``), exactly.

    The regularised upper gamma function Q(df/2, x/2) has a closed form for integer and half-integer
    shapes: a finite Poisson sum (even ``df``), or ``erfc`` plus one (odd ``df``). Each term is formed
    in log space, so neither a large ``x`` nor many groups over- or underflow. The chi-square test
    runs on every fairness audit; this keeps scipy (a quarter of a second to import) out of it.
    """
    if df < 1:
        raise ValueError(f"df must be >= 1; got {df}")
    if not x > 0.0:  # 0, negative or NaN
        return float("nan") if x != x else 1.0
    if math.isinf(x):
        return 0.0
    y = x / 2.0
    log_y = math.log(y)
    m, odd = divmod(df, 2)
    if not odd:  # Q(m, y) = e^-y * sum_{i<m} y^i / i!
        total = math.fsum(math.exp(i * log_y - y - math.lgamma(i + 1)) for i in range(m))
    else:  # Q(m + 1/2, y) = erfc(sqrt y) + e^-y * sum_{i<m} y^(i+1/2) / Gamma(i + 3/2)
        total = math.erfc(math.sqrt(y)) + math.fsum(
            math.exp((i + 0.5) * log_y - y - math.lgamma(i + 1.5)) for i in range(m))
    return min(total, 1.0)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN p-values stay NaN and do not count."""
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    valid = ~np.isnan(p)
    m = int(valid.sum())
    if m == 0:
        return out
    order = np.argsort(p[valid], kind="stable")
    ranked = p[valid][order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    values = np.empty(m)
    values[order] = np.minimum(adjusted, 1.0)
    out[valid] = values
    return out
