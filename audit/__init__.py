"""rai-audit: responsible-AI audits of ML models (fairness, attribution, privacy, energy).

    >>> import audit
    >>> report = audit.run(frame, model=model, target="y", sensitive_features=["sex"])  # doctest: +SKIP
    >>> report.status, report.exit_code                                                 # doctest: +SKIP

The public surface is this module's ``__all__`` plus the subpackages ``audit.fairness``,
``audit.mitigation``, ``audit.models``, ``audit.report`` and ``audit.testing``.
"""
from __future__ import annotations

from . import fairness, mitigation, privacy
from ._api import build_auditors, run, run_auditors
from .gate._assertions import assert_passes
from ._base import Auditor, BaseAuditor, Interval, OneOf, Requirement
from .gate._checks import Check, CheckOutcome, evaluate_checks, load_policy, parse_checks
from ._exceptions import AuditError, DataError, PluginError, SpecError, UsageError
from ._exit import ExitCode
from ._registry import available as available_auditors
from ._registry import register as register_auditor
from ._results import AuditReport
from ._results import METRIC_COLUMNS, AuditResult, Finding, Severity, Status
from ._version import __version__
from .subject import AuditSubject, Model

__all__ = [
    "METRIC_COLUMNS", "AuditError", "AuditReport", "AuditResult", "AuditSubject", "Auditor", "BaseAuditor",
    "Check", "CheckOutcome", "DataError", "ExitCode", "Finding", "Interval", "Model", "OneOf", "PluginError", "Requirement", "Severity",
    "SpecError", "Status", "UsageError", "__version__", "assert_passes", "available_auditors",
    "build_auditors", "evaluate_checks", "fairness", "load_policy", "mitigation", "parse_checks", "privacy",
    "register_auditor", "run", "run_auditors",
]
