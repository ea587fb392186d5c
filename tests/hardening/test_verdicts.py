"""Nothing undefined passes, non-finite values are values, and the gate on a saved report reaches the
run's verdict (issue 14, items 2 and 3); the report pair is replaced all or nothing (item 7)."""
from __future__ import annotations

import json
import math
import os
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import audit
from audit import cli
from audit._files import write_files_atomically
from audit._results import _jsonable
from audit.gate._baseline import MSG_TOLERANCE
from audit.gate._checks import MSG_POLICY_EMPTY, evaluate_checks

SCHEMA = json.loads((resources.files("audit") / "schema" / "report.schema.json").read_text())

#: metric values a plugin may report; every one but a finite number within the threshold must fail.
VALUES = [0.05, 0.5, 0.9, math.inf, -math.inf, math.nan, None, "abc", "Infinity", "-Infinity", [1, 2], True]
CHECKS = [{"metric": "plug.score_gap", "max": 0.1}, {"metric": "plug.score_gap", "min": 0.8},
          {"metric": "plug.score_gap", "max": 0.1, "bound": "ci"},
          {"metric": "plug.score_gap", "min": 0.0, "over": ["g"], "if_missing": "skip"}]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 60
    y = rng.integers(0, 2, n)
    return pd.DataFrame({"y": y, "p": y, "g": rng.choice(["a", "b"], n)})


def _plugin(value, ci_low=None) -> audit.BaseAuditor:
    def run(self, subject):
        rows = [{"metric": "score_gap", "value": value, "ci_low": ci_low, "ci_high": None},
                {"metric": "score_gap", "value": value, "over": ["g"]}]
        from audit._results import metrics_frame

        return audit.AuditResult("plug", "1", audit.Status.PASS, metrics=metrics_frame(rows))

    cls = type("Plug", (audit.BaseAuditor,), {"name": "plug", "version": "1", "run": run, "__module__": "plug"})
    return cls()


def _policy(tmp_path: Path, checks) -> Path:
    lines = []
    for c in checks:
        lines.append("[[checks]]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in c.items()]
    p = tmp_path / "policy.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("ci_low", [None, -math.inf])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_gate_on_a_saved_report_reaches_the_runs_verdict(tmp_path, frame, value, ci_low, capsys) -> None:
    report = audit.run(frame, target="y", prediction="p", sensitive_features=["g"], auditors=[_plugin(value, ci_low)],
                       checks=CHECKS)
    report.save(tmp_path / "r")
    doc = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    import jsonschema

    jsonschema.validate(doc, SCHEMA)
    rc = cli.main(["gate", str(tmp_path / "r" / "report.json"), "--policy", str(_policy(tmp_path, CHECKS))])
    capsys.readouterr()
    assert rc == report.exit_code == doc["exit_code"]
    loaded = audit.AuditReport.load(tmp_path / "r")
    again = evaluate_checks(audit.gate._checks.parse_checks(CHECKS), {r.auditor: r for r in loaded.results},
                            subject=loaded.subject)
    assert _jsonable([o.to_dict() for o in again]) == doc["checks"]
    finite = isinstance(value, (int, float)) and math.isfinite(value)  # True is read as 1.0, as pandas does
    if not finite:  # infinite, NaN, missing or not a number: no check on it passes
        infinite = isinstance(value, float) and math.isinf(value) or value in ("Infinity", "-Infinity")
        for c in doc["checks"]:
            skipped = c["if_missing"] == "skip" and not infinite  # undefined, and the check says skip
            assert c["status"] == ("skipped" if skipped else "fail"), c
        assert report.exit_code == audit.ExitCode.CHECKS_FAILED


def test_an_infinite_value_is_written_and_read_back_and_the_message_says_so(frame) -> None:
    report = audit.run(frame, target="y", prediction="p", sensitive_features=["g"], auditors=[_plugin(math.inf)],
                       checks=[{"metric": "plug.score_gap", "min": 0.8}])
    doc = json.loads(report.to_json())
    assert doc["results"][0]["metrics"][0]["value"] == "Infinity"
    assert doc["checks"][0]["value"] == "Infinity"
    assert doc["checks"][0]["status"] == "fail"
    assert doc["checks"][0]["message"] == ("plug.score_gap overall: its estimate is inf, not a finite number, so "
                                           "the check cannot pass against the minimum 0.8; estimate inf, n = ?.")
    back = audit.AuditResult.from_dict(doc["results"][0])
    assert back.value("score_gap") == math.inf


def test_an_undefined_aggregate_fails_unless_the_check_says_skip() -> None:
    from audit._results import metrics_frame
    from audit.gate._checks import MSG_SKIPPED_SUFFIX, parse_checks

    result = audit.AuditResult("fairness", "1", audit.Status.PASS, metrics=metrics_frame(
        [{"metric": "demographic_parity_difference", "value": None, "over": ["g"]}]))
    fail, skip = parse_checks([{"metric": "fairness.demographic_parity_difference", "max": 0.1},
                               {"metric": "fairness.demographic_parity_difference", "max": 0.1, "if_missing": "skip"}])
    a, b = evaluate_checks([fail, skip], {"fairness": result})
    assert a.status == audit.Status.FAIL and "undefined (null)" in a.message
    assert b.status == audit.Status.SKIPPED and b.message == a.message + MSG_SKIPPED_SUFFIX


def test_an_empty_policy_is_a_usage_error(tmp_path, frame, capsys) -> None:
    audit.run(frame, target="y", prediction="p", sensitive_features=["g"], auditors=["fairness"]).save(tmp_path / "r")
    empty = tmp_path / "empty.toml"
    empty.write_text('title = "nothing"\n', encoding="utf-8")
    assert cli.main(["gate", str(tmp_path / "r"), "--policy", str(empty)]) == audit.ExitCode.USAGE_ERROR
    assert MSG_POLICY_EMPTY.format(path=empty) in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--tolerance-abs", "--tolerance-rel"])
@pytest.mark.parametrize("bad", ["nan", "inf", "-0.5"])
def test_tolerances_must_be_finite_and_non_negative(tmp_path, frame, capsys, flag, bad) -> None:
    audit.run(frame, target="y", prediction="p", sensitive_features=["g"], auditors=["fairness"]).save(tmp_path / "r")
    pol = _policy(tmp_path, [{"metric": "fairness.demographic_parity_difference", "max": 0.5}])
    r = str(tmp_path / "r")
    for argv in (["gate", r, "--policy", str(pol), "--baseline", r, flag, bad], ["diff", r, r, flag, bad]):
        assert cli.main(argv) == audit.ExitCode.USAGE_ERROR
        which = flag.rsplit("-", 1)[1]
        assert MSG_TOLERANCE.format(which=which, got=float(bad), example="0.01" if which == "abs" else "0.1") \
            in capsys.readouterr().err


# -- the report pair: all or nothing ----------------------------------------------------------------
def _old_pair(folder: Path) -> dict[str, str]:
    write_files_atomically(folder, {"report.json": "old json", "report.html": "old html"})
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()], ids=["oserror", "interrupt"])
def test_when_the_second_rename_fails_the_old_pair_is_intact(tmp_path, monkeypatch, error) -> None:
    before = _old_pair(tmp_path)
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise error
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(type(error)):
        write_files_atomically(tmp_path, {"report.json": "new json", "report.html": "new html"})
    monkeypatch.setattr(os, "replace", real)
    assert {p.name: p.read_text() for p in sorted(tmp_path.iterdir())} == before  # no temp or backup left


