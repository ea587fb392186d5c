"""Group-threshold candidates: ``audit.mitigation`` vs fairlearn's ThresholdOptimizer, same rows, one run.

A seeded binary table (scores from a noisy logistic model, three groups of skewed sizes)
goes through both for each of the three constraints the issue names (demographic parity,
equalized odds, true-positive-rate parity). Ours sweeps the scores once per group and
fits all three from that sweep; fairlearn fits each constraint from scratch
(``prefit=True`` on a score column). Both then predict every row with the same
``random_state``, and the script checks that the decisions agree. One thread; our time is
the median of ``--repeats`` calls, fairlearn's one call per constraint.

    PYTHONPATH=$PWD python benchmarks/mitigation_thresholds.py            # 1,000,000 rows
    PYTHONPATH=$PWD python benchmarks/mitigation_thresholds.py --quick    # smoke run
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

CONSTRAINTS = ("demographic_parity", "equalized_odds", "true_positive_rate_parity")


def table(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = rng.choice(np.array(["group_a", "group_b", "group_c"], dtype=object), n, p=[0.6, 0.3, 0.1])
    y = (rng.random(n) < np.where(g == "group_a", 0.4, 0.25)).astype(np.int64)
    s = 1 / (1 + np.exp(-rng.normal(-1.0 + 2.0 * y + 0.4 * (g == "group_a"), 1.0)))
    return s, y, g


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="20,000 rows, one repeat")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeats = 20_000, 1
    import torch

    torch.set_num_threads(1)
    from fairlearn.postprocessing import ThresholdOptimizer

    from audit.mitigation import ScoreSweeps
    from audit.models._mitigated import _score_column

    s, y, g = table(args.rows)
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        sweeps = ScoreSweeps.of(s, y, g)
        ours = {c: sweeps.fit(c) for c in CONSTRAINTS}
        times.append(time.perf_counter() - t0)
    ours_s = statistics.median(times)
    agree = True
    theirs_total = 0.0
    print(f"rows {args.rows:,}, groups 3, constraints {len(CONSTRAINTS)}")
    print(f"{'constraint':<28}{'fairlearn s':>12}  decisions equal")
    for c in CONSTRAINTS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            to = ThresholdOptimizer(estimator=_score_column(), constraints=c, objective="accuracy_score",
                                    prefit=True, predict_method="predict")
            to.fit(s.reshape(-1, 1), y, sensitive_features=g)
            took = time.perf_counter() - t0
            theirs = to.predict(s.reshape(-1, 1), sensitive_features=g, random_state=0)
        theirs_total += took
        same = bool(np.array_equal(theirs, ours[c].predict(s, g, random_state=0)))
        agree &= same
        print(f"{c:<28}{took:>12.3f}  {same}")
    print(f"ours (one sweep, three fits): {ours_s:.3f} s (median of {args.repeats})")
    print(f"fairlearn (three fits): {theirs_total:.3f} s")
    print(f"ratio fairlearn / ours: {theirs_total / ours_s:.0f}x")
    print(f"decisions agree on every row: {agree}")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
