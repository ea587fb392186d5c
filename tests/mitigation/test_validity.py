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


def test_a_reference_network_is_reweighed_through_its_recipe_deterministically():
    import numpy as np
    import torch

    from audit.mitigation import reweighing_weights
    from audit.mitigation._thresholds import group_keys
    from audit.models._train import fit_network

    net = load_reference("german-mlp")

    def run():
        return audit.run(net.test_frame(), model=net, target=net.target, sensitive_features=["sex"],
                         features=list(net.feature_names), train_data=net.train_frame(),
                         auditors=[FairnessAuditor(n_boot=0), MitigationAuditor(when="always", n_boot=0)],
                         checks=POLICY, random_state=0)

    report = run()
    result = report["mitigation"]
    (entry,) = [e for e in result.details["candidates"] if e["name"] == "reweighing"]
    assert entry["reason"] is None and "retrained by its recipe" in entry["description"]
    train = net.train_frame()
    y = train[net.target].to_numpy()
    w = torch.tensor(reweighing_weights(group_keys(train, ["sex"]), y), dtype=torch.float32)
    module = fit_network(net.recipe, net.encode(train[net.feature_names]), torch.tensor(y, dtype=torch.float32),
                         sample_weight=w)
    test = net.test_frame()
    with torch.no_grad():
        expected = (module(net.encode(test)).reshape(-1).numpy() > 0).astype(int)
    np.testing.assert_array_equal(result.fitted["reweighing"].predict(test), expected)
    reductions = [e for e in result.details["candidates"] if e["method"] in ("exponentiated_gradient", "grid_search")]
    assert reductions and all("refits a scikit-learn estimator" in e["reason"] for e in reductions)
    assert run().to_json() == report.to_json()
