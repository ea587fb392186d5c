"""HTML building blocks: escaping, number formats, badges and tables.

Every value that reaches the page goes through :func:`cell` or :func:`esc`, so text is
escaped by default; only :class:`Markup` (HTML this package built itself) passes through.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._format import for_html

__all__ = [
    "Markup", "esc", "cell", "fmt_num", "fmt_ci", "ci_parts", "fmt_threshold", "group_label", "over_label",
    "status_badge", "status_class", "status_word", "status_symbol", "severity_badge", "table", "to_json_text",
    "truncate", "humanize", "STATUS_ORDER", "SEVERITY_ORDER", "UNDEFINED", "SUPPRESSED", "is_undefined", "fmt_value",
    "as_mapping",
]

#: Worst first, for sorting checks and results.
STATUS_ORDER = {"fail": 0, "error": 1, "warn": 2, "skipped": 3, "pass": 4}
SEVERITY_ORDER = {"high": 0, "warning": 1, "info": 2}

_STATUS = {  # status -> (word, symbol); the symbol carries the meaning without colour
    "pass": ("Pass", "\u2713"),
    "warn": ("Warning", "\u26a0\ufe0e"),
    "fail": ("Fail", "\u2717"),
    "error": ("Error", "\u2297"),
    "skipped": ("Skipped", "\u2298"),
}
_SEVERITY = {"high": ("High", "\u25b2"), "warning": ("Warning", "\u25b3"), "info": ("Info", "\u25cb")}


class Markup(str):
    """HTML built by this package; :func:`cell` and :func:`esc` pass it through unescaped."""

    __slots__ = ()


def as_mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one: report.json's ``details`` are read, not trusted."""
    return value if isinstance(value, Mapping) else {}


