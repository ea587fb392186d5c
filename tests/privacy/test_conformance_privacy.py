"""The privacy auditor keeps the Auditor contract (before its entry point is installed)."""
from audit.privacy import PrivacyAuditor
from audit.testing import parametrize_with_checks


@parametrize_with_checks([PrivacyAuditor()])
def test_privacy_conformance(auditor, check):
    check(auditor)
