"""The generic view and the pieces every view shares: findings, metrics table, section context.

Unknown auditors (plugins) get the generic view: a metrics table and their details as JSON.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._html import (
    SEVERITY_ORDER,
    Markup,
    esc,
    fmt_num,
    fmt_value,
    group_label,
    over_label,
    severity_badge,
    table,
    to_json_text,
    truncate,
)

__all__ = ["SectionContext", "Renderer", "section_anchor", "render_findings", "metrics_table",
           "render_generic", "MAX_TABLE_ROWS"]

#: Rows beyond this are left to report.json, so a plugin cannot make the page unopenable.
MAX_TABLE_ROWS = 2000


@dataclass(frozen=True)
class SectionContext:
    """What a section renderer may read besides its result: the subject, the checks, its id."""

    anchor: str
    subject: Mapping[str, Any]
    checks: Sequence[Mapping[str, Any]]


Renderer = Callable[[Mapping[str, Any], SectionContext], list[str]]


def section_anchor(index: int, auditor: Any) -> str:
    """A stable, unique, id-safe anchor; never raw data in an attribute."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(auditor).lower()).strip("-")[:40] or "auditor"
    return f"auditor-{index}-{slug}"


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _num(v: Any) -> float | None:
    """A finite float, or None (missing, NaN, infinite or not a number)."""
    return float(v) if _is_num(v) and math.isfinite(v) else None


def _int(v: Any) -> int | None:
    f = _num(v)
    return None if f is None else int(f)


# -- shared pieces ----------------------------------------------------------------------------
def _evidence(evidence: Any) -> str:
    if not isinstance(evidence, Mapping) or not evidence:
        return ""
    items = []
    for key, value in list(evidence.items())[:12]:
        if _is_num(value):
            text = fmt_num(value)
        elif isinstance(value, str):
            text = value
        else:
            text = json.dumps(value, ensure_ascii=False, default=str)
        items.append(f"{esc(key)}: {esc(truncate(str(text), 200))}")
    more = f"; \u2026 {len(evidence) - 12} more" if len(evidence) > 12 else ""
    return f'<p class="evidence">{"; ".join(items)}{esc(more)}</p>'


def render_findings(findings: Sequence[Any]) -> Markup:
    """Findings as a list, most severe first (stable within a severity)."""
    valid = [f for f in findings if isinstance(f, Mapping)]
    if not valid:
        return Markup("")
    ordered = sorted(enumerate(valid), key=lambda t: (SEVERITY_ORDER.get(str(t[1].get("severity")), 3), t[0]))
    out = ['<ul class="findings">']
    for _, f in ordered:
        sev = str(f.get("severity"))
        cls = f"sev-{sev}" if sev in SEVERITY_ORDER else "sev-info"
        out.append(f'<li class="{cls}">{severity_badge(sev)} <code>{esc(f.get("code", ""))}</code> '
                   f'<span class="msg">{esc(truncate(str(f.get("message", "")), 2000))}</span>'
                   f"{_evidence(f.get('evidence'))}</li>")
    out.append("</ul>")
    return Markup("".join(out))


def metrics_table(rows: Sequence[Mapping[str, Any]], *, caption: str | None = None,
                  limit: int = MAX_TABLE_ROWS, collapse_after: int = 25) -> Markup:
    """Generic tidy-metrics table (metric, group, over, class, value [CI], n)."""
    rows = [r for r in rows if isinstance(r, Mapping)]
    shown = rows[:limit]
    has_over = any(r.get("over") for r in shown)
    has_label = any(r.get("label") is not None for r in shown)
    headers = ["Metric", "Group"] + (["Over"] if has_over else []) + (["Class"] if has_label else []) \
        + ["Value [95% CI]", "n"]
    body = []
    for r in shown:
        group = r.get("group") if isinstance(r.get("group"), Mapping) else None
        line: list[Any] = [str(r.get("metric", "")), group_label(group) if group else "\u2014"]
        if has_over:
            line.append(over_label(r.get("over")) if r.get("over") else "\u2014")
        if has_label:
            line.append("\u2014" if r.get("label") is None else str(r.get("label")))
        line += [fmt_value(r), fmt_num(r.get("n")) if r.get("n") is not None else "\u2014"]
        body.append(line)
    n_cols = len(headers)
    out = table(headers, body, caption=caption, numeric=(n_cols - 2, n_cols - 1),
                collapse_after=collapse_after, what="metric rows")
    if len(rows) > limit:
        out = Markup(out + f'<p class="muted small">Showing the first {limit:,} of {len(rows):,} metric rows; '
                           f"the rest are in report.json.</p>")
    return out


# -- generic renderer -------------------------------------------------------------------------
def render_generic(result: Mapping[str, Any], ctx: SectionContext) -> list[str]:
    """Any auditor: its metrics as a table and its details as folded JSON."""
    out: list[str] = []
    metrics = result.get("metrics") or []
    if metrics:
        out.append("<h3>Metrics</h3>")
        out.append(metrics_table(metrics))
    details = result.get("details")
    if isinstance(details, Mapping) and details:
        out.append(f'<details><summary>Details</summary><pre class="json">{esc(to_json_text(details))}</pre></details>')
    return out
