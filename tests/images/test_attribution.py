"""Image attribution: per-group mean heatmaps, region shares, randomisation check, aggregate-only by default."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import audit
from audit import UsageError
from audit.attribution import AttributionAuditor
from audit.attribution import _images as ai


@pytest.fixture(scope="module")
def result(fashion_nets, small_fashion):
    images, meta = small_fashion
    report = audit.run(images, model=fashion_nets["fashion-cnn-spurious"].as_model(), metadata=meta, target="label",
                       sensitive_features=["group"],
                       auditors=[AttributionAuditor(max_images=60, sanity_images=10, n_steps=8)])
    return report


def test_per_group_mean_heatmaps_and_their_difference(result):
    attribution = result["attribution"]
    details = attribution.details
    assert details["modality"] == "image" and details["n_images"] == 60
    assert set(details["heatmaps"]) == {"grad_cam", "integrated_gradients", "occlusion"}
    for method, entry in details["heatmaps"].items():
        groups = {g["group"]["group"]: g for g in entry["groups"]}
        assert set(groups) == {"A", "B"} and groups["A"]["n"] + groups["B"]["n"] == 60
        a, b = np.asarray(groups["A"]["heatmap"]), np.asarray(groups["B"]["heatmap"])
        assert a.shape == (28, 28) and a.sum() == pytest.approx(1.0, abs=1e-3)  # mean of maps that sum to 1
        diff = np.asarray(entry["differences"][0]["heatmap"])
        np.testing.assert_allclose(diff, b - a, atol=1e-5)
        assert "examples" not in entry  # aggregate only by default: no single image's map
        m = attribution.metrics
        l1 = m[m["metric"] == f"{method}_group_difference_l1"]["value"].iloc[0]
        assert l1 == pytest.approx(np.abs(b - a).sum(), abs=1e-3)
    assert {f.code for f in attribution.findings} >= {"attribution.image_reading"}


def test_region_share_uses_the_reference_networks_garment_mask(result, fashion_nets, small_fashion):
    m = result["attribution"].metrics
    shares = m[m["metric"] == "occlusion_share_in_region"]
    assert len(shares) == 3 and shares["value"].between(0, 1).all()
    assert (shares["ci_low"] <= shares["value"]).all() and (shares["value"] <= shares["ci_high"]).all()


def test_randomisation_check_rows(result):
    m = result["attribution"].metrics.set_index("metric")
    for method in ai.IMAGE_METHODS:
        assert -1 <= m.loc[f"{method}_randomisation_rank_correlation", "value"] <= 1
        assert m.loc[f"{method}_randomisation_ssim", "n"] == 10


def test_examples_are_opt_in(fashion_nets, small_fashion):
    images, meta = small_fashion
    report = audit.run(images[:40], model=fashion_nets["fashion-cnn"].as_model(), metadata=meta.iloc[:40],
                       target="label", sensitive_features=["group"],
                       auditors=[AttributionAuditor(image_methods=["grad_cam"], sanity_images=0, examples=True)])
    assert len(report["attribution"].details["heatmaps"]["grad_cam"]["examples"]) == 4


def test_gate_knows_the_image_metrics():
    from audit._metric_catalog import can_report

    assert all(can_report("attribution", f"{m}_share_in_region") for m in ai.IMAGE_METHODS)


def test_ssim_of_a_map_with_itself_is_one():
    rng = np.random.default_rng(0)
    a = rng.random((28, 28))
    assert ai.ssim(a, a) == pytest.approx(1.0)
    assert ai.ssim(a, rng.random((28, 28))) < 0.5


def test_bad_options(fashion_nets, small_fashion):
    images, meta = small_fashion
    def run(**kw):
        return audit.run(images[:20], model=fashion_nets["fashion-cnn"].as_model(), metadata=meta.iloc[:20],
                                     target="label", sensitive_features=["group"], auditors=[AttributionAuditor(**kw)])
    with pytest.raises(UsageError) as err:
        run(image_methods=["lime"])
    assert str(err.value) == ai.MSG_IMAGE_METHOD.format(method="lime", methods=list(ai.IMAGE_METHODS))
    with pytest.raises(UsageError) as err:
        run(image_methods=["occlusion"], region_mask=np.ones((5, 5), bool), sanity_images=0)
    assert str(err.value) == ai.MSG_MASK_SHAPE.format(got=(5, 5), hw=(28, 28), nhw=(20, 28, 28))


def test_grad_cam_needs_a_convolution():
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 3))
    meta = pd.DataFrame({"label": np.arange(12) % 3, "group": ["a", "b"] * 6})
    with pytest.raises(UsageError) as err:
        audit.run(np.zeros((12, 1, 8, 8), np.float32), model=mlp, metadata=meta, target="label",
                  sensitive_features=["group"], auditors=[AttributionAuditor(image_methods=["grad_cam"])])
    assert str(err.value) == ai.MSG_NO_CONV


def test_html_draws_svg_heatmaps_with_escaped_labels(tmp_path, fashion_nets, small_fashion):
    images, meta = small_fashion
    meta = meta.iloc[:40].assign(group=np.where(meta["group"].iloc[:40] == "A", "<b>A</b>", "B"))
    report = audit.run(images[:40], model=fashion_nets["fashion-cnn"].as_model(), metadata=meta, target="label",
                       sensitive_features=["group"],
                       auditors=[AttributionAuditor(image_methods=["grad_cam"], sanity_images=0)])
    report.save(tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count('<figure class="heatmap">') == 3  # two groups and their difference
    assert "<b>A</b>" not in html and "&lt;b&gt;A&lt;/b&gt;" in html
    assert "<img" not in html and "data:image" not in html
