"""Bad input through the public entry points: one clear error, exit 4, nothing written."""
import numpy as np
import pandas as pd
import pytest

import audit
from audit import DataError, ExitCode, UsageError
from tests.conftest import run_cli


@pytest.fixture
def frame():
    rng = np.random.default_rng(1)
    n = 200
    return pd.DataFrame({"y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n), "g": rng.choice(["a", "b"], n),
                         "x": rng.normal(size=n)})


@pytest.mark.parametrize("mutate, error, needle", [
    (lambda f: f.assign(p=np.where(np.arange(len(f)) < 3, 2, f["p"])), UsageError, "y_pred"),
    (lambda f: f.assign(p=f["p"].astype(float).where(f.index > 5)), DataError, "'p'"),
    (lambda f: f.iloc[:0], DataError, "no rows"),
    (lambda f: f.rename(columns={"g": "group"}), UsageError, "'g'"),
])
def test_api_bad_input(frame, mutate, error, needle):
    with pytest.raises(error) as err:
        audit.run(mutate(frame), target="y", prediction="p", sensitive_features=["g"], auditors=["fairness"])
    assert needle in str(err.value)


def test_unexpected_classes_exit_4_from_the_cli(tmp_path, frame):
    bad = frame.assign(p=np.where(np.arange(len(frame)) < 3, 2, frame["p"]))
    bad.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "s.toml").write_text(f'[data]\npath = "{tmp_path / "d.csv"}"\ntarget = "y"\nprediction = "p"\n'
                                     'sensitive_features = ["g"]\n')
    r = run_cli("run", tmp_path / "s.toml", "--out", tmp_path / "out")
    assert r.returncode == ExitCode.USAGE_ERROR, r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "out" / "report.json").exists()


def test_a_crashing_auditor_is_an_error_result_and_exit_3(frame):
    class Crashes(audit.BaseAuditor):
        name = "crashes"
        version = "1"
        requires = frozenset()

        def run(self, subject):
            raise RuntimeError("boom")

    report = audit.run(frame, target="y", prediction="p", sensitive_features=["g"],
                       auditors=["fairness", Crashes()])
    assert report["crashes"].status == "error" and "RuntimeError: boom" in report["crashes"].reason
    assert report["fairness"].status in ("pass", "warn")
    assert report.status == "error" and report.exit_code == ExitCode.INTERNAL_ERROR
