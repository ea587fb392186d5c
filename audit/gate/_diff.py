"""What changed between two reports: verdicts, auditors, checks and metric values.

``rai-audit diff OLD.json NEW.json`` prints this as a table; it is informational (exit 0),
while ``rai-audit gate --baseline`` is the check that fails on a regression.
Metric rows are matched by auditor, metric, group, ``over`` and class label.

Each metric change says whether it is ``better`` or ``worse`` for that metric's direction
(:func:`audit._metric_catalog.direction`: gaps lower, parity ratios and accuracies
higher). Identical changes of several metrics on the same rows (equal opportunity and
true positive rate difference, say) are folded into one row listing the names. The order
is: regressions the gate flags against the old report as baseline (for the policy's
checks, or the checks the new report carries), then verdict, auditor and check changes,
then what got worse, what has no direction, and what got better, largest change first.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from .._metric_catalog import better_or_worse
from .._results import decode_number

__all__ = ["Change", "ReportDiff", "diff_reports", "format_diff", "UNDEFINED", "GATED"]

#: Where a change is a regression the gate flags (``rai-audit gate --baseline``).
GATED = "worse: gated regression"


class _Undefined:
    """A metric row present in a report with a null value (an undefined rate): not the same as absent."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    __str__ = __repr__


UNDEFINED = _Undefined()


@dataclasses.dataclass(frozen=True)
class Change:
    """One row of the diff: ``kind`` is status, auditor, check or metric.

    ``old``/``new`` are None where the row is absent from that report and
    :data:`UNDEFINED` where it is present with a null value. ``names`` lists every metric
    folded into this row (one unless several changed identically); ``direction`` is
    ``"better"``, ``"worse"`` or None; ``gated`` marks a regression the gate flags.
    """

    kind: str
    name: str
    where: str
    old: Any
    new: Any
    direction: str | None = None
    gated: bool = False
    names: tuple[str, ...] = ()

    @property
    def delta(self) -> float | None:
        """New - old for two finite numbers, else None."""
        if _finite(self.old) and _finite(self.new):
            return float(self.new) - float(self.old)
        return None


@dataclasses.dataclass(frozen=True)
class ReportDiff:
    """Every change, in the order above; plus counts."""

    changes: tuple[Change, ...]
    n_compared: int
    n_unchanged: int


def _finite(v: Any) -> TypeGuard[float]:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _where(group: Any, over: Any, label: Any) -> str:
    if isinstance(group, Mapping) and group:
        text = ", ".join(f"{k}={v if v is not None else '<missing>'}" for k, v in group.items())
    elif over:
        text = "across " + " x ".join(map(str, over))
    else:
        text = "overall"
    return text + (f" (class {label})" if label is not None else "")


def _row_key(auditor: Any, metric: Any, group: Any, over: Any, label: Any) -> tuple[Any, ...]:
    return (auditor, metric,
            tuple(sorted((str(k), str(v)) for k, v in group.items())) if isinstance(group, Mapping) else None,
            tuple(str(o) for o in over or ()) or None, None if label is None else str(label))


def _metric_rows(doc: Mapping[str, Any]) -> dict[tuple[Any, ...], tuple[str, str, Any]]:
    rows = {}
    for r in doc.get("results", []):
        for m in r.get("metrics", []) or []:
            group = m.get("group")
            value = decode_number(m.get("value"))  # "Infinity" / "-Infinity" as floats
            if value is None or (isinstance(value, float) and math.isnan(value)) or m.get("suppressed") is True:
                value = UNDEFINED
            key = _row_key(r.get("auditor"), m.get("metric"), group, m.get("over"), m.get("label"))
            rows[key] = (f"{r.get('auditor')}.{m.get('metric')}", _where(group, m.get("over"), m.get("label")), value)
    return rows


def _check_key(c: Mapping[str, Any]) -> tuple[Any, ...]:
    over = c.get("over")
    return (c.get("metric"), c.get("op"), c.get("threshold"), c.get("bound"),
            over if isinstance(over, str) else tuple(over or ()))


