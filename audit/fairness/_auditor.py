"""FairnessAuditor: group metrics, disparities and their intervals for one subject."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._base import BaseAuditor, Interval, Requirement
from .._exceptions import UsageError
from .._intervals import wilson_interval
from .._results import AuditResult, Finding, Severity, format_group
from ..subject import require
from . import _messages as msg

if TYPE_CHECKING:
    from ..subject import Subject

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


#: Why a per-group rate is undefined (its denominator is 0), by metric.
UNDEFINED_REASONS = {
    "true_positive_rate": "no positives in this group",
    "false_negative_rate": "no positives in this group",
    "false_positive_rate": "no negatives in this group",
    "true_negative_rate": "no negatives in this group",
    "precision_score": "nothing predicted positive in this group",
    "false_discovery_rate": "nothing predicted positive in this group",
    "negative_predictive_value": "nothing predicted negative in this group",
    "false_omission_rate": "nothing predicted negative in this group",
    "f1_score": "no positives and nothing predicted positive in this group",
    "roc_auc_score": "only one class in this group",
    "r2_score": "fewer than two rows in this group",
}
#: The fairness definitions whose compared groups the details list.
_DEFINITIONS = ("demographic_parity_difference", "equalized_odds_difference", "equal_opportunity_difference")
#: Most entries of one details list (the report stays readable with thousands of groups).
_MAX_LISTED = 200


def _group_key(group: Mapping[str, Any]) -> tuple:
    return tuple(sorted((str(k), None if v is None else str(v)) for k, v in group.items()))


def _round(x: Any, digits: int = 4) -> float | None:
    """Evidence for people: 4 significant digits (the metrics table keeps full precision)."""
    if not _finite(x):
        return None
    return float(f"{float(x):.{digits}g}")


def _finite(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _per_group(m: pd.DataFrame, metric: str, cache: dict) -> pd.DataFrame:
    """The per-group rows (group not null) of ``metric``.

    They come from one split of ``m`` by metric, kept in ``cache``: the details and findings ask
    about the same few metrics many times.
    """
    split = cache.get("by_metric")
    if split is None:
        grouped = m[m["group"].notna()]
        split = cache["by_metric"] = {name: sub for name, sub in grouped.groupby("metric", sort=False)}
    return split.get(metric, m.iloc[:0])


class FairnessAuditor(BaseAuditor):
    """Bias metrics by group and intersectional group, with bootstrap intervals.

    Parameters
    ----------
    n_boot : bootstrap replicates for percentile intervals (0 for none).
    ci : interval level.
    min_group_size : a group enters a rate's aggregates (differences, ratios, min/max, the
        fairness definitions) only with at least this many rows in that rate's denominator
        (positives for TPR/FNR, negatives for FPR/TNR, predicted positives for precision,
        rows for selection rate); smaller groups are reported and flagged. A group with 3
        positives has a TPR of 0 or 1 by chance, and would otherwise decide every gap. 0
        compares every group, as fairlearn does.
    min_cell_size : per-group rows of groups with fewer people than this (but at least
        one) are suppressed in report.json and report.html: written without figures and
        marked ``"suppressed": true``, so a shared report does not disclose a few people's
        labels and predictions. They still count in aggregates and checks. 0 disables.
    intersections : also audit the intersection of all sensitive features.
    reference_group : e.g. ``{"race": "White"}``: disparities of every group against it.
    population_shares : e.g. ``{"sex": {"Female": 0.51, "Male": 0.49}}``: flags groups the
        data under-represents relative to the population it should describe.
    representation_threshold : a group whose share is below this fraction of its
        population share is flagged as under-represented.
    disparate_impact_threshold : the four-fifths rule's 0.8.
    fdr : false discovery rate of the disparity findings. Each fairness definition of each
        grouping has a chi-square p-value of "no difference" (rows ``<aggregate>_p_value``);
        Benjamini-Hochberg adjusts them over all groupings and classes together, and a
        disparate-impact warning is raised only when its test survives at this rate, so a
        table of hundreds of intersectional cells does not warn by chance.
    calibration_bins : reliability-diagram bins when scores are available.
    pos_label : the positive class (binary); default 1 when present, else the larger class.
    random_state : seed of the bootstrap; None takes the subject's.
    """

    name = "fairness"
    version = "1.0"
    requires = frozenset({Requirement.TARGET, Requirement.PREDICTIONS, Requirement.SENSITIVE_FEATURES})
    #: Group metrics need labels, predictions and groups only: any input the predictions came from.
    modalities = frozenset({"table", "image"})

    constraints = {
        "n_boot": [Interval(int, 0, None)], "ci": [Interval(float, 0, 1, "neither")],
        "min_group_size": [Interval(int, 0, None)], "min_cell_size": [Interval(int, 0, None)],
        "intersections": [bool], "reference_group": [Mapping, None], "population_shares": [Mapping, None],
        "representation_threshold": [Interval(float, 0, 1)], "disparate_impact_threshold": [Interval(float, 0, 1)],
        "fdr": [Interval(float, 0, 1, "neither")], "calibration_bins": [Interval(int, 1, None)],
        "random_state": [Interval(int, 0, None), None],
    }

    def __init__(self, *, n_boot: int = 200, ci: float = 0.95, min_group_size: int = 30,
                 min_cell_size: int = 10, intersections: bool = True, reference_group: Mapping[str, Any] | None = None,
                 population_shares: Mapping[str, Mapping[str, float]] | None = None,
                 representation_threshold: float = 0.8, disparate_impact_threshold: float = 0.8,
                 fdr: float = 0.05,
                 calibration_bins: int = 10, pos_label: Any = None, random_state: int | None = None) -> None:
        self.n_boot = n_boot
        self.ci = ci
        self.min_group_size = min_group_size
        self.min_cell_size = min_cell_size
        self.intersections = intersections
        self.reference_group = reference_group
        self.population_shares = population_shares
        self.representation_threshold = representation_threshold
        self.disparate_impact_threshold = disparate_impact_threshold
        self.fdr = fdr
        self.calibration_bins = calibration_bins
        self.pos_label = pos_label
        self.random_state = random_state

    def run(self, subject: Subject) -> AuditResult:
        from ..engines import COUNT_COLUMN
        from ._engine import calibration_table, group_metrics, group_metrics_from_counts

        min_cell_size = self.min_cell_size
        if isinstance(min_cell_size, bool) or not isinstance(min_cell_size, int) or min_cell_size < 0:
            raise UsageError(msg.MIN_CELL_SIZE.format(min_cell_size=min_cell_size))
        fdr = self.fdr
        if isinstance(fdr, bool) or not isinstance(fdr, (int, float)) or not 0.0 < float(fdr) < 1.0:
            raise UsageError(msg.FDR.format(fdr=fdr))
        seed = subject.random_state if self.random_state is None else self.random_state
        pos_label = self.pos_label if self.pos_label is not None else getattr(subject, "pos_label", None)
        options: dict[str, Any] = dict(task=subject.task, pos_label=pos_label, intersections=self.intersections,
                       reference_group=self.reference_group, population_shares=self.population_shares,
                       n_boot=self.n_boot, ci=self.ci, random_state=seed, min_group_size=self.min_group_size)
        weights = getattr(subject, "sample_weight", None)  # an array of the table's weights, or None
        # The one place the auditor asks where the rows live: rows in memory are counted by a row-level
        # bincount (the fast path); a table in an engine gives only its (sensitive x target x prediction)
        # count table, when the figures need no more (no scores, no regression, no weights).
        if (not subject.table.is_local and subject.prediction_column is not None and subject.y_score is None
                and subject.task != "regression" and weights is None):
            target = require(subject.target, "target", self.name)
            roles = [*subject.sensitive_features, target, subject.prediction_column]
            counts = subject.count_table(list(dict.fromkeys(roles)))
            metrics = group_metrics_from_counts(counts, target=target, prediction=subject.prediction_column,
                                                sensitive_features=list(subject.sensitive_features),
                                                count=COUNT_COLUMN, **options)
        else:
            metrics = group_metrics(subject.y_true, subject.y_pred, sensitive_features=subject.sensitive_frame,
                                    y_score=subject.y_score, sample_weight=weights, **options)
        details: dict[str, Any] = {"min_group_size": self.min_group_size, "min_cell_size": min_cell_size,
                                   "task": subject.task, "n_boot": self.n_boot, "ci": self.ci,
                                   "pos_label": pos_label if subject.task == "binary" else None,
                                   "weighted": weights is not None}
        suppressed = self._suppressed(metrics, min_cell_size)
        if suppressed:
            details["suppressed_groups"] = [dict(g) for g in suppressed.values()]
        details["undefined"] = self._undefined(metrics, suppressed)
        cache: dict = {}  # questions about this metrics frame, answered once
        details["aggregate_groups"] = self._aggregate_groups(metrics, cache)
        significance = self._significance(metrics)
        details["significance"] = {"method": "Pearson chi-square test of homogeneity of the rate across the compared "
                                             "groups; equalized odds: Bonferroni of the TPR and FPR tests; "
                                             "Benjamini-Hochberg over every test listed",
                                   "fdr": self.fdr, "tests": list(significance.values())}
        if subject.y_score is not None and subject.task == "binary":
            cal = calibration_table(subject.y_true, subject.y_score, sensitive_features=subject.sensitive_frame,
                                    n_bins=self.calibration_bins, pos_label=pos_label)
            details["calibration"] = [
                {**b, "n": None, "mean_score": None, "fraction_positive": None, "suppressed": True}
                if b["group"] is not None and _group_key(b["group"]) in suppressed else b
                for b in cal.to_dict(orient="records")]
        findings = self._findings(metrics, require(subject.task, "task", self.name), details, suppressed,
                                  significance, cache)
        if hasattr(subject, "input_findings"):
            findings = [*subject.input_findings(), *findings]
        return AuditResult.build(self, metrics, findings, details=details)

    # -- what the details say about groups ------------------------------------------------------
    @staticmethod
    def _suppressed(m: pd.DataFrame, min_cell_size: int) -> dict[tuple, dict[str, Any]]:
        """Groups with 1 to ``min_cell_size - 1`` people, keyed by :func:`_group_key`."""
        if min_cell_size <= 0:
            return {}
        counts = m[(m["metric"] == "count") & m["group"].map(lambda g: g is not None) & m["label"].isna()]
        small = counts[(counts["value"] > 0) & (counts["value"] < min_cell_size)]
        return {_group_key(g): dict(g) for g in small["group"]}

    @staticmethod
    def _undefined(m: pd.DataFrame, suppressed: Mapping[tuple, Any]) -> dict[str, Any]:
        """Per-group rates that are null in a non-empty group, with the reason.

        Suppressed groups are left out: "no positives in this group" would disclose
        their labels.
        """
        sizes = {(_group_key(g), tuple(o)): n for g, o, n in
                 m.loc[(m["metric"] == "count") & m["group"].notna(), ["group", "over", "n"]].itertuples(index=False)}
        rows = m[m["metric"].isin(list(UNDEFINED_REASONS)) & m["group"].notna() & m["value"].isna()]
        listed = []
        for row in rows.itertuples(index=False):
            key = _group_key(row.group)
            if key in suppressed or not sizes.get((key, tuple(row.over))):
                continue
            listed.append({"metric": row.metric, "group": dict(row.group), "label": row.label,
                           "reason": UNDEFINED_REASONS[row.metric]})
        return {"total": len(listed), "rates": listed[:_MAX_LISTED]}

    def _compared_groups(self, m: pd.DataFrame, component: str, over: list[str], label: Any,
                         cache: dict) -> set[tuple]:
        """Groups whose ``component`` rate is defined on enough rows.

        Enough means ``min_group_size`` of the rate's own denominator. Worked out once per
        question: ``cache`` belongs to one metrics frame.
        """
        key = ("compared", component, tuple(over), label)
        if key in cache:
            return set(cache[key])

        def rows(metric: str) -> pd.DataFrame:
            sub = _per_group(m, metric, cache)  # one split of the frame by metric, not one filter per call
            return sub[sub["over"].map(lambda o: o is not None and list(o) == over)
                       & sub["label"].map(lambda x: x == label)]

        values = {_group_key(g): v for g, v in rows(component)[["group", "value"]].itertuples(index=False)}
        sizes = {_group_key(g): v for g, v in rows("count" if label is None else "base_rate")[
            ["group", "n"]].itertuples(index=False)}
        base = {_group_key(g): v for g, v in rows("base_rate")[["group", "value"]].itertuples(index=False)}
        out = set()
        for key_, value in values.items():
            if not _finite(value):
                continue
            n = float(sizes.get(key_) or 0)
            positives = round(n * float(base.get(key_, float("nan")))) if _finite(base.get(key_)) else 0
            support = {"true_positive_rate": positives, "false_positive_rate": n - positives}.get(component, n)
            if support >= self.min_group_size:
                out.add(key_)
        cache[key] = frozenset(out)
        return out

    def _aggregate_groups(self, m: pd.DataFrame, cache: dict) -> list[dict[str, Any]]:
        """For each fairness definition, how many groups it compares and how many it leaves out."""
        out = []
        rows = m[m["metric"].isin(_DEFINITIONS) & m["group"].isna() & m["over"].notna()]
        counts = m[(m["metric"] == "count") & m["group"].notna() & (m["value"] > 0)]
        for row in rows.itertuples(index=False):
            over = list(row.over)
            in_grouping = counts[counts["over"].map(lambda o, want=over: list(o) == want)]
            total = len(in_grouping)
            components: tuple[str, ...]
            if row.metric == "demographic_parity_difference":
                components = ("selection_rate",)
            elif row.metric == "equal_opportunity_difference":
                components = ("true_positive_rate",)
            else:
                components = ("true_positive_rate", "false_positive_rate")
            # a group is compared when it enters at least one component's aggregate
            eligible: set[tuple] = set()
            for component in components:
                eligible |= self._compared_groups(m, component, over, row.label, cache)
            compared = len(eligible)
            out.append({"metric": row.metric, "over": over, "label": row.label, "groups": total,
                        "compared": compared, "left_out": total - compared,
                        "n": None if pd.isna(row.n) else int(row.n)})
        return out

    def _significance(self, m: pd.DataFrame) -> dict[tuple, dict[str, Any]]:
        """The fairness definitions' p-values, BH-adjusted together; keyed by (definition, over, label)."""
        from ._significance import benjamini_hochberg

        names = {f"{d}_p_value": d for d in _DEFINITIONS}
        rows = m[m["metric"].isin(list(names)) & m["group"].isna() & m["over"].notna()]
        q = benjamini_hochberg(rows["value"].to_numpy(dtype=np.float64))
        out = {}
        for row, q_value in zip(rows.itertuples(index=False), q, strict=True):
            significant = bool(_finite(q_value) and q_value <= self.fdr)
            out[(names[row.metric], tuple(row.over), row.label)] = {
                "metric": names[row.metric], "over": list(row.over), "label": row.label,
                "p_value": _round(row.value), "q_value": _round(q_value), "significant": significant}
        return out

    # -- findings: what a reviewer should read first ----------------------------------------------
    def _findings(self, m: pd.DataFrame, task: str, details: dict[str, Any],
                  suppressed: Mapping[tuple, Any], significance: Mapping[tuple, Mapping[str, Any]],
                  cache: dict | None = None) -> list[Finding]:
        cache = {} if cache is None else cache
        out: list[Finding] = []
        counts = m[(m["metric"] == "count") & m["group"].map(lambda g: g is not None)]
        small = counts[(counts["value"] > 0) & (counts["value"] < self.min_group_size)]
        empty = counts[counts["value"] == 0]
        rate_metric, headline = _HEADLINE.get(task, _HEADLINE["binary"])
        rates = m[(m["metric"] == rate_metric) & m["group"].map(lambda g: g is not None) & m["label"].isna()]
        if len(small):
            widths = []
            for row in small.itertuples(index=False):
                if _group_key(row.group) in suppressed:  # no figures for a suppressed cell
                    widths.append({"group": row.group, "suppressed": True})
                    continue
                match = rates[rates["group"].map(lambda g, want=row.group: g == want)]
                low = high = None
                if len(match) and _finite(match["ci_low"].iloc[0]):
                    low, high = float(match["ci_low"].iloc[0]), float(match["ci_high"].iloc[0])
                elif rate_metric == "selection_rate" and len(match) and _finite(match["value"].iloc[0]):
                    low, high = wilson_interval(float(match["value"].iloc[0]), int(row.value), self.ci)
                entry: dict[str, Any] = {"group": row.group, "n": int(row.value),
                                         f"{rate_metric}_ci": [_round(low), _round(high)]}
                widths.append(entry)
            details["small_groups"] = widths
            out.append(Finding(Severity.WARNING, "fairness.small_groups",
                               f"{len(small)} group(s) have fewer than {self.min_group_size} rows: their estimates "
                               "are noisy, so read them with their intervals (score intervals for rates, which "
                               "stay wide at 0 and 1). A rate's aggregates compare only groups with at least "
                               f"{self.min_group_size} rows in that rate's own denominator (positives for the "
                               "true positive rate, negatives for the false positive rate).",
                               {"groups": widths[:50], "total": len(widths)}))
        if len(empty):
            cells = [row.group for row in empty.itertuples(index=False)]
            out.append(Finding(Severity.INFO, "fairness.empty_cells",
                               f"{len(cells)} intersectional cell(s) have no rows in the data, so the model's "
                               "behaviour there is unknown.", {"groups": cells[:50], "total": len(cells)}))
        for row in m[m["metric"] == "disparate_impact_ratio"].itertuples(index=False):
            if _finite(row.value) and row.value < self.disparate_impact_threshold:
                test = significance.get(("demographic_parity_difference", tuple(row.over), row.label), {})
                survives = test.get("significant", True)
                text = (f"across {' x '.join(row.over)}"
                        f"{'' if row.label is None else f' (class {row.label})'}: the lowest selection "
                        f"rate is {row.value:.2f} of the highest, below the four-fifths rule's "
                        f"{self.disparate_impact_threshold:g}")
                if test:
                    text += (f"; the selection rates differ significantly (q = {test['q_value']:.3g}, false "
                             f"discovery rate {self.fdr:g})." if survives else
                             f"; but the selection rates do not differ significantly once the false discovery "
                             f"rate is controlled (q = {test['q_value']:.3g} > {self.fdr:g}): the gap may be "
                             "chance among many groups.")
                else:
                    text += "."
                out.append(Finding(Severity.WARNING if survives else Severity.INFO, "fairness.disparate_impact",
                                   text,
                                   {"over": list(row.over), "value": _round(row.value),
                                    "ci_low": _round(row.ci_low), "ci_high": _round(row.ci_high),
                                    "label": row.label, "p_value": test.get("p_value"),
                                    "q_value": test.get("q_value"), "significant": survives}))
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
                sig = significance.get((name, tuple(row.over), None))
                if sig:
                    evidence.update(p_value=sig["p_value"], q_value=sig["q_value"], significant=sig["significant"])
                text = f"{name} across {' x '.join(row.over)} is {row.value:.3g}"
                if _finite(row.ci_low):
                    text += f" ({self.ci:.0%} CI {row.ci_low:.3g} to {row.ci_high:.3g})"
                if sig and sig["q_value"] is not None:
                    text += (f", {'a significant' if sig['significant'] else 'not a significant'} difference "
                             f"(q = {sig['q_value']:.3g}, false discovery rate {self.fdr:g})")
                extremes = self._extremes(m, name, row.over, suppressed, cache)
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

    def _extremes(self, m: pd.DataFrame, name: str, over: Any, suppressed: Mapping[tuple, Any],
                  cache: dict) -> tuple[str, pd.Series, pd.Series] | None:
        """The per-group rate behind a headline disparity, with its lowest and highest compared group."""
        best = None
        for component in _COMPONENTS.get(name, ()):
            per = _per_group(m, component, cache)
            per = per[per["label"].isna() & per["over"].map(lambda o: o is not None and list(o) == list(over))]
            compared = self._compared_groups(m, component, list(over), None, cache)
            per = per[per["group"].map(lambda g, compared=compared: g is not None and _group_key(g) in compared
                                       and _group_key(g) not in suppressed)]
            if len(per) == 0:
                continue
            lo, hi = per.loc[per["value"].idxmin()], per.loc[per["value"].idxmax()]
            if best is None or hi["value"] - lo["value"] > best[2]["value"] - best[1]["value"]:
                best = (component, lo, hi)
        return best
