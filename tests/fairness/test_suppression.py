"""Small cells are not shown: rows of groups under min_cell_size carry no figures in report.json/html."""
from __future__ import annotations

import json
from importlib import resources

import jsonschema
import numpy as np
import pandas as pd
import pytest

import audit
from audit import AuditSubject, UsageError
from audit.fairness import FairnessAuditor, messages

TINY = {"sex": "F", "band": "rare"}


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(7)
    n = 2000
    sex = rng.choice(["F", "M"], n)
    band = rng.choice(["young", "mid", "old"], n)
    band[:4] = "rare"  # 4 people, all F, none positive: a cell a shared report must not disclose
    sex[:4] = "F"
    y = rng.integers(0, 2, n)
    y[:4] = 0
    score = rng.random(n)
    return pd.DataFrame({"sex": sex, "band": band, "y": y, "s": score, "p": (score > 0.5).astype(int)})


def _rows(doc_result, group):
    return [r for r in doc_result["metrics"] if r["group"] == group]


def test_report_json_suppresses_small_cells_but_checks_and_aggregates_see_them(frame):
    checks = [{"metric": "fairness.selection_rate", "max": 0.0, "severity": "warn"}]
    report = audit.run(frame, target="y", prediction="p", score="s", sensitive_features=["sex", "band"],
                       auditors=[FairnessAuditor(n_boot=0)], checks=checks)
    result = report["fairness"]
    # in memory the figures are there (the user's own data; checks and aggregates use them)
    kept = result.metrics[result.metrics["group"].map(lambda g: g == {"band": "rare"})]
    assert kept["value"].notna().any() and (kept.loc[kept["metric"] == "count", "value"] == 4).all()
    doc = json.loads(report.to_json())
    jsonschema.validate(doc, json.loads((resources.files("audit") / "schema" / "report.schema.json").read_text()))
    fairness = next(r for r in doc["results"] if r["auditor"] == "fairness")
    for group in ({"band": "rare"}, TINY):
        rows = _rows(fairness, group)
        assert rows and all(r["suppressed"] is True and r["value"] is None and r["n"] is None
                            and r["ci_low"] is None and r["ci_high"] is None for r in rows)
    assert {"band": "rare"} in fairness["details"]["suppressed_groups"]
    # larger groups are shown as before, without the flag
    assert all("suppressed" not in r for r in _rows(fairness, {"band": "young"}))
    # the undefined-rate list would say "no positives" about the cell: it leaves it out
    assert not [u for u in fairness["details"]["undefined"]["rates"] if u["group"] in ({"band": "rare"}, TINY)]
    # calibration bins of a suppressed group carry no figures either
    bins = [b for b in fairness["details"]["calibration"] if b["group"] == {"band": "rare"}]
    assert bins and all(b["suppressed"] and b["fraction_positive"] is None and b["n"] is None for b in bins)
    # findings name no figure of the cell
    small = next(f for f in fairness["findings"] if f["code"] == "fairness.small_groups")
    assert {"group": {"band": "rare"}, "suppressed": True} in small["evidence"]["groups"]
    # the check still read the cell's selection rate (a max of 0 fails on every group)
    outcome = doc["checks"][0]
    assert outcome["status"] == "warn"
    html = report.to_html()
    assert "suppressed" in html


def test_min_cell_size_zero_shows_every_group_and_does_not_change_metrics(frame):
    subject = AuditSubject(frame, target="y", prediction="p", sensitive_features=["sex", "band"])
    shown = FairnessAuditor(n_boot=10, min_cell_size=0).run(subject)
    hidden = FairnessAuditor(n_boot=10).run(subject)
    pd.testing.assert_frame_equal(shown.metrics, hidden.metrics)
    doc = shown.to_dict()
    assert "suppressed_groups" not in doc["details"]
    assert all("suppressed" not in r for r in doc["metrics"])
    assert any(r["value"] is not None for r in _rows(doc, {"band": "rare"}))


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10"])
def test_bad_min_cell_size(frame, bad):
    subject = AuditSubject(frame, target="y", prediction="p", sensitive_features=["sex"])
    with pytest.raises(UsageError) as err:
        FairnessAuditor(min_cell_size=bad).run(subject)
    assert str(err.value) == messages.MIN_CELL_SIZE.format(min_cell_size=bad)


def test_undefined_rates_carry_their_reason(frame):
    data = frame.copy()
    data.loc[data["band"] == "old", "y"] = 0  # band=old: no positives
    subject = AuditSubject(data, target="y", prediction="p", sensitive_features=["band"])
    result = FairnessAuditor(n_boot=0).run(subject)
    doc = result.to_dict()
    row = next(r for r in doc["metrics"] if r["metric"] == "true_positive_rate" and r["group"] == {"band": "old"})
    assert row["value"] is None and row["ci_low"] is None
    reasons = {(u["metric"], u["reason"]) for u in doc["details"]["undefined"]["rates"]
               if u["group"] == {"band": "old"}}
    assert ("true_positive_rate", "no positives in this group") in reasons
    assert ("false_negative_rate", "no positives in this group") in reasons
    eo = next(a for a in doc["details"]["aggregate_groups"]
              if a["metric"] == "equal_opportunity_difference" and a["over"] == ["band"])
    # old has no positives, rare has 4 rows (under min_group_size): two of four compared
    assert eo["groups"] == 4 and eo["compared"] == 2 and eo["left_out"] == 2


def test_same_inputs_and_seed_give_byte_identical_json(frame):
    def report():
        return audit.run(frame, target="y", prediction="p", score="s", sensitive_features=["sex", "band"],
                         auditors=[FairnessAuditor(n_boot=30)], random_state=4).to_json()

    assert report().encode() == report().encode()
