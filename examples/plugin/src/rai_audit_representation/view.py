"""The representation section of report.html: each grouping's shares, smallest first, with intervals.

A view gets the result as report.json holds it and returns HTML strings. Every value in the
result came from data, so it goes through ``esc`` or ``table`` (which escapes its cells).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from audit.report import SectionContext, esc, fmt_num, table

__all__ = ["render"]


def _pct(x: Any) -> str:
    return "\u2014" if not isinstance(x, (int, float)) or isinstance(x, bool) else f"{100 * x:.1f} %"


def render(result: Mapping[str, Any], ctx: SectionContext) -> list[str]:
    out = ['<p class="muted small">Each group\u2019s share of the audited rows, with a Wilson interval; '
           "a group below the minimum share gets wide intervals in every other auditor.</p>"]
    by_over: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in result.get("metrics") or []:
        if isinstance(row, Mapping) and row.get("metric") == "share" and isinstance(row.get("group"), Mapping):
            by_over.setdefault(tuple(row.get("over") or ()), []).append(row)
    params = result.get("params") if isinstance(result.get("params"), Mapping) else {}
    level = params.get("ci", 0.95)
    for over, rows in by_over.items():
        rows = sorted(rows, key=lambda r: (r.get("value") is None, r.get("value") or 0.0))
        body = [[", ".join(f"{k}={v}" for k, v in r["group"].items()), _pct(r.get("value")),
                 f"{_pct(r.get('ci_low'))} \u2013 {_pct(r.get('ci_high'))}", fmt_num(r.get("n"))] for r in rows]
        grouping = " \u00d7 ".join(str(f) for f in over)
        out.append(f"<h3>By {esc(grouping)}</h3>")
        out.append(table(["Group", "Share", f"{_pct(level)} interval", "Rows"], body, numeric=(1, 2, 3),
                         caption=f"Share of rows by {grouping}"))
    return out
