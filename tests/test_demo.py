"""`rai-audit demo` and `rai-audit train`: the main job a newcomer runs."""
import json

import pytest

from audit import ExitCode
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def test_demo_writes_seven_reports_and_an_index(tmp_path):
    r = run_cli("demo", "--out", tmp_path)
    assert r.returncode == ExitCode.OK, r.stderr
    index = (tmp_path / "index.html").read_text()
    for name in ("adult-mlp", "compas-mlp", "german-mlp", "diabetes-mlp"):
        doc = json.loads((tmp_path / name / "report.json").read_text())
        statuses = {r["auditor"]: r["status"] for r in doc["results"]}
        assert {"fairness", "attribution", "energy"} <= set(statuses), statuses
        assert "error" not in statuses.values(), [r.get("reason") for r in doc["results"]]
        assert doc["model_card"]["name"] == name
        assert doc["checks"], "the demo applies the default policy"
        assert f'href="{name}/report.html"' in index
        assert (tmp_path / name / "report.html").stat().st_size < 2_000_000
        mitigation = next(r for r in doc["results"] if r["auditor"] == "mitigation")
        if name == "diabetes-mlp":
            assert mitigation["status"] == "skipped"  # regression: no thresholds to move
        elif doc["status"] == "fail":  # a failing report carries its fix candidates and their Pareto view
            assert mitigation["details"]["candidates"][0]["name"] == "unchanged"
            assert "-pareto-title" in (tmp_path / name / "report.html").read_text()
    for name in ("fashion-cnn", "fashion-cnn-underrepresented", "fashion-cnn-spurious"):
        doc = json.loads((tmp_path / name / "report.json").read_text())
        statuses = {r["auditor"]: r["status"] for r in doc["results"]}
        assert statuses["fairness"] in ("pass", "warn") and statuses["counterfactual"] in ("pass", "warn"), statuses
        assert "error" not in statuses.values(), [r.get("reason") for r in doc["results"]]
        assert doc["subject"]["modality"] == "image" and doc["model_card"]["name"] == name
        assert f'href="{name}/report.html"' in index
        assert (tmp_path / name / "report.html").stat().st_size < 2_000_000
    gated = {
        name: {c["metric"]: c["status"] for c in json.loads((tmp_path / name / "report.json").read_text())["checks"]}
        for name in ("fashion-cnn", "fashion-cnn-spurious")
    }
    assert gated["fashion-cnn"]["counterfactual.counterfactual_flip_rate"] == "pass"
    assert gated["fashion-cnn-spurious"]["counterfactual.counterfactual_flip_rate"] == "fail"


def test_train_command_writes_a_complete_folder(tmp_path):
    from audit.models import REQUIRED_FILES, load_reference

    models = tmp_path / "models"
    r = run_cli("train", "german-mlp", "--models", models)
    assert r.returncode == ExitCode.OK, r.stderr
    assert "trained german-mlp" in r.stdout
    assert all((models / "german-mlp" / f).exists() for f in REQUIRED_FILES)
    assert load_reference("german-mlp", models).card["name"] == "german-mlp"


def test_train_refuses_an_unknown_name():
    r = run_cli("train", "gpt-5")
    assert r.returncode == ExitCode.USAGE_ERROR and "gpt-5" in r.stderr
