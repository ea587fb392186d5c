"""Benchmark: how long the command takes to start and to audit a small file (issue 16, "start in a blink").

Three commands, each a fresh ``python -m audit`` process, as a user types them:

- ``rai-audit --version``;
- ``rai-audit list``;
- ``rai-audit run`` on a seeded 500-row predictions CSV with the four auditors enabled (fairness
  and privacy run; attribution and energy are skipped: there is no model), writing report.html
  and report.json.

Median wall-clock seconds and median CPU seconds (user + system of the child) of ``--repeats``
runs. With ``--base DIR`` the same commands run from another tree of this project (e.g.
``git worktree add /tmp/base-fast 3be9e08``), alternating with this one in one run, so both
see the same machine load. Python writes no bytecode here only if ``PYTHONDONTWRITEBYTECODE``
is set: unset it, as an installed package has its ``.pyc`` files (one warm-up run writes them).

    python benchmarks/startup.py                          # this tree
    python benchmarks/startup.py --base /tmp/base-fast    # side by side
    python benchmarks/startup.py --quick                  # smoke run
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"--version": 0.3, "list": 1.0, "run (500 rows, 4 auditors)": 1.5}


def write_inputs(folder: Path, n: int = 500) -> Path:
    """A seeded predictions CSV and a spec enabling the four auditors; returns the spec's path."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    g = rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])
    y = rng.integers(0, 2, n)
    score = np.clip(rng.normal(0.35 + 0.3 * y + 0.15 * (g == "c"), 0.2), 0, 1)
    pd.DataFrame({"age": rng.integers(18, 80, n), "sex": rng.choice(["F", "M"], n), "g": g, "y_true": y,
                  "y_score": score, "y_pred": (score > 0.5).astype(int)}).to_csv(folder / "d.csv", index=False)
    spec = folder / "spec.toml"
    spec.write_text('[data]\npath = "d.csv"\ntarget = "y_true"\nprediction = "y_pred"\nscore = "y_score"\n'
                    'sensitive_features = ["g", "sex"]\n\n[auditors]\n'
                    'enabled = ["fairness", "attribution", "privacy", "energy"]\n')
    return spec


def timed(tree: Path, args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python -m audit ARGS`` run from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "CI": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "audit", *args], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args} from {tree} exited {done.returncode}: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--base", type=Path, default=None, help="another tree of this project, run alternately")
    parser.add_argument("--quick", action="store_true", help="one run each, this tree only")
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    trees = {"ours": ROOT} if args.base is None or args.quick else {"ours": ROOT, "base": args.base.resolve()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = write_inputs(folder)
        commands = {"--version": ["--version"], "list": ["list"],
                    "run (500 rows, 4 auditors)": ["run", str(spec), "--out", str(folder / "out")]}
        for tree in trees.values():  # warm-up: bytecode written, files in the page cache
            for argv in commands.values():
                timed(tree, argv, folder)
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for _ in range(repeats):
            for name, argv in commands.items():
                for label, tree in trees.items():
                    results.setdefault((label, name), []).append(timed(tree, argv, folder))
    head = "| command | target s | ours wall s | ours CPU s |" + (" base wall s | base CPU s | base / ours (wall) |"
                                                                  if "base" in trees else "")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    verdicts = []
    for name, target in TARGETS.items():
        ours = results[("ours", name)]
        wall, cpu = statistics.median(w for w, _ in ours), statistics.median(c for _, c in ours)
        cells = [name, f"{target:g}", f"{wall:.3f}", f"{cpu:.3f}"]
        if "base" in trees:
            base = results[("base", name)]
            bwall, bcpu = statistics.median(w for w, _ in base), statistics.median(c for _, c in base)
            cells += [f"{bwall:.3f}", f"{bcpu:.3f}", f"{bwall / wall:.1f}\u00d7"]
        print("| " + " | ".join(cells) + " |")
        verdicts.append(f"{name}: {'within' if wall <= target else 'over'} {target:g} s")
    print(f"median of {repeats} runs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("; ".join(verdicts))


if __name__ == "__main__":
    main()
