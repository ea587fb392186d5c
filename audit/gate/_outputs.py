"""Outputs for CI systems: JUnit XML, a Markdown summary, GitHub annotations.

JUnit has one test case per check; the annotations are GitHub Actions workflow commands
(``::error`` / ``::warning``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._format import for_annotation, for_annotation_property, for_markdown, for_terminal, for_xml_attr, for_xml_text

__all__ = ["junit_xml", "markdown_summary", "github_annotations", "check_title", "escape_data", "escape_property",
           "terminal_safe", "SUMMARY_LIMIT", "ANNOTATION_LIMIT"]

#: GitHub's job summary accepts at most 1 MiB per step.
SUMMARY_LIMIT = 1024 * 1024
#: GitHub shows at most 10 error and 10 warning annotations per step.
ANNOTATION_LIMIT = 10


def check_title(c: Mapping[str, Any]) -> str:
    """A check's short name: its own ``name``, else metric, threshold, ``over`` and bound."""
    if c.get("name"):
        return str(c["name"])
    op = {"max": "\u2264", "min": "\u2265"}.get(str(c.get("op")), str(c.get("op") or ""))
    threshold = c.get("threshold")
    text = f"{c.get('metric')} {op} {threshold:g}" if isinstance(threshold, (int, float)) else str(c.get("metric"))
    if c.get("over") == "each":
        text += " over each feature"
    elif c.get("over"):
        text += " over " + " x ".join(map(str, c["over"]))
    if c.get("bound") == "ci":
        text += " (ci bound)"
    return text


def junit_xml(report: Mapping[str, Any], checks: Sequence[Mapping[str, Any]]) -> str:
    """JUnit XML: one ``<testcase>`` per check; crashed auditors become ``<error>`` cases."""
    cases = []
    failures = errors = skipped = 0
    for c in checks:
        name = for_xml_attr(check_title(c))
        body = ""
        if c["status"] == "fail":
            failures += 1
            body = f"<failure message={for_xml_attr(c['message'])}>{for_xml_text(c['message'])}</failure>"
        elif c["status"] == "error":
            errors += 1
            body = f"<error message={for_xml_attr(c['message'])}>{for_xml_text(c['message'])}</error>"
        elif c["status"] == "warn":
            body = f"<system-out>{for_xml_text('warning: ' + c['message'])}</system-out>"
        elif c["status"] == "skipped":
            skipped += 1
            body = f"<skipped message={for_xml_attr(c['message'])}/>"
        cases.append(f'    <testcase classname="rai-audit.checks" name={name} time="0">{body}</testcase>')
    for r in report.get("results", []):
        name = for_xml_attr(f"auditor {r['auditor']}")
        if r["status"] == "error":
            errors += 1
            msg = r.get("reason") or "auditor crashed"
            cases.append(f'    <testcase classname="rai-audit.auditors" name={name} time="0">'
                         f"<error message={for_xml_attr(msg)}>{for_xml_text(msg)}</error></testcase>")
        elif r["status"] == "skipped":
            skipped += 1
            msg = r.get("reason") or "skipped"
            cases.append(f'    <testcase classname="rai-audit.auditors" name={name} time="0">'
                         f"<skipped message={for_xml_attr(msg)}/></testcase>")
        else:
            cases.append(f'    <testcase classname="rai-audit.auditors" name={name} time="0"/>')
    title = for_xml_attr(report.get("title", "rai-audit"))
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name={title} '
            f'errors="{errors}" failures="{failures}" skipped="{skipped}" tests="{len(cases)}" time="0">\n')
    return head + "\n".join(cases) + ("\n" if cases else "") + "  </testsuite>\n</testsuites>\n"


def _md(text: Any) -> str:
    """Markdown-safe table cell (:func:`audit._format.for_markdown`)."""
    return for_markdown(text)


def markdown_summary(report: Mapping[str, Any], checks: Sequence[Mapping[str, Any]], status: str) -> str:
    """A GitHub-flavoured Markdown summary (verdict, failed checks, auditors), within 1 MiB."""
    icon = {"pass": "✅", "warn": "⚠️", "fail": "❌", "error": "💥", "skipped": "⏭️"}.get(status, "")
    lines = [f"## {icon} rai-audit: {status.upper()} — {_md(report.get('title', ''))}", ""]
    from ._rule import format_check_counts

    bad = [c for c in checks if c["status"] != "pass"]
    if checks:
        lines += [f"Checks: {format_check_counts(checks)}.", ""]
    if bad:
        lines += ["| status | check | message |", "|---|---|---|"]
        lines += [f"| {c['status']} | {_md(check_title(c))} | {_md(c['message'])} |" for c in bad]
        lines.append("")
    lines += ["| auditor | status | note |", "|---|---|---|"]
    for r in report.get("results", []):
        lines.append(f"| {_md(r['auditor'])} | {r['status']} | {_md(r.get('reason') or '')} |")
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) > SUMMARY_LIMIT:
        cut = text.encode("utf-8")[: SUMMARY_LIMIT - 200].decode("utf-8", "ignore")
        text = cut.rsplit("\n", 1)[0] + "\n\n_Summary truncated to fit the 1 MiB limit; see report.html._\n"
    return text


def terminal_safe(text: Any) -> str:
    r"""One line of printable text for a terminal.

    As :func:`audit._format.for_terminal`: whitespace folded, control and format characters (ANSI
    escapes, bidi overrides) shown as ``\x1b`` / ``\u202e``, a leading ``::`` escaped.
    """
    return for_terminal(text)


def escape_data(text: str) -> str:
    """Escape a workflow command's message as GitHub's toolkit does (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (also ``:`` and ``,``, which delimit properties)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(report: Mapping[str, Any], checks: Sequence[Mapping[str, Any]], *,
                       report_path: str | None = None, limit: int = ANNOTATION_LIMIT) -> list[str]:
    """``::error`` lines for failed checks and crashed auditors, ``::warning`` lines for warned checks.

    GitHub shows at most ``limit`` annotations of each type per step, so when there are
    more, the first ``limit - 1`` are kept and one more line says how many were left out
    and where to read them.
    """
    where = f" See {report_path}." if report_path else " See the job summary or report.html."
    items: dict[str, list[tuple[str, str]]] = {"error": [], "warning": []}
    for r in report.get("results", []):
        if r.get("status") == "error":
            items["error"].append((f"rai-audit: auditor {r.get('auditor')} crashed",
                                   str(r.get("reason") or "auditor crashed")))
    for c in checks:
        kind = {"fail": "error", "error": "error", "warn": "warning"}.get(str(c.get("status")))
        if kind:
            items[kind].append((f"rai-audit: {check_title(c)}", str(c.get("message", ""))))
    lines = []
    for kind in ("error", "warning"):
        found = items[kind]
        keep = found if len(found) <= limit else found[: limit - 1]
        lines += [f"::{kind} title={for_annotation_property(title)}::{for_annotation(msg)}" for title, msg in keep]
        if len(found) > len(keep):
            what = "failed checks" if kind == "error" else "warnings"
            note = (f"{len(found) - len(keep)} more {what} not annotated "
                    f"(GitHub shows at most {limit} per step).{where}")
            lines.append(f"::{kind} title=rai-audit::{for_annotation(note)}")
    return lines
