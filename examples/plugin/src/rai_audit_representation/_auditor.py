"""RepresentationAuditor: is every group present in the audited rows in a share worth auditing?

A group that is 1 % of the rows gets wide intervals in every fairness metric, and a model
evaluated on it says little. This auditor reports each group's share of the rows (each
sensitive feature alone, and their intersection), with a Wilson interval, and warns when
a group is clearly below ``min_share`` (the whole interval under it).
"""
from __future__ import annotations

import math
from typing import Any

from audit import AuditResult, BaseAuditor, Finding, Interval, OneOf, Requirement, Severity
from audit.engines import COUNT_COLUMN

__all__ = ["RepresentationAuditor", "wilson"]

_Z = {0.9: 1.6448536269514722, 0.95: 1.959963984540054, 0.99: 2.5758293035489004}


def wilson(successes: int, trials: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of a proportion (never outside [0, 1], honest at 0 and n)."""
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


class RepresentationAuditor(BaseAuditor):
    """Each group's share of the rows, with a Wilson interval.

    Parameters
    ----------
    min_share : a group whose whole interval lies below this share is flagged.
    ci : interval level: 0.9, 0.95 or 0.99.
    intersections : also report the intersection of all sensitive features.
    """

    name = "representation"
    version = "0.1.0"
    requires = frozenset({Requirement.SENSITIVE_FEATURES})
    constraints = {"min_share": [Interval(float, 0, 1, "neither")], "ci": [OneOf((0.9, 0.95, 0.99))],
                   "intersections": [bool]}

    def __init__(self, *, min_share: float = 0.05, ci: float = 0.95, intersections: bool = True) -> None:
        self.min_share = min_share
        self.ci = ci
        self.intersections = intersections

    def run(self, subject: Any) -> AuditResult:
        features = list(subject.sensitive_features)
        groupings = [[f] for f in features]
        if self.intersections and len(features) > 1:
            groupings.append(features)
        rows: list[dict[str, Any]] = []
        findings: list[Finding] = []
        for over in groupings:
            counts = subject.count_table(over)
            total = int(counts[COUNT_COLUMN].sum())
            keys = counts[over].itertuples(index=False, name=None)
            cells = sorted(((tuple(None if _missing(v) else str(v) for v in key), int(n))
                            for key, n in zip(keys, counts[COUNT_COLUMN], strict=True)),
                           key=lambda c: tuple(str(v) for v in c[0]))
            shares = []
            for key, n in cells:
                low, high = wilson(n, total, _Z[self.ci])
                group = dict(zip(over, key, strict=True))
                rows.append({"metric": "share", "group": group, "value": n / total, "ci_low": low,
                             "ci_high": high, "n": n, "over": over})
                shares.append(n / total)
                if high < self.min_share:
                    findings.append(Finding(Severity.WARNING, "representation.small_group",
                                            f"{_group_text(group)} is {n / total:.1%} of the rows "
                                            f"(at most {high:.1%} at {self.ci:.0%} confidence), below the "
                                            f"{self.min_share:.0%} this audit needs.",
                                            {"n": n, "share": n / total, "ci_high": high, "over": over}))
            rows.append({"metric": "min_share", "group": None, "value": min(shares) if shares else None,
                         "n": total, "over": over})
        return AuditResult.build(self, rows, findings, details={"groupings": [list(o) for o in groupings]})


def _group_text(group: dict[str, Any]) -> str:
    return ", ".join(f"{k}={'<missing>' if v is None else v}" for k, v in group.items())


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
