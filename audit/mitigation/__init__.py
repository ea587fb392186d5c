"""Mitigation: fix candidates for a failing fairness policy, with their measured trade-offs.

The ``mitigation`` auditor splits the audited rows into a fitting and an evaluation half,
fits candidates (the unchanged model, group thresholds per constraint, reweighing and the
reductions for refittable estimators), measures each on the held-out half with the
fairness engine's intervals, judges each by the policy and marks the Pareto front of
accuracy against the gated disparity. :func:`apply` gives a chosen candidate's predictions.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._exceptions import UsageError
from ._auditor import MitigationAuditor, MitigationResult
from ._candidates import Candidate, reweighing_weights, split_rows
from ._messages import (
    MSG_APPLY_NEEDS_INPUT,
    MSG_APPLY_SOURCE,
    MSG_NO_CANDIDATES,
    MSG_THRESHOLDS_NEED_SCORES,
    MSG_UNKNOWN_CANDIDATE,
)
from ._pareto import front, worse_beyond_interval
from ._thresholds import CONSTRAINTS, GroupRule, GroupThresholds, ScoreSweeps, fit_thresholds

__all__ = ["MitigationAuditor", "MitigationResult", "Candidate", "GroupRule", "GroupThresholds", "ScoreSweeps",
           "CONSTRAINTS", "apply", "fit_thresholds", "front", "reweighing_weights", "split_rows",
           "thresholds_from_dict", "worse_beyond_interval", "MSG_NO_CANDIDATES", "MSG_UNKNOWN_CANDIDATE",
           "MSG_APPLY_SOURCE"]


def thresholds_from_dict(doc: Mapping[str, Any]) -> GroupThresholds:
    """The :class:`GroupThresholds` of a thresholds JSON document (``mitigation_thresholds.json``)."""
    num = float  # "inf" and "-inf" read back as the infinities they stand for
    rules = {}
    for g in doc.get("groups", []):
        key = tuple(g["group"]) if isinstance(g["group"], list) else g["group"]
        rules[key] = GroupRule(num(g["p0"]), num(g["t0"]), num(g["p1"]), num(g["t1"]), num(g.get("p_ignore", 0)),
                               num(g.get("constant", 0)))
    return GroupThresholds(str(doc["constraint"]), str(doc["objective"]), rules, int(doc.get("grid_size", 1000)))


def apply(source: Any, data: Any = None, *, candidate: str | None = None, scores: Any = None, groups: Any = None,
          random_state: int = 0) -> np.ndarray:
    """0/1 predictions (1 = the positive class) of one mitigation candidate for new rows.

    ``source`` is an AuditReport or its ``report["mitigation"]`` (the candidate named, else the
    accepted one), a :class:`Candidate`, or the thresholds JSON the CLI writes (then give
    ``scores`` and ``groups``: one group value, or a list of values per row, as fitted).
    ``data`` holds the rows: the model's columns and the sensitive features.
    """
    if isinstance(source, Mapping) and "groups" in source and "constraint" in source:
        if scores is None or groups is None:
            raise UsageError(MSG_THRESHOLDS_NEED_SCORES)
        values = np.empty(len(groups), dtype=object)
        values[:] = [tuple(g) if isinstance(g, (list, tuple)) else g for g in groups]
        return thresholds_from_dict(source).predict(scores, values, random_state=random_state)
    if isinstance(source, Candidate):
        chosen = source
    else:
        result = source
        if hasattr(source, "results") and not isinstance(source, MitigationResult):
            try:
                result = source["mitigation"]
            except KeyError:
                raise UsageError(MSG_NO_CANDIDATES.format(why="the report has no mitigation result")) from None
        if not isinstance(result, MitigationResult):
            if getattr(result, "auditor", None) == "mitigation":
                raise UsageError(MSG_NO_CANDIDATES.format(why="it was read back from report.json"))
            raise UsageError(MSG_APPLY_SOURCE.format(got=type(source).__name__))
        if not result.fitted:
            raise UsageError(MSG_NO_CANDIDATES.format(why=result.reason or "none was fitted"))
        name = candidate or (result.details.get("accepted") or {}).get("name")
        if name is None:
            raise UsageError(MSG_NO_CANDIDATES.format(why="no candidate passed the policy, so name one with "
                                                          "candidate="))
        if name not in result.fitted:
            raise UsageError(MSG_UNKNOWN_CANDIDATE.format(name=name, known=sorted(result.fitted)))
        chosen = result.fitted[name]
    if data is None and not (chosen.method == "threshold_optimizer" and scores is not None and groups is not None):
        raise UsageError(MSG_APPLY_NEEDS_INPUT)
    if data is None:
        keys = np.empty(len(groups), dtype=object)
        keys[:] = [tuple(g) if isinstance(g, (list, tuple)) else g for g in groups]
        return chosen.fitted.predict(scores, keys, random_state=random_state)
    return chosen.predict(data, scores=scores, random_state=random_state)