def test_a_first_write_that_fails_leaves_no_half_pair(tmp_path, monkeypatch) -> None:
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError):
        write_files_atomically(tmp_path, {"report.json": "new json", "report.html": "new html"})
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_run_exits_2_and_keeps_the_previous_pair(tmp_path, monkeypatch, frame, capsys) -> None:
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    spec = tmp_path / "spec.toml"
    spec.write_text(f'[data]\npath = "{data}"\ntarget = "y"\nprediction = "p"\nsensitive_features = ["g"]\n'
                    '\n[auditors.fairness]\nn_boot = 10\n', encoding="utf-8")
    out = tmp_path / "out"
    before = _old_pair(out)
    real, calls = os.replace, []

    def interrupted(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(os, "replace", interrupted)
    assert cli.main(["run", str(spec), "--out", str(out)]) == audit.ExitCode.INTERRUPTED
    monkeypatch.setattr(os, "replace", real)
    assert {p.name: p.read_text() for p in sorted(out.iterdir())} == before


# -- row order ---------------------------------------------------------------------------------------
def _scored(frame_order_seed: int | None) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame({"g": rng.choice(["F", "M"], n), "y": rng.integers(0, 2, n)})
    df["s"] = np.clip(df["y"] * 0.3 + rng.random(n) * 0.7, 0, 1)
    df["p"] = (df["s"] > 0.5).astype(int)
    if frame_order_seed is not None:
        df = df.sample(frac=1, random_state=frame_order_seed).reset_index(drop=True)
    return df


def _fairness_rows(df: pd.DataFrame, **kw) -> list[dict]:
    report = audit.run(df, target="y", prediction="p", sensitive_features=["g"], auditors=["fairness"],
                       random_state=0, **kw)
    return report["fairness"].to_dict()["metrics"]


def test_without_a_score_the_metric_rows_do_not_depend_on_row_order() -> None:
    assert _fairness_rows(_scored(None)) == _fairness_rows(_scored(1))


def test_with_a_score_the_metric_rows_do_not_depend_on_row_order() -> None:
    assert _fairness_rows(_scored(None), score="s") == _fairness_rows(_scored(1), score="s")


def test_with_weights_and_a_regression_target_the_metric_rows_do_not_depend_on_row_order() -> None:
    def rows(seed):
        df = _scored(seed).assign(w=lambda d: 1 + (d["s"] * 10).round())
        report = audit.run(df, target="s", prediction="y", sensitive_features=["g"], auditors=["fairness"],
                           task="regression", sample_weight="w", random_state=0)
        return report["fairness"].to_dict()["metrics"]

    assert rows(None) == rows(2)


@pytest.mark.parametrize("policy", ["classification.toml", "regression.toml"])
def test_the_gate_reaches_the_runs_verdict_on_a_real_audit_with_the_default_policy(tmp_path, predictions_frame,
                                                                                  capsys, policy) -> None:
    path = str(resources.files("audit") / "policies" / policy)
    kw = ({"target": "y_true", "prediction": "y_pred", "score": "y_score"} if policy.startswith("class")
          else {"target": "y_score", "prediction": "y_pred", "task": "regression"})
    report = audit.run(predictions_frame, sensitive_features=["g", "h"], auditors=["fairness"], checks=path,
                       auditor_options={"fairness": {"n_boot": 20}}, **kw)
    report.save(tmp_path / "r")
    rc = cli.main(["gate", str(tmp_path / "r"), "--policy", path])
    capsys.readouterr()
    assert rc == report.exit_code