def esc(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute (Markup passes through)."""
    if isinstance(value, Markup):
        return value
    return for_html(value)


def cell(value: Any) -> str:
    """Render a table cell value: Markup as is, numbers formatted, everything else escaped."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return esc(fmt_num(value))
    return esc(value)


def truncate(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis, so one field cannot flood a page."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "\u2026"


def humanize(key: Any) -> str:
    """``model_details`` -> ``Model details``: readable labels for free-form keys."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else str(key)


def fmt_num(value: Any, *, whole: bool = True) -> str:
    """Format a number compactly and stably (3 decimals for rates, separators for counts).

    ``whole=False`` keeps decimals on integer-valued floats, so ``0.000`` and ``1.000`` sit
    beside ``0.383`` in one interval instead of ``0`` and ``1``.
    """
    if value is None:
        return "\u2014"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "\u221e" if v > 0 else "\u2212\u221e"
    if whole and v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) >= 1000:
        return f"{v:,.1f}"
    if abs(v) >= 0.001 or v == 0:
        return f"{v:.3f}"
    return f"{v:.2e}"


def ci_parts(value: Any, low: Any = None, high: Any = None) -> tuple[str, str | None]:
    """``("0.170", "[0.000, 0.383]")``: the value and its interval formatted alike (None: no interval)."""
    nums = [x for x in (value, low, high) if isinstance(x, (int, float)) and not isinstance(x, bool)]
    whole = all(float(x).is_integer() for x in nums if math.isfinite(float(x)))
    text = fmt_num(value, whole=whole)
    if low is None and high is None:
        return text, None
    return text, f"[{fmt_num(low, whole=whole)}, {fmt_num(high, whole=whole)}]"


def fmt_ci(value: Any, low: Any = None, high: Any = None) -> str:
    """``value [low, high]``, or just the value when the interval is unknown."""
    text, interval = ci_parts(value, low, high)
    return text if interval is None else f"{text} {interval}"


#: What a metric cell shows when the value is null: an undefined rate (zero denominator), never 0 or NaN.
UNDEFINED = "undefined"
SUPPRESSED = "suppressed"


def is_undefined(value: Any) -> bool:
    """A null (or NaN) metric value: undefined, shown as such."""
    if value is None or isinstance(value, bool):
        return value is None
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def fmt_value(row: Mapping[str, Any]) -> str:
    """A metric row's value with its interval; ``undefined`` for a null value, ``suppressed`` for a small cell."""
    if row.get("suppressed") is True:
        return SUPPRESSED
    if is_undefined(row.get("value")):
        return UNDEFINED
    return fmt_ci(row.get("value"), row.get("ci_low"), row.get("ci_high"))


def fmt_threshold(op: Any, threshold: Any) -> str:
    """``\u2264 0.100`` for a max check, ``\u2265 0.800`` for a min check."""
    sign = {"max": "\u2264 ", "min": "\u2265 "}.get(str(op), f"{op} " if op else "")
    return f"{sign}{fmt_num(threshold)}"


def group_label(group: Mapping[str, Any] | None) -> str:
    """``race=Black, sex=Female``; ``overall`` for no group; missing values shown as such."""
    if not group:
        return "overall"
    return ", ".join(f"{k}={'(missing)' if v is None else v}" for k, v in group.items())


def over_label(over: Sequence[str] | None) -> str:
    """``race \u00d7 sex`` for the features a grouping or aggregate compares."""
    return " \u00d7 ".join(str(f) for f in over) if over else "overall"


def status_word(status: Any) -> str:
    return _STATUS.get(str(status), (str(status).capitalize() or "Unknown", "?"))[0]


def status_symbol(status: Any) -> str:
    return _STATUS.get(str(status), ("", "?"))[1]


def status_class(status: Any) -> str:
    """A CSS class from a fixed set, never from data."""
    return f"status-{status}" if str(status) in _STATUS else "status-unknown"


def status_badge(status: Any) -> Markup:
    """A pill with symbol and word, e.g. ``\u2717 Fail``."""
    return Markup(f'<span class="badge {status_class(status)}">'
                  f'<span aria-hidden="true">{status_symbol(status)}</span> {esc(status_word(status))}</span>')


def severity_badge(severity: Any) -> Markup:
    word, symbol = _SEVERITY.get(str(severity), (str(severity).capitalize(), "?"))
    cls = f"sev-{severity}" if str(severity) in _SEVERITY else "sev-info"
    return Markup(f'<strong class="{cls}"><span aria-hidden="true">{symbol}</span> {esc(word)}</strong>')


def to_json_text(value: Any, limit: int = 20_000) -> str:
    """Pretty JSON for a collapsed block, truncated so a plugin's blob cannot bloat the page."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str, allow_nan=True)
    return truncate(text, limit)


def _table_html(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str | None,
                numeric: frozenset[int], row_header: bool,
                row_classes: Sequence[str | None] | None) -> str:
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>")
    out.extend(f'<th scope="col">{esc(h)}</th>' for h in headers)
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cls = row_classes[i] if row_classes is not None else None
        out.append(f'<tr class="{esc(cls)}">' if cls else "<tr>")
        for j, value in enumerate(row):
            attr = ' class="num"' if j in numeric else ""
            if j == 0 and row_header:
                out.append(f'<th scope="row"{attr}>{cell(value)}</th>')
            else:
                out.append(f"<td{attr}>{cell(value)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, caption: str | None = None,
          numeric: Iterable[int] = (), row_header: bool = True,
          row_classes: Sequence[str | None] | None = None, collapse_after: int = 25,
          preview: int = 10, what: str = "rows") -> Markup:
    """An accessible table; beyond ``collapse_after`` rows, show ``preview`` rows and fold the rest.

    Rows are expected sorted most important first, so the preview is what a reviewer needs;
    the full table sits in a ``<details>`` with a scrolling, sticky-header wrapper.
    """
    num = frozenset(numeric)
    if len(rows) <= collapse_after:
        body = _table_html(headers, rows, caption=caption, numeric=num, row_header=row_header,
                           row_classes=row_classes)
        return Markup(f'<div class="table-wrap">{body}</div>')
    head_caption = f"{caption} \u2014 first {preview} of {len(rows)}" if caption else f"First {preview} of {len(rows)}"
    head = _table_html(headers, rows[:preview], caption=head_caption, numeric=num, row_header=row_header,
                       row_classes=None if row_classes is None else row_classes[:preview])
    full = _table_html(headers, rows, caption=caption, numeric=num, row_header=row_header,
                       row_classes=row_classes)
    return Markup(f'<div class="table-wrap">{head}</div>'
                  f"<details><summary>Show all {len(rows):,} {esc(what)}</summary>"
                  f'<div class="table-wrap scroll">{full}</div></details>')
