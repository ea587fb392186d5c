"""Can the explanation be trusted? Completeness, model randomisation, infidelity.

- Completeness: for additive methods, sum of attributions = f(x) - f(baseline); the error
  relative to |f(x) - f(baseline)| says whether IG's quadrature has enough steps.
- Model-parameter randomisation (Adebayo et al. 2018): re-initialise the network's layers
  from the top, cumulatively, and re-explain. An explanation that still looks the same
  once the weights are random describes the input, not the model: it fails.
- Infidelity (Yeh et al. 2019, ``captum.metrics.infidelity``): how well attributions predict
  the output change when random subsets of features are set to the baseline, normalised,
  against the same figure for random attributions (a ratio >= 1 is no better than chance).
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from ..subject import is_keras
from ._analysis import rank_correlation

__all__ = ["completeness_summary", "randomisation_check", "infidelity_ratio", "reinitialisable_layers"]


def completeness_summary(delta: np.ndarray, output: np.ndarray, reference: np.ndarray,
                         floor: float = 1e-6) -> dict[str, float | int]:
    """Median absolute and median relative completeness error (rows with |f(x)-f(b)| > floor)."""
    change = np.abs(output - reference)
    keep = change > floor
    rel = np.abs(delta[keep]) / change[keep]
    return {"median_abs": float(np.median(np.abs(delta))) if len(delta) else math.nan,
            "median_relative": float(np.median(rel)) if len(rel) else math.nan,
            "p90_relative": float(np.quantile(rel, 0.9)) if len(rel) else math.nan,
            "n": int(keep.sum())}


def reinitialisable_layers(module: nn.Module) -> list[str]:
    """Names of the parametrised leaf modules, output side first (the cascade's order)."""
    names = [n for n, m in module.named_modules()
             if not list(m.children()) and hasattr(m, "reset_parameters") and any(True for _ in m.parameters())]
    return names[::-1]


def _cascade(module: Any, seed: int) -> Iterator[tuple[str, Any]]:
    """Copies of ``module`` with one more layer re-initialised at each step, output side first.

    A torch module's layers are reset with their own ``reset_parameters``; a Keras 3 model
    (on the torch backend) takes each layer's weights from a clone freshly initialised by
    ``keras.models.clone_model``, as Keras initialises a new model.
    """
    if is_keras(module):
        import random

        import keras

        state = random.getstate(), np.random.get_state()
        with torch.random.fork_rng(devices=[]):  # Keras seeds Python's, numpy's and torch's generators
            keras.utils.set_random_seed(int(seed))
            fresh = keras.models.clone_model(module)
            randomised = keras.models.clone_model(module)
        random.setstate(state[0])
        np.random.set_state(state[1])
        randomised.set_weights(module.get_weights())
        for layer in [la for la in module.layers if la.weights][::-1]:
            randomised.get_layer(layer.name).set_weights(fresh.get_layer(layer.name).get_weights())
            yield layer.name, randomised
        return
    randomised = copy.deepcopy(module)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for name in reinitialisable_layers(module):
            randomised.get_submodule(name).reset_parameters()
            yield name, randomised



def _similarity(before: np.ndarray, after: np.ndarray, active: np.ndarray) -> tuple[float, float]:
    """Global and median per-row Spearman of |attr|, over the features a row moves off the baseline.

    A feature at its baseline value gets zero attribution from every baseline method under any
    model (the dummy axiom), so those zeros are left out: they would make any two models look
    alike. Global importance is the mean |attr| over the rows where the feature is active.
    """
    counts = np.maximum(active.sum(axis=0), 1)
    glob = rank_correlation((np.abs(before) * active).sum(axis=0) / counts,
                            (np.abs(after) * active).sum(axis=0) / counts)
    rows = [rank_correlation(np.abs(b[m]), np.abs(a[m]))
            for b, a, m in zip(before, after, active, strict=True) if m.sum() >= 3]
    rows = [r for r in rows if not math.isnan(r)]
    return glob, (float(np.median(rows)) if rows else math.nan)


def randomisation_check(explain: Callable[[nn.Module], np.ndarray], module: nn.Module, *, seed: int,
                        threshold: float, active: np.ndarray | None = None) -> dict[str, Any]:
    """Cascading model-parameter randomisation of ``module`` (never modified: copies are).

    ``explain(m)`` returns per-feature attributions of a fixed sample under module ``m``;
    ``active`` (rows x features, bool) marks features that differ from the baseline (default all).
    Verdict ``fail`` when, with every layer re-initialised, the attributions still rank
    features alike: global or median per-row Spearman of |attr| at or above ``threshold``.
    """
    before = explain(module)
    active = np.ones(before.shape, dtype=bool) if active is None else np.asarray(active, dtype=bool)
    steps: list[dict[str, Any]] = []
    for name, randomised in _cascade(module, seed):
        glob, per_row = _similarity(before, explain(randomised), active)
        steps.append({"layer": name, "global_spearman": glob, "row_spearman_median": per_row})
    if not steps:
        return {"verdict": "not_applicable", "steps": [], "threshold": threshold,
                "reason": "the model has no layers with parameters to re-initialise"}
    last = steps[-1]
    finals = [float(v) for v in (last["global_spearman"], last["row_spearman_median"]) if not math.isnan(v)]
    worst = max(finals) if finals else 1.0
    return {"verdict": "fail" if worst >= threshold else "pass", "steps": steps, "threshold": threshold,
            "similarity_after_full_randomisation": worst}


def infidelity_ratio(forward: Callable[[torch.Tensor], torch.Tensor], inputs: torch.Tensor, values: np.ndarray,
                     groups: Sequence[Sequence[int]], baseline: torch.Tensor, *, seed: int,
                     n_perturb_samples: int = 10) -> dict[str, float]:
    """Normalised infidelity of per-feature attributions under feature-removal perturbations.

    Each perturbation sets a random half of the features (a one-hot block as a whole) to the
    baseline; a faithful attribution predicts the output drop by the sum of the removed
    features' attributions. The same figure for random attributions is the control.
    """
    from captum.metrics import infidelity

    n_features = len(groups)
    d = inputs.shape[1]
    expand = torch.zeros((n_features, d))
    first = torch.zeros((n_features, d))
    for j, cols in enumerate(groups):
        expand[j, list(cols)] = 1.0
        first[j, cols[0]] = 1.0

    def perturb(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        removed = (torch.rand((x.shape[0], n_features)) < 0.5).to(x.dtype) @ expand
        return removed, x * (1 - removed) + baseline * removed

    # one column per feature carries its attribution, so the indicator picks it up once
    attr = torch.from_numpy(values.astype(np.float32)) @ first
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        rand = torch.randn((len(values), n_features)) @ first
        torch.manual_seed(seed + 1)
        value = infidelity(forward, perturb, inputs, attr, target=0, n_perturb_samples=n_perturb_samples,
                           normalize=True)
        torch.manual_seed(seed + 1)
        control = infidelity(forward, perturb, inputs, rand, target=0, n_perturb_samples=n_perturb_samples,
                             normalize=True)
    v, c = float(value.median()), float(control.median())
    return {"infidelity": v, "random_infidelity": c, "ratio": v / c if c > 0 else math.nan}
