"""Which metric names each built-in auditor can report, and which way is better for each.

Two questions the gate and the diff ask about a metric name, answered in one place
without importing the auditors (some import torch):

- :func:`can_report`: could this auditor ever report this metric? A check naming a
  metric no auditor knows is a usage error (exit 4, with a did-you-mean); a metric the
  auditor knows but did not report for this subject (no ``train_data``, no torch model,
  no score column) is a failed (or, with ``if_missing = "skip"``, skipped) check.
- :func:`direction`: is a higher value better (``"higher"``), a lower one (``"lower"``),
  or neither (``None``: counts, shares, selection rates, signed gaps)?

A plugin auditor may declare the names it can report as a class attribute ``metrics``
(any iterable of names); without it, only the names present in its result are known.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["AUDITOR_METRICS", "can_report", "known_names", "direction", "better_or_worse", "HIGHER", "LOWER"]

HIGHER, LOWER = "higher", "lower"

# -- fairness: per-group metrics and the aggregates generated from them, read from the engine's own
# tables (audit.fairness._metrics imports numpy only), so a metric added there is known here --
def _fairness_names() -> frozenset[str]:
    from .fairness import _metrics as m

    per_group = ({name for name, _ in m.BINARY_METRICS} | {name for name, _ in m.REGRESSION_METRICS}
                 | set(m.CONFUSION_COUNTS) | set(m.SCORE_METRICS) | {"representation_ratio"})
    counts = set(m.COUNT_METRICS) | {"representation_ratio"}
    suffixes = (*m._AGGREGATE_SUFFIXES, "_difference_to_reference", "_ratio_to_reference")
    parity = {f"{base}_{kind}{suffix}" for base in ("demographic_parity", "equalized_odds", "equal_opportunity")
              for kind in ("difference", "ratio") for suffix in ("", "_to_overall")}
    parity |= {f"{base}_difference_p_value" for base in ("demographic_parity", "equalized_odds", "equal_opportunity")}
    parity |= {"disparate_impact_ratio", "average_odds_difference", "average_abs_odds_difference"}
    return frozenset(per_group | parity | {g + suffix for g in per_group - counts for suffix in suffixes})


_FAIRNESS = _fairness_names()

PRIVACY_MEMBERSHIP = ("membership_auc", "membership_advantage", "membership_tpr_at_1pct_fpr",
                       "membership_tpr_at_01pct_fpr")
PRIVACY_ANONYMITY = ("k_anonymity", "equivalence_classes", "unique_record_share", "prosecutor_records_at_risk",
                      "prosecutor_highest_risk", "prosecutor_average_risk", "l_diversity_distinct",
                      "l_diversity_entropy", "t_closeness")
_PRIVACY = frozenset(("pii_columns", "pii_share", "pii_share_full", "collected_not_needed")
                     + PRIVACY_MEMBERSHIP + PRIVACY_ANONYMITY)
_ATTRIBUTION = frozenset((
    "mean_attribution", "mean_abs_attribution", "attribution_share", "method_rank_agreement",
    "sensitive_attribution_share", "importance_rank_correlation", "importance_rank_agreement", "output_gap",
    "gap_contribution", "gap_residual", "proxy_association", "proxy_score", "completeness_error",
    "completeness_error_abs", "randomisation_similarity", "infidelity", "infidelity_ratio"))
#: Image attribution (audit.attribution._images): per method, region share, group difference, randomisation check.
_IMAGE_METHODS = ("grad_cam", "integrated_gradients", "occlusion")
_ATTRIBUTION = _ATTRIBUTION | frozenset(
    f"{m}_{s}" for m in _IMAGE_METHODS
    for s in ("share_in_region", "group_difference_l1", "randomisation_rank_correlation", "randomisation_ssim"))
_ENERGY = frozenset((
    "parameter_count", "flops_per_prediction", "inference_seconds_per_1000", "inference_energy_kwh_per_1000",
    "inference_co2e_kg_per_1000", "training_energy_kwh", "training_co2e_kg",
    "measured_inference_energy_kwh_per_1000", "measured_inference_seconds_per_1000", "annual_serving_energy_kwh",
    "annual_training_energy_kwh", "annual_energy_kwh", "annual_co2e_kg", "variant_inference_energy_kwh_per_1000",
    "variant_measured_inference_energy_kwh_per_1000"))

_COUNTERFACTUAL = frozenset(("counterfactual_flip_rate", "counterfactual_score_change",
                             "counterfactual_abs_score_change", "counterfactual_flip_rate_group_max"))

#: The metric names each built-in auditor can report (some only for some subjects).
AUDITOR_METRICS: dict[str, frozenset[str]] = {"fairness": _FAIRNESS, "privacy": _PRIVACY,
                                              "attribution": _ATTRIBUTION, "energy": _ENERGY,
                                              "mitigation": frozenset(),
                                              "counterfactual": _COUNTERFACTUAL}


def _generated(auditor: str, metric: str) -> bool:
    """Names built from another: ``<method>_mean_abs_attribution``, ``variant_<fairness or quality metric>``."""
    if auditor == "attribution":
        return metric.endswith("_mean_abs_attribution") and len(metric) > len("_mean_abs_attribution")
    if auditor == "energy":  # variant_<gap> and variant_<gap>_change (its paired change from the original)
        base = metric[len("variant_"):] if metric.startswith("variant_") else ""
        return base in _FAIRNESS or (base.endswith("_change") and base[:-len("_change")] in _FAIRNESS)
    if auditor == "mitigation":
        return metric.startswith("candidate_") and metric[len("candidate_"):] in _FAIRNESS
    return False


def _declared(auditor: str) -> frozenset[str] | None:
    """A plugin's own ``metrics`` class attribute, when it is installed and declares one."""
    from . import _registry

    try:
        if auditor not in _registry.names():
            return None
        declared = getattr(_registry.get(auditor).cls, "metrics", None)
    except Exception:  # a broken plugin must not turn a check into a crash here
        return None
    if declared is None or isinstance(declared, str) or not isinstance(declared, Iterable):
        return None
    return frozenset(str(m) for m in declared)


