"""Loading a trained reference network from its folder, and where those folders live.

A folder ``models/<name>/`` holds ``recipe.json``, ``preprocessor.json``, ``weights.pt``
(a ``state_dict``, read with ``torch.load(..., weights_only=True)`` so loading never runs
pickled code), ``card.json`` and ``card.md``.

Where ``models/`` is (:func:`resolve_models_dir`): an explicit ``models_dir`` argument
wins; otherwise the environment variable ``RAI_AUDIT_MODELS_DIR``; otherwise, when the
package runs from a source checkout (a ``pyproject.toml`` next to the ``audit`` package),
that checkout's ``models/`` folder; otherwise ``./models`` in the working directory.
"""
from __future__ import annotations

import json
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from .._exceptions import DataError, UsageError
from ._datasets import Dataset, load_dataset
from ._messages import (
    MSG_FOLDER_INCOMPLETE,
    MSG_NETWORK_FILE_UNREADABLE,
    MSG_NOT_A_NETWORK,
    MSG_NOT_JSON_OBJECT,
    MSG_NOT_STATE_DICT,
    MSG_NOT_TRAINED,
    MSG_PROBA_NOT_BINARY,
    MSG_RECIPE_KEY,
    MSG_SPLIT,
    MSG_UNSAFE_WEIGHTS,
    MSG_WEIGHTS_ARCHITECTURE,
)
from ._network import build_from_recipe
from ._planted import plant
from ._preprocess import TabularPreprocessor
from ._recipes import ALL_NETWORKS

__all__ = ["MODELS_DIR_ENV", "REQUIRED_FILES", "ReferenceNetwork", "load_reference",
           "resolve_models_dir"]

MODELS_DIR_ENV = "RAI_AUDIT_MODELS_DIR"
#: Files every reference network folder must hold.
REQUIRED_FILES = ("recipe.json", "preprocessor.json", "weights.pt", "card.json", "card.md")


