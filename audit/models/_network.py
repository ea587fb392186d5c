"""The reference architecture: a small fully connected network (``nn.Sequential``).

A plain ``nn.Sequential`` of ``Linear`` and ``ReLU`` layers keeps the ``state_dict`` keys
simple (``0.weight``, ``0.bias``, ...) and works unchanged with attribution libraries.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import nn

from .._exceptions import UsageError

__all__ = ["build_from_recipe", "build_mlp", "parameter_count"]

_ACTIVATIONS = {"relu": nn.ReLU}


def build_mlp(n_inputs: int, hidden: Sequence[int] = (64, 32), n_outputs: int = 1,
              activation: str = "relu") -> nn.Sequential:
    """``n_inputs -> hidden[0] -> ... -> n_outputs`` with ``activation`` between layers.

    The output is a raw logit for binary tasks and a standardised value for regression.
    Initialisation uses torch's global generator: seed it first for reproducible weights.
    """
    if activation not in _ACTIVATIONS:
        raise UsageError(f"unknown activation {activation!r}; expected one of "
                         f"{sorted(_ACTIVATIONS)}")
    if n_inputs < 1 or n_outputs < 1 or any(int(h) < 1 for h in hidden):
        raise UsageError(f"layer sizes must be positive; got inputs={n_inputs}, "
                         f"hidden={list(hidden)}, outputs={n_outputs}")
    layers: list[nn.Module] = []
    width = int(n_inputs)
    for h in hidden:
        layers += [nn.Linear(width, int(h)), _ACTIVATIONS[activation]()]
        width = int(h)
    layers.append(nn.Linear(width, int(n_outputs)))
    return nn.Sequential(*layers)


def build_from_recipe(architecture: dict[str, Any], n_inputs: int) -> nn.Sequential:
    """Build the network a recipe's ``architecture`` entry describes."""
    if architecture.get("type") != "mlp":
        raise UsageError(f"unsupported architecture type {architecture.get('type')!r}; "
                         "expected 'mlp'")
    return build_mlp(n_inputs, architecture.get("hidden", (64, 32)),
                     architecture.get("outputs", 1), architecture.get("activation", "relu"))


def parameter_count(module: nn.Module) -> int:
    """Number of scalar parameters of ``module``."""
    return int(sum(p.numel() for p in module.parameters()))
