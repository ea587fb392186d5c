"""FairnessAuditor: group metrics, disparities and their intervals for one subject."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .._auditor import BaseAuditor, Requirement
from .._intervals import wilson_interval
from .._result import AuditResult, Finding, Severity, Status, format_group

__all__ = ["FairnessAuditor"]

_HEADLINE = {
    "binary": ("selection_rate", ("demographic_parity_difference", "equalized_odds_difference")),
    "multiclass": ("selection_rate", ("demographic_parity_difference", "equalized_odds_difference")),
    "regression": ("mean_absolute_error", ("mean_absolute_error_difference", "mean_prediction_difference")),
}
#: The per-group rates each headline disparity compares (equalized odds: the larger of two gaps).
_COMPONENTS = {
    "demographic_parity_difference": ("selection_rate",),
    "equalized_odds_difference": ("true_positive_rate", "false_positive_rate"),
    "mean_absolute_error_difference": ("mean_absolute_error",),
    "mean_prediction_difference": ("mean_prediction",),
}


def _round(x: Any, digits: int = 4) -> float | None:
    """Evidence for people: 4 significant digits (the metrics table keeps full precision)."""
    if not _finite(x):
        return None
    return float(f"{float(x):.{digits}g}")


def _finite(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


class FairnessAuditor(BaseAuditor):
    """Bias metrics by group and intersectional group, with bootstrap intervals.

    Parameters
    ----------
    n_boot : bootstrap replicates for percentile intervals (0 for none).
    ci : interval level.
    min_group_size : groups smaller than this are reported and flagged, but left out of the
        aggregates (differences, ratios, min/max): a group of 3 has a selection rate of 0
        or 1 by chance, and would otherwise decide every gap. 0 compares every group, as
        fairlearn does.
    intersections : also audit the intersection of all sensitive features.
    reference_group : e.g. ``{"race": "White"}``: disparities of every group against it.
    population_shares : e.g. ``{"sex": {"Female": 0.51, "Male": 0.49}}``: flags groups the
        data under-represents relative to the population it should describe.
    representation_threshold : a group whose share is below this fraction of its
        population share is flagged as under-represented.
    disparate_impact_threshold : the four-fifths rule's 0.8.
    calibration_bins : reliability-diagram bins when scores are available.
    pos_label : the positive class (binary); default 1 when present, else the larger class.
    random_state : seed of the bootstrap; None takes the subject's.
    """

    name = "fairness"
    version = "1.0"
    requires = frozenset({Requirement.TARGET, Requirement.PREDICTIONS, Requirement.SENSITIVE_FEATURES})

    def __init__(self, *, n_boot: int = 200, ci: float = 0.95, min_group_size: int = 30,
                 intersections: bool = True, reference_group: Mapping[str, Any] | None = None,
                 population_shares: Mapping[str, Mapping[str, float]] | None = None,
                 representation_threshold: float = 0.8, disparate_impact_threshold: float = 0.8,
                 calibration_bins: int = 10, pos_label: Any = None, random_state: int | None = None) -> None:
        self.n_boot = n_boot
        self.ci = ci
        self.min_group_size = min_group_size
        self.intersections = intersections
        self.reference_group = reference_group
        self.population_shares = population_shares
        self.representation_threshold = representation_threshold
        self.disparate_impact_threshold = disparate_impact_threshold
        self.calibration_bins = calibration_bins
        self.pos_label = pos_label
        self.random_state = random_state

    def run(self, subject: Any) -> AuditResult:
        from ..engines._lazy import COUNT_COLUMN
        from . import calibration_table, group_metrics, group_metrics_from_counts

        seed = subject.random_state if self.random_state is None else self.random_state
        pos_label = self.pos_label if self.pos_label is not None else getattr(subject, "pos_label", None)
        options = dict(task=subject.task, pos_label=pos_label, intersections=self.intersections,
                       reference_group=self.reference_group, population_shares=self.population_shares,
                       n_boot=self.n_boot, ci=self.ci, random_state=seed, min_group_size=self.min_group_size)
        if (subject.is_lazy and subject.prediction_column is not None and subject.y_score is None
                and subject.task != "regression"):
            # Only the (sensitive x target x prediction) count table leaves the engine.
            roles = [*subject.sensitive_features, subject.target, subject.prediction_column]
            counts = subject.count_table(list(dict.fromkeys(roles)))
            metrics = group_metrics_from_counts(counts, target=subject.target, prediction=subject.prediction_column,
                                                sensitive_features=list(subject.sensitive_features),
                                                count=COUNT_COLUMN, **options)
        else:
            metrics = group_metrics(subject.y_true, subject.y_pred, sensitive_features=subject.sensitive_frame,
                                    y_score=subject.y_score, **options)
        details: dict[str, Any] = {"min_group_size": self.min_group_size, "task": subject.task,
                                   "pos_label": pos_label if subject.task == "binary" else None,
                                   "n_boot": self.n_boot, "ci": self.ci}
        if subject.y_score is not None and subject.task == "binary":
            cal = calibration_table(subject.y_true, subject.y_score, sensitive_features=subject.sensitive_frame,
                                    n_bins=self.calibration_bins, pos_label=pos_label)
            details["calibration"] = cal.to_dict(orient="records")
        findings = self._findings(metrics, subject.task, details)
        if hasattr(subject, "input_findings"):
            findings = [*subject.input_findings(), *findings]
        worst = max((f.severity for f in findings), key=list(Severity).index, default=Severity.INFO)
        status = Status.WARN if worst in (Severity.WARNING, Severity.HIGH) else Status.PASS
        return AuditResult(self.name, self.version, status, metrics=metrics, findings=tuple(findings),
                           params=self.get_params(), details=details)

    # -- findings: what a reviewer should read first ----------------------------------------------
    def _findings(self, m: pd.DataFrame, task: str, details: dict[str, Any]) -> list[Finding]:
        out: list[Finding] = []
        counts = m[(m["metric"] == "count") & m["group"].map(lambda g: g is not None)]
        small = counts[(counts["value"] > 0) & (counts["value"] < self.min_group_size)]
        empty = counts[counts["value"] == 0]
        rate_metric, headline = _HEADLINE.get(task, _HEADLINE["binary"])
        rates = m[(m["metric"] == rate_metric) & m["group"].map(lambda g: g is not None) & m["label"].isna()]
        if len(small):
            widths = []
            for row in small.itertuples(index=False):
                match = rates[rates["group"].map(lambda g, want=row.group: g == want)]
                width = (float(match["ci_high"].iloc[0] - match["ci_low"].iloc[0])
                         if len(match) and _finite(match["ci_low"].iloc[0]) else None)
                entry: dict[str, Any] = {"group": row.group, "n": int(row.value),
                                         f"{rate_metric}_bootstrap_ci_width": _round(width)}
                if rate_metric == "selection_rate" and len(match):
                    low, high = wilson_interval(float(match["value"].iloc[0]), int(row.value), self.ci)
                    entry["selection_rate_wilson_ci"] = [_round(low), _round(high)]
                widths.append(entry)
            details["small_groups"] = widths
            out.append(Finding(Severity.WARNING, "fairness.small_groups",
                               f"{len(small)} group(s) have fewer than {self.min_group_size} rows: their metrics are "
                               "noise-prone and they are left out of the aggregates. A bootstrap interval "
                               "of a rate observed as 0 or 1 collapses to a point, which is not certainty; "
                               "the evidence adds Wilson intervals, which do not.",
                               {"groups": widths[:50], "total": len(widths)}))
        if len(empty):
            cells = [row.group for row in empty.itertuples(index=False)]
            out.append(Finding(Severity.INFO, "fairness.empty_cells",
                               f"{len(cells)} intersectional cell(s) have no rows in the data, so the model's "
                               "behaviour there is unknown.", {"groups": cells[:50], "total": len(cells)}))
        for row in m[m["metric"] == "disparate_impact_ratio"].itertuples(index=False):
            if _finite(row.value) and row.value < self.disparate_impact_threshold:
                out.append(Finding(Severity.WARNING, "fairness.disparate_impact",
                                   f"across {' x '.join(row.over)}"
                                   f"{'' if row.label is None else f' (class {row.label})'}: the lowest selection "
                                   f"rate is {row.value:.2f} of the highest, below the four-fifths rule's "
                                   f"{self.disparate_impact_threshold:g}.",
                                   {"over": list(row.over), "value": _round(row.value),
                                    "ci_low": _round(row.ci_low), "ci_high": _round(row.ci_high),
                                    "label": row.label}))
        for row in m[m["metric"] == "representation_ratio"].itertuples(index=False):
            if _finite(row.value) and row.value < self.representation_threshold:
                out.append(Finding(Severity.WARNING, "fairness.under_represented",
                                   f"group {format_group(row.group)} makes up {row.value:.2f} of its share of the "
                                   "reference population in this data.",
                                   {"group": row.group, "value": _round(row.value)}))
        for name in headline:
            for row in m[(m["metric"] == name) & m["label"].isna()].itertuples(index=False):
                if not _finite(row.value):
                    continue
                evidence: dict[str, Any] = {"over": list(row.over), "value": _round(row.value),
                                            "ci_low": _round(row.ci_low), "ci_high": _round(row.ci_high)}
                text = f"{name} across {' x '.join(row.over)} is {row.value:.3g}"
                if _finite(row.ci_low):
                    text += f" ({self.ci:.0%} CI {row.ci_low:.3g} to {row.ci_high:.3g})"
                extremes = self._extremes(m, name, row.over)
                if extremes is not None:
                    component, lo, hi = extremes
                    evidence.update(metric=component,
                                    lowest={"group": lo["group"], component: _round(lo["value"]), "n": lo["n"]},
                                    highest={"group": hi["group"], component: _round(hi["value"]), "n": hi["n"]})
                    text += (f"; {component} ranges from {lo['value']:.3g} ({format_group(lo['group'])}) "
                             f"to {hi['value']:.3g} ({format_group(hi['group'])})")
                out.append(Finding(Severity.INFO, f"fairness.{name}", text + ".", evidence))
        order = list(Severity)
        return sorted(out, key=lambda f: -order.index(f.severity))

    def _extremes(self, m: pd.DataFrame, name: str, over: Any) -> tuple[str, pd.Series, pd.Series] | None:
        """The per-group rate behind a headline disparity, with its lowest and highest compared group."""
        best = None
        for component in _COMPONENTS.get(name, ()):
            per = m[(m["metric"] == component) & m["label"].isna()
                    & m["over"].map(lambda o: o is not None and list(o) == list(over))]
            per = per[per["value"].notna() & (per["n"] >= self.min_group_size)]
            if len(per) == 0:
                continue
            lo, hi = per.loc[per["value"].idxmin()], per.loc[per["value"].idxmax()]
            if best is None or hi["value"] - lo["value"] > best[2]["value"] - best[1]["value"]:
                best = (component, lo, hi)
        return best
