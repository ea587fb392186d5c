"""The pytest plugin: the fixture, ``assert_passes``' message, and discovery through ``pytest11``."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

# pytester's in-process runs put sys.modules back after each run; numpy >= 2.4's extension
# modules (numpy.fft, imported by scipy.special for the fairness p-values) cannot be loaded
# twice in one process, so they are imported here, before any inner run.
import scipy.special  # noqa: F401

from audit.gate._assertions import MSG_NOT_A_REPORT
from audit.pytest_plugin import MSG_NO_POLICY
from tests.conftest import ROOT

pytest_plugins = ["pytester"]

POLICY = textwrap.dedent('''
    [[checks]]
    metric = "fairness.demographic_parity_difference"
    max = 0.05
    name = "parity gap"

    [[checks]]
    metric = "fairness.selection_rate"
    min = 0.0
''')
TESTS = textwrap.dedent('''
    import numpy as np
    import pandas as pd
    import audit
    from audit.testing import assert_passes

    def _frame(gap):
        rng = np.random.default_rng(0)
        g = np.repeat(["a", "b"], 400)
        pred = (rng.random(800) < np.where(g == "a", 0.5, 0.5 - gap)).astype(int)
        return pd.DataFrame({"y": rng.integers(0, 2, 800), "p": pred, "g": g})

    def _report(gap):
        return audit.run(_frame(gap), target="y", prediction="p", sensitive_features=["g"],
                         auditors=["fairness"], auditor_options={"fairness": {"n_boot": 0}})

    def test_fair_model(rai_audit_policy):
        outcomes = assert_passes(_report(0.0), rai_audit_policy)
        assert [o.status for o in outcomes] == ["pass", "pass"]

    def test_unfair_model(rai_audit_policy):
        assert_passes(_report(0.3), rai_audit_policy)
''')
ISOLATED = ["-p", "audit.pytest_plugin", "-p", "no:cacheprovider",
            "-W", "ignore::pytest.PytestAssertRewriteWarning"]  # this process imported the plugin already


@pytest.fixture
def isolated(pytester, monkeypatch):
    """A pytester project that loads only this plugin, whether or not rai-audit's entry point is installed."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makefile(".toml", policy=POLICY)
    pytester.makepyfile(test_model=TESTS)
    return pytester


def test_passing_and_failing_models_with_a_readable_message(isolated):
    result = isolated.runpytest(*ISOLATED, "--rai-audit-policy", "policy.toml")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "rai-audit policy: policy.toml",
        "E*AssertionError: rai-audit: 'rai-audit report' did not pass its policy (status FAIL): "
        "1 of 2 checks failed.",
        "E*\u2717 FAIL parity gap",
        "E*fairness.demographic_parity_difference across g: its estimate * is above the maximum 0.05 by *"
        "Extremes: g=b (selection_rate *, n = 400) to g=a (selection_rate *, n = 400).",
    ])
    # __tracebackhide__: the failure points at the test, not into rai-audit's internals
    assert "_assertions.py" not in result.stdout.str()
    assert "\\n" not in "".join(line for line in result.stdout.lines if line.startswith("E "))


def test_policy_from_the_ini_file(isolated):
    isolated.makeini("[pytest]\nrai_audit_policy = policy.toml\n")
    isolated.runpytest(*ISOLATED).assert_outcomes(passed=1, failed=1)


def test_fixture_without_a_policy_fails_and_says_how_to_give_one(isolated):
    result = isolated.runpytest(*ISOLATED, "-k", "not unfair")
    result.assert_outcomes(errors=1)
    assert MSG_NO_POLICY in result.stdout.lines


def test_assert_passes_on_a_saved_report_and_its_own_checks(tmp_path, predictions_frame):
    import audit

    report = audit.run(predictions_frame, target="y_true", prediction="y_pred", sensitive_features=["g"],
                       auditors=["fairness"], auditor_options={"fairness": {"n_boot": 0}},
                       checks=[{"metric": "fairness.selection_rate", "min": 0.99, "severity": "warn"}])
    report.save(tmp_path)
    saved = audit.assert_passes(tmp_path / "report.json")  # its own checks, read back as flat records
    assert [(o.metric, o.status, o.threshold) for o in saved] == [("fairness.selection_rate", "warn", 0.99)]
    assert [o.to_dict() for o in saved] == [c.to_dict() for c in report.checks]
    audit.assert_passes(report)  # a warning does not fail...
    with pytest.raises(AssertionError, match=r"(?s)did not pass.*\u26a0 WARN fairness.selection_rate \u2265 0.99"):
        audit.assert_passes(report, fail_on_warn=True)  # ...unless asked
    with pytest.raises(audit.UsageError) as err:
        audit.assert_passes(42)
    assert str(err.value) == MSG_NOT_A_REPORT.format(got="int")


def test_a_crashed_auditor_fails_closed():
    import audit

    report = audit.AuditReport([audit.AuditResult("privacy", "1", audit.Status.ERROR, reason="boom")])
    with pytest.raises(AssertionError, match="auditor privacy crashed: boom"):
        audit.assert_passes(report, [])


def test_entry_point_is_declared_in_pyproject():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert doc["project"]["entry-points"]["pytest11"] == {"rai_audit": "audit.pytest_plugin"}


def test_pytest_discovers_the_plugin_through_its_entry_point(tmp_path):
    """A distribution declaring only the pytest11 entry point: pytest autoloads the plugin from it."""
    site = tmp_path / "site"
    dist = site / "rai_audit_probe-0.0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rai-audit-probe\nVersion: 0.0.0\n")
    (dist / "entry_points.txt").write_text("[pytest11]\nrai_audit = audit.pytest_plugin\n")
    (tmp_path / "policy.toml").write_text(POLICY)
    (tmp_path / "test_probe.py").write_text("def test_policy(rai_audit_policy):\n"
                                            "    assert [c.metric for c in rai_audit_policy][0] == "
                                            "'fairness.demographic_parity_difference'\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rai-audit-policy",
                           "policy.toml", "test_probe.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rai-audit policy: policy.toml" in proc.stdout
