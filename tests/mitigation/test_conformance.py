"""The mitigation auditor keeps the Auditor contract when it builds candidates, not only when it is not needed."""
from audit.mitigation import MitigationAuditor
from audit.testing import make_subject, parametrize_with_checks


@parametrize_with_checks([MitigationAuditor(when="always", n_boot=10)])
def test_mitigation_conformance(auditor, check):
    check(auditor)


def test_a_group_only_in_the_evaluation_rows_gets_a_reason_not_a_crash():
    # make_subject plants a one-member race group: the split puts it in the evaluation half only
    result = MitigationAuditor(when="always", n_boot=0, over=["sex", "race"]).run(make_subject())
    reasons = [e["reason"] for e in result.details["candidates"] if e["method"] == "threshold_optimizer"]
    assert reasons and all(r is not None and "no threshold exists for them" in r for r in reasons)
    assert result.details["candidates"][0]["reason"] is None  # the unchanged model is still measured
