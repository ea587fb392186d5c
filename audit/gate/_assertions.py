"""``assert_passes``: a policy gate inside a test suite, failing with a readable multi-line message.

pytest shows the message of an ``AssertionError`` as is, so every failed check gets its
own line (which check, for which group, by how much) instead of a one-line repr.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from .._results import AuditReport, CheckOutcome, Status
from ._checks import Check
from ._messages import (
    MSG_NOT_A_REPORT,
)

__all__ = ["assert_passes", "MSG_NOT_A_REPORT"]

_SYMBOL = {"fail": "\u2717", "error": "\u2297", "warn": "\u26a0"}


def _as_report(report: Any) -> AuditReport:
    if isinstance(report, AuditReport):
        return report
    if isinstance(report, Mapping):
        return AuditReport.from_dict(report)
    if isinstance(report, (str, os.PathLike)):
        return AuditReport.load(report)
    from .._exceptions import UsageError

    raise UsageError(MSG_NOT_A_REPORT.format(got=type(report).__name__))


def assert_passes(report: Any, policy: str | os.PathLike[str] | Sequence[Mapping[str, Any] | Check] | None = None,
                  *, fail_on_warn: bool = False) -> list[CheckOutcome]:
    """Raise ``AssertionError`` listing every failed check unless ``report`` passes ``policy``.

    ``policy`` is a policy TOML path, a list of check dicts or :class:`audit.Check` objects,
    or None to judge the report by the checks it already carries. A crashed auditor fails
    (fail closed), as does a warned check when ``fail_on_warn``. Returns the outcomes when
    it passes, so a test can look further.
    """
    __tracebackhide__ = True
    from . import apply

    rep = _as_report(report)
    verdict = apply(rep, policy)
    bad = [o.to_dict() for o in verdict.not_passed(fail_on_warn=fail_on_warn)]
    crashed = [r for r in rep.results if r.status == Status.ERROR]
    if not bad and not crashed:
        return list(verdict.outcomes)
    status = verdict.status
    n_checks = len(verdict.outcomes)
    from .._format import for_terminal as safe

    lines = [f"rai-audit: {safe(repr(rep.title))} did not pass its policy (status {str(status).upper()}): "
             f"{len(bad)} of {n_checks} check{'s' if n_checks != 1 else ''} "
             f"{'did not pass' if fail_on_warn else 'failed'}"
             + (f", {len(crashed)} auditor{'s' if len(crashed) != 1 else ''} crashed" if crashed else "") + "."]
    from ._outputs import check_title

    for c in bad:
        lines.append(f"  {_SYMBOL.get(c['status'], '-')} {c['status'].upper()} {safe(check_title(c))}")
        lines.append(f"      {safe(c['message'])}")
    for r in crashed:
        lines.append(f"  {_SYMBOL['error']} auditor {safe(r.auditor)} crashed: {safe(r.reason or 'no reason given')}")
    raise AssertionError("\n".join(lines))
