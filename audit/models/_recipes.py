"""Recipes of the four reference networks: data, split, preprocessing, architecture, training.

A recipe is plain JSON-ready data; ``rai-audit train NAME`` follows it and saves it as
``models/NAME/recipe.json`` next to the weights, so a folder documents how it was made.
"""
from __future__ import annotations

import copy
from types import MappingProxyType
from typing import Any

from ._datasets import DATASETS

__all__ = ["REFERENCE_NETWORKS", "recipe_for"]

_PREPROCESSING = {
    "fitted_on": "train split only",
    "categorical": "one-hot; a missing value is its own category '(missing)'; a category "
                   "unseen in training encodes as all zeros",
    "numeric": "missing values imputed with the training median, then standardised with "
               "the training mean and standard deviation",
}


def _recipe(name: str, dataset: str, *, epochs: int, batch_size: int, lr: float,
            weight_decay: float = 0.0, hidden: tuple[int, ...] = (64, 32)) -> dict[str, Any]:
    spec = DATASETS[dataset]
    regression = spec["task"] == "regression"
    split = {"method": "predefined", "train_file": "adult.data", "test_file": "adult.test"} \
        if dataset == "adult" else {
            "method": "random" if regression else "stratified_random",
            **({} if regression else {"stratify": spec["target"]}),
            **spec["split"]}
    preprocessing = dict(_PREPROCESSING, categorical_features=list(spec["categorical"]),
                         numeric_features=list(spec["numeric"]))
    if regression:
        preprocessing["target"] = "standardised with the training mean and std; " \
                                  "predictions mapped back to original units"
    return {
        "name": name,
        "dataset": dataset,
        "task": spec["task"],
        "target": spec["target"],
        "sensitive_features": list(spec["sensitive"]),
        "split": split,
        "preprocessing": preprocessing,
        "architecture": {"type": "mlp", "hidden": list(hidden), "activation": "relu",
                         "outputs": 1},
        "loss": "MSELoss" if regression else "BCEWithLogitsLoss",
        "seed": 0,
        "epochs": epochs,
        "batch_size": batch_size,
        "optimiser": {"name": "Adam", "lr": lr, "weight_decay": weight_decay},
        "decision_threshold": None if regression else 0.5,
    }


_RECIPES = {
    "adult-mlp": _recipe("adult-mlp", "adult", epochs=8, batch_size=256, lr=1e-3),
    "compas-mlp": _recipe("compas-mlp", "compas", epochs=15, batch_size=128, lr=1e-3),
    "german-mlp": _recipe("german-mlp", "german", epochs=20, batch_size=32, lr=1e-3,
                          weight_decay=1e-2),
    "diabetes-mlp": _recipe("diabetes-mlp", "diabetes", epochs=20, batch_size=32,
                            lr=1e-3, weight_decay=1e-4),
}

#: Name -> recipe of every reference network (read-only view; use :func:`recipe_for`
#: for a mutable copy).
REFERENCE_NETWORKS = MappingProxyType(_RECIPES)


def recipe_for(name: str) -> dict[str, Any]:
    """A deep copy of the recipe of reference network ``name``."""
    from .._exceptions import UsageError

    if name not in _RECIPES:
        raise UsageError(f"unknown reference network {name!r}; expected one of "
                         f"{sorted(_RECIPES)}")
    return copy.deepcopy(_RECIPES[name])
