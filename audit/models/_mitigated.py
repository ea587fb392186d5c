"""A mitigated reference model: fairlearn's ThresholdOptimizer over a reference network's scores.

The validity suite needs a model that passes a fairness policy its plain twin fails.
:class:`MitigatedNetwork` is that model, scikit-learn style (``fit``, ``predict``): it
keeps the reference network's probability of the positive class as its only score and
lets ``fairlearn.postprocessing.ThresholdOptimizer`` pick a threshold per group of one
sensitive attribute (fitted on the network's training split) so that the constraint holds.

It is rebuilt in about a second from the committed clean network, so it has no folder of
its own: :func:`load_mitigated` fits it. ThresholdOptimizer randomises between two
thresholds for some groups; ``predict`` draws that randomness from ``random_state``, so a
given frame always gets the same labels.
"""
from __future__ import annotations

import os
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import UsageError
from ._messages import MSG_MITIGATED_COLUMN, MSG_MITIGATED_NOT_FITTED, MSG_UNKNOWN_MITIGATED

__all__ = ["MITIGATED_NETWORKS", "MitigatedNetwork", "load_mitigated"]

#: Name -> how the mitigated model is built from a clean reference network.
MITIGATED_NETWORKS = MappingProxyType({
    "adult-mlp-mitigated": {"network": "adult-mlp", "sensitive_feature": "sex",
                            "constraints": "demographic_parity", "objective": "accuracy_score",
                            "random_state": 0},
})


def _score_column() -> Any:
    """A fitted scikit-learn estimator whose prediction is its one input column (the score)."""
    from sklearn.base import BaseEstimator

    class ScoreColumn(BaseEstimator):
        def fit(self, X: Any, y: Any = None) -> Any:
            self.fitted_ = True
            return self

        def predict(self, X: Any) -> np.ndarray:
            return np.asarray(X, dtype=np.float64)[:, 0]

    return ScoreColumn().fit(None)



class MitigatedNetwork:
    """ThresholdOptimizer over ``network``'s scores, per group of ``sensitive_feature``.

    ``predict(frame)`` takes the raw columns the network needs plus ``sensitive_feature``
    (the mitigation applies group-specific thresholds, so it must see the attribute).
    """

    def __init__(self, network: Any, *, sensitive_feature: str = "sex",
                 constraints: str = "demographic_parity", objective: str = "accuracy_score",
                 grid_size: int = 1000, random_state: int = 0) -> None:
        self.network = network
        self.sensitive_feature = sensitive_feature
        self.constraints = constraints
        self.objective = objective
        self.grid_size = grid_size
        self.random_state = random_state

    def _scores(self, frame: pd.DataFrame) -> np.ndarray:
        return self.network.predict_proba(frame)[:, 1].reshape(-1, 1)

    def _groups(self, frame: pd.DataFrame) -> pd.Series:
        if self.sensitive_feature not in frame.columns:
            raise UsageError(MSG_MITIGATED_COLUMN.format(column=self.sensitive_feature,
                                                         columns=list(map(str, frame.columns))))
        return frame[self.sensitive_feature].astype(object).astype(str).reset_index(drop=True)

    def fit(self, frame: pd.DataFrame, y: Any) -> MitigatedNetwork:
        """Fit the per-group thresholds on ``frame`` (the network's training split) and labels ``y``."""
        from fairlearn.postprocessing import ThresholdOptimizer

        self.optimizer_ = ThresholdOptimizer(
            estimator=_score_column(), constraints=self.constraints, objective=self.objective,
            grid_size=int(self.grid_size), prefit=True, predict_method="predict")
        self.optimizer_.fit(self._scores(frame), np.asarray(y), sensitive_features=self._groups(frame))
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Labels 0/1 after the group-specific thresholds (seeded by ``random_state``)."""
        if not hasattr(self, "optimizer_"):
            raise UsageError(MSG_MITIGATED_NOT_FITTED)
        out = self.optimizer_.predict(self._scores(frame), sensitive_features=self._groups(frame),
                                      random_state=int(self.random_state))
        return np.asarray(out).astype(np.int64)

    def __repr__(self) -> str:
        return (f"MitigatedNetwork({getattr(self.network, 'name', self.network)!r}, "
                f"sensitive_feature={self.sensitive_feature!r}, constraints={self.constraints!r})")


def load_mitigated(name: str, models_dir: str | os.PathLike[str] | None = None) -> MitigatedNetwork:
    """Build the mitigated model ``name`` (:data:`MITIGATED_NETWORKS`) from its committed clean network."""
    from ._reference import load_reference

    if name not in MITIGATED_NETWORKS:
        raise UsageError(MSG_UNKNOWN_MITIGATED.format(name=name, known=list(MITIGATED_NETWORKS)))
    spec: dict[str, Any] = dict(MITIGATED_NETWORKS[name])
    network = load_reference(spec.pop("network"), models_dir)
    model = MitigatedNetwork(network, **spec)
    train = network.train_frame()
    return model.fit(train, train[network.target].to_numpy())
