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
    # two 3x3 convolutions and two linear layers: multiply-adds counted as 2 FLOPs each
    macs = 28 * 28 * 8 * 3 * 9 + 14 * 14 * 16 * 8 * 9 + 784 * 32 + 32 * 10
    assert m.loc["flops_per_prediction", "value"] == pytest.approx(2 * macs, rel=1e-6)
    table = {row["variant"]: row for row in result.details["compression"]}
    assert set(table) == {"original", "int8_dynamic", "pruned_50", "pruned_80"}
    assert table["pruned_50"]["density"] == pytest.approx(0.5, abs=1e-3)  # convolutions are pruned too
    original = {tuple(r["group"].items()): r["value"] for r in table["original"]["by_group"]}
    assert set(original) == {(("group", "A"),), (("group", "B"),)}
    assert any("convolutions stay float32" in f.message for f in result.findings)
