"""The energy auditor on an image subject: FLOPs of the CNN and compressed variants' per-group accuracy."""
from __future__ import annotations

import pytest

import audit
from audit.energy import EnergyAuditor


def test_cnn_flops_parameters_and_variants_by_group(fashion_nets, small_fashion):
    images, meta = small_fashion
    net = fashion_nets["fashion-cnn-underrepresented"]
    result = audit.run(images, model=net.as_model(), metadata=meta, target="label", sensitive_features=["group"],
                       auditors=[EnergyAuditor(batch_size=64)])["energy"]
    assert result.status in ("pass", "warn")
    m = result.metrics.set_index("metric")
    assert m.loc["parameter_count", "value"] == sum(p.numel() for p in net.module.parameters())
    # two 3x3 convolutions (same padding, each followed by a 2x2 max-pool) and two linear layers:
    # multiply-adds counted as 2 FLOPs each
    arch = net.recipe["architecture"]
    (c1, c2), hidden = arch["channels"], arch["hidden"]
    macs = 28 * 28 * c1 * 3 * 9 + 14 * 14 * c2 * c1 * 9 + 7 * 7 * c2 * hidden + hidden * 10
    # the row keeps 6 significant digits
    assert m.loc["flops_per_prediction", "value"] == pytest.approx(2 * macs, rel=1e-5)
    table = {row["variant"]: row for row in result.details["compression"]}
    assert set(table) == {"original", "int8_dynamic", "pruned_50", "pruned_80"}
    assert table["pruned_50"]["density"] == pytest.approx(0.5, abs=1e-3)  # convolutions are pruned too
    original = {tuple(r["group"].items()): r["value"] for r in table["original"]["by_group"]}
    assert set(original) == {(("group", "A"),), (("group", "B"),)}
    assert any("convolutions stay float32" in f.message for f in result.findings)


def test_multiclass_variants_compare_the_accuracy_gap(fashion_nets, small_fashion):
    """Multiclass has no single parity gap: each variant's gap is the accuracy difference across the groups."""
    images, meta = small_fashion
    net = fashion_nets["fashion-cnn-underrepresented"]
    result = audit.run(images, model=net.as_model(), metadata=meta, target="label", sensitive_features=["group"],
                       auditors=[EnergyAuditor(batch_size=64, prune_amounts=(0.5, 0.9))])["energy"]
    for row in result.details["compression"]:
        by_group = [r["value"] for r in row["by_group"]]
        assert set(row["gaps"]) == {"accuracy_score_difference|group"}
        assert row["gaps"]["accuracy_score_difference|group"] == pytest.approx(max(by_group) - min(by_group), abs=1e-5)
    key = "accuracy_score_difference|group"
    table = {row["variant"]: row["gaps"][key] for row in result.details["compression"]}
    changes = {row["variant"]: row["gap_changes"][key] for row in result.details["compression"][1:]}
    for variant, change in changes.items():
        assert change["change"] == pytest.approx(table[variant] - table["original"], abs=1e-5)
        assert change["ci_low"] <= change["change"] <= change["ci_high"]
    flagged = {f.evidence["variant"] for f in result.findings if f.code == "energy.compression_widens_gap"}
    # every variant is cheaper (int8 0.25 of the cost, pruned by its density): flagged iff the lower bound of
    # its gap growth's paired interval is above 0.01
    assert flagged == {v for v, change in changes.items() if change["ci_low"] > 0.01}
    # B loses most when 90 % of the weights go: established even on 300 images, and the message says how surely
    assert changes["pruned_90"]["ci_low"] > 0.01 and "pruned_90" in flagged
    (message,) = [f.message for f in result.findings if f.evidence.get("variant") == "pruned_90"
                  and f.code == "energy.compression_widens_gap"]
    assert "95% interval" in message
    points = audit.run(images, model=net.as_model(), metadata=meta, target="label", sensitive_features=["group"],
                       auditors=[EnergyAuditor(batch_size=64, prune_amounts=(0.9,), n_boot=0)])["energy"]
    (finding,) = [f for f in points.findings if f.code == "energy.compression_widens_gap"]
    assert finding.evidence["variant"] == "pruned_90" and "point only, no interval" in finding.message
