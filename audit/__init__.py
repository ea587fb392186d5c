"""rai-audit: responsible-AI audits of ML models (fairness, attribution, privacy, energy).

    >>> import audit
    >>> report = audit.run(frame, model=model, target="y", sensitive_features=["sex"])  # doctest: +SKIP
    >>> report.status, report.exit_code                                                 # doctest: +SKIP

The public surface is this module's ``__all__`` plus the subpackages ``audit.fairness``,
``audit.mitigation``, ``audit.models``, ``audit.report`` and ``audit.testing``. Names load on first use, so
``import audit`` and ``rai-audit --version`` do not pay for pandas, numpy or torch.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._exports import lazy_exports
from ._version import __version__

__all__ = [
    "METRIC_COLUMNS", "AuditError", "AuditReport", "AuditResult", "AuditSubject", "Auditor", "BaseAuditor",
    "Check", "CheckOutcome", "DataError", "ExitCode", "Finding", "Interval", "Model", "OneOf", "PluginError",
    "Requirement", "Severity",
    "SpecError", "Status", "UsageError", "__version__", "assert_passes", "available_auditors",
    "build_auditors", "evaluate_checks", "fairness", "load_policy", "mitigation", "parse_checks", "privacy",
    "register_auditor", "run", "run_auditors",
]

__getattr__, __dir__ = lazy_exports(__name__, {
    "fairness": ".fairness", "mitigation": ".mitigation", "privacy": ".privacy",
    "build_auditors": "._api:build_auditors", "run": "._api:run", "run_auditors": "._api:run_auditors",
    "assert_passes": ".gate._assertions:assert_passes",
    "Auditor": "._base:Auditor", "BaseAuditor": "._base:BaseAuditor", "Requirement": "._base:Requirement",
    "Interval": "._base:Interval", "OneOf": "._base:OneOf",
    "Check": ".gate._checks:Check", "CheckOutcome": ".gate._checks:CheckOutcome",
    "evaluate_checks": ".gate._checks:evaluate_checks", "load_policy": ".gate._checks:load_policy",
    "parse_checks": ".gate._checks:parse_checks",
    "AuditError": "._exceptions:AuditError", "DataError": "._exceptions:DataError",
    "PluginError": "._exceptions:PluginError", "SpecError": "._exceptions:SpecError",
    "UsageError": "._exceptions:UsageError", "ExitCode": "._exit:ExitCode",
    "available_auditors": "._registry:available", "register_auditor": "._registry:register",
    "AuditReport": "._results:AuditReport", "METRIC_COLUMNS": "._results:METRIC_COLUMNS",
    "AuditResult": "._results:AuditResult", "Finding": "._results:Finding", "Severity": "._results:Severity",
    "Status": "._results:Status",
    "AuditSubject": ".subject:AuditSubject", "Model": ".subject:Model",
})

if TYPE_CHECKING:  # static checkers and IDEs see the names as eager imports
    from . import fairness, mitigation, privacy
    from ._api import build_auditors, run, run_auditors
    from ._base import Auditor, BaseAuditor, Interval, OneOf, Requirement
    from ._exceptions import AuditError, DataError, PluginError, SpecError, UsageError
    from ._exit import ExitCode
    from ._registry import available as available_auditors
    from ._registry import register as register_auditor
    from ._results import METRIC_COLUMNS, AuditReport, AuditResult, Finding, Severity, Status
    from .gate._assertions import assert_passes
    from .gate._checks import Check, CheckOutcome, evaluate_checks, load_policy, parse_checks
    from .subject import AuditSubject, Model
