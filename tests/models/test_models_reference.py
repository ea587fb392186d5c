"""Loading the committed reference networks: predictions, errors, safe weight loading."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, r2_score

import audit.models as models
from audit import DataError, UsageError
from audit.models import REFERENCE_NETWORKS, load_reference, resolve_models_dir

# Measured on the committed networks (test split): adult 0.8565, compas 0.6944,
# german 0.7000 (accuracy); diabetes R^2 0.4879. Asserted a little below.
FLOORS = {"adult-mlp": 0.84, "compas-mlp": 0.67, "german-mlp": 0.68, "diabetes-mlp": 0.45}

_executed: list[str] = []


def _mark_executed() -> None:
    _executed.append("ran")


class _Payload:
    """Unpickling this would call _mark_executed: what weights_only=True must refuse."""

    def __reduce__(self):
        return (_mark_executed, ())


def test_public_api():
    assert sorted(models.__all__) == sorted(set(models.__all__))
    for name in models.__all__:
        assert hasattr(models, name), name
    assert list(REFERENCE_NETWORKS) == ["adult-mlp", "compas-mlp", "german-mlp",
                                        "diabetes-mlp"]
    for name, recipe in REFERENCE_NETWORKS.items():
        assert recipe["name"] == name
        for key in ("dataset", "split", "preprocessing", "architecture", "seed", "epochs",
                    "batch_size", "optimiser"):
            assert key in recipe, (name, key)


@pytest.mark.parametrize("name", list(REFERENCE_NETWORKS))
def test_committed_networks_predict(name, committed_models):
    net = load_reference(name, committed_models)
    assert net.name == name and not net.module.training
    test = net.test_frame()
    y = test[net.target].to_numpy()
    assert net.encode(test).shape == (len(test), net.preprocessor.n_encoded)
    pred = net.predict(test)
    assert pred.shape == (len(test),)
    assert net.feature_names == list(net.dataset.features)
    assert set(net.sensitive_features) <= set(test.columns)
    overall = net.card["metrics"]["overall"]
    if net.task == "binary":
        assert set(np.unique(pred)) <= {0, 1}
        proba = net.predict_proba(test)
        assert proba.shape == (len(test), 2)
        assert np.allclose(proba.sum(axis=1), 1.0)
        assert np.array_equal((proba[:, 1] > 0.5).astype(int), pred)
        acc = accuracy_score(y, pred)
        assert acc >= FLOORS[name]
        assert overall["accuracy"] == pytest.approx(acc, abs=1e-6)
    else:
        r2 = r2_score(y, pred)
        assert r2 >= FLOORS[name]
        assert overall["r2"] == pytest.approx(r2, abs=1e-6)
        assert abs(pred.mean() - y.mean()) < 0.2 * y.mean()  # original units
        with pytest.raises(UsageError, match="predict_proba"):
            net.predict_proba(test)


@pytest.mark.parametrize("name", list(REFERENCE_NETWORKS))
def test_committed_cards(name, committed_models):
    folder = committed_models / name
    card = json.loads((folder / "card.json").read_text())
    for key in ("intended_use", "out_of_scope_use", "data", "features",
                "sensitive_attributes", "metrics", "training_seconds", "parameter_count",
                "limitations", "ethical_considerations"):
        assert card[key], key
    recipe = json.loads((folder / "recipe.json").read_text())
    assert set(card["metrics"]["by_group"]) == set(recipe["sensitive_features"])
    for rows in card["metrics"]["by_group"].values():
        assert sum(r["count"] for r in rows) == card["metrics"]["overall"]["count"]
    assert (folder / "card.md").read_text().startswith(f"# Model card: {name}")


def test_load_by_path_and_models_dir_resolution(committed_models, monkeypatch, tmp_path):
    net = load_reference(committed_models / "german-mlp")
    assert net.name == "german-mlp" and net.folder == committed_models / "german-mlp"
    monkeypatch.delenv(models.MODELS_DIR_ENV, raising=False)
    assert resolve_models_dir() == committed_models
    monkeypatch.setenv(models.MODELS_DIR_ENV, str(tmp_path))
    assert resolve_models_dir() == tmp_path
    assert resolve_models_dir("elsewhere").name == "elsewhere"
    with pytest.raises(UsageError, match="rai-audit train german-mlp"):
        load_reference("german-mlp")  # the env var points to an empty folder


def test_unknown_name_or_path():
    with pytest.raises(UsageError, match="neither"):
        load_reference("no-such-network")


def test_missing_file_names_it_and_says_how_to_fix(committed_models, tmp_path):
    shutil.copytree(committed_models / "german-mlp", tmp_path / "german-mlp")
    (tmp_path / "german-mlp" / "preprocessor.json").unlink()
    with pytest.raises(UsageError, match="preprocessor.json") as info:
        load_reference("german-mlp", tmp_path)
    assert "rai-audit train german-mlp" in str(info.value)


def test_weights_are_loaded_with_weights_only(committed_models, tmp_path):
    folder = tmp_path / "german-mlp"
    shutil.copytree(committed_models / "german-mlp", folder)
    state = torch.load(folder / "weights.pt", weights_only=True)
    state["payload"] = _Payload()
    torch.save(state, folder / "weights.pt")
    with pytest.raises(DataError, match="weights_only=True"):
        load_reference(folder)
    assert _executed == []


def test_weights_must_fit_architecture(committed_models, tmp_path):
    folder = tmp_path / "german-mlp"
    shutil.copytree(committed_models / "german-mlp", folder)
    state = torch.load(folder / "weights.pt", weights_only=True)
    del state["0.bias"]
    torch.save(state, folder / "weights.pt")
    with pytest.raises(DataError, match="architecture"):
        load_reference(folder)
