"""CI outputs: GitHub annotations (escaped, within limits), the 1 MiB job summary, JUnit XML shaped as pytest's."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from audit.gate._outputs import (
    ANNOTATION_LIMIT,
    SUMMARY_LIMIT,
    escape_data,
    escape_property,
    github_annotations,
    junit_xml,
    markdown_summary,
)


def _check(i, status="fail", message=None):
    return {"metric": f"fairness.metric_{i}", "op": "max", "threshold": 0.1, "bound": "ci", "over": ["sex"],
            "value": 0.2, "group": None, "status": status, "message": message or f"check {i} failed"}


REPORT = {"title": "t", "results": [{"auditor": "fairness", "status": "warn"}]}


def test_escaping_follows_the_github_toolkit():
    assert escape_data("50% off\r\nnext: a,b") == "50%25 off%0D%0Anext: a,b"
    assert escape_property("50% off\r\nnext: a,b") == "50%25 off%0D%0Anext%3A a%2Cb"


def test_each_annotation_is_one_line_with_escaped_data_and_properties():
    nasty = _check(1, message="line one\nline two\r 100% sure ::error::injected")
    nasty["metric"] = "fairness.a:b,c"
    [line] = github_annotations(REPORT, [nasty])
    assert "\n" not in line and "\r" not in line
    assert line == ("::error title=rai-audit%3A fairness.a%3Ab%2Cc ≤ 0.1 over sex (ci bound)::"
                    "line one%0Aline two%0D 100%25 sure ::error::injected")


@pytest.mark.parametrize("n", [0, 1, ANNOTATION_LIMIT, ANNOTATION_LIMIT + 1, 60])
def test_at_most_ten_per_type_then_one_summarising_line(n):
    checks = [_check(i) for i in range(n)] + [_check(i, "warn") for i in range(n)] + [_check(99, "pass")]
    lines = github_annotations(REPORT, checks)
    for kind in ("error", "warning"):
        mine = [x for x in lines if x.startswith(f"::{kind} ")]
        assert len(mine) == min(n, ANNOTATION_LIMIT)
        if n > ANNOTATION_LIMIT:
            left = n - (ANNOTATION_LIMIT - 1)
            assert mine[-1].startswith(f"::{kind} title=rai-audit::{left} more ")
            assert "at most 10 per step" in mine[-1]


def test_a_crashed_auditor_is_an_error_annotation():
    report = {"results": [{"auditor": "privacy", "status": "error", "reason": "ValueError: boom"}]}
    assert github_annotations(report, []) == ["::error title=rai-audit%3A auditor privacy crashed::ValueError: boom"]


def test_summary_stays_within_one_mebibyte_at_scale():
    # 30,000 failed checks with long, multi-byte messages: ~6 MB before truncation
    checks = [_check(i, message=f"gruppe=Ä{i} größer als erlaubt ✗ " * 5) for i in range(30_000)]
    text = markdown_summary(REPORT, checks, "fail")
    size = len(text.encode("utf-8"))
    assert size <= SUMMARY_LIMIT
    assert size > SUMMARY_LIMIT - 10_000  # it keeps as much as fits
    assert text.rstrip().endswith("_Summary truncated to fit the 1 MiB limit; see report.html._")
    assert text.startswith("## ❌ rai-audit: FAIL")
    body = text.splitlines()
    rows = [x for x in body if x.startswith("| fail |")]
    assert all(x.endswith(" |") for x in rows)  # no row cut in half


def test_small_summary_is_complete():
    text = markdown_summary(REPORT, [_check(1), _check(2, "pass")], "fail")
    assert (
        "Checks: 1 failed, 0 warned, 1 passed." in text
        and "| fail | fairness.metric_1 ≤ 0.1 over sex (ci bound) |" in text
    )
    assert "truncated" not in text


# -- JUnit: the same element and attribute vocabulary as pytest's own --junitxml ---------------
@pytest.fixture(scope="module")
def pytest_junit(tmp_path_factory):
    """A real pytest JUnit file with a pass, a failure, an error and a skip."""
    d = tmp_path_factory.mktemp("pytest_junit")
    (d / "test_sample.py").write_text(
        "import pytest\n"
        "def test_pass():\n    print('out')\n"
        "def test_fail():\n    assert 1 == 2\n"
        "@pytest.fixture\ndef broken():\n    raise RuntimeError('x')\n"
        "def test_error(broken):\n    pass\n"
        "def test_skip():\n    pytest.skip('why')\n")
    out = d / "junit.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "junit_logging=system-out",
                    f"--junitxml={out}", str(d / "test_sample.py")], cwd=d, capture_output=True, check=False)
    return ET.parse(out).getroot()


def _vocabulary(root):
    vocab = {}
    for el in root.iter():
        vocab.setdefault(el.tag, set()).update(el.attrib)
    return vocab


def _ours():
    report = {"title": "audit <of> & co", "results": [
        {"auditor": "fairness", "status": "pass"}, {"auditor": "energy", "status": "skipped", "reason": "no model"},
        {"auditor": "privacy", "status": "error", "reason": "boom"}]}
    checks = [_check(1), _check(2, "pass"), _check(3, "warn"), _check(4, "error", "cannot evaluate")]
    return ET.fromstring(junit_xml(report, checks).encode("utf-8"))


def test_junit_uses_only_pytests_elements_and_attributes(pytest_junit):
    theirs, ours = _vocabulary(pytest_junit), _vocabulary(_ours())
    assert set(ours) <= set(theirs), set(ours) - set(theirs)
    for tag, attrs in ours.items():
        assert attrs <= theirs[tag], (tag, attrs - theirs[tag])


def test_junit_has_the_attributes_consumers_require(pytest_junit):
    ours = _ours()
    assert ours.tag == pytest_junit.tag == "testsuites"
    [suite] = ours
    for attr in ("name", "tests", "failures", "errors", "skipped", "time"):
        assert attr in suite.attrib
    for case in suite:
        assert case.tag == "testcase" and {"classname", "name", "time"} <= set(case.attrib)


def test_junit_counts_match_the_cases():
    [suite] = _ours()
    cases = list(suite)
    count = lambda tag: sum(1 for c in cases if c.find(tag) is not None)  # noqa: E731
    assert int(suite.get("tests")) == len(cases) == 7
    assert int(suite.get("failures")) == count("failure") == 1
    assert int(suite.get("errors")) == count("error") == 2
    assert int(suite.get("skipped")) == count("skipped") == 1
    assert suite.get("name") == "audit <of> & co"
    failure = next(c for c in cases if c.find("failure") is not None).find("failure")
    assert failure.get("message") == failure.text == "check 1 failed"
