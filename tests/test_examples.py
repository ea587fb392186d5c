"""The examples run as documented."""
import json
import runpy
import sys

import pytest

from audit._spec import load_spec
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.slow


def test_quickstart_audits_a_sklearn_and_a_torch_model(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["quickstart.py", str(tmp_path)])
    module = runpy.run_path(str(ROOT / "examples" / "quickstart.py"))
    reports = module["main"](tmp_path)
    for name in ("sklearn", "torch"):
        doc = json.loads((tmp_path / name / "report.json").read_text())
        assert doc["subject"]["model"]["kind"] == name
        fairness = next(r for r in doc["results"] if r["auditor"] == "fairness")
        assert fairness["status"] in ("pass", "warn")
        assert all(r["status"] != "error" for r in doc["results"]), [r.get("reason") for r in doc["results"]]
        assert reports[name].status in ("pass", "warn", "fail")
    assert "selection_rate" not in capsys.readouterr().err


def test_example_policy_and_spec_parse():
    from audit import load_policy

    policy = load_policy(ROOT / "examples" / "policy.toml")
    assert len(policy) == 4 and [c.over for c in policy[:3]] == ["each"] * 3 and policy[3].if_missing == "skip"
    spec = load_spec(ROOT / "examples" / "spec.toml")
    assert spec.auditors == ["fairness"] and spec.model["reference"] == "adult-mlp"


def test_example_spec_runs_on_the_reference_network(tmp_path):
    r = run_cli("run", ROOT / "examples" / "spec.toml", "--out", tmp_path)
    assert r.returncode in (0, 1), r.stderr
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["model_card"] is not None
    names = {m["metric"] for r in doc["results"] if r["auditor"] == "fairness" for m in r["metrics"]}
    assert "selection_rate_difference_to_reference" in names
