"""Attribution auditor: what a model relies on, per original feature and per group, through Captum.

IntegratedGradients by default for torch models, FeatureAblation (one-hot blocks switched as a
whole through Captum's ``feature_mask``) for any model; in-distribution baselines; the gap in
mean output between groups split into per-feature parts; proxies of sensitive attributes; and
checks of whether the explanation can be trusted (completeness, model randomisation, infidelity).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._exports import lazy_exports
from . import _messages as messages
from ._auditor import AttributionAuditor

__all__ = ["AttributionAuditor", "Explained", "GRADIENT_METHODS", "METHODS", "MethodSettings",
           "PERTURBATION_METHODS", "attribute", "baseline_row", "messages", "prepare", "randomisation_check"]

# The auditor class is light (torch loads when it runs); the torch-bound helpers load on first use.
__getattr__, __dir__ = lazy_exports(__name__, {
    "Explained": "._inputs:Explained", "baseline_row": "._inputs:baseline_row", "prepare": "._inputs:prepare",
    "GRADIENT_METHODS": "._methods:GRADIENT_METHODS", "METHODS": "._methods:METHODS",
    "MethodSettings": "._methods:MethodSettings", "PERTURBATION_METHODS": "._methods:PERTURBATION_METHODS",
    "attribute": "._methods:attribute", "randomisation_check": "._trust:randomisation_check",
})

if TYPE_CHECKING:
    from ._inputs import Explained, baseline_row, prepare
    from ._methods import GRADIENT_METHODS, METHODS, PERTURBATION_METHODS, MethodSettings, attribute
    from ._trust import randomisation_check