def _policy_from_report(doc: Mapping[str, Any]) -> list[Any]:
    """The checks a report carries, as :class:`audit.Check` objects (baseline checks left out)."""
    from .._exceptions import SpecError
    from ._checks import parse_checks

    rows, seen = [], set()
    for c in doc.get("checks", []) or []:
        if not isinstance(c, Mapping) or str(c.get("name") or "").startswith("no regression vs baseline"):
            continue
        if c.get("op") not in ("max", "min") or not _finite(c.get("threshold")):
            continue
        row = {"metric": c.get("metric"), c["op"]: c["threshold"]}
        for key in ("bound", "severity", "over"):
            if c.get(key) is not None:
                row[key] = c[key]
        key = repr(sorted(row.items(), key=lambda kv: kv[0]))
        if key not in seen:
            seen.add(key)
            rows.append(row)
    try:
        return parse_checks(rows)
    except SpecError:  # a hand-edited report: the diff stays informational
        return []


def _gated_keys(old: Mapping[str, Any], new: Mapping[str, Any], checks: Sequence[Any] | None,
                abs_tol: float, rel_tol: float) -> set[tuple[Any, ...]]:
    """Metric rows whose change against ``old`` the no-regression gate calls a regression."""
    from .._results import AuditResult, Status
    from ._baseline import compare_rows

    policy = list(checks) if checks is not None else _policy_from_report(new)
    if not policy:
        return set()
    try:
        a = {r["auditor"]: AuditResult.from_dict(r) for r in new.get("results", [])}
        b = {r["auditor"]: AuditResult.from_dict(r) for r in old.get("results", [])}
    except (KeyError, TypeError, ValueError):
        return set()
    keys = set()
    for check in policy:
        na, ob = a.get(check.auditor), b.get(check.auditor)
        if na is None or ob is None or na.status in (Status.SKIPPED, Status.ERROR):
            continue
        for change, row, allowed, _ in compare_rows(check, na, ob, abs_tol=abs_tol, rel_tol=rel_tol):
            if change > allowed:
                keys.add(_row_key(check.auditor, row.metric, row.group, row.over, row.label))
    return keys


def _fold(changes: list[tuple[tuple[Any, ...], Change]]) -> list[Change]:
    """One row for identical changes (same auditor, rows, old, new and direction) of several metrics."""
    groups: dict[tuple[Any, ...], list[Change]] = {}
    for key, c in changes:
        fold = (key[0], key[2], key[3], key[4], repr(c.old), repr(c.new), c.direction)
        groups.setdefault(fold, []).append(c)
    out = []
    for members in groups.values():
        names = tuple(sorted(n for c in members for n in c.names))
        first = members[0]
        out.append(dataclasses.replace(first, name=", ".join(names), names=names,
                                       gated=any(c.gated for c in members)))
    return out


def _tier(c: Change) -> int:
    if c.gated:
        return 0
    if c.kind != "metric":
        return 1
    return {"worse": 2, None: 3, "better": 4}[c.direction]


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any], *, min_change: float = 0.0,
                 checks: Sequence[Any] | None = None, abs_tol: float = 0.01, rel_tol: float = 0.1) -> ReportDiff:
    """Compare two report dicts (report.json content); metric changes within ``min_change`` are unchanged.

    ``checks`` (:class:`audit.Check` objects, e.g. from a policy) decide which regressions
    are flagged as the gate's; without them, the checks the new report carries do.
    ``abs_tol``/``rel_tol`` are the gate's ``--tolerance-abs``/``--tolerance-rel``.
    """
    changes: list[Change] = []
    if old.get("status") != new.get("status"):
        changes.append(Change("status", "verdict", "overall", old.get("status"), new.get("status")))
    old_aud = {r.get("auditor"): r.get("status") for r in old.get("results", [])}
    new_aud = {r.get("auditor"): r.get("status") for r in new.get("results", [])}
    for name in sorted(set(old_aud) | set(new_aud), key=str):
        if old_aud.get(name) != new_aud.get(name):
            changes.append(Change("auditor", str(name), "status", old_aud.get(name), new_aud.get(name)))
    old_checks = {_check_key(c): c for c in old.get("checks", [])}
    new_checks = {_check_key(c): c for c in new.get("checks", [])}
    for key in sorted(set(old_checks) | set(new_checks), key=str):
        a, b = old_checks.get(key), new_checks.get(key)
        if a is None or b is None or a.get("status") != b.get("status"):
            from ._outputs import check_title

            name = check_title(b or a)  # type: ignore[arg-type]
            changes.append(Change("check", name, "status", None if a is None else a.get("status"),
                                  None if b is None else b.get("status")))
    before, after = _metric_rows(old), _metric_rows(new)
    gated = _gated_keys(old, new, checks, abs_tol, rel_tol)
    metric_changes: list[tuple[tuple[Any, ...], Change]] = []
    unchanged = 0
    for key in sorted(set(before) | set(after), key=str):
        a, b = before.get(key), after.get(key)
        name, where = (b or a)[0], (b or a)[1]  # type: ignore[index]
        va, vb = (None if a is None else a[2]), (None if b is None else b[2])
        if a is not None and b is not None:
            if _finite(va) and _finite(vb) and abs(float(vb) - float(va)) <= min_change:
                unchanged += 1
                continue
            if va is vb or (not isinstance(va, _Undefined) and not isinstance(vb, _Undefined) and va == vb):
                unchanged += 1
                continue
        metric_changes.append((key, Change("metric", name, where, va, vb, direction=better_or_worse(key[1], va, vb),
                                           gated=key in gated, names=(name,))))
    folded = _fold(metric_changes)
    ordered = sorted(
        [(i, c) for i, c in enumerate(changes)] + [(len(changes), c) for c in folded],
        key=lambda t: (_tier(t[1]), t[0] if t[1].kind != "metric" else 0,
                       t[1].delta is None, -abs(t[1].delta or 0.0), t[1].name, t[1].where))
    return ReportDiff(tuple(c for _, c in ordered), n_compared=len(set(before) | set(after)),
                      n_unchanged=unchanged)


