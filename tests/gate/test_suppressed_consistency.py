"""A small cell is withheld from report.json, so the run and the gate on its saved report judge the same rows."""
from __future__ import annotations

import numpy as np
import pandas as pd

import audit


def test_a_per_group_check_gives_the_same_verdict_in_the_run_and_in_the_gate(tmp_path) -> None:
    rng = np.random.default_rng(0)
    n = 600
    g = np.where(np.arange(n) < 6, "tiny", rng.choice(["a", "b"], n))  # a cell of 6 people: suppressed
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame({"y": y, "p": np.where(g == "tiny", 0, y), "g": g})
    checks = [{"metric": "fairness.selection_rate", "min": 0.2}]
    report = audit.run(frame, target="y", prediction="p", sensitive_features="g", auditors=["fairness"],
                       checks=checks)
    assert {"g": "tiny"} in report["fairness"].details["suppressed_groups"]
    report.save(tmp_path)
    saved = audit.AuditReport.load(tmp_path / "report.json")
    regated = audit.evaluate_checks(audit.parse_checks(checks), {r.auditor: r for r in saved.results},
                                    subject=saved.subject)
    assert [(o.status, o.message) for o in regated] == [(o.status, o.message) for o in report.checks]
    assert report.checks[0].status == audit.Status.PASS  # the tiny cell's 0 is withheld, in both
