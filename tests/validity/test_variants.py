"""Planted-defect variants: registered, rebuilt byte for byte, documented, kept out of the demo."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audit import UsageError
from audit.models import REFERENCE_NETWORKS, VARIANT_NETWORKS, load_mitigated, load_reference, plant, train
from audit.models._datasets import load_dataset

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_variants_are_separate_from_the_demo_networks():
    assert set(VARIANT_NETWORKS).isdisjoint(REFERENCE_NETWORKS)
    assert list(REFERENCE_NETWORKS) == ["adult-mlp", "compas-mlp", "german-mlp", "diabetes-mlp"]


@pytest.mark.parametrize("name", list(VARIANT_NETWORKS))
def test_committed_variant_loads_and_its_card_names_the_defect(name):
    net = load_reference(name)
    assert net.card["variant_of"] == VARIANT_NETWORKS[name]["variant_of"]
    assert net.card["planted_defect"] == VARIANT_NETWORKS[name]["planted"]
    assert "## Planted defect" in (MODELS / name / "card.md").read_text(encoding="utf-8")
    assert net.predict(net.test_frame()).shape == (len(net.test_frame()),)


def test_retraining_a_variant_gives_the_committed_weights(tmp_path):
    name = "adult-mlp-sex-proxy"
    train(name, tmp_path)
    assert (tmp_path / name / "weights.pt").read_bytes() == (MODELS / name / "weights.pt").read_bytes()
    assert (tmp_path / name / "preprocessor.json").read_bytes() == \
        (MODELS / name / "preprocessor.json").read_bytes()


def test_planting_is_seeded_and_leaves_the_clean_dataset_alone():
    clean = load_dataset("adult")
    recipe = VARIANT_NETWORKS["adult-mlp-sex-proxy"]["planted"]
    a, b = plant(clean, recipe), plant(clean, recipe)
    assert a.train.equals(b.train) and a.test.equals(b.test)
    assert "customer_segment" not in clean.train.columns and "sex" not in a.features
    assert a.test["income"].equals(clean.test["income"])  # the test split keeps its true labels
    agree = (a.train["customer_segment"] == "segment_a") == (a.train["sex"] == "Male")
    assert 0.88 < agree.mean() < 0.92


def test_unknown_planted_kind_and_mitigated_name_are_usage_errors():
    with pytest.raises(UsageError, match="unknown planted defect kind"):
        plant(load_dataset("german"), {"kind": "nope"})
    with pytest.raises(UsageError, match="unknown mitigated model"):
        load_mitigated("nope")


def test_mitigated_model_is_reproducible_and_needs_the_sensitive_column():
    a, b = load_mitigated("adult-mlp-mitigated"), load_mitigated("adult-mlp-mitigated")
    frame = a.network.test_frame().iloc[:2000]
    assert np.array_equal(a.predict(frame), b.predict(frame))
    with pytest.raises(UsageError, match="'sex'"):
        a.predict(frame.drop(columns=["sex"]))
