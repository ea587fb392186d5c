"""What changed between two reports: verdicts, auditors, checks and metric values.

``rai-audit diff OLD.json NEW.json`` prints this as a table; it is informational (exit 0),
while ``rai-audit gate --baseline`` is the check that fails on a regression.
Metric rows are matched by auditor, metric, group, ``over`` and class label.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["Change", "ReportDiff", "diff_reports", "format_diff"]


@dataclasses.dataclass(frozen=True)
class Change:
    """One row of the diff: ``kind`` is status, auditor, check or metric."""

    kind: str
    name: str
    where: str
    old: Any
    new: Any

    @property
    def delta(self) -> float | None:
        """new - old for two finite numbers, else None."""
        if _finite(self.old) and _finite(self.new):
            return float(self.new) - float(self.old)
        return None


@dataclasses.dataclass(frozen=True)
class ReportDiff:
    """Every change, status and checks first, then metrics by size of change; plus counts."""

    changes: tuple[Change, ...]
    n_compared: int
    n_unchanged: int


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _where(group: Any, over: Any, label: Any) -> str:
    if isinstance(group, Mapping) and group:
        text = ", ".join(f"{k}={v if v is not None else '<missing>'}" for k, v in group.items())
    elif over:
        text = "across " + " x ".join(map(str, over))
    else:
        text = "overall"
    return text + (f" (class {label})" if label is not None else "")


def _metric_rows(doc: Mapping[str, Any]) -> dict[tuple[Any, ...], tuple[str, str, Any]]:
    rows = {}
    for r in doc.get("results", []):
        for m in r.get("metrics", []) or []:
            group = m.get("group")
            key = (r.get("auditor"), m.get("metric"),
                   tuple(sorted((str(k), str(v)) for k, v in group.items())) if isinstance(group, Mapping) else None,
                   tuple(m.get("over") or ()) or None, m.get("label"))
            rows[key] = (f"{r.get('auditor')}.{m.get('metric')}", _where(group, m.get("over"), m.get("label")),
                         m.get("value"))
    return rows


def _check_key(c: Mapping[str, Any]) -> tuple[Any, ...]:
    return (c.get("metric"), c.get("op"), c.get("threshold"), c.get("bound"), tuple(c.get("over") or ()))


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any], *, min_change: float = 0.0) -> ReportDiff:
    """Compare two report dicts (report.json content); metric changes within ``min_change`` are unchanged."""
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
            from ._ci import check_title

            name = check_title(b or a)  # type: ignore[arg-type]
            changes.append(Change("check", name, "status", None if a is None else a.get("status"),
                                  None if b is None else b.get("status")))
    before, after = _metric_rows(old), _metric_rows(new)
    metric_changes, unchanged = [], 0
    for key in sorted(set(before) | set(after), key=str):
        a, b = before.get(key), after.get(key)
        name, where = (b or a)[0], (b or a)[1]  # type: ignore[index]
        va, vb = (None if a is None else a[2]), (None if b is None else b[2])
        if a is not None and b is not None:
            if _finite(va) and _finite(vb) and abs(vb - va) <= min_change:
                unchanged += 1
                continue
            if va == vb or (va is None and vb is None):
                unchanged += 1
                continue
        metric_changes.append(Change("metric", name, where, va, vb))
    metric_changes.sort(key=lambda c: (c.delta is None, -abs(c.delta or 0.0), c.name, c.where))
    return ReportDiff(tuple(changes + metric_changes), n_compared=len(set(before) | set(after)),
                      n_unchanged=unchanged)


def _fmt(v: Any, sign: str = "") -> str:
    if v is None:
        return "\u2014"
    if _finite(v):
        if float(v).is_integer() and abs(v) >= 1000:
            return f"{int(v):{sign},}"
        return f"{v:{sign}.4g}"
    return str(v)


def _md_cell(text: str) -> str:
    s = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(s.split())


def format_diff(diff: ReportDiff, *, old_name: str, new_name: str, fmt: str = "text",
                limit: int | None = 50) -> str:
    """The diff as an aligned text table or a GitHub-flavoured Markdown table."""
    shown = list(diff.changes if limit is None else diff.changes[:limit])
    headers = ["kind", "what", "where", "old", "new", "change"]
    rows = [[" ".join(str(x).split()) for x in (c.kind, c.name, c.where, _fmt(c.old), _fmt(c.new),
                                                 "\u2014" if c.delta is None else _fmt(c.delta, "+"))]
            for c in shown]
    head = (f"rai-audit diff: {old_name} -> {new_name}: {len(diff.changes)} change"
            f"{'s' if len(diff.changes) != 1 else ''}; {diff.n_unchanged} of {diff.n_compared} metric rows unchanged.")
    more = len(diff.changes) - len(shown)
    tail = f"{more} more change{'s' if more != 1 else ''} not shown (use --limit 0 to show all)." if more else ""
    if fmt == "markdown":
        lines = [head, ""]
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
                             for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

        lines += ["", line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]
    if tail:
        lines += ["", tail]
    return "\n".join(lines) + "\n"
