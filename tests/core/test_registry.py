import pytest

from audit import PluginError, UsageError, _registry
from audit._registry import MSG_UNKNOWN_AUDITOR


def test_builtin_fairness_is_an_entry_point_of_this_distribution():
    reg = _registry.available()["fairness"]
    assert reg.distribution == "rai-audit"
    from audit.fairness import FairnessAuditor

    assert reg.cls is FairnessAuditor


def test_unknown_auditor_lists_the_known_ones():
    with pytest.raises(UsageError) as err:
        _registry.get("fairnes")
    assert str(err.value) == MSG_UNKNOWN_AUDITOR.format(name="fairnes", available=sorted(_registry.available()))


def test_getting_one_auditor_imports_only_it():
    import subprocess
    import sys

    code = ("import sys, audit; audit.build_auditors(['fairness']); "
            "print(sorted(m for m in sys.modules if m.startswith(('captum', 'audit.attribution', 'audit.energy'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert set(_registry.names()) >= {"fairness", "attribution", "privacy", "energy"}


def test_register_validates_the_protocol():
    class NoRun:
        name = "norun"
        version = "1"
        requires = frozenset()

    with pytest.raises(PluginError, match="has no attribute 'run'"):
        _registry.register(NoRun)

    class BadReq:
        name = "badreq"
        version = "1"
        requires = frozenset({"telepathy"})

        def run(self, subject):
            raise NotImplementedError

    with pytest.raises(PluginError, match="unknown requirement"):
        _registry.register(BadReq)


def test_register_and_unregister_in_process():
    class Echo:
        name = "echo-test"
        version = "1"
        requires = frozenset()

        def run(self, subject):
            from audit import AuditResult, Status

            return AuditResult(self.name, self.version, Status.PASS)

    _registry.register(Echo)
    try:
        assert _registry.get("echo-test").cls is Echo
    finally:
        _registry.unregister("echo-test")
    assert "echo-test" not in _registry.available()
