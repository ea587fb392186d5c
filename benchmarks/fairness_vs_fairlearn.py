"""Benchmark: audit.fairness.group_metrics against fairlearn's MetricFrame on the same data.

Seeded synthetic binary task; sensitive columns are strings sex(2) x race(5) x age_band(6)
= 60 intersectional groups with skewed sizes. Eight metrics (count, selection rate, TPR,
FPR, FNR, accuracy, precision, balanced accuracy) with all aggregates, per feature and for
the intersection. Reports the median wall time of each side, the speed ratio and the
largest absolute difference of the point estimates; for the bootstrap, the largest
|CI bound difference| (different methods: our rates have Wilson intervals, the rest a
smoothed Bayesian bootstrap; fairlearn resamples rows), which is not error. Then the same
with sample weights: fairlearn with ``sample_params`` against ``sample_weight=``.
Ours runs with ``zero_division=0``, fairlearn's convention for a zero denominator.

    python benchmarks/fairness_vs_fairlearn.py                 # 1M rows, 100k rows n_boot=20, 100k weighted
    python benchmarks/fairness_vs_fairlearn.py --quick         # small smoke run
"""
from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn.metrics as skm  # noqa: E402
from fairlearn import metrics as flm  # noqa: E402

from audit.fairness import group_metrics  # noqa: E402

METRICS = {
    "count": flm.count,
    "selection_rate": flm.selection_rate,
    "true_positive_rate": flm.true_positive_rate,
    "false_positive_rate": flm.false_positive_rate,
    "false_negative_rate": flm.false_negative_rate,
    "accuracy_score": skm.accuracy_score,
    "precision_score": functools.partial(skm.precision_score, zero_division=0),
    "balanced_accuracy_score": skm.balanced_accuracy_score,
}
FEATURES = ("sex", "race", "age_band")


def make_data(n: int, seed: int = 0):
    """Seeded table: skewed group sizes (p proportional to 0.75^k), group-dependent rates."""
    rng = np.random.default_rng(seed)

    def column(prefix: str, levels: int) -> np.ndarray:
        p = 0.75 ** np.arange(levels)
        return np.array([f"{prefix}{i}" for i in range(levels)], dtype=object)[
            rng.choice(levels, n, p=p / p.sum())]

    sensitive = pd.DataFrame({"sex": column("s", 2), "race": column("r", 5), "age_band": column("a", 6)})
    shift = pd.factorize(sensitive["race"], sort=True)[0] * 0.03
    y_true = (rng.random(n) < 0.3 + shift).astype(np.int64)
    y_pred = np.where(rng.random(n) < 0.8, y_true, 1 - y_true)
    return y_true, y_pred, sensitive


def groupings(sensitive: pd.DataFrame):
    return [[f] for f in FEATURES] + [list(FEATURES)]


