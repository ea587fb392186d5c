"""Shared fixtures: small seeded tables and a CLI runner (in-process, as a user would call it)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def predictions_frame() -> pd.DataFrame:
    """A predictions table with no model: label, prediction, score, two sensitive columns."""
    rng = np.random.default_rng(0)
    n = 3000
    g = rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])
    y = rng.integers(0, 2, n)
    score = np.clip(rng.normal(0.35 + 0.3 * y + 0.15 * (g == "c"), 0.2), 0, 1)
    return pd.DataFrame({"y_true": y, "y_score": score, "y_pred": (score > 0.5).astype(int), "g": g,
                         "h": rng.choice(["x", "y"], n)})


def run_cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m audit ARGS` in a subprocess: exit codes and output as a CI job sees them."""
    return subprocess.run([sys.executable, "-m", "audit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env={**__import__("os").environ, "CI": "true"})
