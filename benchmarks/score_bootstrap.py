"""Benchmark: bootstrap intervals of the score metrics (ROC AUC, Brier score) against fairlearn.

With a score, the bootstrap cannot redraw a count table: every replicate reweights rows
(a multinomial draw over rows), so its cost grows with rows x n_boot. This measures that
path of ``audit.fairness.group_metrics`` side by side with fairlearn's
``MetricFrame(n_boot=...)`` on the same seeded table (sex x race x age_band, skewed), for
the intersection of the three features, and then ours alone on a large table. Point
estimates must agree to 1e-9; interval bounds differ by Monte-Carlo noise only (different
draws). BLAS/OpenMP threads are set to 1.

    python benchmarks/score_bootstrap.py            # peer: 20k rows; ours alone: 1M rows; n_boot=20
    python benchmarks/score_bootstrap.py --quick    # smoke run (tests/test_benchmarks.py)
"""
from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import sklearn.metrics as skm  # noqa: E402
from fairlearn import metrics as flm  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fairness_vs_fairlearn import FEATURES, make_data  # noqa: E402

from audit.fairness import group_metrics  # noqa: E402

PEER_METRICS = {"roc_auc_score": skm.roc_auc_score, "brier_score_loss": skm.brier_score_loss}


def scored(n: int, seed: int = 0):
    y_true, y_pred, sensitive = make_data(n, seed)
    rng = np.random.default_rng(seed + 1)
    score = np.clip(rng.normal(0.35 + 0.3 * y_true, 0.2), 0.0, 1.0)
    return y_true, y_pred, score, sensitive


def ours(y_true, y_pred, score, sensitive, n_boot):
    return group_metrics(y_true, y_pred, sensitive_features=sensitive, y_score=score, n_boot=n_boot,
                         random_state=0)


def peer(y_true, score, sensitive, n_boot):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return flm.MetricFrame(metrics=PEER_METRICS, y_true=y_true, y_pred=score,
                               sensitive_features=sensitive.loc[:, list(FEATURES)], n_boot=n_boot,
                               ci_quantiles=[0.025, 0.975], random_state=0)


def timed(function, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def max_point_difference(mine, frame) -> float:
    rows = mine[mine["over"].map(lambda o: o == list(FEATURES)) & mine["group"].notna()
                & mine["metric"].isin(list(PEER_METRICS))]
    worst = 0.0
    for row in rows.itertuples(index=False):
        key = tuple(row.group[f] for f in FEATURES)
        if key not in frame.by_group.index or np.isnan(row.value):
            continue
        worst = max(worst, abs(row.value - float(frame.by_group.loc[key, row.metric])))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer-rows", type=int, default=20_000, help="rows for the side-by-side run")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for our run alone")
    parser.add_argument("--n-boot", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="repeats of our side (median)")
    parser.add_argument("--quick", action="store_true", help="2k rows side by side, 20k alone, n_boot=5")
    args = parser.parse_args()
    if args.quick:
        args.peer_rows, args.rows, args.n_boot, args.repeats = 2_000, 20_000, 5, 1

    y_true, y_pred, score, sensitive = scored(args.peer_rows)
    ours_s, mine = timed(lambda: ours(y_true, y_pred, score, sensitive, args.n_boot), args.repeats)
    peer_s, frame = timed(lambda: peer(y_true, score, sensitive, args.n_boot), 1)
    diff = max_point_difference(mine, frame)
    print(f"{args.peer_rows:,} rows, n_boot={args.n_boot}: fairlearn {peer_s:.2f} s, ours {ours_s:.3f} s "
          f"(all groupings), ratio {peer_s / ours_s:,.0f}x; max |point difference| {diff:.2e}")

    y_true, y_pred, score, sensitive = scored(args.rows)
    big_s, _ = timed(lambda: ours(y_true, y_pred, score, sensitive, args.n_boot), args.repeats)
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024
    print(f"{args.rows:,} rows, n_boot={args.n_boot}: ours {big_s:.2f} s; process peak {peak:.0f} MB")
    if diff > 1e-9:
        sys.exit(1)


if __name__ == "__main__":
    main()
