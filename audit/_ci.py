"""Outputs for CI systems: JUnit XML (one test case per check) and a Markdown job summary."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = ["junit_xml", "markdown_summary", "SUMMARY_LIMIT"]

#: GitHub's job summary accepts at most 1 MiB per step.
SUMMARY_LIMIT = 1024 * 1024


def junit_xml(report: Mapping[str, Any], checks: Sequence[Mapping[str, Any]]) -> str:
    """JUnit XML: one ``<testcase>`` per check; crashed auditors become ``<error>`` cases."""
    cases = []
    failures = errors = skipped = 0
    for c in checks:
        name = quoteattr(f"{c['metric']} {c.get('op', '')} {c.get('threshold', '')}".strip())
        body = ""
        if c["status"] == "fail":
            failures += 1
            body = f"<failure message={quoteattr(c['message'])}>{escape(c['message'])}</failure>"
        elif c["status"] == "error":
            errors += 1
            body = f"<error message={quoteattr(c['message'])}>{escape(c['message'])}</error>"
        elif c["status"] == "warn":
            body = f"<system-out>{escape('warning: ' + c['message'])}</system-out>"
        cases.append(f'    <testcase classname="rai-audit.checks" name={name}>{body}</testcase>')
    for r in report.get("results", []):
        name = quoteattr(f"auditor {r['auditor']}")
        if r["status"] == "error":
            errors += 1
            msg = r.get("reason") or "auditor crashed"
            cases.append(f'    <testcase classname="rai-audit.auditors" name={name}>'
                         f"<error message={quoteattr(msg)}>{escape(msg)}</error></testcase>")
        elif r["status"] == "skipped":
            skipped += 1
            msg = r.get("reason") or "skipped"
            cases.append(f'    <testcase classname="rai-audit.auditors" name={name}>'
                         f"<skipped message={quoteattr(msg)}/></testcase>")
        else:
            cases.append(f'    <testcase classname="rai-audit.auditors" name={name}/>')
    title = quoteattr(report.get("title", "rai-audit"))
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name={title} '
            f'tests="{len(cases)}" failures="{failures}" errors="{errors}" skipped="{skipped}">\n')
    return head + "\n".join(cases) + ("\n" if cases else "") + "  </testsuite>\n</testsuites>\n"


def _md(text: Any) -> str:
    """Markdown-safe table cell: escape pipes and HTML, keep it on one line."""
    s = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(s.split())


def markdown_summary(report: Mapping[str, Any], checks: Sequence[Mapping[str, Any]], status: str) -> str:
    """A GitHub-flavoured Markdown summary (verdict, failed checks, auditors), within 1 MiB."""
    icon = {"pass": "✅", "warn": "⚠️", "fail": "❌", "error": "💥", "skipped": "⏭️"}.get(status, "")
    lines = [f"## {icon} rai-audit: {status.upper()} — {_md(report.get('title', ''))}", ""]
    bad = [c for c in checks if c["status"] != "pass"]
    if checks:
        lines += [f"{len(checks) - len(bad)} of {len(checks)} checks passed.", ""]
    if bad:
        lines += ["| status | check | message |", "|---|---|---|"]
        lines += [f"| {c['status']} | `{_md(c['metric'])}` | {_md(c['message'])} |" for c in bad]
        lines.append("")
    lines += ["| auditor | status | note |", "|---|---|---|"]
    for r in report.get("results", []):
        lines.append(f"| {_md(r['auditor'])} | {r['status']} | {_md(r.get('reason') or '')} |")
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) > SUMMARY_LIMIT:
        cut = text.encode("utf-8")[: SUMMARY_LIMIT - 200].decode("utf-8", "ignore")
        text = cut.rsplit("\n", 1)[0] + "\n\n_Summary truncated to fit the 1 MiB limit; see report.html._\n"
    return text
