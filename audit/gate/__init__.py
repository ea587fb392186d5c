"""The gate: one ``apply()`` turns a report and a policy into a verdict.

``rai-audit gate``, :func:`audit.assert_passes` and :func:`audit.run_auditors` all call
:func:`apply`, so the exit code of a CI job, a failed assertion in a test suite and the
status in report.json come from one rule: error > fail > warn > pass, and skipped when
no auditor ran.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any

from .._exit import ExitCode
from .._results import AuditReport, CheckOutcome, Status, exit_code_for, overall_status
from ._checks import Check, evaluate_checks, load_policy

__all__ = ["Verdict", "apply", "Policy"]

#: What a policy may be: a policy TOML path, check dicts or :class:`audit.Check` objects, or None
#: (the checks the report already carries).
Policy = str | os.PathLike[str] | Sequence[Mapping[str, Any] | Check] | None


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The overall status and every check's outcome (policy checks first, then regressions)."""

    status: Status
    outcomes: tuple[CheckOutcome, ...]

    @property
    def exit_code(self) -> ExitCode:
        """The CLI's exit code for this verdict (DESIGN.md's table)."""
        return exit_code_for(self.status)

    def not_passed(self, *, fail_on_warn: bool = False) -> list[CheckOutcome]:
        """Outcomes that fail the gate: failed or not evaluable, and warned when ``fail_on_warn``."""
        bad = {Status.FAIL, Status.ERROR} | ({Status.WARN} if fail_on_warn else set())
        return [o for o in self.outcomes if o.status in bad]


def _checks_of(policy: Policy) -> list[Check] | None:
    if policy is None:
        return None
    if isinstance(policy, Sequence) and not isinstance(policy, (str, bytes)) \
            and policy and all(isinstance(c, Check) for c in policy):
        return list(policy)  # type: ignore[arg-type]
    return load_policy(policy)  # type: ignore[arg-type]


def apply(report: AuditReport, policy: Policy = None, *, baseline: AuditReport | None = None,
          tolerance_abs: float = 0.01, tolerance_rel: float = 0.1) -> Verdict:
    """Judge ``report`` by ``policy`` (None: the checks it carries), and against ``baseline`` if given.

    With a baseline, every policy check also becomes a "no regression" check: its metric may
    not get worse than the baseline's by more than both tolerances.
    """
    checks = _checks_of(policy)
    if checks is None:
        outcomes = list(report.checks)
    else:
        results = {r.auditor: r for r in report.results}
        outcomes = evaluate_checks(checks, results, subject=report.subject)
        if baseline is not None:
            from ._baseline import regression_checks

            outcomes += regression_checks(checks, results, {r.auditor: r for r in baseline.results},
                                          abs_tol=tolerance_abs, rel_tol=tolerance_rel)
    return Verdict(overall_status(report.results, outcomes), tuple(outcomes))
