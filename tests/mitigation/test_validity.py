"""Validity on the planted-defect references: the biased networks get a passing candidate, clean ones need no fix.

The policy is the validity matrix's sex-disparity signal (tests/validity/matrix.py): the
planted networks fail it and the clean binary references pass it. Rows are sampled so
the test stays cheap.
"""
from __future__ import annotations

import pytest

import audit
from audit.fairness import FairnessAuditor
from audit.mitigation import MitigationAuditor
from audit.mitigation import _auditor as ma
from audit.models import load_reference
from tests.validity.matrix import SEX_DPD_MAX

POLICY = [{"metric": "fairness.demographic_parity_difference", "max": SEX_DPD_MAX, "over": ["sex"]}]
ROWS = 4000


def _run(name: str):
    net = load_reference(name)
    frame = net.test_frame()
    frame = frame.sample(n=min(ROWS, len(frame)), random_state=0) if len(frame) > ROWS else frame
    return audit.run(frame, model=net, target=net.target, sensitive_features=["sex"],
                     features=list(net.feature_names), auditors=[FairnessAuditor(n_boot=50),
                                                                  MitigationAuditor(when="failing", n_boot=50)],
                     checks=POLICY, random_state=0)


@pytest.mark.parametrize("name", ["adult-mlp-sex-direct", "adult-mlp-sex-proxy"])
def test_planted_bias_gets_a_candidate_that_passes_the_policy(name):
    report = _run(name)
    assert [c.status.value for c in report.checks] == ["fail"]
    d = report["mitigation"].details
    assert d["candidates"][0]["passes"] is False
    accepted = d["accepted"]["name"]
    (entry,) = [e for e in d["candidates"] if e["name"] == accepted]
    assert entry["passes"] and entry["method"] == "threshold_optimizer"
    assert entry["gated"]["value"] <= SEX_DPD_MAX


@pytest.mark.parametrize("name", ["adult-mlp", "compas-mlp", "german-mlp"])
def test_clean_references_need_no_fix(name):
    report = _run(name)
    assert [c.status.value for c in report.checks] == ["pass"]
    result = report["mitigation"]
    assert (result.status.value, result.reason) == ("skipped", ma.MSG_NOT_NEEDED.format(passed=1))
