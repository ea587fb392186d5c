"""The reference architecture: a small fully connected network (``nn.Sequential``).

A plain ``nn.Sequential`` of ``Linear`` and ``ReLU`` layers keeps the ``state_dict`` keys
simple (``0.weight``, ``0.bias``, ...) and works unchanged with attribution libraries.
"""
from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from typing import Any

from torch import nn

from .._exceptions import UsageError
from ._messages import (
    MSG_ACTIVATION,
    MSG_ARCHITECTURE_TYPE,
    MSG_LAYER_SIZES,
)

__all__ = ["build_from_recipe", "build_mlp", "parameter_count"]

_ACTIVATIONS = {"relu": nn.ReLU}


#: The widest layer, the most hidden layers and the most parameters a recipe may ask for (checked before
#: anything is allocated: a 2**40-wide layer would otherwise be a MemoryError deep inside torch).
MAX_WIDTH = 1 << 16
MAX_LAYERS = 64
MAX_PARAMETERS = 1 << 28


def _whole(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def check_layer_sizes(n_inputs: Any, hidden: Any, n_outputs: Any) -> None:
    """Raise a UsageError unless every layer size is a whole number in range and the network is bounded."""
    bad = UsageError(MSG_LAYER_SIZES.format(max_width=MAX_WIDTH, max_layers=MAX_LAYERS, max_params=MAX_PARAMETERS,
                                            inputs=n_inputs, hidden=hidden, outputs=n_outputs))
    if not isinstance(hidden, (list, tuple)) or len(hidden) > MAX_LAYERS:
        raise bad
    sizes = [n_inputs, *hidden, n_outputs]
    if not all(_whole(v) and 1 <= v <= MAX_WIDTH for v in sizes):
        raise bad
    if sum((a + 1) * b for a, b in itertools.pairwise(sizes)) > MAX_PARAMETERS:
        raise bad


def build_mlp(n_inputs: int, hidden: Sequence[int] = (64, 32), n_outputs: int = 1,
              activation: str = "relu") -> nn.Sequential:
    """``n_inputs -> hidden[0] -> ... -> n_outputs`` with ``activation`` between layers.

    The output is a raw logit for binary tasks and a standardised value for regression.
    Initialisation uses torch's global generator: seed it first for reproducible weights.
    """
    if activation not in _ACTIVATIONS:
        raise UsageError(MSG_ACTIVATION.format(activation=activation, known=sorted(_ACTIVATIONS)))
    check_layer_sizes(n_inputs, list(hidden) if isinstance(hidden, tuple) else hidden, n_outputs)
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
        raise UsageError(MSG_ARCHITECTURE_TYPE.format(got=architecture.get('type')))
    return build_mlp(n_inputs, architecture.get("hidden", (64, 32)),
                     architecture.get("outputs", 1), architecture.get("activation", "relu"))


def parameter_count(module: nn.Module) -> int:
    """Number of scalar parameters of ``module``."""
    return int(sum(p.numel() for p in module.parameters()))
