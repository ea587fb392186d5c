"""Every registered auditor, built-in or plugin, keeps the Auditor contract (audit.testing)."""
from audit import _registry
from audit.testing import parametrize_with_checks

AUDITORS = [reg.cls() for reg in _registry.available().values()]


@parametrize_with_checks(AUDITORS)
def test_auditor_conformance(auditor, check):
    check(auditor)
