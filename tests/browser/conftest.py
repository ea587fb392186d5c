"""Session fixtures: one headless Debian chromium, and the demo's reports written once."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip
from tests.conftest import run_cli


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless chromium; Playwright gives every launch a fresh temporary user-data dir."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m audit demo --out DIR`, run once for the session, as a user would run it."""
    out = tmp_path_factory.mktemp("demo")
    proc = run_cli("demo", "--out", out)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")
