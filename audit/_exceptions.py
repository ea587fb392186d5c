"""Exceptions raised by rai-audit.

The tree::

    AuditError                      base of everything we raise on purpose
    ├── UsageError (ValueError)     bad input from the user: a missing column, a bad spec,
    │   │                           an unreadable file. The CLI exits 4 and prints the message.
    │   ├── DataError               the data itself is unusable (empty, NaN in predictions, ...)
    │   └── SpecError               a spec or policy file is malformed
    └── PluginError                 an auditor plugin could not be loaded or breaks the protocol

Messages say what was expected, what was found, and how to fix it.
"""
from __future__ import annotations

__all__ = ["AuditError", "UsageError", "DataError", "SpecError", "PluginError"]


class AuditError(Exception):
    """Base class of the errors rai-audit raises on purpose."""


class UsageError(AuditError, ValueError):
    """The user's input cannot be audited as given; the message says how to fix it."""


class DataError(UsageError):
    """The data is unusable: empty, wrong length, NaN where values are required."""


class SpecError(UsageError):
    """A spec or policy file is malformed or names something unknown."""


class PluginError(AuditError):
    """An auditor plugin could not be loaded or does not follow the Auditor protocol."""
