"""Auditors are isolated: a hostile or broken plugin is its own error result, never the end of the run or a pass."""
from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pandas as pd
import pytest

import audit
from audit import _registry
from audit._exceptions import PluginError


@pytest.fixture()
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 2, n)
    return pd.DataFrame({"y": y, "p": np.where(rng.random(n) < 0.8, y, 1 - y), "g": rng.choice(["a", "b"], n),
                         "x": rng.normal(size=n)})


def _plugin(name: str, run) -> audit.BaseAuditor:
    cls = type(f"Plugin_{name}", (audit.BaseAuditor,), {"name": name, "version": "1", "run": run,
                                                         "__module__": "some_plugin"})
    return cls()


def _run(frame: pd.DataFrame, plugin: audit.BaseAuditor) -> audit.AuditReport:
    return audit.run(frame, target="y", prediction="p", sensitive_features=["g"],
                     auditors=[plugin, "fairness"], auditor_options=None)


def _ok(name: str) -> audit.AuditResult:
    return audit.AuditResult(name, "1", audit.Status.PASS)


def test_sys_exit_in_a_plugin_is_its_error_and_the_run_goes_on(frame) -> None:
    def run(self, subject):
        sys.exit(0)

    report = _run(frame, _plugin("exits", run))
    assert report["exits"].status == audit.Status.ERROR
    assert report["exits"].reason == "the auditor called sys.exit(0) instead of returning a result"
    assert report["fairness"].status != audit.Status.ERROR
    assert report.exit_code == audit.ExitCode.INTERNAL_ERROR


def test_a_result_under_another_auditors_name_is_refused(frame) -> None:
    report = _run(frame, _plugin("impostor", lambda self, subject: _ok("fairness")))
    assert report["impostor"].status == audit.Status.ERROR
    assert "returned a result named 'fairness', not 'impostor'" in report["impostor"].reason
    assert report["fairness"].metrics["metric"].str.contains("selection_rate").any()


def test_writing_to_the_subjects_data_is_an_error_and_touches_neither_the_caller_nor_later_auditors(frame) -> None:
    original = frame.copy()
    clean = _run(frame, _plugin("reader", lambda self, subject: _ok("reader")))

    def run(self, subject):
        subject.data["g"] = "a"
        return _ok("writer")

    report = _run(frame, _plugin("writer", run))
    assert report["writer"].status == audit.Status.ERROR
    assert "modified the subject (its data)" in report["writer"].reason
    pd.testing.assert_frame_equal(frame, original)  # the caller's frame is never written
    assert report["fairness"].to_dict()["metrics"] == clean["fairness"].to_dict()["metrics"]


def test_writing_to_a_role_array_raises_inside_the_auditor(frame) -> None:
    def run(self, subject):
        subject.y_pred[:] = 1
        return _ok("scribbler")

    report = _run(frame, _plugin("scribbler", run))
    assert report["scribbler"].status == audit.Status.ERROR
    assert "read-only" in report["scribbler"].reason


def test_changing_a_role_is_an_error(frame) -> None:
    def run(self, subject):
        subject.sensitive_features = ()
        return _ok("renamer")

    report = _run(frame, _plugin("renamer", run))
    assert "modified the subject (sensitive_features)" in report["renamer"].reason


@pytest.mark.parametrize("bad, expected", [
    (lambda: dataclasses.replace(_ok("bad"), status="great"), "unknown status 'great'"),
    (lambda: dataclasses.replace(_ok("bad"), findings=({"severity": "high"},)), "a finding of type dict"),
    (lambda: dataclasses.replace(_ok("bad"), metrics=pd.DataFrame({"metric": ["m"], "value": ["high"]})),
     "metrics that are not a frame with the columns"),
    (lambda: dataclasses.replace(_ok("bad"), metrics=audit.AuditResult("x", "1", "pass").metrics.assign(
        value=pd.Series([], dtype=object)).pipe(lambda m: pd.concat([m, pd.DataFrame(
            [{"metric": "m", "value": "oops"}])], ignore_index=True).loc[:, list(audit.METRIC_COLUMNS)])),
     "metric values that are not numbers"),
    (lambda: {"status": "pass"}, "returned dict, not an AuditResult"),
])
def test_a_malformed_result_is_an_error_with_the_reason(frame, bad, expected) -> None:
    report = _run(frame, _plugin("bad", lambda self, subject: bad()))
    assert report["bad"].status == audit.Status.ERROR
    assert expected in report["bad"].reason
    report.to_dict()  # and the report still serialises


def test_a_plugins_usage_error_is_its_error_not_the_runs(frame) -> None:
    def run(self, subject):
        raise audit.UsageError("plugin option wrong")

    report = _run(frame, _plugin("fussy", run))
    assert report["fussy"].status == audit.Status.ERROR and "plugin option wrong" in report["fussy"].reason


def test_a_plugin_that_fails_to_import_is_an_error_result_and_the_others_run(frame, monkeypatch) -> None:
    real_get = _registry.get

    def get(name):
        if name == "broken":
            raise PluginError("auditor plugin 'broken' from distribution 'x' is invalid: import failed")
        return real_get(name)

    monkeypatch.setattr(_registry, "get", get)
    report = audit.run(frame, target="y", prediction="p", sensitive_features=["g"], auditors=["broken", "fairness"])
    assert report["broken"].status == audit.Status.ERROR and "import failed" in report["broken"].reason
    assert report["fairness"].status != audit.Status.ERROR
    assert report.exit_code == audit.ExitCode.INTERNAL_ERROR


def test_two_auditors_with_one_name_are_refused(frame) -> None:
    with pytest.raises(PluginError, match=r"more than one auditor is named \['twin'\]"):
        audit.run(frame, target="y", prediction="p", sensitive_features=["g"],
                  auditors=[_plugin("twin", lambda s, x: _ok("twin")), _plugin("twin", lambda s, x: _ok("twin"))])
