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


def _plugin_package(tmp_path, monkeypatch, body: str):
    """A third-party package ``rai_fake_plugin`` whose auditor lives in a private module re-exported by
    its ``__init__``, declared as an entry point in ``audit.auditors``; ``body`` is that module's text."""
    pkg = tmp_path / "rai_fake_plugin"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from ._impl import Drift as DriftAuditor\n")
    (pkg / "_impl.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    from importlib import metadata

    real = metadata.entry_points
    ep = metadata.EntryPoint(name="drift", value="rai_fake_plugin:DriftAuditor", group=_registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(metadata, "entry_points", lambda **kw: [*real(**kw), ep])


_DRIFT = ('class Drift:\n    """Population drift between two tables.\n\n    More words.\n    """\n\n'
          '    name = "drift"\n    version = "1"\n    requires = frozenset()\n\n'
          '    def run(self, subject):\n        raise NotImplementedError\n')


def test_catalogue_describes_a_plugin_from_its_source_without_importing_it(tmp_path, monkeypatch):
    import sys

    _plugin_package(tmp_path, monkeypatch, "raise ImportError('importing me is what listing must not do')\n" + _DRIFT)
    found = {i.name: i for i in _registry.catalogue()}
    assert found["drift"].description == "Population drift between two tables."
    assert found["drift"].target == "rai_fake_plugin:DriftAuditor"
    assert "rai_fake_plugin" not in sys.modules
    assert (
        found["fairness"].description.startswith("Bias metrics by group")
        and found["fairness"].distribution == "rai-audit"
    )


def test_catalogue_imports_a_plugin_whose_class_it_cannot_read(tmp_path, monkeypatch):
    dynamic = (
        _DRIFT.replace("class Drift:", "class _Base:")
        + "\nDrift = type('Drift', (_Base,), {'__doc__': 'Made at import.'})\n"
    )
    _plugin_package(tmp_path, monkeypatch, dynamic)
    assert {i.name: i.description for i in _registry.catalogue()}["drift"] == "Made at import."
