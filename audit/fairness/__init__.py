"""Fairness engine: per-group metrics, fairness aggregates and bootstrap intervals.

Everything is derived from per-group sufficient statistics computed in one pass
(see :func:`group_metrics`).
"""
from __future__ import annotations

from . import _messages as messages
from ._auditor import FairnessAuditor
from ._engine import calibration_table, group_metrics, group_metrics_from_counts

__all__ = ["FairnessAuditor", "group_metrics", "group_metrics_from_counts", "calibration_table", "messages"]
