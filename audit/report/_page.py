"""Whole pages: the audit report, the index of reports, and the Jupyter fragment.

Order on the report page follows how a reviewer reads: verdict, failed checks, contents,
one section per auditor, model card, environment. The page is one file with inline CSS,
no script, and a Content-Security-Policy that forbids every fetch, so it opens offline
and a string that slipped through escaping still could not run or call out.
"""
from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._html import (
    STATUS_ORDER,
    Markup,
    as_mapping,
    esc,
    fmt_num,
    fmt_threshold,
    group_label,
    humanize,
    over_label,
    status_badge,
    status_class,
    status_symbol,
    table,
    to_json_text,
    truncate,
)
from ._views import metrics_table, render_findings, render_section, section_anchor

__all__ = ["render_page", "render_index_page", "render_fragment", "safe_href"]

_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_VERDICT = {"pass": "Passed", "warn": "Passed with warnings", "fail": "Failed", "error": "Error",
            "skipped": "Skipped"}
_DASH, _SEP = "\u2014", " \u00b7 "
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@functools.lru_cache(maxsize=1)
def _css() -> str:
    return importlib.resources.files("audit.report").joinpath("_style.css").read_text(encoding="utf-8")


def _head(title: str, generator: str) -> str:
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="color-scheme" content="light">'
            f'<meta name="generator" content="{esc(generator)}">'
            f"<title>{esc(title)}</title><style>{_css()}</style></head><body><main>")


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) else []


# -- report page ------------------------------------------------------------------------------
def _verdict(report: Mapping[str, Any], checks: list[Mapping[str, Any]], results: list[Mapping[str, Any]]) -> str:
    status = str(report.get("status"))
    if checks:
        from ..gate._rule import format_check_counts

        check_text = f"{len(checks)} check{'s' if len(checks) != 1 else ''}: {format_check_counts(checks)}"
    else:
        check_text = "No checks configured"
    exit_code = report.get("exit_code")
    auditors = " ".join(f"{esc(r.get('auditor', '?'))} {status_badge(r.get('status'))}" for r in results)
    return (f'<div class="verdict {status_class(status)}">'
            f'<span class="symbol" aria-hidden="true">{status_symbol(status)}</span><div>'
            f'<p class="word">{esc(_VERDICT.get(status, status.capitalize()))}</p>'
            f'<p class="detail">{esc(check_text)} \u00b7 exit code {esc(_DASH if exit_code is None else exit_code)}</p>'
            + (f'<p class="detail">Auditors: {auditors}</p>' if results else "")
            + "</div></div>")


def _check_rows(checks: list[Mapping[str, Any]]) -> tuple[list[list[Any]], list[str | None]]:
    rows, classes = [], []
    for c in checks:
        name = str(c.get("metric", ""))
        if c.get("over") == "each":
            name += " over each feature"
        elif c.get("over"):
            name += f" over {over_label(c.get('over'))}"
        group = c.get("group") if isinstance(c.get("group"), Mapping) else None
        parts = [group_label(group)] if group else []
        if c.get("label") is not None:
            parts.append(f"class {c.get('label')}")
        rows.append([name, status_badge(c.get("status")), str(c.get("bound") or "estimate"),
                     fmt_threshold(c.get("op"), c.get("threshold")) if c.get("threshold") is not None else "\u2014",
                     fmt_num(c.get("value")), ", ".join(parts) or "\u2014",
                     truncate(str(c.get("message", "")), 1000)])
        st = str(c.get("status"))
        classes.append(f"row-{st}" if st in ("fail", "warn", "error") else None)
    return rows, classes