def known_names(auditor: str, present: Iterable[str] = ()) -> list[str]:
    """Every name this auditor is known to report: its catalogue (or declaration) and ``present``."""
    names = AUDITOR_METRICS.get(auditor)
    if names is None:
        names = _declared(auditor) or frozenset()
    return sorted(set(names) | {str(p) for p in present})


def can_report(auditor: str, metric: str, present: Iterable[str] = ()) -> bool:
    """Whether ``auditor`` could report ``metric`` for some subject (``present``: names it did report)."""
    if metric in set(present):
        return True
    names = AUDITOR_METRICS.get(auditor)
    if names is not None:
        return metric in names or _generated(auditor, metric)
    declared = _declared(auditor)
    return declared is not None and metric in declared


# -- direction: which way is better -------------------------------------------------------------
_HIGHER = frozenset((
    "true_positive_rate", "true_negative_rate", "negative_predictive_value", "accuracy_score",
    "balanced_accuracy_score", "precision_score",
    "f1_score", "roc_auc_score", "r2_score", "disparate_impact_ratio", "representation_ratio",
    "k_anonymity", "equivalence_classes", "l_diversity_distinct", "l_diversity_entropy", "method_rank_agreement",
    "importance_rank_correlation", "importance_rank_agreement"))
_LOWER = frozenset((
    "false_positive_rate", "false_negative_rate", "false_discovery_rate", "false_omission_rate", "zero_one_loss",
    "log_loss", "average_abs_odds_difference", "brier_score_loss", "expected_calibration_error",
    "mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
    "pii_columns", "pii_share", "pii_share_full", "collected_not_needed", "unique_record_share",
    "prosecutor_records_at_risk", "prosecutor_highest_risk", "prosecutor_average_risk", "t_closeness",
    "membership_auc", "membership_advantage", "membership_tpr_at_1pct_fpr", "membership_tpr_at_01pct_fpr",
    "sensitive_attribution_share", "proxy_association", "proxy_score", "completeness_error",
    "completeness_error_abs", "randomisation_similarity", "infidelity", "infidelity_ratio",
    "parameter_count", "flops_per_prediction", "counterfactual_flip_rate", "counterfactual_abs_score_change",
    "counterfactual_flip_rate_group_max") + tuple(_ENERGY))


def direction(metric: str) -> str | None:
    """``"higher"`` or ``"lower"`` when that way is better for ``metric``; None when neither is.

    Gaps between groups (``*_difference``, equalized-odds and the like) are better lower;
    parity ratios (``*_ratio``: the lowest group's value over the highest's, 1 = parity)
    are better higher; ``<m>_group_min``/``_group_max``, ``variant_<m>`` and ``candidate_<m>`` follow ``<m>``.
    Counts, shares, selection and base rates, mean predictions, signed gaps and
    ``*_to_reference`` figures (a group against the reference group) are neither.
    """
    name = str(metric)
    if name.endswith("_to_reference"):  # signed (group - reference) or unbounded (group / reference)
        return None
    if name in _HIGHER:
        return HIGHER
    if name in _LOWER:
        return LOWER
    if name.startswith("variant_"):
        base = name[len("variant_"):]
        return direction(base[:-len("_change")] if base.endswith("_change") else base)
    if name.startswith("candidate_"):
        return direction(name[len("candidate_"):])
    for suffix in ("_difference_to_overall", "_difference"):
        if name.endswith(suffix):
            return LOWER
    for suffix in ("_ratio_to_overall", "_ratio"):
        if name.endswith(suffix):
            return HIGHER
    for suffix in ("_group_min", "_group_max"):
        if name.endswith(suffix):
            return direction(name[: -len(suffix)])
    return None


def better_or_worse(metric: str, old: Any, new: Any) -> str | None:
    """``"better"``, ``"worse"`` or None (no direction, equal, or not two numbers) for old -> new."""
    d = direction(metric)
    if d is None or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (old, new)):
        return None
    if new == old or old != old or new != new:  # NaN compares unequal to itself
        return None
    rose = new > old
    return "better" if rose == (d == HIGHER) else "worse"
