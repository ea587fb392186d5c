"""The vendored Fashion-MNIST subset, the synthetic group attribute and the image reference networks."""
from __future__ import annotations

import json

import numpy as np
import pytest

from audit import DataError
from audit.models import IMAGE_NETWORKS
from audit.models._datasets import SHA256
from audit.models._fashion import CLASSES, draw_groups, load_fashion, render, swap


def test_subset_is_balanced_and_verified():
    x, y = load_fashion("train")
    assert x.shape == (5000, 28, 28) and x.dtype == np.uint8
    assert np.bincount(y).tolist() == [500] * 10
    xt, yt = load_fashion("test")
    assert xt.shape == (2000, 28, 28) and np.bincount(yt).tolist() == [200] * 10
    assert {k for k in SHA256 if k.startswith("fashion-mnist/")} == {
        f"fashion-mnist/{s}-{k}-idx{d}-ubyte.gz" for s in ("train", "test") for k, d in (("images", 3), ("labels", 1))}


def test_corrupt_file_is_named(tmp_path):
    from audit.models._datasets import verified_bytes

    (tmp_path / "fashion-mnist").mkdir()
    (tmp_path / "fashion-mnist" / "test-labels-idx1-ubyte.gz").write_bytes(b"not the file")
    with pytest.raises(DataError, match="checksum mismatch.*test-labels-idx1-ubyte.gz"):
        verified_bytes("fashion-mnist/test-labels-idx1-ubyte.gz", tmp_path)


def test_swap_is_the_same_garment_in_the_other_group():
    x, _ = load_fashion("test")
    a = render(x[:50], np.array(["A"] * 50, dtype=object))
    b = render(x[:50], np.array(["B"] * 50, dtype=object))
    assert a.shape == (50, 3, 28, 28) and a.dtype == np.float32
    assert not np.allclose(a, b)
    np.testing.assert_allclose(swap(a, "A", "B"), b, atol=1e-5)
    np.testing.assert_allclose(swap(b, "B", "A"), a, atol=1e-5)
    import torch

    out = swap(torch.from_numpy(a), "A", "B")
    assert isinstance(out, torch.Tensor) and out.shape == (50, 3, 28, 28)


def test_group_draws():
    labels = np.repeat(np.arange(10), 1000)
    assert abs((draw_groups(labels, "balanced", 0) == "B").mean() - 0.5) < 0.02
    assert abs((draw_groups(labels, "underrepresented", 0) == "B").mean() - 0.05) < 0.01
    g = draw_groups(labels, "spurious", 0)
    assert abs((g[labels < 5] == "A").mean() - 0.95) < 0.01 and abs((g[labels >= 5] == "B").mean() - 0.95) < 0.01
    np.testing.assert_array_equal(g, draw_groups(labels, "spurious", 0))


def test_networks_load_with_cards(fashion_nets):
    assert set(fashion_nets) == set(IMAGE_NETWORKS) == {"fashion-cnn", "fashion-cnn-underrepresented",
                                                        "fashion-cnn-spurious"}
    for name, net in fashion_nets.items():
        card = net.card
        assert card["name"] == name and card["modality"] == "image"
        assert "synthetic stand-in for a demographic attribute" in card["group_attribute"]["what_it_stands_for"]
        assert card["parameters"] == sum(p.numel() for p in net.module.parameters())
        meta = net.test_metadata()
        assert list(meta.columns) == ["image_id", "label", "label_name", "group"]
        assert meta["label_name"].tolist()[:3] == [CLASSES[k] for k in meta["label"][:3]]
        assert net.test_images().shape == (2000, 3, 28, 28)
        md = (net.folder / "card.md").read_text(encoding="utf-8")
        assert "synthetic stand-in" in md
        recipe = json.loads((net.folder / "recipe.json").read_text(encoding="utf-8"))
        assert recipe == json.loads(json.dumps(dict(IMAGE_NETWORKS[name])))
    shares = {n: net.card["data"]["group_share_in_training"]["B"] for n, net in fashion_nets.items()}
    assert 0.45 < shares["fashion-cnn"] < 0.55 and 0.03 < shares["fashion-cnn-underrepresented"] < 0.07
    # the test split is the same for all three
    metas = [net.test_metadata() for net in fashion_nets.values()]
    assert all(m.equals(metas[0]) for m in metas)


def test_card_accuracy_matches_the_weights(fashion_nets):
    import torch

    for net in fashion_nets.values():
        with torch.no_grad():
            pred = net.module(torch.from_numpy(net.test_images())).argmax(1).numpy()
        meta = net.test_metadata()
        for g, row in net.card["metrics"]["by_group"]["group"].items():
            m = meta["group"].to_numpy() == g
            assert row["accuracy"] == pytest.approx(float((pred[m] == meta["label"].to_numpy()[m]).mean()), abs=1e-6)


def test_missing_network_folder_says_train(tmp_path):
    from audit import UsageError
    from audit.models import load_image_reference

    with pytest.raises(UsageError, match="rai-audit train fashion-cnn"):
        load_image_reference("fashion-cnn", models_dir=tmp_path)
