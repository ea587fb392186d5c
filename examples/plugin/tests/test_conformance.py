"""The contract every rai-audit auditor keeps, checked by rai-audit's own conformance kit."""
from rai_audit_representation import RepresentationAuditor

from audit.testing import parametrize_with_checks


@parametrize_with_checks([RepresentationAuditor(), RepresentationAuditor(intersections=False, min_share=0.2)])
def test_conformance(auditor, check):
    check(auditor)
