"""rai-audit: responsible-AI audits of ML models (fairness, attribution, privacy, energy).

    >>> import audit
    >>> report = audit.run(frame, model=model, target="y", sensitive_features=["sex"])  # doctest: +SKIP
    >>> report.status, report.exit_code                                                 # doctest: +SKIP

The public surface is this module's ``__all__`` plus the subpackages ``audit.fairness``,
``audit.models``, ``audit.report`` and ``audit.testing``. Names load on first use, so
``import audit`` and ``rai-audit --version`` do not pay for pandas, numpy or torch.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._exports import lazy_exports

__version__ = "0.1.0"

__all__ = [
    "METRIC_COLUMNS", "AuditError", "AuditReport", "AuditResult", "AuditSubject", "Auditor", "BaseAuditor",
    "Check", "CheckOutcome", "DataError", "ExitCode", "Finding", "Model", "PluginError", "Requirement", "Severity",
    "SpecError", "Status", "UsageError", "__version__", "assert_passes", "available_auditors",
    "build_auditors", "evaluate_checks", "fairness", "load_policy", "parse_checks", "privacy",
    "register_auditor", "run", "run_auditors",
]

__getattr__, __dir__ = lazy_exports(__name__, {
    "fairness": ".fairness", "privacy": ".privacy",
    "build_auditors": "._api:build_auditors", "run": "._api:run", "run_auditors": "._api:run_auditors",
    "assert_passes": "._assertions:assert_passes",
    "Auditor": "._auditor:Auditor", "BaseAuditor": "._auditor:BaseAuditor", "Requirement": "._auditor:Requirement",
    "Check": "._checks:Check", "CheckOutcome": "._checks:CheckOutcome", "evaluate_checks": "._checks:evaluate_checks",
    "load_policy": "._checks:load_policy", "parse_checks": "._checks:parse_checks",
    "AuditError": "._exceptions:AuditError", "DataError": "._exceptions:DataError",
    "PluginError": "._exceptions:PluginError", "SpecError": "._exceptions:SpecError",
    "UsageError": "._exceptions:UsageError", "ExitCode": "._exit:ExitCode",
    "available_auditors": "._registry:available", "register_auditor": "._registry:register",
    "AuditReport": "._report:AuditReport",
    "METRIC_COLUMNS": "._result:METRIC_COLUMNS", "AuditResult": "._result:AuditResult",
    "Finding": "._result:Finding", "Severity": "._result:Severity", "Status": "._result:Status",
    "AuditSubject": ".subject:AuditSubject", "Model": ".subject:Model",
})

if TYPE_CHECKING:  # static checkers and IDEs see the names as eager imports
    from . import fairness, privacy
    from ._api import build_auditors, run, run_auditors
    from ._assertions import assert_passes
    from ._auditor import Auditor, BaseAuditor, Requirement
    from ._checks import Check, CheckOutcome, evaluate_checks, load_policy, parse_checks
    from ._exceptions import AuditError, DataError, PluginError, SpecError, UsageError
    from ._exit import ExitCode
    from ._registry import available as available_auditors
    from ._registry import register as register_auditor
    from ._report import AuditReport
    from ._result import METRIC_COLUMNS, AuditResult, Finding, Severity, Status
    from .subject import AuditSubject, Model
