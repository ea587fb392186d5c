"""pytest plugin (entry point ``pytest11``: ``rai_audit``): gate a model's audit inside a test suite.

Adds ``--rai-audit-policy PATH`` (or the ini key ``rai_audit_policy``) and the
``rai_audit_policy`` fixture, which returns that policy's checks, ready for
:func:`audit.testing.assert_passes`::

    def test_model_is_fair(rai_audit_policy):
        report = audit.run(frame, model=model, target="y", sensitive_features=["sex"])
        assert_passes(report, rai_audit_policy)

With plugin autoloading disabled (``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``), load it with
``-p rai_audit`` or ``pytest_plugins = ["audit.pytest_plugin"]`` in a root conftest.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ._messages import (
    MSG_NO_POLICY,
)

__all__ = ["pytest_addoption", "rai_audit_policy", "MSG_NO_POLICY"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's command-line options (``--rai-audit-policy`` and its companions)."""
    group = parser.getgroup("rai-audit", "responsible-AI audit gate (rai-audit)")
    group.addoption("--rai-audit-policy", action="store", default=None, metavar="PATH",
                    help="policy TOML ([[checks]]) for the rai_audit_policy fixture")
    parser.addini("rai_audit_policy", "policy TOML for the rai_audit_policy fixture, relative to the ini file",
                  type="string", default="")


def pytest_report_header(config: pytest.Config) -> str | None:
    path = _policy_path(config)
    return f"rai-audit policy: {path}" if path is not None else None


def _policy_path(config: pytest.Config) -> Path | None:
    option = config.getoption("--rai-audit-policy", default=None)
    if option:
        return Path(option)
    ini = config.getini("rai_audit_policy")
    if ini:
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        return base / str(ini)
    return None


@pytest.fixture(scope="session")
def rai_audit_policy(pytestconfig: pytest.Config) -> list[Any]:
    """The checks of the policy given by ``--rai-audit-policy`` or the ini key (fails when neither is set)."""
    from audit import load_policy

    path = _policy_path(pytestconfig)
    if path is None:
        pytest.fail(MSG_NO_POLICY, pytrace=False)
    return load_policy(path)