def _fmt(v: Any, sign: str = "") -> str:
    if v is None:
        return "\u2014"
    if isinstance(v, _Undefined):
        return "undefined"
    if _finite(v):
        if float(v).is_integer() and abs(v) >= 1000:
            return f"{int(v):{sign},}"
        return f"{v:{sign}.4g}"
    return str(v)


def _direction_text(c: Change) -> str:
    if c.gated:
        return GATED
    return c.direction or "\u2014"


def _plain(text: Any) -> str:
    """One line of printable text: whitespace folded, control and format characters shown as escapes."""
    from ._outputs import terminal_safe

    return terminal_safe(text)


def _md_cell(text: str) -> str:
    from .._format import for_markdown

    return for_markdown(text)


def format_diff(diff: ReportDiff, *, old_name: str, new_name: str, fmt: str = "text",
                limit: int | None = 50) -> str:
    """The diff as an aligned text table or a GitHub-flavoured Markdown table."""
    shown = list(diff.changes if limit is None else diff.changes[:limit])
    headers = ["kind", "what", "where", "old", "new", "change", "direction"]
    rows = [[_plain(x) for x in (c.kind, c.name, c.where, _fmt(c.old), _fmt(c.new),
                                 "\u2014" if c.delta is None else _fmt(c.delta, "+"), _direction_text(c))]
            for c in shown]
    n_worse = sum(1 for c in diff.changes if c.kind == "metric" and c.direction == "worse")
    n_better = sum(1 for c in diff.changes if c.kind == "metric" and c.direction == "better")
    n_gated = sum(1 for c in diff.changes if c.gated)
    head = (f"rai-audit diff: {_plain(old_name)} -> {_plain(new_name)}: {len(diff.changes)} change"
            f"{'s' if len(diff.changes) != 1 else ''}; {diff.n_unchanged} of {diff.n_compared} metric rows "
            f"unchanged; {n_gated} gated regression{'s' if n_gated != 1 else ''}, {n_worse} worse, "
            f"{n_better} better.")
    more = len(diff.changes) - len(shown)
    tail = f"{more} more change{'s' if more != 1 else ''} not shown (use --limit 0 to show all)." if more else ""
    if fmt == "markdown":
        lines = [_md_cell(head), ""]
        if rows:
            lines += ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
            lines += ["| " + " | ".join(_md_cell(x) for x in r) + " |" for r in rows]
        if tail:
            lines += ["", tail]
        return "\n".join(lines) + "\n"
    lines = [head]
    if rows:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        numeric = {3, 4, 5}

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                             for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

        lines += ["", line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]
    if tail:
        lines += ["", tail]
    return "\n".join(lines) + "\n"
