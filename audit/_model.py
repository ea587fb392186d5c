"""Adapters that give every supported model one interface: predictions and scores for a frame.

Supported: scikit-learn style estimators (``predict``, optional ``predict_proba``), torch
``nn.Module`` over numeric feature columns, and rai-audit reference networks (which carry
their own preprocessing).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._exceptions import UsageError

__all__ = ["ModelAdapter", "adapt_model", "MSG_UNSUPPORTED_MODEL", "MSG_NON_NUMERIC_FEATURES"]

MSG_UNSUPPORTED_MODEL = ("model of type {type} is not supported; expected a torch nn.Module, a scikit-learn "
                         "style estimator with predict(), or a rai-audit reference network.")
MSG_NON_NUMERIC_FEATURES = ("feature column(s) {columns} are not numeric, so a torch nn.Module cannot take them; "
                            "encode them first or pass features=[...] naming numeric columns only.")
_BATCH = 8192


class ModelAdapter:
    """Uniform access to a model: ``predict`` gives labels or values, ``score`` positive-class scores."""

    def __init__(self, model: Any, kind: str) -> None:
        self.model = model
        self.kind = kind

    # -- description ---------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        cls = type(self.model)
        return {"kind": self.kind, "class": f"{cls.__module__}.{cls.__qualname__}",
                "n_parameters": self.n_parameters()}

    def torch_module(self) -> Any | None:
        """The underlying torch module, if any (for attribution and energy auditors)."""
        if self.kind == "reference":
            return self.model.module
        if self.kind == "torch":
            return self.model
        return None

    def n_parameters(self) -> int | None:
        module = self.torch_module()
        if module is None:
            return None
        return int(sum(p.numel() for p in module.parameters()))

    # -- inference -----------------------------------------------------------------------
    def predict(self, frame: pd.DataFrame, features: Sequence[str], task: str) -> np.ndarray:
        if self.kind in ("reference", "sklearn"):
            X = frame if self.kind == "reference" else frame.loc[:, list(features)]
            return np.asarray(self.model.predict(X))
        out = self._torch_forward(frame, features)
        if task == "regression":
            return out.reshape(len(frame), -1)[:, 0]
        if out.ndim == 1 or out.shape[1] == 1:
            return (out.reshape(-1) > 0).astype(np.int64)
        return out.argmax(axis=1).astype(np.int64)

    def score(self, frame: pd.DataFrame, features: Sequence[str], task: str) -> np.ndarray | None:
        """Scores for the positive class (binary) or None when the model gives none."""
        if task != "binary":
            return None
        if self.kind in ("reference", "sklearn"):
            if not hasattr(self.model, "predict_proba"):
                return None
            X = frame if self.kind == "reference" else frame.loc[:, list(features)]
            return np.asarray(self.model.predict_proba(X))[:, 1].astype(np.float64)
        out = self._torch_forward(frame, features)
        if out.ndim == 1 or out.shape[1] == 1:
            return 1.0 / (1.0 + np.exp(-out.reshape(-1).astype(np.float64)))
        z = out.astype(np.float64)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return (z / z.sum(axis=1, keepdims=True))[:, 1]

    def _torch_forward(self, frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
        import torch

        X = frame.loc[:, list(features)]
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c].dtype)]
        if bad:
            raise UsageError(MSG_NON_NUMERIC_FEATURES.format(columns=bad))
        data = torch.from_numpy(np.array(X.to_numpy(dtype=np.float32), copy=True))
        module = self.model
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                parts = [module(data[i:i + _BATCH]) for i in range(0, len(data), _BATCH)]
        finally:
            module.train(was_training)
        return torch.cat(parts).detach().cpu().numpy()


def adapt_model(model: Any) -> ModelAdapter | None:
    """Wrap ``model`` in a ModelAdapter (None stays None); unknown types raise UsageError."""
    if model is None:
        return None
    if isinstance(model, ModelAdapter):
        return model
    if hasattr(model, "module") and hasattr(model, "encode") and hasattr(model, "predict"):
        return ModelAdapter(model, "reference")
    try:
        import torch

        if isinstance(model, torch.nn.Module):
            return ModelAdapter(model, "torch")
    except ImportError:  # torch is a dependency, but keep sklearn-only use working without it
        pass
    if hasattr(model, "predict"):
        return ModelAdapter(model, "sklearn")
    raise UsageError(MSG_UNSUPPORTED_MODEL.format(type=type(model).__name__))
