"""Image reference networks: a small CNN on Fashion-MNIST with a synthetic group attribute.

Three networks share one architecture, one seed and one training schedule and differ only in
how the group attribute (``_fashion``: appearance A or B) is drawn for the training images:

- ``fashion-cnn``: balanced, independent of the class (the clean reference);
- ``fashion-cnn-underrepresented``: group B is 5 % of training (the seed's face-recognition
  failure: a system trained mostly on one group);
- ``fashion-cnn-spurious``: classes 0-4 are mostly A and 5-9 mostly B (95 %), so the
  appearance predicts the class in training and the network learns the shortcut.

The test split is the same for all three: balanced groups drawn independently of the class.
Training is deterministic (the tabular networks' ``_Deterministic`` context: one thread,
forked RNG, deterministic algorithms); the weights are committed in ``models/<name>/``.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from ._fashion import CLASSES, GROUPS, draw_groups, garment_mask, load_fashion, render, swap
from ._image_recipes import _IMAGE, IMAGE_NETWORKS
from ._messages import (
    MSG_CNN_ARCHITECTURE,
    MSG_IMAGE_FOLDER_INCOMPLETE,
    MSG_IMAGE_FOLDER_UNREADABLE,
    MSG_IMAGE_NOT_A_NETWORK,
    MSG_IMAGE_NOT_TRAINED,
    MSG_UNKNOWN_IMAGE_NETWORK,
    MSG_WEIGHTS_ARCHITECTURE,
)

__all__ = ["IMAGE_NETWORKS", "ImageReferenceNetwork", "build_cnn", "load_image_reference", "train_image",
           "IMAGE_FILES"]

#: Files every image reference network folder holds.
IMAGE_FILES = ("recipe.json", "weights.pt", "card.json", "card.md")


def build_cnn(architecture: dict[str, Any]) -> Any:
    """The reference CNN as an ``nn.Sequential``.

    conv(3->c1) ReLU maxpool, conv(c1->c2) ReLU maxpool, Linear(hidden) ReLU, Linear(outputs).
    """
    from torch import nn

    if architecture.get("type") != "cnn":
        raise UsageError(MSG_CNN_ARCHITECTURE.format(got=architecture.get('type')))
    c1, c2 = (int(c) for c in architecture["channels"])
    channels, height, width = (int(v) for v in architecture["input_shape"])
    hidden, outputs = int(architecture["hidden"]), int(architecture["outputs"])
    return nn.Sequential(
        nn.Conv2d(channels, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * (height // 4) * (width // 4), hidden), nn.ReLU(), nn.Linear(hidden, outputs))


def _groups_for(recipe: dict[str, Any], labels: np.ndarray, split: str) -> np.ndarray:
    g = recipe["groups"]
    kind = g["train"] if split == "train" else g["test"]
    seed = int(g["seed"] if split == "train" else g["test_seed"])
    return draw_groups(labels, kind, seed, minority_share=g["minority_share"], agreement=g["agreement"])


class ImageReferenceNetwork:
    """A trained image reference network: its module, recipe, card, test images and their metadata."""

    swap = staticmethod(swap)

    def __init__(self, name: str, module: Any, recipe: dict[str, Any], card: dict[str, Any],
                 folder: Path | None = None) -> None:
        self.name = name
        self.module = module.eval()
        self.recipe = recipe
        self.card = card
        self.folder = folder

    def _split(self, split: str) -> tuple[np.ndarray, pd.DataFrame]:
        gray, labels = load_fashion(split)
        groups = _groups_for(self.recipe, labels, split)
        meta = pd.DataFrame({"image_id": [f"{split}-{i:05d}" for i in range(len(labels))],
                             "label": labels, "label_name": [CLASSES[k] for k in labels], "group": groups})
        return render(gray, groups), meta

    def test_images(self) -> np.ndarray:
        """The test split as the network sees it: float32 ``(n, 3, 28, 28)``."""
        return self._split("test")[0]

    def test_metadata(self) -> pd.DataFrame:
        """One row per test image: ``image_id``, ``label``, ``label_name``, ``group``."""
        return self._split("test")[1]

    def train_images(self) -> np.ndarray:
        return self._split("train")[0]

    def train_metadata(self) -> pd.DataFrame:
        return self._split("train")[1]

    def as_model(self) -> Any:
        """The network as an :class:`audit.Model` (ten classes, logits out)."""
        from ..subject import Model

        return Model(self.module, task="multiclass", classes=list(range(len(CLASSES))),
                     metadata={"card": self.card, "recipe": self.recipe, "name": self.name, "swap": swap,
                               "region_mask": garment_mask,
                               "n_train_rows": int(self.card.get("data", {}).get("rows", {}).get("train", 0)) or None})

    def __repr__(self) -> str:
        return f"ImageReferenceNetwork({self.name!r}, folder={str(self.folder)!r})"


def _fit(recipe: dict[str, Any], x: Any, y: Any) -> Any:
    import torch
    from torch import nn

    from ._train import _Deterministic

    with _Deterministic():
        seed = int(recipe["seed"])
        torch.manual_seed(seed)
        module = build_cnn(recipe["architecture"])
        opt = recipe["optimiser"]
        optimiser = torch.optim.Adam(module.parameters(), lr=float(opt["lr"]),
                                     weight_decay=float(opt.get("weight_decay", 0.0)))
        generator = torch.Generator().manual_seed(seed)
        batch = int(recipe["batch_size"])
        module.train()
        for _ in range(int(recipe["epochs"])):
            order = torch.randperm(len(x), generator=generator)
            for start in range(0, len(x), batch):
                idx = order[start:start + batch]
                optimiser.zero_grad(set_to_none=True)
                nn.functional.cross_entropy(module(x[idx]), y[idx]).backward()
                optimiser.step()
        return module.eval()


def _predict(module: Any, images: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        return np.concatenate([module(torch.from_numpy(images[i:i + 512])).argmax(1).numpy()
                               for i in range(0, len(images), 512)])


def _card(recipe: dict[str, Any], n_params: int, meta_train: pd.DataFrame, meta_test: pd.DataFrame,
          y_pred: np.ndarray, seconds: float) -> dict[str, Any]:
    from ._card import _round
    from ._datasets import SHA256

    correct = y_pred == meta_test["label"].to_numpy()
    by_group = {str(g): {"count": int(m.sum()), "accuracy": float(correct[m].mean())}
                for g in sorted(GROUPS) for m in [meta_test["group"].to_numpy() == g]}
    train_share = {str(g): float((meta_train["group"] == g).mean()) for g in sorted(GROUPS)}
    return _round({
        "format": "rai-audit.model-card/1",
        "name": recipe["name"], "task": "multiclass", "modality": "image",
        "intended_use": ["A reference subject for rai-audit's image auditing: a known, reproducible image "
                         "classifier with a planted (or absent) group defect, to demonstrate, test and calibrate "
                         "the fairness and counterfactual auditors on images.", "Teaching and research."],
        "data": {"dataset": "fashion-mnist", "title": "Fashion-MNIST (vendored subset)",
                 "source": "Zalando Research; Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747",
                 "licence": "MIT (Expat), Copyright 2017 Zalando SE",
                 "rows": {"train": int(len(meta_train)), "test": int(len(meta_test))},
                 "vendored_files_sha256": {k: v for k, v in SHA256.items() if k.startswith("fashion-mnist/")},
                 "group_share_in_training": train_share},
        "group_attribute": {
            "name": "group", "values": sorted(GROUPS), "appearance": recipe["groups"]["appearance"],
            "how_drawn_in_training": recipe["groups"]["description"],
            "what_it_stands_for": (
                "The group is a synthetic stand-in for a demographic attribute: a change of appearance "
                "(background and garment colour, contrast) that is not the class, as skin tone or lighting "
                "changes a photograph and not who is in it. No face dataset with demographic labels can be "
                "shipped with the package or downloaded where it is built, and a synthetic attribute has a "
                "known ground truth: what the network was trained on is written here.")},
        "architecture": recipe["architecture"], "parameters": int(n_params),
        "training": {"seed": recipe["seed"], "epochs": recipe["epochs"], "batch_size": recipe["batch_size"],
                     "optimiser": recipe["optimiser"], "loss": recipe["loss"], "deterministic": True,
                     "training_seconds": round(seconds, 1)},
        "metrics": {"overall": {"count": int(len(correct)), "accuracy": float(correct.mean())},
                    "by_group": {"group": by_group}},
        "limitations": ["28x28 garments are not faces: the audit method carries over, the figures do not.",
                        "Two synthetic groups; real demographic attributes are many-valued, intersectional and "
                        "not cleanly separable from the content of an image."],
        "ethical_considerations": ["Do not read the group names as people: they label two renderings."],
    })


def _card_markdown(card: dict[str, Any]) -> str:
    groups = card["metrics"]["by_group"]["group"]
    lines = [f"# Model card: {card['name']}", "", card["group_attribute"]["what_it_stands_for"], "",
             f"Training groups: {card['group_attribute']['how_drawn_in_training']}", "",
             f"Data: {card['data']['title']} ({card['data']['licence']}); {card['data']['rows']['train']:,} "
             f"training and {card['data']['rows']['test']:,} test images.", "",
             f"Architecture: small CNN, {card['parameters']:,} parameters.", "",
             "| group | test images | accuracy |", "|---|---|---|"]
    lines += [f"| {g} | {v['count']:,} | {v['accuracy']:.3f} |" for g, v in groups.items()]
    lines += [f"| overall | {card['metrics']['overall']['count']:,} | {card['metrics']['overall']['accuracy']:.3f} |",
              "", "## Limitations", *[f"- {x}" for x in card["limitations"]], ""]
    return "\n".join(lines)


def train_image(name: str, models_dir: str | os.PathLike[str] | None = None) -> ImageReferenceNetwork:
    """Train image reference network ``name`` into ``models_dir/name/`` (written atomically) and load it."""
    import torch

    from ._reference import resolve_models_dir
    from ._train import _replace_dir, _write_json

    if name not in _IMAGE:
        raise UsageError(MSG_UNKNOWN_IMAGE_NETWORK.format(name=name, known=sorted(_IMAGE)))
    recipe = copy.deepcopy(_IMAGE[name])
    root = resolve_models_dir(models_dir)
    root.mkdir(parents=True, exist_ok=True)
    probe = ImageReferenceNetwork(name, build_cnn(recipe["architecture"]), recipe, {})
    x_train, meta_train = probe._split("train")
    started = time.perf_counter()
    module = _fit(recipe, torch.from_numpy(x_train), torch.from_numpy(np.array(meta_train["label"], dtype=np.int64)))
    seconds = time.perf_counter() - started
    x_test, meta_test = probe._split("test")
    n_params = int(sum(p.numel() for p in module.parameters()))
    card = _card(recipe, n_params, meta_train, meta_test, _predict(module, x_test), seconds)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=root))
    try:
        _write_json(tmp / "recipe.json", recipe)
        torch.save({k: v.detach().clone() for k, v in module.state_dict().items()}, tmp / "weights.pt")
        _write_json(tmp / "card.json", card)
        (tmp / "card.md").write_text(_card_markdown(card), encoding="utf-8")
        os.chmod(tmp, 0o755)  # noqa: S103 - a model folder others read, like any installed package data
        _replace_dir(tmp, root / name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return load_image_reference(name, models_dir)


def load_image_reference(name_or_path: str | os.PathLike[str],
                         models_dir: str | os.PathLike[str] | None = None) -> ImageReferenceNetwork:
    """Load a trained image reference network by name (from ``models_dir``) or from its folder."""
    import torch

    from ._reference import load_state_dict, resolve_models_dir

    key = os.fspath(name_or_path)
    folder = resolve_models_dir(models_dir) / key if key in _IMAGE else Path(key)
    if not folder.is_dir():
        if key in _IMAGE:
            raise UsageError(MSG_IMAGE_NOT_TRAINED.format(key=key, folder=folder))
        raise UsageError(MSG_IMAGE_NOT_A_NETWORK.format(names=", ".join(_IMAGE), key=key))
    missing = [f for f in IMAGE_FILES if not (folder / f).is_file()]
    if missing:
        raise UsageError(MSG_IMAGE_FOLDER_INCOMPLETE.format(folder=folder, missing=", ".join(missing),
                                                            name=folder.name))
    try:
        recipe = json.loads((folder / "recipe.json").read_text(encoding="utf-8"))
        card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(MSG_IMAGE_FOLDER_UNREADABLE.format(folder=folder, error=exc, name=folder.name)) from exc
    with torch.random.fork_rng(devices=[]):
        module = build_cnn(recipe["architecture"])
    try:
        module.load_state_dict(load_state_dict(folder / "weights.pt"), strict=True)
    except RuntimeError as exc:
        raise DataError(MSG_WEIGHTS_ARCHITECTURE.format(
            path=folder / "weights.pt", error=str(exc).splitlines()[0], name=folder.name)) from exc
    return ImageReferenceNetwork(recipe["name"], module, recipe, card, folder)
