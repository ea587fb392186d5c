"""The counterfactual auditor: flip rates and score changes under a swap, on images and tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import audit
from audit import UsageError
from audit.counterfactual import CounterfactualAuditor
from audit.counterfactual import messages as msg
from audit.models._fashion import swap as fashion_swap


def _run(images, meta, model, **kw):
    return audit.run(images, model=model, metadata=meta, target="label", sensitive_features=["group"],
                     auditors=[CounterfactualAuditor(**kw)])


def test_flip_rate_matches_a_direct_count(fashion_nets, small_fashion):
    images, meta = small_fashion
    net = fashion_nets["fashion-cnn-spurious"]
    result = _run(images, meta, net.as_model(), batch_size=64)["counterfactual"]
    assert result.details["swap"] == {"group": "the reference network's generator"}
    with torch.no_grad():
        a = meta["group"].to_numpy() == "A"
        x = torch.from_numpy(images[a])
        before = torch.softmax(net.module(x), 1).numpy()
        after = torch.softmax(net.module(fashion_swap(x, "A", "B")), 1).numpy()
    flips = before.argmax(1) != after.argmax(1)
    cls = before.argmax(1)
    change = after[np.arange(len(cls)), cls] - before[np.arange(len(cls)), cls]
    m = result.metrics
    pair = m[m["group"].map(lambda g: g == {"group": "A", "swapped_to": "B"})].set_index("metric")
    assert pair.loc["counterfactual_flip_rate", "value"] == pytest.approx(flips.mean(), abs=1e-12)
    assert pair.loc["counterfactual_flip_rate", "n"] == a.sum()
    assert pair.loc["counterfactual_score_change", "value"] == pytest.approx(change.mean(), abs=1e-6)
    low, high = audit._intervals.wilson_interval(flips.mean(), int(a.sum()), 0.95)
    assert (pair.loc["counterfactual_flip_rate", "ci_low"], pair.loc["counterfactual_flip_rate", "ci_high"]) == \
        pytest.approx((low, high))
    assert result.status == "warn" and {f.code for f in result.findings} == {"counterfactual.flips"}


def test_spurious_flips_far_more_than_clean(fashion_nets, small_fashion):
    images, meta = small_fashion
    rates = {}
    for name in ("fashion-cnn", "fashion-cnn-spurious"):
        m = _run(images, meta, fashion_nets[name].as_model())["counterfactual"].metrics
        rates[name] = float(m[(m["metric"] == "counterfactual_flip_rate") & m["group"].isna()]["value"].iloc[0])
    assert rates["fashion-cnn-spurious"] > 2.5 * rates["fashion-cnn"]


def test_a_check_gates_on_the_flip_rate(fashion_nets, small_fashion):
    images, meta = small_fashion
    report = audit.run(images, model=fashion_nets["fashion-cnn-spurious"].as_model(), metadata=meta, target="label",
                       sensitive_features=["group"], auditors=[CounterfactualAuditor()],
                       checks=[{"metric": "counterfactual.counterfactual_flip_rate", "max": 0.2, "bound": "ci"}])
    assert report.status == "fail" and report.exit_code == 1
    assert {c.status for c in report.checks} == {"fail"}


def test_table_default_swap_sets_the_column():
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n), "s": rng.integers(0, 2, n)})
    frame["y"] = (frame["x"] > 0).astype(int)

    def uses_s(table):
        return (np.asarray(table["s"]) == 1).astype(int)  # predicts from the sensitive column alone

    def ignores_s(table):
        return (np.asarray(table["x"]) > 0).astype(float)

    for fn, expected in ((uses_s, 1.0), (ignores_s, 0.0)):
        report = audit.run(frame, model=audit.Model(fn, feature_names=["x", "s"]), target="y",
                           sensitive_features=["s"], auditors=[CounterfactualAuditor()])
        m = report["counterfactual"].metrics
        total = m[(m["metric"] == "counterfactual_flip_rate") & m["group"].isna()]
        assert float(total["value"].iloc[0]) == expected
        assert report["counterfactual"].details["swap"] == {"s": "column 's' set to the other group"}


def test_no_swap_is_skipped_with_the_reason(small_fashion):
    images, meta = small_fashion
    torch.manual_seed(0)
    cnn = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 28 * 28, 10))
    result = _run(images, meta, cnn)["counterfactual"]
    assert result.status == "skipped" and result.reason == msg.NO_SWAP.format(feature="group")


def test_a_swap_that_changes_the_shape(fashion_nets, small_fashion):
    images, meta = small_fashion
    with pytest.raises(UsageError) as err:
        _run(images, meta, fashion_nets["fashion-cnn"].as_model(), swap=lambda b, f, t: b[:, :1], batch_size=300)
    n_a = int((meta["group"] == "A").sum())
    assert str(err.value) == msg.SWAP_SHAPE.format(a="A", b="B", feature="group", got=(n_a, 1, 28, 28),
                                                   expected=(n_a, 3, 28, 28))


def test_a_swap_that_fails_or_returns_nan(fashion_nets, small_fashion):
    images, meta = small_fashion

    def broken(batch, a, b):
        raise KeyError("no such tint")

    with pytest.raises(UsageError) as err:
        _run(images, meta, fashion_nets["fashion-cnn"].as_model(), swap=broken)
    assert str(err.value) == msg.SWAP_FAILED.format(a="A", b="B", feature="group", error_type="KeyError",
                                                    error="'no such tint'")
    with pytest.raises(UsageError) as err:
        _run(images, meta, fashion_nets["fashion-cnn"].as_model(), swap=lambda b, f, t: b * float("nan"))
    assert str(err.value) == msg.SWAP_NOT_FINITE.format(a="A", b="B", feature="group")


def test_options_are_checked(small_fashion, fashion_nets):
    images, meta = small_fashion
    with pytest.raises(UsageError) as err:  # the declared constraints, checked before any data is read
        _run(images, meta, fashion_nets["fashion-cnn"].as_model(), ci=1.5)
    assert "option 'ci' must be a finite number in (0, 1); got float 1.5" in str(err.value)
    with pytest.raises(UsageError) as err:
        _run(images, meta, fashion_nets["fashion-cnn"].as_model(), feature="age")
    assert str(err.value) == msg.UNKNOWN_FEATURE.format(feature="age", features=["group"])


def test_every_option_is_declared_and_checked_when_built():
    assert set(CounterfactualAuditor.constraints) == {"swap", "feature", "max_flip_rate", "ci", "batch_size"}
    for option, value in (("max_flip_rate", 2.0), ("feature", 3), ("batch_size", 0)):
        with pytest.raises(audit.SpecError, match=f"option '{option}' must be"):
            audit.build_auditors(["counterfactual"], {"counterfactual": {option: value}})


def test_params_show_the_swap_by_name(fashion_nets, small_fashion):
    images, meta = small_fashion
    doc = _run(images, meta, fashion_nets["fashion-cnn"].as_model(), swap=fashion_swap).to_dict()
    cf = next(r for r in doc["results"] if r["auditor"] == "counterfactual")
    assert cf["params"]["swap"] == "<function swap>"  # its name, never its repr (a memory address)


def test_gate_knows_the_metrics():
    from audit._metric_catalog import can_report, direction

    assert can_report("counterfactual", "counterfactual_flip_rate")
    assert direction("counterfactual_flip_rate") == "lower"
    assert direction("counterfactual_score_change") is None


@pytest.mark.parametrize("check", __import__("audit.testing", fromlist=["all_checks"]).all_checks(),
                         ids=lambda c: c.__name__)
def test_conformance(check):
    check(CounterfactualAuditor())
