"""Fail closed (a crashing auditor: report written, says why, exit 3) and determinism (every
auditor, same inputs and seed, byte-identical report.json)."""
import json
import subprocess
import sys

import pytest

import audit
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CRASHING_RUN = r"""
import sys, audit
from audit.cli import main

class Crashes(audit.BaseAuditor):
    name = "crashes"
    version = "1"
    requires = frozenset()
    def run(self, subject):
        raise RuntimeError("the auditor fell over")

audit.register_auditor(Crashes)
sys.exit(main(sys.argv[1:]))
"""


def test_a_crashing_auditor_fails_the_run_with_exit_3_and_a_report(tmp_path, predictions_frame):
    predictions_frame.to_csv(tmp_path / "d.csv", index=False)
    spec = tmp_path / "s.toml"
    spec.write_text(f'[data]\npath = "{tmp_path / "d.csv"}"\ntarget = "y_true"\nprediction = "y_pred"\n'
                    'sensitive_features = ["g"]\n[auditors]\nenabled = ["fairness", "crashes"]\n')
    r = subprocess.run([sys.executable, "-c", CRASHING_RUN, "run", str(spec), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, cwd=ROOT, env={**__import__("os").environ, "CI": "true"})
    assert r.returncode == audit.ExitCode.INTERNAL_ERROR, r.stderr
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    crashed = next(x for x in doc["results"] if x["auditor"] == "crashes")
    assert doc["status"] == "error" and crashed["status"] == "error"
    assert "RuntimeError: the auditor fell over" in crashed["reason"]
    assert "the auditor fell over" in (tmp_path / "out" / "report.html").read_text()
    assert next(x for x in doc["results"] if x["auditor"] == "fairness")["status"] in ("pass", "warn")


def test_every_auditor_is_deterministic_on_a_reference_network():
    from audit.models import load_reference

    net = load_reference("german-mlp")

    def once():
        return audit.run(net.test_frame(), model=net, target=net.target,
                         sensitive_features=list(net.sensitive_features), train_data=net.train_frame(),
                         random_state=3).to_json()

    a, b = once(), once()
    assert {r["auditor"] for r in json.loads(a)["results"]} == {
        "fairness",
        "counterfactual",
        "attribution",
        "privacy",
        "energy",
        "mitigation",
    }
    assert a == b
