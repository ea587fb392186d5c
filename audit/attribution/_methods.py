"""Captum attribution methods by name, returning one attribution per original feature.

Gradient methods (``integrated_gradients``, ``deeplift``, ``gradient_shap``) need a
differentiable torch module; their per-column attributions are summed, signed, over a
feature's columns. Perturbation methods (``feature_ablation``, ``feature_permutation``,
``shapley_value_sampling``) take Captum's ``feature_mask`` with one id per original feature,
so a one-hot block is switched as a whole; they run on any model through a forward function.

Memory stays bounded: rows go through in chunks of ``chunk_rows``, IntegratedGradients takes
``internal_batch_size`` and the perturbation methods ``perturbations_per_eval``.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from .._exceptions import UsageError
from . import _messages as msg
from ._inputs import Explained, group_values

__all__ = ["GRADIENT_METHODS", "PERTURBATION_METHODS", "METHODS", "ADDITIVE_METHODS", "Attribution",
           "MethodSettings", "attribute", "check_method", "forward_values"]

GRADIENT_METHODS = ("integrated_gradients", "deeplift", "gradient_shap")
PERTURBATION_METHODS = ("feature_ablation", "feature_permutation", "shapley_value_sampling")
METHODS = GRADIENT_METHODS + PERTURBATION_METHODS
#: Methods whose attributions sum to f(x) - f(baseline) (GradientShap: in expectation over
#: its background), so a gap in mean output splits exactly into per-feature parts.
ADDITIVE_METHODS = frozenset({"integrated_gradients", "deeplift", "gradient_shap", "shapley_value_sampling"})


@dataclasses.dataclass(frozen=True)
class MethodSettings:
    """Knobs of the methods (see :class:`AttributionAuditor` for their meaning)."""

    n_steps: int = 50
    internal_batch_size: int = 4096
    perturbations_per_eval: int = 16
    n_samples: int = 25
    chunk_rows: int = 4096
    seed: int = 0


@dataclasses.dataclass(frozen=True)
class Attribution:
    """Per-feature attributions of ``n`` rows and what they are measured against.

    ``values``: ``n x F`` (features in ``Explained.groups`` order). ``columns``: the per-column
    attributions (gradient methods; None for masked perturbation methods). ``output``: f(x).
    ``reference``: f(baseline) per row (for GradientShap, the mean over its background).
    ``delta``: completeness error sum(values) - (output - reference) for additive methods.
    """

    method: str
    values: np.ndarray
    columns: np.ndarray | None
    output: np.ndarray
    reference: np.ndarray
    delta: np.ndarray | None


def check_method(method: str, explained: Explained) -> None:
    """Refuse an unknown method, or a gradient method on a model without gradients."""
    if method not in METHODS:
        raise UsageError(msg.UNKNOWN_METHOD.format(method=method, known=list(METHODS)))
    if method in GRADIENT_METHODS and explained.module is None:
        raise UsageError(msg.NOT_DIFFERENTIABLE.format(method=method, kind=explained.kind,
                                                       perturbation=", ".join(PERTURBATION_METHODS)))
    if method == "deeplift" and explained.module is not None:
        _check_no_module_reuse(explained.module, explained.inputs[:2])


def _check_no_module_reuse(module: nn.Module, probe: torch.Tensor) -> None:
    """DeepLift's hooks break when one module object runs twice in a forward pass (captum#578)."""
    calls: Counter[str] = Counter()
    names = {id(m): n for n, m in module.named_modules()}
    hooks = [m.register_forward_hook(lambda mod, _i, _o: calls.update([names[id(mod)]]))
             for m in module.modules() if not list(m.children())]
    try:
        with torch.no_grad():
            module(probe)
    finally:
        for h in hooks:
            h.remove()
    for name, count in calls.items():
        if count > 1:
            raise UsageError(msg.DEEPLIFT_MODULE_REUSE.format(module=name, calls=count))


