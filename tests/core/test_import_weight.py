"""`import audit` stays light: the heavy libraries load when an auditor that needs them runs."""
from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "sklearn", "matplotlib", "captum", "fairlearn", "scipy", "polars", "duckdb", "dask", "pyspark")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_import_audit_loads_no_heavy_library() -> None:
    assert _loaded_after("import audit") == []


def test_the_cli_version_and_a_model_wrapper_load_no_heavy_library() -> None:
    assert _loaded_after("import audit.cli; import audit.subject; audit.Model(lambda X: X)") == []


def test_cli_list_loads_no_heavy_library_and_no_dataframe_library() -> None:
    code = ("import contextlib, io, audit.cli\nwith contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert audit.cli.main(['list']) == 0")
    assert _loaded_after(code) == []
    probe = f"import sys\n{code}\nprint(' '.join(m for m in ('pandas', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


def test_public_names_load_on_first_use() -> None:
    code = "import audit\nassert audit.run.__module__ == 'audit._api' and 'run' in dir(audit)"
    assert _loaded_after(code + "\nimport audit.attribution") == []


def test_a_predictions_run_with_four_auditors_loads_no_heavy_library() -> None:
    """Attribution and energy are skipped for want of a model: they must not import torch to find out,
    and the report's charts must not need matplotlib."""
    code = ("import numpy as np, pandas as pd, tempfile, audit\n"
            "rng = np.random.default_rng(0)\n"
            "f = pd.DataFrame({'y': rng.integers(0, 2, 300), 'g': rng.choice(['a', 'b'], 300)})\n"
            "f['p'] = f['y']\n"
            "r = audit.run(f, target='y', prediction='p', sensitive_features=['g'],\n"
            "              auditors=['fairness', 'attribution', 'privacy', 'energy'])\n"
            "assert [x.status for x in r.results].count('skipped') == 2\n"
            "r.save(tempfile.mkdtemp())")
    assert _loaded_after(code) == []