def run_fairlearn(y_true, y_pred, sensitive, n_boot: int = 0, sample_weight=None):
    """One MetricFrame per grouping (per feature and the intersection), as ours reports."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for over in groupings(sensitive):
            kwargs = dict(n_boot=n_boot, ci_quantiles=[0.025, 0.975], random_state=0) if n_boot else {}
            if sample_weight is not None:
                kwargs["sample_params"] = {name: {"sample_weight": sample_weight} for name in METRICS
                                           if name != "count"}
            out[tuple(over)] = flm.MetricFrame(metrics=METRICS, y_true=y_true, y_pred=y_pred,
                                               sensitive_features=sensitive[over], **kwargs)
    return out


def run_ours(y_true, y_pred, sensitive, n_boot: int = 0, sample_weight=None):
    return group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=n_boot, random_state=0,
                         zero_division=0, sample_weight=sample_weight)


def timed(function, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _ours_lookup(frame: pd.DataFrame):
    lookup = {}
    for row in frame.itertuples():
        over = None if row.over is None else tuple(row.over)
        group = None if row.group is None else tuple(row.group[f] for f in row.over)
        lookup[(row.metric, over, group)] = (row.value, row.ci_low, row.ci_high)
    return lookup


def _gap(ours: float, theirs: float) -> float:
    """|ours - theirs|; 0 when both are NaN, infinite when only one is (a disagreement)."""
    if np.isnan(ours) or np.isnan(theirs):
        return 0.0 if np.isnan(ours) and np.isnan(theirs) else float("inf")
    return abs(ours - theirs)


def compare(ours: pd.DataFrame, theirs: dict, bootstrap: bool):
    """Largest |difference| of point estimates (and of CI bounds when bootstrapping)."""
    lookup = _ours_lookup(ours)
    point, bounds = 0.0, 0.0
    for over, mf in theirs.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            aggregates = {"difference": mf.difference(), "ratio": mf.ratio(),
                          "group_min": mf.group_min(), "group_max": mf.group_max()}
        for metric in METRICS:
            for key, value in mf.by_group[metric].items():
                group = tuple(key) if isinstance(key, tuple) else (key,)
                mine = lookup[(metric, over, group)]
                point = max(point, _gap(mine[0], value))
                if bootstrap and metric != "count":
                    for i in (0, 1):
                        theirs_bound = mf.by_group_ci[i][metric].get(key, np.nan)
                        if not (np.isnan(theirs_bound) or np.isnan(mine[1 + i])):
                            bounds = max(bounds, abs(mine[1 + i] - theirs_bound))
            if metric == "count":
                continue
            for kind, values in aggregates.items():
                point = max(point, _gap(lookup[(f"{metric}_{kind}", over, None)][0], values[metric]))
    return point, bounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for point estimates")
    parser.add_argument("--boot-rows", type=int, default=100_000, help="rows for the bootstrap")
    parser.add_argument("--n-boot", type=int, default=20, help="bootstrap replicates")
    parser.add_argument("--weight-rows", type=int, default=100_000, help="rows for the weighted case")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of our side (median)")
    parser.add_argument("--fairlearn-repeats", type=int, default=1, help="repeats of fairlearn")
    parser.add_argument("--quick", action="store_true", help="small smoke run (2k rows; 1k rows, n_boot=2)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.boot_rows, args.n_boot, args.repeats, args.weight_rows = 2_000, 1_000, 2, 1, 1_000

    lines = [f"{'case':<34}{'fairlearn s':>12}{'ours s':>10}{'ratio':>9}  max |diff|"]
    y_true, y_pred, sensitive = make_data(args.rows)
    ours_time, ours = timed(lambda: run_ours(y_true, y_pred, sensitive), args.repeats)
    theirs_time, theirs = timed(lambda: run_fairlearn(y_true, y_pred, sensitive), args.fairlearn_repeats)
    point, _ = compare(ours, theirs, bootstrap=False)
    lines.append(f"{f'point, {args.rows:,} rows, 60 groups':<34}{theirs_time:>12.3f}{ours_time:>10.4f}"
                 f"{theirs_time / ours_time:>8.0f}x  point {point:.1e}")

    y_true, y_pred, sensitive = make_data(args.boot_rows, seed=1)
    ours_time, ours = timed(lambda: run_ours(y_true, y_pred, sensitive, args.n_boot), args.repeats)
    theirs_time, theirs = timed(lambda: run_fairlearn(y_true, y_pred, sensitive, args.n_boot),
                                args.fairlearn_repeats)
    point, bounds = compare(ours, theirs, bootstrap=True)
    label = f"n_boot={args.n_boot}, {args.boot_rows:,} rows"
    lines.append(f"{label:<34}{theirs_time:>12.3f}{ours_time:>10.4f}{theirs_time / ours_time:>8.0f}x  "
                 f"point {point:.1e}, CI bound {bounds:.3f} (different interval methods)")

    y_true, y_pred, sensitive = make_data(args.weight_rows, seed=2)
    weights = np.random.default_rng(2).gamma(2.0, 1.5, args.weight_rows)
    ours_time, ours = timed(lambda: run_ours(y_true, y_pred, sensitive, sample_weight=weights), args.repeats)
    theirs_time, theirs = timed(lambda: run_fairlearn(y_true, y_pred, sensitive, sample_weight=weights),
                                args.fairlearn_repeats)
    point, _ = compare(ours, theirs, bootstrap=False)
    label = f"weighted, {args.weight_rows:,} rows"
    lines.append(f"{label:<34}{theirs_time:>12.3f}{ours_time:>10.4f}{theirs_time / ours_time:>8.0f}x  "
                 f"point {point:.1e}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
