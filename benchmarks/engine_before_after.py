"""Benchmark: the fairness engine of two source trees on the same data, back to back.

Times ``audit.fairness.group_metrics`` (point estimates at ``--rows``, the bootstrap at
``--boot-rows``) for an older tree (``--base``, e.g. ``git archive <commit> audit | tar -x
-C /tmp/base``) and this one, each in fresh subprocesses, alternating, one thread. Same
seeded table as ``fairness_vs_fairlearn.py`` (60 intersectional groups). Prints the median of
each side and the ratio new / old.

    PYTHONPATH=$PWD python benchmarks/engine_before_after.py --base /tmp/base
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent

_CHILD = """
import json, os, sys, time
sys.path.insert(0, {here!r})
from fairness_vs_fairlearn import make_data
from audit.fairness import group_metrics
out = {{}}
y, p, s = make_data({rows})
group_metrics(y, p, sensitive_features=s)  # warm-up
times = []
for _ in range({repeats}):
    start = time.perf_counter(); group_metrics(y, p, sensitive_features=s); times.append(time.perf_counter() - start)
out["point"] = times
y, p, s = make_data({boot_rows}, seed=1)
times = []
for _ in range({repeats}):
    start = time.perf_counter(); group_metrics(y, p, sensitive_features=s, n_boot={n_boot}, random_state=0)
    times.append(time.perf_counter() - start)
out["bootstrap"] = times
print(json.dumps(out))
"""


def run_tree(tree: pathlib.Path, args: argparse.Namespace) -> dict[str, list[float]]:
    env = dict(os.environ, PYTHONPATH=str(tree), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    code = _CHILD.format(here=str(HERE), rows=args.rows, boot_rows=args.boot_rows, n_boot=args.n_boot,
                         repeats=args.repeats)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                            cwd="/")
    return json.loads(result.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=pathlib.Path, required=True, help="tree holding the older audit package")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--boot-rows", type=int, default=100_000)
    parser.add_argument("--n-boot", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per subprocess")
    parser.add_argument("--rounds", type=int, default=3, help="alternating subprocesses per tree")
    args = parser.parse_args(argv)
    times: dict[str, dict[str, list[float]]] = {"base": {"point": [], "bootstrap": []},
                                                "head": {"point": [], "bootstrap": []}}
    for _ in range(args.rounds):
        for name, tree in (("base", args.base), ("head", ROOT)):
            for case, values in run_tree(tree, args).items():
                times[name][case].extend(values)
    print(f"{'case':<34}{'base s':>10}{'head s':>10}{'head/base':>11}")
    for case, label in (("point", f"point, {args.rows:,} rows"),
                        ("bootstrap", f"n_boot={args.n_boot}, {args.boot_rows:,} rows")):
        base = statistics.median(times["base"][case])
        head = statistics.median(times["head"][case])
        print(f"{label:<34}{base:>10.4f}{head:>10.4f}{head / base:>10.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
