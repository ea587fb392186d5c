"""Hostile column names and group values, through a real audit, shown as text in a real browser."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import audit
from tests.browser.helpers import open_page

PAYLOAD_COLUMN = '<img src=x onerror="window.__pwned=1;document.title=\'pwned\'">'
PAYLOAD_TARGET = "</title><script>window.__pwned=2</script>"
PAYLOAD_GROUPS = (
    "<script>window.__pwned=3;document.title='pwned'</script>",
    '"><svg onload="window.__pwned=4">',
    "<iframe src=\"javascript:window.__pwned=5\"></iframe>",
)
TITLE = "Audit <b>of</b> <script>window.__pwned=6</script>"
_FACTS = {
    "title": "document.title",
    "pwned": "typeof window.__pwned === 'undefined' ? null : window.__pwned",
    "text": "document.body.innerText",
    "injected": "document.querySelectorAll('img, script, iframe, object, embed, [onerror], [onload]').length",
    "svg_in_tables": "document.querySelectorAll('td svg, th svg').length",
}


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    rng = np.random.default_rng(0)
    n = 900
    g = rng.choice(PAYLOAD_GROUPS, n)
    y = rng.integers(0, 2, n)
    pred = np.where(g == PAYLOAD_GROUPS[0], rng.random(n) < 0.7, rng.random(n) < 0.3).astype(int)
    frame = pd.DataFrame({PAYLOAD_TARGET: y, "pred": pred, PAYLOAD_COLUMN: g})
    report = audit.run(frame, target=PAYLOAD_TARGET, prediction="pred", sensitive_features=[PAYLOAD_COLUMN],
                       auditors=["fairness"], auditor_options={"fairness": {"n_boot": 20}}, title=TITLE,
                       checks=[{"metric": "fairness.demographic_parity_difference", "max": 0.1}])
    folder = tmp_path_factory.mktemp("hostile")
    report.save(folder)
    return report, folder / "report.html"


def _assert_inert(visit):
    assert not visit.problems(), visit.problems()
    f = visit.facts
    shot = visit.screenshot
    assert f["pwned"] is None, f"a payload ran (window.__pwned = {f['pwned']}); screenshot: {shot}"
    assert f["title"] == TITLE, f"document.title changed to {f['title']!r}; screenshot: {shot}"
    assert f["injected"] == 0, f"payload elements reached the DOM; screenshot: {shot}"
    text = f["text"]
    for payload in (PAYLOAD_COLUMN, *PAYLOAD_GROUPS):
        assert payload in text, f"{payload!r} is not shown as text; screenshot: {shot}"


def test_the_audit_really_saw_the_payloads(hostile_report):
    report, _ = hostile_report
    groups = report["fairness"].by_group("selection_rate")
    assert set(map(str, groups[PAYLOAD_COLUMN])) >= set(PAYLOAD_GROUPS)
    assert report.status == "fail"  # the planted disparity fails the check, so the payload is in the message too


def test_payloads_show_as_text_and_never_run(browser, hostile_report, screenshots):
    _, html_path = hostile_report
    _assert_inert(open_page(browser, html_path, screenshots / "hostile.png", evaluate=_FACTS))


def test_escaping_alone_keeps_them_inert_without_the_csp(browser, hostile_report, screenshots):
    """The page's Content-Security-Policy is a second wall; the escaping must hold without it."""
    _, html_path = hostile_report
    html = html_path.read_text(encoding="utf-8")
    stripped, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    assert n == 1
    _assert_inert(open_page(browser, stripped, screenshots / "hostile-no-csp.png", evaluate=_FACTS))
