"""Every string that came from data is escaped: in text, attributes, tables and SVG plots."""
from __future__ import annotations

import html as html_lib
import re

import pytest

from audit.report import render_html
from tests.report.report_helpers import HOSTILE_A, HOSTILE_B, REMOTE, make_report, outline

_HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section", "nav",
              "h1", "h2", "h3", "p", "div", "span", "strong", "code", "a", "ol", "ul", "li", "dl", "dt", "dd",
              "table", "caption", "thead", "tbody", "tr", "th", "td", "details", "summary", "figure",
              "figcaption", "pre"}
_SVG_TAGS = {"svg", "defs", "g", "path", "use", "text", "clippath", "rect"}


def _hostile_report() -> dict:
    """A report where every data-derived string tries to break out of its context."""
    features = {f"race{HOSTILE_B}": ["White", HOSTILE_A, "$5k-$10k"], "sex": [HOSTILE_B, "Male"]}
    report = make_report("binary", features=features, title=f"Audit {HOSTILE_A}")
    fairness = report["results"][0]
    fairness["findings"].append({"severity": "high", "code": f"X{HOSTILE_A}", "message": f"bad {HOSTILE_B}",
                                 "evidence": {HOSTILE_A: HOSTILE_B, "nested": {"k": HOSTILE_A}}})
    fairness["params"]["note"] = HOSTILE_A
    report["subject"]["name"] = HOSTILE_A
    report["subject"]["features"].append(HOSTILE_B)
    report["subject"]["data_fingerprint"] = HOSTILE_B
    report["environment"]["packages"][HOSTILE_A] = HOSTILE_B
    report["environment"]["platform"] = HOSTILE_B
    report["model_card"]["model_details"]["overview"] = HOSTILE_A
    report["model_card"][HOSTILE_B] = {HOSTILE_A: [HOSTILE_B]}
    report["results"][1]["reason"] = HOSTILE_A
    plugin = report["results"][3]
    plugin["auditor"] = f"evil{HOSTILE_B}"
    plugin["metrics"].append({"metric": HOSTILE_A, "group": {HOSTILE_B: HOSTILE_A}, "value": 1.0, "ci_low": None,
                              "ci_high": None, "n": 3, "over": [HOSTILE_B], "label": HOSTILE_A})
    plugin["details"] = {HOSTILE_A: HOSTILE_B}
    report["checks"][2]["message"] = HOSTILE_A
    report["checks"][2]["group"] = {"race": HOSTILE_B}
    report["checks"][1]["metric"] = f"fairness.{HOSTILE_B}"
    return report


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_html(_hostile_report())


def test_hostile_strings_never_appear_raw(hostile_html):
    assert HOSTILE_A not in hostile_html
    assert HOSTILE_B not in hostile_html
    assert not re.search(r"<\s*(script|img|iframe|object|embed)", hostile_html, re.I)
    assert html_lib.escape(HOSTILE_A, quote=True) in hostile_html
    assert html_lib.escape(HOSTILE_B, quote=True) in hostile_html


def test_only_known_tags_and_no_event_handlers(hostile_html):
    parsed = outline(hostile_html)
    assert parsed.errors == [] and parsed.stack == []
    assert parsed.tags <= _HTML_TAGS | _SVG_TAGS, parsed.tags - _HTML_TAGS - _SVG_TAGS
    assert not [a for a in parsed.attrs if a.startswith("on")]
    assert not REMOTE.search(hostile_html)


def test_group_values_are_escaped_inside_the_svg(hostile_html):
    svgs = re.findall(r"<svg\b.*?</svg>", hostile_html, re.S)
    assert svgs
    text = "".join(svgs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the group value, drawn as a tick label
    assert "&gt;&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<script" not in text and "<img" not in text
    assert "$5k-$10k" in text  # a dollar sign is text, not mathtext


@pytest.mark.parametrize("where", ["<title>", "<h1>", 'class="meta"', "Skipped because:", 'id="model-card"',
                                   'id="environment"', "Parameters"])
def test_escaped_in_each_context(hostile_html, where):
    start = hostile_html.index(where)
    assert "&lt;script&gt;" in hostile_html[start:] or "&quot;&gt;&lt;img" in hostile_html[start:]


def test_plugin_name_never_reaches_an_attribute(hostile_html):
    anchors = re.findall(r'id="(auditor-[^"]*)"', hostile_html)
    assert anchors and all(re.fullmatch(r"auditor-\d+-[a-z0-9-]+(-h)?", a) for a in anchors)
    assert "Evil&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in hostile_html