def _checks_section(checks: list[Mapping[str, Any]]) -> str:
    out = ['<section class="block" id="checks" aria-labelledby="checks-h"><h2 id="checks-h">Checks</h2>']
    if not checks:
        out.append("<p>No checks were configured; the verdict comes from the auditors' own status.</p></section>")
        return "".join(out)
    headers = ["Check", "Status", "Bound", "Threshold", "Value", "Group", "Message"]
    ranked = sorted(enumerate(checks), key=lambda t: (STATUS_ORDER.get(str(t[1].get("status")), 5), t[0]))
    problems = [c for _, c in ranked if c.get("status") in ("fail", "error", "warn")]
    skipped = [c for _, c in ranked if c.get("status") == "skipped"]
    passed = [c for _, c in ranked if c.get("status") not in ("fail", "error", "warn", "skipped")]
    if problems:
        rows, classes = _check_rows(problems)
        out.append(table(headers, rows, caption="Failed and warned checks, worst first", numeric=(4,),
                         row_classes=classes, what="failed and warned checks"))
    elif not skipped:
        out.append(f"<p>All {len(checks)} checks passed.</p>")
    if skipped:
        rows, classes = _check_rows(skipped)
        out.append(table(headers, rows, caption="Skipped checks: their metric is missing from this report "
                                                "(if_missing = \"skip\"); not passed", numeric=(4,),
                         row_classes=classes, what="skipped checks"))
    if passed:
        rows, classes = _check_rows(passed)
        out.append(f"<details><summary>Show {len(passed)} passed check{'s' if len(passed) != 1 else ''}</summary>"
                   + table(headers, rows, caption="Passed checks", numeric=(4,), row_classes=classes,
                           collapse_after=10_000) + "</details>")
    out.append("</section>")
    return "".join(out)


def _toc(results: list[Mapping[str, Any]], has_card: bool) -> str:
    items = ['<li><a href="#checks">Checks</a></li>']
    for i, r in enumerate(results, 1):
        items.append(f'<li><a href="#{section_anchor(i, r.get("auditor", "auditor"))}">'
                     f'{esc(humanize(r.get("auditor", "auditor")))}</a> {status_badge(r.get("status"))}</li>')
    if has_card:
        items.append('<li><a href="#model-card">Model card</a></li>')
    items.append('<li><a href="#environment">Environment</a></li>')
    return ('<nav class="toc" aria-labelledby="toc-h"><h2 id="toc-h">Contents</h2><ol>'
            + "".join(items) + "</ol></nav>")


def _value_html(value: Any, depth: int = 0) -> str:
    """Free-form JSON (a model card) as nested definition lists and lists, all escaped."""
    if depth > 5:
        return f'<pre class="json">{esc(to_json_text(value, 4000))}</pre>'
    if isinstance(value, Mapping):
        if not value:
            return "\u2014"
        items = list(value.items())
        body = "".join(f"<dt>{esc(humanize(k))}</dt><dd>{_value_html(v, depth + 1)}</dd>" for k, v in items[:200])
        more = f"<dt>\u2026</dt><dd>{len(items) - 200} more fields</dd>" if len(items) > 200 else ""
        return f'<dl class="kv">{body}{more}</dl>'
    if isinstance(value, (list, tuple)):
        if not value:
            return "\u2014"
        body = "".join(f"<li>{_value_html(v, depth + 1)}</li>" for v in value[:200])
        more = f"<li>\u2026 {len(value) - 200} more</li>" if len(value) > 200 else ""
        return f'<ul class="plain">{body}{more}</ul>'
    if isinstance(value, str):
        return esc(truncate(value, 4000))
    return esc(fmt_num(value)) if value is not None else "\u2014"


def _model_card(card: Mapping[str, Any]) -> str:
    out = ['<section class="block" id="model-card" aria-labelledby="model-card-h">'
           '<h2 id="model-card-h">Model card</h2>']
    scalars = {k: v for k, v in card.items() if not isinstance(v, (Mapping, list, tuple))}
    if scalars:
        out.append(_value_html(scalars))
    for key, value in card.items():
        if key not in scalars:
            out.append(f"<h3>{esc(humanize(key))}</h3>{_value_html(value)}")
    out.append("</section>")
    return "".join(out)


def _dl(pairs: Sequence[tuple[str, Any]]) -> str:
    return '<dl class="kv">' + "".join(f"<dt>{esc(k)}</dt><dd>{v if isinstance(v, Markup) else esc(v)}</dd>"
                                       for k, v in pairs) + "</dl>"


def _names(values: Any, fold_after: int = 30) -> Any:
    items = [str(v) for v in _list(values)]
    if not items:
        return "\u2014"
    if len(items) <= fold_after:
        return ", ".join(items)
    return Markup(f"<details><summary>{len(items):,} columns</summary>{esc(', '.join(items))}</details>")


