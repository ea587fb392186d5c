"""Without the `torch` extra: fairness, privacy and energy run; attribution and the reference
networks say what to install.

Each case runs in a fresh interpreter where ``torch`` and ``captum`` cannot be found (a finder
first on ``sys.meta_path`` refuses them), as on a machine with only the core dependencies.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT

NO_TORCH = textwrap.dedent("""
    import sys

    class _NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "captum"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _NotInstalled())
""")


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", NO_TORCH + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


def test_a_scikit_learn_model_is_audited_and_attribution_names_the_extra():
    done = _python("""
        import json
        import numpy as np, pandas as pd
        from sklearn.linear_model import LogisticRegression
        import audit
        from audit._api import MSG_MISSING_PACKAGES
        rng = np.random.default_rng(0)
        frame = pd.DataFrame({"x": rng.normal(size=400), "g": rng.choice(["a", "b"], 400)})
        frame["y"] = (frame.x + rng.normal(size=400) > 0).astype(int)
        model = LogisticRegression().fit(frame[["x"]], frame.y)
        report = audit.run(frame, model=model, target="y", sensitive_features=["g"], features=["x"],
                           auditor_options={"fairness": {"n_boot": 0}, "energy": {"compression": False}})
        status = {r.auditor: r.status for r in report.results}
        assert status["fairness"] in ("pass", "warn") and status["energy"] in ("pass", "warn"), status
        assert status["privacy"] in ("pass", "warn"), status
        attribution = report["attribution"]
        assert attribution.status == "skipped", attribution
        assert attribution.reason == MSG_MISSING_PACKAGES.format(modules="captum, torch", verb="are", extras="torch")
        assert "torch" not in sys.modules and "captum" not in sys.modules
        print("ok")
    """)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stdout[-2000:] + done.stderr[-3000:]


def test_the_cli_names_the_extra_for_the_reference_networks(tmp_path):
    done = _python(f"""
        from audit.cli import main
        raise SystemExit(main(["train", "german-mlp", "--models", {str(tmp_path)!r}]))
    """)
    assert done.returncode == 4, done.stderr[-3000:]
    from audit.cli import _TORCH_NOTE, MSG_NEEDS_EXTRA

    assert done.stderr.strip() == "rai-audit: error: " + MSG_NEEDS_EXTRA.format(
        command="train", module="torch", extra="torch", note=_TORCH_NOTE)
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu" in done.stderr
