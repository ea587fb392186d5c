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

import numpy as np

__all__ = ["homogeneity_p_value", "benjamini_hochberg"]


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
    from scipy.special import chdtrc  # imported when a test runs: `import audit` stays light

    return float(chdtrc(use.sum() - 1, statistic))


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
