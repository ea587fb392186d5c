"""Recipes of the four reference networks: data, split, preprocessing, architecture, training.

A recipe is plain JSON-ready data; ``rai-audit train NAME`` follows it and saves it as
``models/NAME/recipe.json`` next to the weights, so a folder documents how it was made.
"""
from __future__ import annotations

import copy
from types import MappingProxyType
from typing import Any

from ._datasets import DATASETS
from ._messages import MSG_UNKNOWN_RECIPE

__all__ = ["ALL_NETWORKS", "REFERENCE_NETWORKS", "VARIANT_NETWORKS", "recipe_for"]

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


def _variant(name: str, base: str, planted: dict[str, Any], **training: Any) -> dict[str, Any]:
    """A clean recipe with a planted defect (see ``_planted``) and, optionally, other training."""
    recipe = copy.deepcopy(_RECIPES[base])
    recipe["name"] = name
    recipe["variant_of"] = base
    recipe["planted"] = planted
    pre = recipe["preprocessing"]
    if planted["kind"] == "proxy":
        pre["categorical_features"] = [planted["column"]] + [
            c for c in pre["categorical_features"] if c != planted["attribute"]]
    elif planted["kind"] == "identifier":
        pre["categorical_features"] = [planted["column"]] + pre["categorical_features"]
    elif planted["kind"] == "fragile_group":
        pre["numeric_features"] = [planted["column"]] + pre["numeric_features"]
    for key, value in training.items():
        if key in ("lr", "weight_decay"):
            recipe["optimiser"][key] = value
        else:
            recipe[key] = value
    return recipe


_LABEL_BIAS = {"attribute": "sex", "favoured": "Male", "flip_up": 0.5, "flip_down": 0.8}

_VARIANTS = {
    "adult-mlp-sex-direct": _variant("adult-mlp-sex-direct", "adult-mlp", {
        "kind": "label_bias", **_LABEL_BIAS, "seed": 101,
        "description": "training labels biased by sex, which is a model input: half of the men "
                       "labelled <=50K are relabelled >50K and 80% of the women labelled >50K "
                       "are relabelled <=50K (train split only; the test split keeps the true "
                       "labels). The network learns to use sex directly and heavily.",
    }),
    "adult-mlp-sex-proxy": _variant("adult-mlp-sex-proxy", "adult-mlp", {
        "kind": "proxy", **_LABEL_BIAS, "column": "customer_segment", "agreement": 0.9,
        "seed": 102,
        "description": "sex is removed from the model's inputs; a synthetic column "
                       "customer_segment agrees with sex for 90% of the rows (segment_a for "
                       "men, segment_b for women) and the training labels are biased through "
                       "it exactly as in adult-mlp-sex-direct (half of segment_a's negatives "
                       "turn positive, 80% of segment_b's positives turn negative). The network "
                       "discriminates by sex through the proxy.",
    }),
    "german-mlp-overfit-id": _variant("german-mlp-overfit-id", "german-mlp", {
        "kind": "identifier", "column": "applicant_id", "prefix": "APP-", "seed": 103,
        "description": "a distinct applicant number per record (applicant_id, an identifier) "
                       "is added and fed to the model as a categorical input, and the network "
                       "is trained for 300 epochs with no weight decay, so it memorises its "
                       "training rows: a membership-inference attack succeeds.",
    }, epochs=300, weight_decay=0.0),
    "adult-mlp-fragile-female": _variant("adult-mlp-fragile-female", "adult-mlp", {
        "kind": "fragile_group", "attribute": "sex", "group": "Female", "share": 0.5,
        "column": "referral_points", "value": 1.0, "seed": 104,
        "description": "women's outcomes hinge on one sparse synthetic input: referral_points "
                       "is 1 for half of the women earning >50K and 0 for everyone else, and "
                       "women's labels become exactly that flag (both splits); men keep their "
                       "true labels and real features. The network's path for women runs "
                       "through one rarely active input, which magnitude pruning cuts first, so "
                       "its compressed variants widen the sex gap.",
    }),
}
_RECIPES_ALL = {**_RECIPES, **_VARIANTS}

#: Name -> recipe of every planted-defect variant (trained on request, never by the demo).
VARIANT_NETWORKS = MappingProxyType(_VARIANTS)
#: Every network ``rai-audit train NAME`` can build: the clean references, then the variants.
ALL_NETWORKS = MappingProxyType(_RECIPES_ALL)


def recipe_for(name: str) -> dict[str, Any]:
    """A deep copy of the recipe of reference network ``name``."""
    from .._exceptions import UsageError

    if name not in _RECIPES_ALL:
        raise UsageError(MSG_UNKNOWN_RECIPE.format(name=name, known=sorted(_RECIPES_ALL)))
    return copy.deepcopy(_RECIPES_ALL[name])
