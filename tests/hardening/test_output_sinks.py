"""Everything written for a terminal, a CI system or a browser is neutralised (issue 14, item 4).

Hostile strings (control characters, ANSI escapes, bidi overrides, ``::`` workflow commands,
Markdown links and images, HTML) are written into column names, group values, class labels,
auditor reasons and plugin messages; every sink is then searched for anything that would act
on its reader: stdout and stderr of ``rai-audit gate`` under GitHub Actions, the JUnit XML
(parsed with an XML parser), the Markdown summary, the diff in both formats, report.html,
``_repr_html_`` and the log.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import audit
from audit import _format, cli
from audit._results import metrics_frame
from audit.gate._diff import diff_reports, format_diff
from audit.gate._outputs import github_annotations, junit_xml, markdown_summary

HOSTILE = [
    "a\n::stop-commands::TOKEN",
    "\r::error file=x::fake",
    "::add-mask::secret",
    "\x1b[31mred\x1b]0;title\x07\x1b[0m",
    "\u202eexe.txt\u2066x\u2069\u200f",
    "[click](https://evil.example) ![img](https://evil.example/x.png)",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "nul\x00bel\x07vt\x0bff\x0cdel\x7fnel\x85",
    "`code` | pipe \\ back & amp",
    "\ud800lone surrogate",
]
#: Characters no sink may carry raw (they act on terminals, reorder text, or break XML).
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_OUR_COMMAND = re.compile(r"^::(error|warning) title=rai-audit")


def assert_neutral(text: str, *, sink: str) -> None:
    assert not _FORBIDDEN.search(text), (sink, _FORBIDDEN.search(text), text[:2000])
    for line in text.split("\n") if "html" not in sink else ():  # HTML never reaches a CI log
        if line.lstrip().startswith("::"):
            assert sink == "annotations" and _OUR_COMMAND.match(line), (sink, line)
    if sink in ("markdown", "summary"):
        assert not re.search(r"(?<!\\)[\[\]`]", text.replace("\\\\", "")), (sink, text)
        assert "<script" not in text and "<img" not in text, (sink, text)
    if "html" in sink:
        assert "<script>alert" not in text and "<img src=x" not in text


def _hostile_result(texts: list[str]) -> audit.AuditResult:
    rows = []
    for i, t in enumerate(texts):
        rows.append({"metric": "selection_rate", "group": {f"col {t}": f"{t}#{i}"}, "over": [f"col {t}"],
                     "value": 0.9, "n": 50, "label": None})
    rows.append({"metric": "demographic_parity_difference", "value": 0.5, "over": [f"col {texts[0]}"]})
    findings = tuple(audit.Finding(audit.Severity.HIGH, "plugin.hostile", f"message {t}", {"value": t})
                     for t in texts)
    return audit.AuditResult("hostile", "1", audit.Status.FAIL, metrics=metrics_frame(rows),
                             findings=findings)


def _report(texts: list[str], title: str) -> audit.AuditReport:
    from audit.gate._checks import evaluate_checks, parse_checks

    hostile = _hostile_result(texts)
    crashed = audit.AuditResult("crashed", "1", audit.Status.ERROR, reason="boom " + " ".join(texts))
    checks = parse_checks([{"metric": "hostile.selection_rate", "max": 0.1, "name": "named " + texts[-1]},
                           {"metric": "hostile.demographic_parity_difference", "max": 0.1, "severity": "warn"}])
    outcomes = evaluate_checks(checks, {"hostile": hostile, "crashed": crashed})
    subject = {"n_rows": 100, "task": "binary", "target": "y " + texts[0], "classes": texts[:2],
               "sensitive_features": [f"col {t}" for t in texts]}
    return audit.AuditReport([hostile, crashed], checks=outcomes, subject=subject, title=title)


def _every_sink(report: audit.AuditReport, old: audit.AuditReport) -> dict[str, str]:
    doc = report.to_dict()
    checks = doc["checks"]
    diff = diff_reports(old.to_dict(), doc)
    return {"junit": junit_xml(doc, checks), "summary": markdown_summary(doc, checks, doc["status"]),
            "annotations": "\n".join(github_annotations(doc, checks)),
            "diff-text": format_diff(diff, old_name="old", new_name="new " + doc["title"]),
            "markdown": format_diff(diff, old_name="old", new_name="new", fmt="markdown"),
            "html": report.to_html(), "repr_html": report["hostile"]._repr_html_()}


def _check_sinks(sinks: dict[str, str]) -> None:
    for sink, text in sinks.items():
        assert_neutral(text, sink=sink)
    ET.fromstring(sinks["junit"])  # always well-formed


@pytest.mark.parametrize("hostile", HOSTILE)
def test_each_hostile_string_is_neutral_in_every_sink(hostile: str) -> None:
    texts = [hostile, "plain", hostile * 2]
    _check_sinks(_every_sink(_report(texts, "title " + hostile), _report(["plain"], "old")))


# a string built from hostile pieces and ordinary text, in any order
_pieces = st.sampled_from(["::", "\n", "\r", "\x1b[", "\x1b]", "\x07", "\x00", "\u202e", "\u2066", "\x85",
                           "[", "](", "![", "`", "|", "<", ">", "&", "\\", "%", ":", ",", "stop-commands",
                           "error", "x", " ", "é", "\u2028"])
_hostile = st.lists(st.one_of(_pieces, st.text(max_size=3)), min_size=1, max_size=12).map("".join)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_hostile, min_size=1, max_size=3), _hostile)
def test_fuzz_hostile_strings_in_names_groups_labels_and_messages(texts: list[str], title: str) -> None:
    # distinct column names, as a frame would have them
    texts = [f"{t}{i}" for i, t in enumerate(texts)]
    _check_sinks(_every_sink(_report(texts, title), _report(["plain"], "old")))


@settings(max_examples=200, deadline=None)
@given(_hostile)
def test_fuzz_each_sink_function(text: str) -> None:
    for fn, sink in ((_format.for_terminal, "terminal"), (_format.for_markdown, "markdown"),
                     (_format.for_html, "html")):
        out = fn(text)
        assert_neutral(out, sink=sink)
        if sink != "html":
            assert "\n" not in out
    assert "\n" not in _format.for_annotation(text) and "\r" not in _format.for_annotation(text)
    ET.fromstring(f"<a b={_format.for_xml_attr(text)}>{_format.for_xml_text(text)}</a>")
    assert_neutral(_format.for_terminal_block(text), sink="terminal")


def test_sink_functions_verbatim() -> None:
    assert _format.for_terminal("a\n::stop-commands::T") == "a ::stop-commands::T"
    assert _format.for_terminal("::add-mask::x") == "\\::add-mask::x"
    assert _format.for_terminal("\x1b[31mred\u202e") == "\\x1b[31mred\\u202e"
    assert _format.for_markdown("[a](http://x) ![i](y) `c` |") == "\\[a\\](http://x) !\\[i\\](y) \\`c\\` \\|"
    assert _format.for_html("<b>\u202e</b>") == "&lt;b&gt;\\u202e&lt;/b&gt;"
    assert _format.for_xml_text("a\x00b & <c>\n::x") == "a\\x00b &amp; &lt;c&gt; ::x"
    assert _format.for_annotation("50% a\nb\x1b") == "50%25 a%0Ab\\x1b"
    assert _format.for_terminal_block("line\n  ::error::x\n\x1b") == "line\n  \\::error::x\n\\x1b"
    digest = hashlib.sha256(b"x" * 205).hexdigest()[:12]
    assert _format.cut("x" * 205, 200) == "x" * 200 + f"\u2026[5 more characters, sha256 {digest}]"


def _gate(tmp_path: Path, report: audit.AuditReport, capsys, monkeypatch) -> tuple[int, str, str, str, str]:
    report.save(tmp_path / "r")
    policy = tmp_path / "policy.toml"
    policy.write_text('[[checks]]\nmetric = "hostile.selection_rate"\nmax = 0.1\n', encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    rc = cli.main(["gate", str(tmp_path / "r" / "report.json"), "--policy", str(policy),
                   "--junit", str(tmp_path / "junit.xml"), "--summary", str(tmp_path / "summary.md")])
    out, err = capsys.readouterr()
    return (rc, out, err, (tmp_path / "junit.xml").read_text(encoding="utf-8"),
            (tmp_path / "summary.md").read_text(encoding="utf-8"))


def test_gate_under_github_actions_prints_no_command_from_data(tmp_path, capsys, monkeypatch) -> None:
    rc, out, err, junit, summary = _gate(tmp_path, _report(HOSTILE, "title " + HOSTILE[0]), capsys, monkeypatch)
    assert rc == audit.ExitCode.INTERNAL_ERROR  # an auditor crashed
    commands = [line for line in out.split("\n") if line.lstrip().startswith("::")]
    assert commands and all(_OUR_COMMAND.match(line) for line in commands)
    for text, sink in ((out, "annotations"), (err, "terminal"), (junit, "junit"), (summary, "summary")):
        assert_neutral(text, sink=sink)
    ET.fromstring(junit)
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert_neutral(html, sink="html")


def test_a_traceback_and_a_log_line_carry_no_command(capsys, monkeypatch) -> None:
    def boom(args):
        logging.getLogger("audit").warning("value %s", "x\n::stop-commands::T\x1b[2J")
        raise RuntimeError("bad cell 'y\n::error::injected\u202e'")

    monkeypatch.setattr(cli, "_cmd_list", boom)
    assert cli.main(["list"]) == audit.ExitCode.INTERNAL_ERROR
    _, err = capsys.readouterr()
    assert "RuntimeError" in err
    assert_neutral(err, sink="terminal")
    formatter = cli._SafeFormatter("rai-audit: %(levelname)s: %(message)s")
    try:
        raise ValueError("cell 'z\n::error::x\x1b[2J'")
    except ValueError:
        import sys

        record = logging.LogRecord("audit", logging.ERROR, __file__, 1, "value %s", ("v\n::add-mask::m\u202e",),
                                   sys.exc_info())
    text = formatter.format(record)
    assert text.startswith("rai-audit: ERROR: value v ::add-mask::m\\u202e\nTraceback")
    assert_neutral(text, sink="terminal")


def test_a_real_audit_with_hostile_column_names_and_values(tmp_path) -> None:
    rng = np.random.default_rng(0)
    n = 300
    col = "sex\n::stop-commands::T\x1b[31m\u202e"
    frame = pd.DataFrame({col: rng.choice(["[f](http://e)\x07", "m\n::error::x\u2066"], n),
                          "y": rng.integers(0, 2, n)})
    frame["p"] = np.where(rng.random(n) < 0.7, frame["y"], 1 - frame["y"])
    report = audit.run(frame, target="y", prediction="p", sensitive_features=[col], auditors=["fairness"],
                       checks=[{"metric": "fairness.demographic_parity_difference", "max": 0.0}])
    _check_sinks(_every_sink_real(report))
    json.loads(report.to_json())


def _every_sink_real(report: audit.AuditReport) -> dict[str, str]:
    doc = report.to_dict()
    return {"junit": junit_xml(doc, doc["checks"]), "summary": markdown_summary(doc, doc["checks"], doc["status"]),
            "annotations": "\n".join(github_annotations(doc, doc["checks"])), "html": report.to_html(),
            "markdown": format_diff(diff_reports(doc, doc), old_name="a", new_name="b", fmt="markdown")}


def test_assert_passes_message_is_neutral() -> None:
    report = _report(HOSTILE, "title " + HOSTILE[0])
    with pytest.raises(AssertionError) as err:
        audit.assert_passes(report)
    assert_neutral(str(err.value), sink="terminal")
    assert "did not pass its policy" in str(err.value)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(_hostile, _hostile, _hostile, _hostile)
def test_fuzz_a_real_audit_with_a_plugin(column: str, value: str, label: str, message: str) -> None:
    rng = np.random.default_rng(0)
    n = 120
    column = "c" + column
    frame = pd.DataFrame({column: rng.choice(["v" + value, "w" + value[::-1]], n), "y": rng.integers(0, 2, n)})
    frame["p"] = np.where(rng.random(n) < 0.7, frame["y"], 1 - frame["y"])

    def run(self, subject):
        from audit._results import metrics_frame

        rows = [{"metric": "m", "value": 0.9, "group": {column: "v" + value}, "over": [column], "label": label}]
        return audit.AuditResult("plug", "1", audit.Status.FAIL, metrics=metrics_frame(rows),
                                 findings=(audit.Finding(audit.Severity.HIGH, "plug.x", message, {"m": message}),))

    plugin = type("Plug", (audit.BaseAuditor,), {"name": "plug", "version": "1", "run": run,
                                                 "__module__": "plug"})()
    report = audit.run(frame, target="y", prediction="p", sensitive_features=[column], auditors=["fairness", plugin],
                       checks=[{"metric": "plug.m", "max": 0.1, "name": message},
                               {"metric": "fairness.selection_rate", "max": 0.0}],
                       auditor_options={"fairness": {"n_boot": 0}})
    _check_sinks(_every_sink_real(report))
