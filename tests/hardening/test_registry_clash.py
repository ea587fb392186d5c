"""Two installed distributions declaring one auditor name is a PluginError naming both (issue 14, item 1)."""
from __future__ import annotations

from importlib import metadata
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import audit
from audit import _registry
from audit._exceptions import PluginError


class _Clash(audit.BaseAuditor):
    name = "clash"
    version = "1"

    def run(self, subject):
        return audit.AuditResult("clash", "1", audit.Status.PASS)


def _ep(name: str, dist: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, dist=SimpleNamespace(name=dist, version="1"), load=lambda: _Clash)


@pytest.fixture()
def two_dists(monkeypatch):
    real = metadata.entry_points

    def fake(**kw):
        found = list(real(**kw))
        return found + [_ep("clash", "audit-plugin-b"), _ep("clash", "audit_plugin_a"), _ep("clash", "Audit.Plugin-A")]

    monkeypatch.setattr(metadata, "entry_points", fake)


def test_get_and_available_refuse_a_name_two_distributions_declare(two_dists) -> None:
    expected = _registry.MSG_NAME_CLASH.format(name="clash", dists=["audit-plugin-a", "audit-plugin-b"])
    with pytest.raises(PluginError) as err:
        _registry.get("clash")
    assert str(err.value) == expected
    with pytest.raises(PluginError, match="more than one installed distribution"):
        _registry.available()
    assert _registry.get("fairness").distribution == "rai-audit"  # the others still load


def test_a_run_naming_the_clashing_auditor_gets_its_error_result(two_dists) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"y": rng.integers(0, 2, 50), "g": rng.choice(["a", "b"], 50)})
    frame["p"] = frame["y"]
    report = audit.run(frame, target="y", prediction="p", sensitive_features=["g"], auditors=["clash", "fairness"])
    assert report["clash"].status == audit.Status.ERROR
    assert "audit-plugin-a" in report["clash"].reason and "audit-plugin-b" in report["clash"].reason
    assert report["fairness"].status != audit.Status.ERROR
    assert report.exit_code == audit.ExitCode.INTERNAL_ERROR
