"""Counterfactual auditor: prediction change when only the group attribute of an input is swapped.

>>> report = audit.run(images, model=cnn, metadata=frame, target="label", sensitive_features=["group"],
...                    auditors=[CounterfactualAuditor(swap=my_swap)])              # doctest: +SKIP
>>> report["counterfactual"].metrics                                                # doctest: +SKIP
"""
from __future__ import annotations

from . import _messages as messages
from ._auditor import METRICS, CounterfactualAuditor

__all__ = ["CounterfactualAuditor", "METRICS", "messages"]
