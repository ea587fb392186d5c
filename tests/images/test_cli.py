"""Image subjects from a spec and the CLI: a user's own CNN (TorchScript) on their arrays, and a reference network."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from audit import ExitCode
from audit._spec import MSG_IMAGES_NPY, load_spec
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def _own_model(tmp_path):
    torch.manual_seed(0)
    cnn = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                              torch.nn.Linear(4 * 8 * 8, 3)).eval()
    example = torch.zeros(4, 1, 8, 8)
    exported = torch.export.export(cnn, (example,), dynamic_shapes=({0: torch.export.Dim("batch")},))
    torch.export.save(exported, str(tmp_path / "cnn.pt2"))
    rng = np.random.default_rng(0)
    images = rng.random((120, 1, 8, 8)).astype(np.float32)
    np.save(tmp_path / "images.npy", images)
    pd.DataFrame({"label": rng.integers(0, 3, 120), "group": rng.choice(["a", "b"], 120)}).to_csv(
        tmp_path / "meta.csv", index=False)
    return cnn, images


def test_a_users_own_cnn_through_the_cli(tmp_path):
    cnn, images = _own_model(tmp_path)
    (tmp_path / "spec.toml").write_text(
        '[data]\nimages = "images.npy"\nmetadata = "meta.csv"\ntarget = "label"\nsensitive_features = ["group"]\n'
        '[model]\ntorchscript = "cnn.pt2"\n[auditors]\nenabled = ["fairness", "energy"]\n'
        '[[checks]]\nmetric = "fairness.accuracy_score_difference"\nmax = 1.0\n', encoding="utf-8")
    r = run_cli("run", tmp_path / "spec.toml", "--out", tmp_path / "out")
    assert r.returncode == ExitCode.OK, r.stdout + r.stderr
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    assert doc["subject"]["modality"] == "image" and doc["subject"]["n_rows"] == 120
    statuses = {x["auditor"]: x["status"] for x in doc["results"]}
    assert (
        statuses == {"fairness": statuses["fairness"], "energy": statuses["energy"]}
        and "error" not in statuses.values()
    )
    with torch.no_grad():
        expected = cnn(torch.from_numpy(images)).argmax(1).numpy()
    meta = pd.read_csv(tmp_path / "meta.csv")
    fairness = next(x for x in doc["results"] if x["auditor"] == "fairness")
    acc = next(m for m in fairness["metrics"] if m["metric"] == "accuracy_score" and m["group"] is None
               and m.get("label") is None)
    assert acc["value"] == pytest.approx(float((expected == meta["label"].to_numpy()).mean()), abs=1e-12)


def test_an_image_reference_network_from_a_spec(tmp_path):
    (tmp_path / "spec.toml").write_text(
        '[data]\nreference = "fashion-cnn-spurious"\ntarget = "label"\nsensitive_features = ["group"]\n'
        '[auditors]\nenabled = ["fairness"]\n', encoding="utf-8")
    r = run_cli("run", tmp_path / "spec.toml", "--out", tmp_path / "out")
    assert r.returncode == ExitCode.OK, r.stdout + r.stderr
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    assert doc["subject"]["modality"] == "image" and doc["model_card"]["name"] == "fashion-cnn-spurious"


def test_bad_image_files_in_a_spec(tmp_path):
    _own_model(tmp_path)
    (tmp_path / "images.csv").write_text("x\n1\n", encoding="utf-8")
    (tmp_path / "spec.toml").write_text(
        '[data]\nimages = "images.csv"\nmetadata = "meta.csv"\ntarget = "label"\nsensitive_features = ["group"]\n'
        '[model]\ntorchscript = "cnn.pt2"\n', encoding="utf-8")
    r = run_cli("run", tmp_path / "spec.toml", "--out", tmp_path / "out")
    assert r.returncode == ExitCode.USAGE_ERROR
    spec = load_spec(tmp_path / "spec.toml")
    assert MSG_IMAGES_NPY.format(path=spec.path, images=tmp_path / "images.csv", suffix=".csv") in r.stderr
    (tmp_path / "spec.toml").write_text(
        '[data]\nimages = "images.npy"\nmetadata = "meta.csv"\ntarget = "label"\nprediction = "p"\n'
        '[model]\ntorchscript = "cnn.pt2"\n', encoding="utf-8")
    r = run_cli("run", tmp_path / "spec.toml", "--out", tmp_path / "out")
    assert r.returncode == ExitCode.USAGE_ERROR and "[data] prediction does not apply to images" in r.stderr
