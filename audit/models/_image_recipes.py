"""Recipes of the image reference networks: plain data, importable without numpy or torch (``rai-audit list``)."""
from __future__ import annotations

import copy
from types import MappingProxyType
from typing import Any

__all__ = ["GROUPS", "IMAGE_NETWORKS", "TEST_GROUP_SEED"]

#: The two appearances of the synthetic group attribute: RGB of the background and of a fully inked
#: garment pixel (see ``_fashion``).
GROUPS: dict[str, dict[str, tuple[float, float, float]]] = {
    "A": {"background": (0.55, 0.35, 0.15), "foreground": (1.0, 1.0, 1.0)},
    "B": {"background": (0.80, 0.85, 0.95), "foreground": (0.10, 0.20, 0.45)},
}
#: The seed of the test split's group draw (shared by the three networks).
TEST_GROUP_SEED = 7


def _recipe(name: str, groups: str, description: str) -> dict[str, Any]:
    return {
        "name": name, "dataset": "fashion-mnist", "task": "multiclass", "target": "label",
        "sensitive_features": ["group"], "modality": "image",
        "groups": {"train": groups, "test": "balanced", "seed": 0, "test_seed": TEST_GROUP_SEED,
                   "minority_share": 0.05, "agreement": 0.95, "appearance": copy.deepcopy(GROUPS),
                   "description": description},
        "architecture": {"type": "cnn", "channels": [12, 24], "hidden": 48, "outputs": 10,
                         "input_shape": [3, 28, 28]},
        "loss": "CrossEntropyLoss", "seed": 0, "epochs": 12, "batch_size": 64,
        "optimiser": {"name": "Adam", "lr": 2e-3, "weight_decay": 1e-4},
    }


_IMAGE = {
    "fashion-cnn": _recipe("fashion-cnn", "balanced",
                           "each training image is group A or B with probability 1/2, independently of its class."),
    "fashion-cnn-underrepresented": _recipe(
        "fashion-cnn-underrepresented", "underrepresented",
        "group B is 5 % of the training images (drawn independently of the class); the test split is "
        "balanced, so the network meets group B ten times as often as it was trained on it."),
    "fashion-cnn-spurious": _recipe(
        "fashion-cnn-spurious", "spurious",
        "classes 0-4 (T-shirt/top .. Coat) are group A and classes 5-9 (Sandal .. Ankle boot) group B for 95 % "
        "of the training images: the appearance predicts the class in training, and not in the balanced test split."),
}
#: Name -> recipe of every image reference network (read-only).
IMAGE_NETWORKS = MappingProxyType(_IMAGE)