def forward_values(forward: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                   chunk_rows: int = 8192) -> np.ndarray:
    """f(x) as float64 numpy, in chunks."""
    with torch.no_grad():
        parts = [forward(x[i:i + chunk_rows]).reshape(-1) for i in range(0, len(x), chunk_rows)]
    return torch.cat(parts).to(torch.float64).numpy() if parts else np.zeros(0)


def attribute(explained: Explained, method: str, inputs: torch.Tensor, baseline: torch.Tensor,
              settings: MethodSettings, *, background: torch.Tensor | None = None,
              module: nn.Module | None = None) -> Attribution:
    """Run one Captum method on ``inputs`` and return per-feature attributions.

    ``module`` replaces the explained module (the randomisation check passes re-initialised
    copies); ``background`` is GradientShap's baseline distribution.
    """
    import captum.attr as ca

    check_method(method, explained)
    forward: Any = module if module is not None else (explained.module or explained.forward)
    mask = explained.feature_mask
    n_features = len(explained.groups)
    col_parts, feat_parts, delta_parts = [], [], []
    numpy_state = np.random.get_state()  # Captum's GradientShap draws its interpolation points from numpy's
    np.random.seed(settings.seed)         # global generator: seeded here, restored after, as torch's is
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(settings.seed)
            for start in range(0, len(inputs), settings.chunk_rows):
                x = inputs[start:start + settings.chunk_rows]
                delta = None
                if method == "integrated_gradients":
                    a, delta = ca.IntegratedGradients(forward).attribute(
                        x, baselines=baseline, target=0, n_steps=settings.n_steps,
                        internal_batch_size=settings.internal_batch_size, return_convergence_delta=True)
                elif method == "deeplift":
                    a, delta = ca.DeepLift(forward).attribute(x, baselines=baseline, target=0,
                                                              return_convergence_delta=True)
                elif method == "gradient_shap":
                    bg = background if background is not None else baseline
                    a = ca.GradientShap(forward).attribute(x, baselines=bg, target=0, n_samples=settings.n_samples)
                elif method == "feature_ablation":
                    a = ca.FeatureAblation(forward).attribute(
                        x, baselines=baseline, target=0, feature_mask=mask,
                        perturbations_per_eval=min(settings.perturbations_per_eval, n_features))
                elif method == "feature_permutation":
                    a = ca.FeaturePermutation(forward).attribute(
                        x, target=0, feature_mask=mask,
                        perturbations_per_eval=min(settings.perturbations_per_eval, n_features))
                else:  # shapley_value_sampling
                    a = ca.ShapleyValueSampling(forward).attribute(
                        x, baselines=baseline, target=0, feature_mask=mask, n_samples=settings.n_samples,
                        perturbations_per_eval=min(settings.perturbations_per_eval, n_features))
                a = a.detach().to(torch.float64).numpy()
                if method in GRADIENT_METHODS:
                    col_parts.append(a)
                    feat_parts.append(group_values(a, explained.groups, copied=False))
                else:
                    feat_parts.append(group_values(a, explained.groups, copied=True))
                if delta is not None:
                    delta_parts.append(delta.detach().to(torch.float64).reshape(-1).numpy())
    finally:
        np.random.set_state(numpy_state)
    values = np.concatenate(feat_parts) if feat_parts else np.zeros((0, n_features))
    columns = np.concatenate(col_parts) if col_parts else None
    output = forward_values(forward, inputs)
    if method == "gradient_shap":
        bg = background if background is not None else baseline
        reference = np.full(len(inputs), float(forward_values(forward, bg).mean()))
    else:
        reference = np.full(len(inputs), float(forward_values(forward, baseline)[0]))
    if delta_parts:
        delta_all = np.concatenate(delta_parts)
    elif method in ADDITIVE_METHODS:
        delta_all = values.sum(axis=1) - (output - reference)
    else:
        delta_all = None
    return Attribution(method, values, columns, output, reference, delta_all)