def _environment(report: Mapping[str, Any]) -> str:
    env = as_mapping(report.get("environment"))
    subject = as_mapping(report.get("subject"))
    tool = as_mapping(report.get("tool"))
    out = ['<section class="block" id="environment" aria-labelledby="environment-h">'
           '<h2 id="environment-h">Environment</h2><h3>Run</h3>']
    run: list[tuple[str, Any]] = [("Tool", f"{tool.get('name', 'rai-audit')} {tool.get('version', '')}".strip()),
                                  ("Report schema", report.get("schema_version", "\u2014"))]
    labels = {"python": "Python", "platform": "Platform", "random_state": "Random seed"}
    for key, value in env.items():
        if key != "packages" and not isinstance(value, (Mapping, list, tuple)):
            run.append((labels.get(key, humanize(key)), fmt_num(value) if isinstance(value, (int, float)) else value))
    run.append(("Data fingerprint", Markup(f"<code>{esc(subject.get('data_fingerprint') or _DASH)}</code>")))
    out.append(_dl(run))
    model = as_mapping(subject.get("model"))
    out.append("<h3>Subject</h3>")
    n_rows = subject.get("n_rows")
    out.append(_dl([
        ("Name", subject.get("name") or "\u2014"),
        ("Rows", fmt_num(n_rows) if n_rows is not None else "\u2014"),
        ("Task", subject.get("task") or "\u2014"),
        ("Target", subject.get("target") or "\u2014"),
        ("Prediction", subject.get("prediction") or "\u2014"),
        ("Score", subject.get("score") or "\u2014"),
        ("Sensitive features", _names(subject.get("sensitive_features"))),
        ("Quasi-identifiers", _names(subject.get("quasi_identifiers"))),
        ("Features", _names(subject.get("features"))),
        ("Model", " \u00b7 ".join(str(x) for x in (
            model.get("kind"), model.get("class"),
            f"{fmt_num(model['n_parameters'])} parameters" if model.get("n_parameters") is not None else None)
            if x) or "\u2014"),
    ]))
    packages = as_mapping(env.get("packages"))
    if packages:
        out.append("<h3>Packages</h3>")
        rows = [[str(k), "\u2014" if v is None else str(v)]
                for k, v in sorted(packages.items(), key=lambda kv: str(kv[0]))]
        out.append(table(["Package", "Version"], rows, collapse_after=40))
    others = {k: v for k, v in env.items() if k != "packages" and isinstance(v, (Mapping, list, tuple))}
    if others:
        out.append(f'<details><summary>More environment details</summary><pre class="json">'
                   f"{esc(to_json_text(others))}</pre></details>")
    out.append("</section>")
    return "".join(out)


def render_page(report: Mapping[str, Any]) -> str:
    """The full report page for one report dict."""
    title = str(report.get("title") or "rai-audit report")
    tool = as_mapping(report.get("tool"))
    generator = f"{tool.get('name', 'rai-audit')} {tool.get('version', '')}".strip()
    subject = as_mapping(report.get("subject"))
    checks = [c for c in _list(report.get("checks")) if isinstance(c, Mapping)]
    results = [r for r in _list(report.get("results")) if isinstance(r, Mapping)]
    card = as_mapping(report.get("model_card"))
    has_card = bool(card)
    out = [_head(title, generator), f"<header><h1>{esc(title)}</h1>"]
    what = [str(subject.get("name")) if subject.get("name") else None,
            f"{fmt_num(subject['n_rows'])} rows" if subject.get("n_rows") is not None else None,
            f"{subject['task']} task" if subject.get("task") else None]
    if any(what):
        out.append(f'<p class="meta">{esc(_SEP.join(w for w in what if w))}</p>')
    out.append(_verdict(report, checks, results) + "</header>")
    out.append(_checks_section(checks))
    out.append(_toc(results, has_card))
    for i, result in enumerate(results, 1):
        out.append(render_section(result, i, subject=subject, checks=checks))
    if has_card:
        out.append(_model_card(card))
    out.append(_environment(report))
    out.append(f"<footer>Generated by {esc(generator)} \u00b7 report schema {esc(report.get('schema_version', '?'))}. "
               "Aggregates only: no row-level data is included.</footer></main></body></html>\n")
    return "".join(out)


# -- index page -------------------------------------------------------------------------------
def safe_href(href: Any) -> str | None:
    """A relative link or None: no scheme (http, javascript, data), no //host, no absolute path."""
    if not isinstance(href, str):
        return None
    h = href.strip()
    if not h or h[0] in "/\\" or _SCHEME.match(h) or any(ord(ch) < 32 or ch == "\x7f" for ch in h):
        return None
    return h


