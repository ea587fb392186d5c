"""The CLI contract of DESIGN.md section 5, end to end on a predictions file with no model."""
import json

import pytest

from audit import ExitCode
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def spec(tmp_path, data, sensitive=("g", "h"), extra="", name="spec.toml"):
    p = tmp_path / name
    p.write_text(f'[data]\npath = "{data}"\ntarget = "y_true"\nprediction = "y_pred"\nscore = "y_score"\n'
                 f"sensitive_features = {json.dumps(list(sensitive))}\n\n[auditors.fairness]\nn_boot = 50\n{extra}")
    return p


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory, predictions_frame):
    p = tmp_path_factory.mktemp("data") / "d.csv"
    predictions_frame.to_csv(p, index=False)
    return p


def test_run_writes_reports_and_is_byte_identical(tmp_path, csv_path):
    s = spec(tmp_path, csv_path)
    a, b = run_cli("run", s, "--out", tmp_path / "a"), run_cli("run", s, "--out", tmp_path / "b")
    assert a.returncode == ExitCode.OK, a.stderr
    assert b.returncode == ExitCode.OK, b.stderr
    assert (tmp_path / "a" / "report.html").exists()
    assert (tmp_path / "a" / "report.json").read_bytes() == (tmp_path / "b" / "report.json").read_bytes()
    doc = json.loads((tmp_path / "a" / "report.json").read_text())
    from importlib import resources

    import jsonschema

    schema = json.loads((resources.files("audit") / "schema" / "report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["subject"]["prediction"] == "y_pred" and doc["status"] in ("pass", "warn")


def test_run_on_parquet(tmp_path, predictions_frame):
    predictions_frame.to_parquet(tmp_path / "d.parquet")
    r = run_cli("run", spec(tmp_path, tmp_path / "d.parquet", ["g"]), "--out", tmp_path / "o")
    assert r.returncode == ExitCode.OK, r.stderr


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_run_on_parquet_with_a_lazy_engine_gives_the_same_metrics(tmp_path, predictions_frame, engine):
    predictions_frame.to_parquet(tmp_path / "d.parquet")
    eager = run_cli("run", spec(tmp_path, tmp_path / "d.parquet", ["g"], name="e.toml"), "--out", tmp_path / "e")
    s = spec(tmp_path, tmp_path / "d.parquet", ["g"], name="l.toml")
    s.write_text(s.read_text().replace("[data]\n", f'[data]\nengine = "{engine}"\n'))
    lazy = run_cli("run", s, "--out", tmp_path / "l")
    assert eager.returncode == lazy.returncode == ExitCode.OK, lazy.stderr
    a, b = (json.loads((tmp_path / d / "report.json").read_text())["results"] for d in ("e", "l"))
    assert a[0]["metrics"] == b[0]["metrics"]


def test_failing_check_exits_1(tmp_path, csv_path):
    extra = '\n[[checks]]\nmetric = "fairness.demographic_parity_difference"\nmax = 0.01\n'
    r = run_cli("run", spec(tmp_path, csv_path, ["g"], extra), "--out", tmp_path / "o")
    assert r.returncode == ExitCode.CHECKS_FAILED
    assert "demographic_parity_difference across g" in r.stdout


@pytest.mark.parametrize("mutate, needle", [
    (lambda t: t.replace('"g", "h"', '"gender"'), "gender"),
    (lambda t: t.replace("n_boot = 50", "n_boots = 50"), "n_boots"),
    (lambda t: t + "\nunknown_top = 1\n", "unknown_top"),
    (lambda t: t.replace("d.csv", "missing.csv"), "missing.csv"),
])
def test_usage_errors_exit_4_without_traceback(tmp_path, csv_path, mutate, needle):
    s = spec(tmp_path, csv_path)
    s.write_text(mutate(s.read_text()))
    r = run_cli("run", s, "--out", tmp_path / "o")
    assert r.returncode == ExitCode.USAGE_ERROR, r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o" / "report.json").exists()


def test_gate_pass_fail_and_outputs(tmp_path, csv_path):
    assert run_cli("run", spec(tmp_path, csv_path), "--out", tmp_path / "r").returncode == 0
    report = tmp_path / "r" / "report.json"
    pol = tmp_path / "policy.toml"
    pol.write_text('[[checks]]\nmetric = "fairness.demographic_parity_difference"\nmax = 0.01\n')
    r = run_cli("gate", report, "--policy", pol, "--junit", tmp_path / "j.xml", "--summary", tmp_path / "s.md")
    assert r.returncode == ExitCode.CHECKS_FAILED
    junit = (tmp_path / "j.xml").read_text()
    assert "<failure" in junit and 'failures="1"' in junit
    assert "FAIL" in (tmp_path / "s.md").read_text()
    pol.write_text('[[checks]]\nmetric = "fairness.demographic_parity_difference"\nmax = 0.99\n')
    assert run_cli("gate", report, "--policy", pol).returncode == ExitCode.OK


def test_gate_fails_closed_on_a_crashed_auditor(tmp_path, csv_path):
    assert run_cli("run", spec(tmp_path, csv_path), "--out", tmp_path / "r").returncode == 0
    doc = json.loads((tmp_path / "r" / "report.json").read_text())
    doc["results"][0]["status"] = "error"
    doc["results"][0]["reason"] = "RuntimeError: boom"
    crashed = tmp_path / "crashed.json"
    crashed.write_text(json.dumps(doc))
    pol = tmp_path / "policy.toml"
    pol.write_text('[[checks]]\nmetric = "fairness.demographic_parity_difference"\nmax = 0.99\n')
    r = run_cli("gate", crashed, "--policy", pol)
    assert r.returncode == ExitCode.INTERNAL_ERROR and "boom" in r.stdout


def test_gate_baseline_flags_a_regression(tmp_path, csv_path, predictions_frame):
    assert run_cli("run", spec(tmp_path, csv_path), "--out", tmp_path / "old").returncode == 0
    worse = predictions_frame.copy()
    worse.loc[worse["g"] == "c", "y_pred"] = 1  # group c now always selected: parity gets worse
    worse.to_csv(tmp_path / "worse.csv", index=False)
    assert (
        run_cli("run", spec(tmp_path, tmp_path / "worse.csv", name="w.toml"), "--out", tmp_path / "new").returncode == 0
    )
    pol = tmp_path / "policy.toml"
    pol.write_text('[[checks]]\nmetric = "fairness.demographic_parity_difference"\nmax = 0.99\n')
    r = run_cli(
        "gate", tmp_path / "new" / "report.json", "--policy", pol, "--baseline", tmp_path / "old" / "report.json"
    )
    assert r.returncode == ExitCode.CHECKS_FAILED, r.stdout
    assert "against the baseline" in r.stdout
    same = run_cli("gate", tmp_path / "old" / "report.json", "--policy", pol, "--baseline",
                   tmp_path / "old" / "report.json")
    assert same.returncode == ExitCode.OK


def test_gate_usage_errors(tmp_path):
    r = run_cli("gate", tmp_path / "nope.json", "--policy", tmp_path / "p.toml")
    assert r.returncode == ExitCode.USAGE_ERROR and "nope.json" in r.stderr
    r = run_cli("frobnicate")
    assert r.returncode == ExitCode.USAGE_ERROR


def test_nothing_audited_exits_5(tmp_path, csv_path):
    p = tmp_path / "s.toml"
    # fairness alone, and no sensitive features: nothing can be audited
    p.write_text(f'[data]\npath = "{csv_path}"\ntarget = "y_true"\nprediction = "y_pred"\n'
                 '[auditors]\nenabled = ["fairness"]\n')
    r = run_cli("run", p, "--out", tmp_path / "o")
    assert r.returncode == ExitCode.NO_AUDIT, r.stderr
    assert "skipped" in r.stdout


def test_list_names_fairness_with_its_distribution():
    r = run_cli("list")
    assert r.returncode == 0 and "fairness" in r.stdout and "rai-audit" in r.stdout


def test_list_keeps_its_columns_and_neutralises_each_field(capsys):
    """Names pad to one column; a description's control characters are shown as escapes."""
    from audit import BaseAuditor, _registry, cli

    class Hostile(BaseAuditor):
        """Counts rows\x1b[31m in red\u202e.  Second sentence."""

        name = "hostile-list-test"
        version = "1"

        def run(self, subject):
            raise NotImplementedError

    _registry.register(Hostile)
    try:
        assert cli.main(["list"]) == 0
    finally:
        _registry.unregister("hostile-list-test")
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("  ") and "(from " in ln]
    assert len(lines) >= 7, lines
    for ln in lines:
        name = ln.split()[0]
        if len(name) < 14:  # padded to 14: every description starts in column 18
            assert ln[2:16] == name.ljust(14) and ln[16] == " " and ln[17] != " ", ln
    hostile = next(ln for ln in lines if "hostile-list-test" in ln)
    assert "\x1b" not in hostile and "\u202e" not in hostile and "\\x1b[31m" in hostile
