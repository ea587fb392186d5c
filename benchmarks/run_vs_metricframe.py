"""Benchmark: the whole ``rai-audit run`` against fairlearn's ``MetricFrame`` alone, on the same data.

Ours is the command a user runs, a fresh process: read a Parquet file of 500,000 rows (label,
prediction, sex(2) x race(5) x age_band(6) = 60 intersectional groups with skewed sizes, the data
of ``fairness_vs_fairlearn.py``), validate the subject, run the fairness auditor with its defaults
(Wilson intervals for every rate, the 200-replicate bootstrap for the rest, p-values, findings),
apply no checks, and write report.html and report.json. Theirs is ``MetricFrame`` on the arrays
already in memory, point estimates only (no intervals), for each of the four groupings the
report holds (each feature, and the intersection), with the same per-group metrics the run
reports by default (fairlearn's and scikit-learn's functions; the few neither has, such as base
rate and negative predictive value, as small functions of ``y_true, y_pred``), plus
``difference()`` and ``ratio()`` (``--metrics four``: selection rate, accuracy, TPR and FPR only,
the most favourable comparison for fairlearn). Ours: median of ``--repeats`` runs; theirs: 1 run. The per-group
values of report.json are checked against MetricFrame's (largest absolute difference, where both
are defined; suppressed small cells carry no values).

With ``--base DIR`` the same command also runs from another tree of this project (the "before"
figure, e.g. ``git worktree add /tmp/base-fast 3be9e08``), alternating with ours in one run.
BLAS/OpenMP threads are set to 1.

    python benchmarks/run_vs_metricframe.py                       # 500,000 rows
    python benchmarks/run_vs_metricframe.py --base /tmp/base-fast # with the before figure
    python benchmarks/run_vs_metricframe.py --metrics four        # MetricFrame with 4 metrics only
    python benchmarks/run_vs_metricframe.py --quick               # 5,000 rows smoke run
"""
from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import sklearn.metrics as skm  # noqa: E402
from fairlearn import metrics as flm  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fairness_vs_fairlearn import FEATURES, make_data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _confusion(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[int, int, int, int]:
    tn, fp, fn, tp = skm.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    return int(tn), int(fp), int(fn), int(tp)


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


#: The per-group metrics the run reports by default for a binary task without scores.
METRICS = {
    "count": flm.count,
    "selection_rate": flm.selection_rate,
    "base_rate": lambda y_true, y_pred: float(np.mean(y_true)),
    "accuracy_score": skm.accuracy_score,
    "balanced_accuracy_score": skm.balanced_accuracy_score,
    "zero_one_loss": skm.zero_one_loss,
    "precision_score": functools.partial(skm.precision_score, zero_division=np.nan),
    "f1_score": functools.partial(skm.f1_score, zero_division=np.nan),
    "true_positive_rate": flm.true_positive_rate,
    "false_positive_rate": flm.false_positive_rate,
    "true_negative_rate": flm.true_negative_rate,
    "false_negative_rate": flm.false_negative_rate,
    "negative_predictive_value": lambda t, p: (lambda c: _ratio(c[0], c[0] + c[2]))(_confusion(t, p)),
    "false_discovery_rate": lambda t, p: (lambda c: _ratio(c[1], c[1] + c[3]))(_confusion(t, p)),
    "false_omission_rate": lambda t, p: (lambda c: _ratio(c[2], c[0] + c[2]))(_confusion(t, p)),
    "num_true_positives": lambda t, p: _confusion(t, p)[3],
    "num_false_positives": lambda t, p: _confusion(t, p)[1],
    "num_true_negatives": lambda t, p: _confusion(t, p)[0],
    "num_false_negatives": lambda t, p: _confusion(t, p)[2],
}


#: The four headline rates alone (``--metrics four``): a MetricFrame far smaller than the run's output.
FOUR = ("selection_rate", "accuracy_score", "true_positive_rate", "false_positive_rate")


def run_metricframe(y_true: np.ndarray, y_pred: np.ndarray, sensitive, metrics: dict) -> dict:
    """One MetricFrame per grouping the report holds, with its differences and ratios."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for over in [[f] for f in FEATURES] + [list(FEATURES)]:
            mf = flm.MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=sensitive[over])
            mf.difference()
            mf.ratio()
            out[tuple(over)] = mf
    return out


def run_cli(tree: Path, spec: Path, out: Path) -> float:
    """Wall seconds of one ``python -m audit run SPEC --out OUT`` from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "CI": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "audit", "run", str(spec), "--out", str(out)], env=env,
                          capture_output=True, text=True, cwd=spec.parent)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"run from {tree} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return wall


