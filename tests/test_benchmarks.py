"""Benchmarks keep running: each script's --quick mode, which also checks its own agreement."""
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_scale_benchmark_quick():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scale.py"), "--quick"], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "engines agree on every figure checked: True" in out.stdout


@pytest.mark.parametrize("script", ["attribution.py", "pii_vs_presidio.py", "score_bootstrap.py", "users_models.py",
                                    "charts.py", "startup.py", "run_vs_metricframe.py",
                                    "mitigation_thresholds.py", "images.py",
                                    "image_recipes.py"])  # fairness: tests/fairness
def test_benchmark_quick_runs(script):
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick"], capture_output=True,
                         text=True, cwd=ROOT, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
