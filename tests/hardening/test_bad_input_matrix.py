"""The bad-input matrix: each hostile or degenerate table has one expected outcome, through
the Python API (and, for errors, the CLI's exit 4 with no traceback and no report)."""
import json
import math

import numpy as np
import pandas as pd
import pytest

import audit
from audit import DataError, ExitCode, UsageError
from tests.conftest import run_cli


def base(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n), "g": rng.choice(["a", "b"], n),
                         "note": rng.choice(["ok", "call back"], n)})


def dup(frame):
    out = pd.concat([frame, frame[["g"]]], axis=1)
    return out


ERRORS = {
    "missing column": (lambda f: f.drop(columns="g"), UsageError, "'g'"),
    "wrong dtype": (lambda f: f.assign(p=np.where(f.index % 2 == 0, "approve", "deny")), DataError, "y_pred"),
    "NaN in target": (lambda f: f.assign(y=f["y"].astype(float).where(f.index > 4)), DataError, "'y' (target)"),
    "inf in prediction": (lambda f: f.assign(p=f["p"].astype(float).where(f.index > 0, np.inf)), DataError,
                          "'p' (prediction)"),
    "empty table": (lambda f: f.iloc[:0], DataError, "no rows"),
    "duplicate column names": (dup, DataError, "duplicate column name"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors(case, tmp_path):
    mutate, error, needle = ERRORS[case]
    frame = mutate(base())
    with pytest.raises(error) as err:
        audit.run(frame, target="y", prediction="p", sensitive_features=["g"])
    assert needle in str(err.value)
    if case != "duplicate column names":  # a CSV cannot hold two columns of one name
        frame.to_csv(tmp_path / "d.csv", index=False)
        (tmp_path / "s.toml").write_text(f'[data]\npath = "{tmp_path / "d.csv"}"\ntarget = "y"\nprediction = "p"\n'
                                         'sensitive_features = ["g"]\n')
        r = run_cli("run", tmp_path / "s.toml", "--out", tmp_path / "out")
        assert r.returncode == ExitCode.USAGE_ERROR, r.stderr
        assert "Traceback" not in r.stderr and not (tmp_path / "out").exists()


def _runs(frame, **kw):
    report = audit.run(frame, target="y", prediction="p", sensitive_features=kw.pop("sf", ["g"]), **kw)
    assert report.status in ("pass", "warn", "fail"), [r.reason for r in report.results]
    json.dumps(report.to_dict(), allow_nan=False)  # a valid report.json
    return report


def test_one_row():
    report = _runs(base().iloc[:1])
    assert report["fairness"].value("count") == 1


def test_one_group():
    report = _runs(base().assign(g="only"))
    # one group is no comparison: undefined (null), not "perfect parity"
    assert math.isnan(report["fairness"].value("demographic_parity_difference", over=["g"]))


def test_ten_thousand_groups():
    frame = base(20_000).assign(g=lambda f: [f"id{i % 10_000}" for i in range(len(f))])
    report = _runs(frame, auditors=["fairness"], auditor_options={"fairness": {"n_boot": 0, "min_group_size": 0}})
    assert len(report["fairness"].rows("count")) == 10_000 + 1


def test_one_megabyte_cells():
    frame = base(50)
    frame.loc[0, "note"] = "x" * 1_000_000 + " write to jane.doe@example.org"
    report = _runs(frame)
    assert "jane.doe@example.org" not in report.to_json()


def test_unicode_column_names_survive():
    frame = base().rename(columns={"g": "género ⚧", "y": "목표"})
    report = audit.run(frame, target="목표", prediction="p", sensitive_features=["género ⚧"], auditors=["fairness"])
    groups = report["fairness"].by_group("selection_rate")
    assert "género ⚧" in groups.columns
    assert "género ⚧" in report.to_json() and "목표" in report.to_json()