def compare(report: dict, frames: dict, metrics: dict) -> tuple[float, int]:
    """Largest |report.json value - MetricFrame value| over per-group rows where both are defined."""
    fairness = next(r for r in report["results"] if r["auditor"] == "fairness")
    lookup = {}
    for row in fairness["metrics"]:
        if row.get("group") is not None and row.get("label") is None and row.get("over"):
            over = tuple(row["over"])
            lookup[(row["metric"], over, tuple(row["group"][f] for f in over))] = row["value"]
    worst, compared = 0.0, 0
    for over, mf in frames.items():
        for metric in metrics:
            for key, theirs in mf.by_group[metric].items():
                group = tuple(key) if isinstance(key, tuple) else (key,)
                ours = lookup.get((metric, over, group))
                if ours is None or theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
                    continue
                worst = max(worst, abs(float(ours) - float(theirs)))
                compared += 1
    return worst, compared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of the command (median)")
    parser.add_argument("--base", type=Path, default=None, help="another tree of this project, run alternately")
    parser.add_argument("--metrics", choices=("default", "four"), default="default",
                        help="MetricFrame's metrics: every per-group metric the run reports (default), or only "
                             "selection rate, accuracy, TPR and FPR")
    parser.add_argument("--quick", action="store_true", help="5,000 rows, one run each, no base")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.repeats, args.base = 5_000, 1, None
    y_true, y_pred, sensitive = make_data(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        table = sensitive.copy()
        table["y_true"], table["y_pred"] = y_true, y_pred
        table.to_parquet(folder / "data.parquet", index=False)
        spec = folder / "spec.toml"
        spec.write_text('[data]\npath = "data.parquet"\ntarget = "y_true"\nprediction = "y_pred"\n'
                        f"sensitive_features = {json.dumps(list(FEATURES))}\n\n"
                        '[auditors]\nenabled = ["fairness"]\n')
        trees = {"ours": ROOT, **({"base": args.base.resolve()} if args.base is not None else {})}
        for label, tree in trees.items():  # warm-up: bytecode written, the file in the page cache
            run_cli(tree, spec, folder / f"warm-{label}")
        walls: dict[str, list[float]] = {label: [] for label in trees}
        for i in range(args.repeats):
            for label, tree in trees.items():
                walls[label].append(run_cli(tree, spec, folder / f"{label}-{i}"))
        report = json.loads((folder / "ours-0" / "report.json").read_text())
        start = time.perf_counter()
        metrics = METRICS if args.metrics == "default" else {k: METRICS[k] for k in FOUR}
        frames = run_metricframe(y_true, y_pred, sensitive, metrics)
        theirs = time.perf_counter() - start
    ours = statistics.median(walls["ours"])
    worst, compared = compare(report, frames, metrics)
    print(f"{args.rows:,} rows, 60 intersectional groups; MetricFrame: {len(metrics)} per-group metrics x 4 groupings")
    print("| side | wall s | MetricFrame / side |")
    print("|---|---|---|")
    print(f"| fairlearn MetricFrame (point estimates only, arrays in memory) | {theirs:.2f} | 1.0\u00d7 |")
    print(f"| rai-audit run (Parquet in, intervals, report.html + report.json out) | {ours:.2f} | "
          f"{theirs / ours:.1f}\u00d7 |")
    if "base" in walls:
        base = statistics.median(walls["base"])
        print(f"| rai-audit run, base tree {args.base} | {base:.2f} | {theirs / base:.1f}\u00d7 |")
    print(f"median of {args.repeats} runs of the command; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    print(f"per-group values compared with MetricFrame: {compared}, max |diff| {worst:.1e}")
    return 0 if worst <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
