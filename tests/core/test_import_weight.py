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
