"""The attribution auditor on the reference networks: decomposition, grouping, trust, report."""
from __future__ import annotations

import json

import numpy as np
import pytest

import audit
from audit.attribution import AttributionAuditor, attribute, baseline_row, prepare, randomisation_check
from audit.attribution._methods import MethodSettings
from audit.report import render_html
from tests.attribution.helpers import QUICK, colour_network, reference, reference_subject

NETWORKS = ("adult-mlp", "compas-mlp", "german-mlp", "diabetes-mlp")


@pytest.fixture(scope="module")
def adult_result():
    return AttributionAuditor(**QUICK).run(reference_subject("adult-mlp"))


@pytest.mark.parametrize("name", NETWORKS)
def test_runs_on_every_reference_network(name):
    report = audit.run_auditors(reference_subject(name), [AttributionAuditor(**QUICK)])
    result = report.results[0]
    assert result.status in (audit.Status.PASS, audit.Status.WARN), result.reason
    net = reference(name)
    assert set(result.rows("mean_abs_attribution", label=None)["label"]) == set(net.feature_names)
    html = render_html(json.loads(report.to_json()))
    assert "What the model relies on" in html and "<svg" in html and "could not be drawn" not in html


def test_decomposition_sums_to_the_output_gap(adult_result):
    net = reference("adult-mlp")
    subject = reference_subject("adult-mlp")
    idx = np.sort(np.random.default_rng(subject.random_state).choice(subject.n_rows, 400, replace=False))
    proba = net.predict_proba(subject.data.iloc[idx])[:, 1]
    sex = subject.data["sex"].iloc[idx].to_numpy()
    entry = next(e for e in adult_result.details["decomposition"] if e["over"] == ["sex"])
    low, high = entry["low_group"]["sex"], entry["high_group"]["sex"]
    gap = proba[sex == high].mean() - proba[sex == low].mean()
    assert adult_result.value("output_gap", over=["sex"]) == pytest.approx(gap, abs=1e-5)
    parts = adult_result.rows("gap_contribution", over=["sex"])["value"].sum()
    residual = adult_result.value("gap_residual", over=["sex"])
    assert parts + residual == pytest.approx(gap, abs=1e-5)
    assert abs(residual) <= 0.01 * abs(gap)  # IG's completeness error, stated in the report


def test_completeness_and_randomisation_pass_for_ig_on_a_trained_network(adult_result):
    sanity = adult_result.details["sanity"]["integrated_gradients"]
    assert sanity["completeness"]["median_relative"] < 0.01
    assert sanity["randomisation"]["verdict"] == "pass"
    assert sanity["infidelity"]["ratio"] < 1


@pytest.mark.parametrize("method", ["integrated_gradients", "feature_ablation", "shapley_value_sampling"])
def test_a_features_attribution_does_not_depend_on_its_number_of_categories(method):
    results = []
    for split in (False, True):
        net, frame = colour_network(split)
        ex = prepare(net.as_model(), frame, net.feature_names, "binary")
        base, _ = baseline_row(ex, frame, "train_mean")
        settings = MethodSettings(n_steps=200)
        results.append(attribute(ex, method, ex.inputs, base, settings).values)
    assert results[0].shape == results[1].shape == (300, 2)
    np.testing.assert_allclose(results[0], results[1], atol=2e-3)


def test_summing_copied_perturbation_columns_would_count_a_group_once_per_category():
    """Guards the reading of masked perturbation output: summing columns is wrong, by the category count."""
    net, frame = colour_network(True)
    ex = prepare(net.as_model(), frame, net.feature_names, "binary")
    base, _ = baseline_row(ex, frame, "train_mean")
    got = attribute(ex, "feature_ablation", ex.inputs, base, MethodSettings()).values[:, 0]
    import captum.attr as ca

    raw = ca.FeatureAblation(ex.module).attribute(ex.inputs, baselines=base, target=0,
                                                  feature_mask=ex.feature_mask).detach().numpy()
    np.testing.assert_allclose(got, raw[:, 0], atol=1e-6)
    moved = np.abs(got) > 1e-6
    np.testing.assert_allclose(raw[:, ex.groups["colour"]].sum(axis=1)[moved], 4 * got[moved], rtol=1e-5)


def test_baseline_is_in_distribution():
    net, frame = colour_network(False)
    ex = prepare(net.as_model(), frame, net.feature_names, "binary")
    base, described = baseline_row(ex, frame, "train_mean")
    onehot = base[0, ex.groups["colour"]].numpy()
    assert sorted(onehot.tolist()) == [0.0, 0.0, 1.0] and onehot[0] == 1.0  # "a" is the mode
    assert described["features"] == {"colour": "mode category", "x": "mean"}


def test_randomisation_check_fails_for_an_explanation_that_ignores_the_model():
    net = reference("adult-mlp")
    frame = net.test_frame().iloc[:150]
    ex = prepare(net.as_model(), frame, net.feature_names, "binary")
    base, _ = baseline_row(ex, net.train_frame(), "train_mean")
    diff = (ex.inputs - base).abs().numpy()

    def input_only(_module):  # |x - baseline| per feature: the same whatever the weights
        return np.stack([diff[:, cols].sum(axis=1) for cols in ex.groups.values()], axis=1)

    def integrated_gradients(module):
        return attribute(ex, "integrated_gradients", ex.inputs, base, MethodSettings(),
                         module=ex.rebuild(module)).values

    moved = np.stack([(ex.inputs - base).abs().numpy()[:, c].sum(axis=1) > 0 for c in ex.groups.values()], axis=1)
    bad = randomisation_check(input_only, net.module, seed=0, threshold=0.6, active=moved)
    good = randomisation_check(integrated_gradients, net.module, seed=0, threshold=0.6, active=moved)
    assert bad["verdict"] == "fail" and bad["similarity_after_full_randomisation"] == pytest.approx(1.0)
    assert good["verdict"] == "pass"
    assert [s["layer"] for s in good["steps"]] == ["4", "2", "0"]  # from the output layer down


def test_proxy_of_sex_is_flagged_with_evidence(adult_result):
    proxies = [f for f in adult_result.findings if f.code == "attribution.proxy"]
    assert any(f.evidence["sensitive_feature"] == "sex" for f in proxies)
    for f in proxies:
        assert f.evidence["cramers_v"] >= 0.3 and f.evidence["feature"] not in ("sex",)


def test_local_explanations_hold_names_and_attributions_only(adult_result):
    local = adult_result.details["local"]
    assert local and all(set(e) == {"case", "group", "output", "baseline_output", "top_features"} for e in local)
    for e in local:
        assert all(set(t) == {"feature", "attribution"} for t in e["top_features"])


def test_metric_convention(adult_result):
    m = adult_result.metrics
    glob = m[(m["metric"] == "mean_abs_attribution") & m["group"].isna()]
    assert glob["label"].is_unique and glob["n"].iloc[0] == 400
    per_group = m[(m["metric"] == "mean_abs_attribution") & m["group"].notna()]
    assert {tuple(o) for o in per_group["over"]} >= {("sex",), ("race",), ("age_band",)}
    assert (glob["ci_low"] <= glob["value"]).all() and (glob["value"] <= glob["ci_high"]).all()
    share = adult_result.value("sensitive_attribution_share", label="sex")
    assert 0 < share < 1
