"""Exit codes of the ``rai-audit`` command (a contract: DESIGN.md section 5)."""
from __future__ import annotations

import enum

__all__ = ["ExitCode"]


class ExitCode(enum.IntEnum):
    """Exit status of ``rai-audit``, numbered as pytest's so CI tells the cases apart.

    OK (0): every check passed.
    CHECKS_FAILED (1): at least one check with severity "fail" failed.
    INTERRUPTED (2): the user interrupted the run.
    INTERNAL_ERROR (3): an auditor crashed; the gate fails closed.
    USAGE_ERROR (4): bad spec, missing column, unreadable file; the message says which.
    NO_AUDIT (5): nothing was audited (every auditor skipped).
    """

    OK = 0
    CHECKS_FAILED = 1
    INTERRUPTED = 2
    INTERNAL_ERROR = 3
    USAGE_ERROR = 4
    NO_AUDIT = 5
