"""Without chromium the browser tests skip on a developer's machine and fail in CI."""
from __future__ import annotations

import pytest

from tests.browser import helpers


def test_skips_locally_with_a_reason(monkeypatch):
    monkeypatch.setattr(helpers, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as info:
        helpers.chromium_or_skip()
    assert str(info.value) == helpers.MSG_NO_CHROMIUM.format(path="/nonexistent/chromium",
                                                             why="no chromium executable")


def test_fails_in_ci(monkeypatch):
    monkeypatch.setattr(helpers, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="In CI"):
        helpers.chromium_or_skip()