def resolve_models_dir(models_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding ``<name>/`` reference network folders (see the module doc)."""
    if models_dir is not None:
        return Path(models_dir)
    env = os.environ.get(MODELS_DIR_ENV)
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "audit").is_dir():
        return checkout / "models"
    return Path.cwd() / "models"


def check_split(split: Any) -> None:
    """Raise a UsageError unless a recipe's split has a test_size in (0, 1) and a seed in [0, 2**32)."""
    if not isinstance(split, dict):
        raise UsageError(MSG_SPLIT.format(key="", expected="a table", got=split).replace("split  must", "split must"))
    if split.get("method") == "predefined":
        return
    size, seed = split.get("test_size"), split.get("seed")
    if size is not None and not (isinstance(size, (int, float)) and not isinstance(size, bool) and 0 < size < 1):
        raise UsageError(MSG_SPLIT.format(key="test_size", expected="a number between 0 and 1", got=size))
    if seed is not None and not (isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2 ** 32):
        raise UsageError(MSG_SPLIT.format(key="seed", expected="a whole number from 0 to 2**32 - 1", got=seed))


def dataset_for_recipe(recipe: Mapping[str, Any]) -> Dataset:
    """Load the dataset and split a recipe names."""
    split = recipe.get("split", {})
    check_split(split)
    if split.get("method") == "predefined":
        dataset = load_dataset(recipe["dataset"])
    else:
        dataset = load_dataset(recipe["dataset"], test_size=split.get("test_size"),
                               seed=split.get("seed"))
    if "planted" in recipe:
        dataset = plant(dataset, recipe["planted"])
    return dataset


class ReferenceNetwork:
    """A trained reference network: module, dataset, preprocessor, recipe and card.

    ``predict`` returns class labels 0/1 (binary, threshold 0.5 on the probability) or
    values in the target's original units (regression); ``predict_proba`` returns an
    ``n x 2`` matrix of class probabilities (scikit-learn's convention).
    """

    def __init__(self, name: str, module: nn.Module, dataset: Dataset,
                 preprocessor: TabularPreprocessor, recipe: dict[str, Any],
                 card: dict[str, Any], folder: Path | None = None) -> None:
        self.name = name
        self.module = module.eval()
        self.dataset = dataset
        self.preprocessor = preprocessor
        self.recipe = recipe
        self.card = card
        self.folder = folder

    # -------------------------------------------------------------- descriptors
    @property
    def task(self) -> str:
        """``"binary"`` or ``"regression"``."""
        return self.dataset.task

    @property
    def target(self) -> str:
        """Name of the target column."""
        return self.dataset.target

    @property
    def sensitive_features(self) -> list[str]:
        """Sensitive attributes audits group by."""
        return list(self.dataset.sensitive_features)

    @property
    def feature_names(self) -> list[str]:
        """Original (unencoded) input features, in encoding order."""
        return self.preprocessor.features

    @property
    def encoded_names(self) -> list[str]:
        """Names of the encoded input columns the module sees."""
        return self.preprocessor.encoded_names

    @property
    def feature_groups(self) -> dict[str, list[int]]:
        """Original feature -> indices of its encoded columns."""
        return self.preprocessor.feature_groups

    # -------------------------------------------------------------- data
    def test_frame(self) -> pd.DataFrame:
        """The raw test split as its owner holds it, a copy.

        Features, sensitive attributes, target, then the dataset's record-keeping columns (ids,
        case numbers, dates; never model inputs).
        """
        return _with_records(self.dataset.test, self.dataset.test_records)

    def train_frame(self) -> pd.DataFrame:
        """The raw training split, with its record-keeping columns as :meth:`test_frame`; a copy."""
        return _with_records(self.dataset.train, self.dataset.train_records)

    # -------------------------------------------------------------- inference
    def encode(self, frame: pd.DataFrame) -> torch.Tensor:
        """Encode a raw frame into the float32 input tensor of :attr:`module`."""
        return torch.from_numpy(self.preprocessor.transform(frame))

    def _raw_output(self, frame: pd.DataFrame) -> np.ndarray:
        with torch.no_grad():
            out = self.module(self.encode(frame))
        return out.reshape(-1).numpy().astype(np.float64)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Labels 0/1 (binary) or predictions in original units (regression)."""
        out = self._raw_output(frame)
        if self.task == "regression":
            return self.preprocessor.unscale_target(out)
        return (out > 0.0).astype(np.int64)  # logit > 0 <=> probability > 0.5

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """``n x 2`` probabilities of classes 0 and 1 (binary networks only)."""
        if self.task != "binary":
            raise UsageError(MSG_PROBA_NOT_BINARY.format(name=self.name, task=self.task))
        p = 1.0 / (1.0 + np.exp(-self._raw_output(frame)))
        return np.column_stack([1.0 - p, p])

    def as_model(self) -> Any:
        """The network as an :class:`audit.Model`: its module behind its preprocessor, like any user's model."""
        from ..subject import Model

        scaling = self.preprocessor.target_scaling if self.task == "regression" else None
        return Model(self.module, preprocess=self.preprocessor, feature_names=self.feature_names, task=self.task,
                     classes=[0, 1] if self.task == "binary" else None,
                     output_scale=(scaling["std"], scaling["mean"]) if scaling else None,
                     metadata={"card": self.card, "recipe": self.recipe, "name": self.name,
                               "sensitive_inputs": {k: list(v) for k, v in self.dataset.sensitive_inputs.items()},
                               "n_train_rows": len(self.dataset.train)})

    def __repr__(self) -> str:
        return (f"ReferenceNetwork({self.name!r}, task={self.task!r}, "
                f"inputs={self.preprocessor.n_encoded}, folder={str(self.folder)!r})")


def _with_records(frame: pd.DataFrame, records: pd.DataFrame | None) -> pd.DataFrame:
    if records is None or records.empty and not len(records.columns):
        return frame.copy()
    return pd.concat([frame, records], axis=1)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(MSG_NETWORK_FILE_UNREADABLE.format(path=path, error=exc, name=path.parent.name)) from exc
    if not isinstance(data, dict):
        raise DataError(MSG_NOT_JSON_OBJECT.format(path=path, got=type(data).__name__))
    return data


def load_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Read a ``state_dict`` with ``weights_only=True``; anything but tensors is refused."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError) as exc:
        raise DataError(
            MSG_UNSAFE_WEIGHTS.format(path=path, error=str(exc).splitlines()[0], name=path.parent.name)
        ) from exc
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise DataError(MSG_NOT_STATE_DICT.format(path=path, got=type(state).__name__, name=path.parent.name))
    return state


def load_reference(name_or_path: str | os.PathLike[str],
                   models_dir: str | os.PathLike[str] | None = None) -> ReferenceNetwork:
    """Load a trained reference network by name (from ``models_dir``) or from a folder."""
    key = os.fspath(name_or_path)
    if key in ALL_NETWORKS:
        folder = resolve_models_dir(models_dir) / key
        if not folder.is_dir():
            raise UsageError(MSG_NOT_TRAINED.format(key=key, folder=folder))
    else:
        folder = Path(key)
        if not folder.is_dir():
            raise UsageError(MSG_NOT_A_NETWORK.format(names=", ".join(ALL_NETWORKS), files=", ".join(REQUIRED_FILES),
                                                      key=key))
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        name = key if key in ALL_NETWORKS else folder.name
        raise UsageError(MSG_FOLDER_INCOMPLETE.format(folder=folder, missing=', '.join(missing), name=name))
    recipe = _read_json(folder / "recipe.json")
    card = _read_json(folder / "card.json")
    preprocessor = TabularPreprocessor.load(folder / "preprocessor.json")
    for k in ("name", "dataset", "architecture"):
        if k not in recipe:
            raise DataError(MSG_RECIPE_KEY.format(path=folder / 'recipe.json', key=k, name=folder.name))
    dataset = dataset_for_recipe(recipe)
    with torch.random.fork_rng(devices=[]):  # the weights are overwritten: keep the caller's RNG
        module = build_from_recipe(recipe["architecture"], preprocessor.n_encoded)
    state = load_state_dict(folder / "weights.pt")
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise DataError(MSG_WEIGHTS_ARCHITECTURE.format(path=folder / "weights.pt", error=str(exc).splitlines()[0],
                                                        name=recipe["name"])) from exc
    return ReferenceNetwork(recipe["name"], module, dataset, preprocessor, recipe, card,
                            folder)
