"""The benchmark script runs (--quick) and still agrees with fairlearn, so it cannot rot."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_benchmark_quick_run():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fairness_vs_fairlearn.py"),
                             "--quick"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4 and "point 0.0e+00" in lines[1]
    # weighted: fairlearn's np.average and our bincount sums agree to rounding
    assert float(lines[3].split("point ")[1].split()[0]) < 1e-9
