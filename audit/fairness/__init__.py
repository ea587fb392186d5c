"""Fairness engine: per-group metrics, fairness aggregates and bootstrap intervals.

Everything is derived from per-group sufficient statistics computed in one pass
(see :func:`group_metrics`).
"""
from __future__ import annotations

from . import _messages as messages
from ._auditor import FairnessAuditor
from ._engine import calibration_table, group_metrics

__all__ = ["FairnessAuditor", "group_metrics", "calibration_table", "messages"]
