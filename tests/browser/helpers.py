"""Drive Debian's chromium with Python Playwright (never ``playwright install``).

The browser is the system one (``/usr/bin/chromium``, or ``RAI_AUDIT_CHROMIUM``), run
headless with background networking off and a fresh profile, so a test run makes no
request of its own. :func:`open_page` loads a page, records console errors, uncaught
page errors and every request that is not ``file:`` or ``data:`` (and blocks it), and
saves a full-page screenshot.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "PageVisit", "chromium_or_skip", "open_page", "MSG_NO_CHROMIUM"]

CHROMIUM = os.environ.get("RAI_AUDIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-default-apps", "--disable-extensions"]
MSG_NO_CHROMIUM = ("browser tests need Debian's chromium at {path} and the playwright package ({why}); "
                   "install them with `apt-get install -y chromium` and `pip install -e .[dev]` "
                   "(never `playwright install`). In CI (CI is set) this is a failure, not a skip.")
_LOCAL = ("file:", "data:", "about:")


def chromium_or_skip() -> None:
    """Skip when chromium or playwright is missing on a developer's machine; fail in CI."""
    import pytest

    why = None
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and shutil.which(CHROMIUM) is None:
        why = "no chromium executable"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "playwright is not importable"
    if why is None:
        return
    message = MSG_NO_CHROMIUM.format(path=CHROMIUM, why=why)
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclasses.dataclass
class PageVisit:
    """What one page load did: errors, requests that would have left the machine, the screenshot."""

    url: str
    screenshot: Path
    console_errors: list[str] = dataclasses.field(default_factory=list)
    page_errors: list[str] = dataclasses.field(default_factory=list)
    external_requests: list[str] = dataclasses.field(default_factory=list)
    requests: list[str] = dataclasses.field(default_factory=list)
    facts: dict[str, Any] = dataclasses.field(default_factory=dict)

    def problems(self) -> str:
        """An empty string when the page was clean; else what went wrong and where the screenshot is."""
        lines = [f"console error: {e}" for e in self.console_errors]
        lines += [f"page error: {e}" for e in self.page_errors]
        lines += [f"external request (blocked): {u}" for u in self.external_requests]
        if lines:
            lines.append(f"screenshot: {self.screenshot}")
        return "\n".join(lines)


def open_page(browser: Any, path_or_html: Path | str, screenshot: Path, *, width: int = 1100,
              evaluate: dict[str, str] | None = None) -> PageVisit:
    """Load a file (a Path) or HTML text (a str, loaded as a data URL-free document) and record what happened.

    ``evaluate`` maps a name to a JavaScript expression evaluated after load; results land
    in ``PageVisit.facts``.
    """
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=True)
    page = context.new_page()
    url = path_or_html.resolve().as_uri() if isinstance(path_or_html, Path) else "about:blank"
    visit = PageVisit(url=url, screenshot=screenshot)
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
    page.on("request", lambda r: visit.requests.append(r.url))

    def guard(route: Any) -> None:
        if route.request.url.startswith(_LOCAL):
            route.continue_()
        else:
            visit.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    try:
        if isinstance(path_or_html, Path):
            page.goto(url, wait_until="load")
        else:
            page.set_content(path_or_html, wait_until="load")
        page.wait_for_timeout(200)  # let anything deferred (a timer, a late fetch) surface
        visit.external_requests += [u for u in visit.requests
                                    if not u.startswith(_LOCAL) and u not in visit.external_requests]
        for name, expression in (evaluate or {}).items():
            visit.facts[name] = page.evaluate(expression)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    finally:
        context.close()
    return visit
