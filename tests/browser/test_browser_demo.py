"""Every demo report, opened in a real browser: no error, no request off the machine, a screenshot."""
from __future__ import annotations

import pytest

from tests.browser.helpers import open_page

NETWORKS = ("adult-mlp", "compas-mlp", "german-mlp", "diabetes-mlp")
IMAGE_NETWORKS = ("fashion-cnn", "fashion-cnn-underrepresented", "fashion-cnn-spurious")
_FACTS = {
    "title": "document.title",
    "h1": "document.querySelector('h1') && document.querySelector('h1').innerText",
    "verdict_visible": "(() => { const v = document.querySelector('.verdict');"
                       " return !!v && v.getBoundingClientRect().height > 20; })()",
    "verdict_text": "document.querySelector('.verdict') ? document.querySelector('.verdict').innerText : ''",
    "svg_count": "document.querySelectorAll('svg').length",
    "scroll_width": "document.documentElement.scrollWidth",
    "client_width": "document.documentElement.clientWidth",
    "script_count": "document.scripts.length",
}


@pytest.mark.parametrize("name", NETWORKS)
def test_demo_report_loads_clean_offline(browser, demo_dir, screenshots, name):
    shot = screenshots / f"{name}.png"
    visit = open_page(browser, demo_dir / name / "report.html", shot, evaluate=_FACTS)
    assert not visit.problems(), visit.problems()
    assert shot.stat().st_size > 10_000, f"screenshot looks empty: {shot}"
    f = visit.facts
    assert name in f["title"] and name in f["h1"], f"screenshot: {shot}"
    assert f["verdict_visible"] and any(w in f["verdict_text"] for w in ("Passed", "Failed", "Error")), \
        f"no visible verdict; screenshot: {shot}"
    assert f["svg_count"] >= 1, f"no plot rendered; screenshot: {shot}"
    assert f["script_count"] == 0
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    assert f["scroll_width"] <= f["client_width"], f"page overflows horizontally; screenshot: {shot}"


@pytest.mark.parametrize("width", [1100, 420])
def test_demo_index_loads_clean_and_links_every_report(browser, demo_dir, screenshots, width):
    shot = screenshots / f"index-{width}.png"
    visit = open_page(browser, demo_dir / "index.html", shot, width=width, evaluate={
        "links": "Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))",
        "overflow": "document.documentElement.scrollWidth > document.documentElement.clientWidth",
    })
    assert not visit.problems(), visit.problems()
    assert sorted(visit.facts["links"]) == sorted(f"{n}/report.html" for n in NETWORKS + IMAGE_NETWORKS)
    assert not visit.facts["overflow"], f"index overflows at {width}px; screenshot: {shot}"


def test_a_narrow_window_does_not_scroll_the_page_sideways(browser, demo_dir, screenshots):
    shot = screenshots / "adult-mlp-narrow.png"
    visit = open_page(browser, demo_dir / "adult-mlp" / "report.html", shot, width=420, evaluate={
        "overflow": "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    })
    assert not visit.problems(), visit.problems()
    assert visit.facts["overflow"] <= 0, f"page overflows by {visit.facts['overflow']}px; screenshot: {shot}"


@pytest.mark.parametrize("name", NETWORKS)
def test_demo_report_fits_the_2_mb_budget(demo_dir, name):
    size = (demo_dir / name / "report.html").stat().st_size
    assert size <= 2 * 1024 * 1024, f"{name}/report.html is {size:,} bytes"


def test_report_and_result_display_in_jupyter(demo_dir):
    import audit

    report = audit.AuditReport.load(demo_dir / "adult-mlp" / "report.json")
    page = report._repr_html_()
    assert page.startswith("<!DOCTYPE html>") and "Audit of reference network adult-mlp" in page
    fragment = report["fairness"]._repr_html_()
    assert fragment.startswith('<div class="rai-audit-result">') and "<script" not in fragment