def render_index_page(entries: Sequence[Mapping[str, Any]], title: str) -> str:
    """A page listing reports with their status, linking each by its relative path."""
    valid = [e for e in entries if isinstance(e, Mapping)]
    counts = {s: sum(1 for e in valid if e.get("status") == s) for s in STATUS_ORDER}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    out = [_head(title, "rai-audit"), f"<header><h1>{esc(title)}</h1>",
           f'<p class="meta">{len(valid)} report{"s" if len(valid) != 1 else ""}'
           + (f" \u00b7 {esc(summary)}" if summary else "") + "</p></header>"]
    rows = []
    for e in valid:
        name = str(e.get("name") or e.get("href") or "report")
        href = safe_href(e.get("href"))
        link = Markup(f'<a href="{esc(href)}">{esc(name)}</a>') if href else name
        summary = str(e.get("summary") or "")
        checks = e.get("checks")
        if isinstance(checks, Sequence) and not isinstance(checks, (str, bytes)):
            from ..gate._rule import format_check_counts

            tally = f"checks: {format_check_counts(checks)}" if checks else "no checks"
            summary = f"{tally}; {summary}" if summary else tally
        rows.append([link, status_badge(e.get("status")), str(e.get("title") or ""), truncate(summary, 500)])
    out.append('<section class="block" aria-labelledby="reports-h"><h2 id="reports-h">Reports</h2>')
    out.append(table(["Report", "Status", "Title", "Summary"], rows, collapse_after=10_000) if rows
               else "<p>No reports.</p>")
    out.append("</section><footer>Generated by rai-audit.</footer></main></body></html>\n")
    return "".join(out)


# -- Jupyter fragment -------------------------------------------------------------------------
_FRAGMENT_CSS = (
    ".rai-audit-result{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "font-size:13px;line-height:1.45}"
    ".rai-audit-result table{border-collapse:collapse;margin:.4em 0}"
    ".rai-audit-result th,.rai-audit-result td{padding:.2em .6em;border-bottom:1px solid #d9e2ec;text-align:left}"
    ".rai-audit-result td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".rai-audit-result .badge{padding:0 .5em;border-radius:999px;border:1px solid currentColor;font-weight:600}"
    ".rai-audit-result .status-pass{color:#2e7d32}.rai-audit-result .status-warn{color:#8a5a00}"
    ".rai-audit-result .status-fail{color:#b3261e}.rai-audit-result .status-error{color:#6a1b9a}"
    ".rai-audit-result .status-skipped,.rai-audit-result .status-unknown{color:#52606d}"
    ".rai-audit-result ul.findings{padding-left:1.2em;margin:.3em 0}"
    ".rai-audit-result .sev-high{color:#b3261e}.rai-audit-result .sev-warning{color:#8a5a00}"
    ".rai-audit-result .evidence,.rai-audit-result .muted,.rai-audit-result caption{color:#52606d;font-size:.9em}"
    ".rai-audit-result caption{text-align:left}"
)


def render_fragment(result: Mapping[str, Any], max_rows: int = 20) -> str:
    """A compact block for a notebook: status, reason, findings, the first metric rows."""
    metrics = [m for m in _list(result.get("metrics")) if isinstance(m, Mapping)]
    out = [f'<div class="rai-audit-result"><style>{_FRAGMENT_CSS}</style>',
           f"<p><strong>{esc(result.get('auditor', 'auditor'))}</strong>"
           + (f" <span class=\"muted\">v{esc(result.get('version'))}</span>" if result.get("version") else "")
           + f" {status_badge(result.get('status'))}</p>"]
    if result.get("reason"):
        out.append(f"<p>{esc(truncate(str(result['reason']), 1000))}</p>")
    out.append(render_findings(_list(result.get("findings"))))
    if metrics:
        caption = (f"First {max_rows} of {len(metrics):,} metric rows" if len(metrics) > max_rows
                   else f"{len(metrics)} metric row{'s' if len(metrics) != 1 else ''}")
        out.append(metrics_table(metrics[:max_rows], caption=caption, collapse_after=max_rows))
    out.append("</div>")
    return "".join(out)
