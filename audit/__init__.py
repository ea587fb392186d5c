"""rai-audit: responsible-AI audits of ML models (fairness, attribution, privacy, energy)."""
from __future__ import annotations

from ._exceptions import AuditError, DataError, PluginError, SpecError, UsageError
from ._exit import ExitCode
from ._result import AuditResult, Finding, Severity, Status

__version__ = "0.1.0"

__all__ = [
    "AuditError", "AuditResult", "DataError", "ExitCode", "Finding", "PluginError",
    "Severity", "SpecError", "Status", "UsageError", "__version__",
]
