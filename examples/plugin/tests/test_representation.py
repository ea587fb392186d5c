"""What the representation auditor finds, through audit.run, a policy, and report.html."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rai_audit_representation import RepresentationAuditor, wilson

import audit

POLICY = Path(__file__).resolve().parents[1] / "policy.toml"


@pytest.fixture()
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 2_000
    race = np.where(np.arange(n) < 30, "<b>rare</b>", rng.choice(["a", "b"], n))  # 1.5 %, and hostile text
    y = rng.integers(0, 2, n)
    return pd.DataFrame({"race": race, "sex": rng.choice(["f", "m"], n), "y": y, "p": y})


def test_shares_and_intervals(frame):
    report = audit.run(frame, target="y", prediction="p", sensitive_features=["race", "sex"],
                       auditors=["representation"])
    result = report["representation"]
    assert result.value("share", {"race": "<b>rare</b>"}, over=["race"]) == pytest.approx(30 / 2000)
    low, high = wilson(30, 2000, 1.959963984540054)
    row = result.rows("share", group={"race": "<b>rare</b>"}, over=["race"]).iloc[0]
    assert (row.ci_low, row.ci_high) == pytest.approx((low, high))
    assert 0.0103 < low < high < 0.0215  # a textbook Wilson interval for 30 of 2,000
    # the rare group alone, and both of its intersections with sex
    assert [(f.code, f.evidence["over"]) for f in result.findings] == [
        ("representation.small_group", ["race"]), ("representation.small_group", ["race", "sex"]),
        ("representation.small_group", ["race", "sex"])]
    assert result.status == "warn"


def test_the_policy_gates_the_small_group(frame, tmp_path):
    report = audit.run(frame, target="y", prediction="p", sensitive_features=["race", "sex"],
                       auditors=["representation"], checks=str(POLICY))
    assert report.status == "fail" and [c["status"] for c in report.failed_checks] == ["fail"]
    report.save(tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Share of rows by race" in html  # the plugin's own view, not the generic table
    assert "&lt;b&gt;rare&lt;/b&gt;" in html and "<b>rare</b>" not in html


def test_a_bad_option_is_a_usage_error_before_the_run(frame):
    with pytest.raises(audit.UsageError, match="'ci' must be one of 0.9, 0.95, 0.99"):
        audit.run(frame, target="y", prediction="p", sensitive_features=["race"],
                  auditors=["representation"], auditor_options={"representation": {"ci": 0.8}})
    assert RepresentationAuditor().get_params() == {"ci": 0.95, "intersections": True, "min_share": 0.05}
