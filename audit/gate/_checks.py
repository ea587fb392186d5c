"""Checks: thresholds on metrics, the gate's yes/no with reasons (DESIGN.md section 6).

A check names ``"<auditor>.<metric>"`` and a ``max`` or ``min``. Without ``over`` every
row of that metric must pass (intersections included); with ``over = [...]`` only the
rows comparing exactly those sensitive features count, and with ``over = "each"`` the
rows of each sensitive feature on its own (main effects, no intersection).
``bound = "ci"`` gates on the confidence bound that is most favourable to the model
(``ci_low`` for a max, ``ci_high`` for a min), so a small, noisy group fails only when
even its optimistic bound is past the threshold. A failed check is data, not an exception.

A metric the auditor knows but did not report for this subject (its auditor was
skipped, or it ran without what that metric needs) fails the check with the reason, or
is skipped with ``if_missing = "skip"``; a metric no auditor knows is a usage error. A
row whose value is undefined (null) never passes a check.
"""
from __future__ import annotations

import dataclasses
import difflib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import _metric_catalog as _catalog
from .._exceptions import SpecError, UsageError
from .._results import AuditResult, CheckOutcome, Status, _group_value, format_group, group_key, suppressed_groups
from ._messages import (
    MSG_AUDITOR_SKIPPED,
    MSG_CHECK_BOUND,
    MSG_CHECK_FIELD,
    MSG_CHECK_KEYS,
    MSG_CHECK_METRIC,
    MSG_CHECK_NOT_TABLE,
    MSG_CHECKS_SOURCE,
    MSG_METRIC_MISSING,
    MSG_NO_ROW,
    MSG_NOT_RUN,
    MSG_OUTCOME_FAIL,
    MSG_OUTCOME_NON_FINITE,
    MSG_OUTCOME_PASS,
    MSG_OUTCOME_UNDEFINED,
    MSG_POLICY_EMPTY,
    MSG_POLICY_KEYS,
    MSG_SKIPPED_SUFFIX,
    MSG_UNKNOWN_AUDITOR,
    MSG_UNKNOWN_METRIC,
)
from ._rule import EACH, _defined, check_counts, format_check_counts, judge_row

__all__ = ["Check", "CheckOutcome", "parse_checks", "load_policy", "evaluate_checks", "validate_names", "select_rows",
           "judge_row", "check_counts", "format_check_counts", "EACH",
           "MSG_CHECK_KEYS", "MSG_CHECK_BOUND", "MSG_CHECK_METRIC", "MSG_UNKNOWN_METRIC", "MSG_UNKNOWN_AUDITOR",
           "MSG_OUTCOME_FAIL", "MSG_OUTCOME_PASS", "MSG_OUTCOME_UNDEFINED", "MSG_NOT_RUN", "MSG_AUDITOR_SKIPPED",
           "MSG_METRIC_MISSING", "MSG_SKIPPED_SUFFIX", "MSG_NO_ROW", "MSG_OUTCOME_NON_FINITE", "MSG_POLICY_EMPTY"]


_ALLOWED = ("metric", "max", "min", "severity", "bound", "over", "group", "label", "if_missing", "name",
            "description")
#: ``over = "each"``: every sensitive feature on its own (the rows whose ``over`` names one feature).
_WHY_UNDEFINED_AGGREGATE = ("an aggregate is undefined when a rate it compares has a zero denominator in a "
                            "group, or fewer than two groups are large enough to compare")
_WHY_UNDEFINED_GROUP = ("a rate is undefined when its denominator is zero in this group (e.g. a true positive "
                        "rate where the group has no positive labels)")
_WHY_SUPPRESSED = "the group has fewer people than min_cell_size, so its rates are suppressed"


@dataclasses.dataclass(frozen=True)
class Check:
    """One threshold: ``metric`` ("<auditor>.<metric>") must stay at most ``max`` / at least ``min``."""

    metric: str
    op: str  # "max" | "min"
    threshold: float
    severity: str = "fail"
    bound: str = "estimate"
    over: tuple[str, ...] | str | None = None  # a tuple of features, EACH, or None (every row)
    group: Mapping[str, Any] | None = None
    label: str | None = None
    name: str | None = None
    index: int = 0
    if_missing: str = "fail"  # "fail" | "skip"

    @property
    def auditor(self) -> str:
        return self.metric.split(".", 1)[0]

    @property
    def metric_name(self) -> str:
        return self.metric.split(".", 1)[1]


def outcome(check: Check, status: Status, message: str, *, value: float | None = None,
            group: Mapping[str, Any] | None = None, over: tuple[str, ...] | None = None,
            label: str | None = None) -> CheckOutcome:
    """The flat verdict record for ``check``; ``over`` is the deciding row's features."""
    return CheckOutcome(metric=check.metric, op=check.op, threshold=check.threshold, bound=check.bound,
                        severity=check.severity, status=status, message=message, over=check.over,
                        if_missing=check.if_missing, value=value, group=group, label=label,
                        name=check.name or None, row_over=over)


def parse_checks(rows: Iterable[Mapping[str, Any]]) -> list[Check]:
    """Validate check dicts (from TOML ``[[checks]]`` or Python) into :class:`Check` objects."""
    checks = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise SpecError(MSG_CHECK_NOT_TABLE.format(index=i, got=type(row).__name__))
        unknown = sorted(set(row) - set(_ALLOWED))
        if unknown:
            raise SpecError(MSG_CHECK_KEYS.format(index=i, keys=unknown, allowed=list(_ALLOWED)))
        metric = row.get("metric")
        if not isinstance(metric, str) or "." not in metric or metric.startswith(".") or metric.endswith("."):
            raise SpecError(MSG_CHECK_METRIC.format(index=i, metric=metric))
        bounds = [(k, row[k]) for k in ("max", "min") if k in row]
        if len(bounds) != 1 or isinstance(bounds[0][1], bool) or not isinstance(bounds[0][1], (int, float)) \
                or not math.isfinite(bounds[0][1]):
            raise SpecError(MSG_CHECK_BOUND.format(index=i, metric=metric, got=dict(bounds) or "neither"))
        severity = row.get("severity", "fail")
        if severity not in ("fail", "warn"):
            raise SpecError(MSG_CHECK_FIELD.format(index=i, metric=metric, field="severity",
                                                   allowed=["fail", "warn"], got=severity))
        bound = row.get("bound", "estimate")
        if bound not in ("estimate", "ci"):
            raise SpecError(MSG_CHECK_FIELD.format(index=i, metric=metric, field="bound",
                                                   allowed=["estimate", "ci"], got=bound))
        over = row.get("over")
        if over is not None and over != EACH:
            if isinstance(over, str):
                over = [over]
            if not isinstance(over, Sequence) or not all(isinstance(o, str) for o in over):
                raise SpecError(MSG_CHECK_FIELD.format(index=i, metric=metric, field="over",
                                                       allowed=f"{EACH!r} or a list of sensitive feature names",
                                                       got=over))
            over = tuple(over)
        if_missing = row.get("if_missing", "fail")
        if if_missing not in ("fail", "skip"):
            raise SpecError(MSG_CHECK_FIELD.format(index=i, metric=metric, field="if_missing",
                                                   allowed=["fail", "skip"], got=if_missing))
        group = row.get("group")
        if group is not None and not isinstance(group, Mapping):
            raise SpecError(MSG_CHECK_FIELD.format(index=i, metric=metric, field="group",
                                                   allowed="a table feature = value", got=group))
        checks.append(Check(metric=metric, op=bounds[0][0], threshold=float(bounds[0][1]), severity=severity,
                            bound=bound, over=over,
                            group={str(k): _group_value(v) for k, v in group.items()} if group else None,
                            label=None if row.get("label") is None else str(row["label"]),
                            name=row.get("name"), index=i, if_missing=if_missing))
    return checks


def load_policy(source: str | os.PathLike[str] | Sequence[Mapping[str, Any]] | None) -> list[Check]:
    """Checks from a policy TOML path, a list of check dicts, or None (no checks)."""
    if source is None:
        return []
    if isinstance(source, (str, os.PathLike)):
        from .._files import read_toml

        doc = read_toml(Path(source), what="policy")
        unknown = sorted(set(doc) - {"checks", "title", "description"})
        if unknown:
            raise SpecError(MSG_POLICY_KEYS.format(source=source, unknown=unknown))
        if not doc.get("checks"):
            raise SpecError(MSG_POLICY_EMPTY.format(path=source))
        return parse_checks(doc.get("checks", []))
    if isinstance(source, Sequence) and not isinstance(source, str):
        return parse_checks(source)
    raise UsageError(MSG_CHECKS_SOURCE.format(got=type(source).__name__))


# -- reading rows ----------------------------------------------------------------------------------
def _is_suppressed(flag: Any) -> bool:
    """A row marked ``suppressed`` (a small cell whose rates are withheld); None/NA/NaN mean not."""
    if flag is None or flag is pd.NA or (isinstance(flag, float) and math.isnan(flag)):
        return False
    return bool(flag)


def select_rows(result: AuditResult, check: Check) -> pd.DataFrame:
    """The metric rows a check gates: its metric, narrowed by ``group``, ``label`` and ``over``."""
    over = None if check.over is None or check.over == EACH else check.over
    rows = result.rows(check.metric_name, group=check.group, over=over, label=check.label)
    if check.over == EACH:
        rows = rows[rows["over"].map(lambda o: o is not None and not isinstance(o, str) and len(o) == 1)]
    # small cells are withheld from report.json, so they are marked here too: the run and the gate
    # on its saved report judge the same rows
    small = suppressed_groups(result.details)
    if small:
        rows = rows.assign(suppressed=[g is not None and group_key(g) in small for g in rows["group"]])
    return rows


# -- messages --------------------------------------------------------------------------------------
def _fmt_group(group: Mapping[str, Any] | None, over: Sequence[str] | None) -> str:
    if group:
        return format_group(group)
    if over:
        return "across " + " x ".join(over)
    return "overall"


def _g(x: float) -> str:
    return f"{x:.4g}"


def _count(n: Any) -> str:
    try:
        return "?" if n is None or n is pd.NA or math.isnan(n) else f"{int(n):,}"
    except (TypeError, ValueError):
        return "?"


def _interval(row: Any) -> str:
    lo, hi = row.ci_low, row.ci_high
    if not _defined(lo) or not _defined(hi):
        return ""
    return f" [CI {_g(lo)}, {_g(hi)}]"


def _is_class(result: AuditResult, label: Any, subject: Mapping[str, Any]) -> bool:
    classes = subject.get("classes")
    if isinstance(classes, Sequence) and not isinstance(classes, str) and classes:
        return str(label) in {str(c) for c in classes}
    return result.auditor == "fairness"  # the fairness auditor's labels are one-vs-rest classes


def _where(result: AuditResult, row: Any, subject: Mapping[str, Any]) -> str:
    """Group or ``across`` features, then the class (``for class 'Low'``) or the positive class."""
    text = _fmt_group(row.group, row.over)
    if row.label is not None:
        text += f" for {'class ' if _is_class(result, row.label, subject) else ''}{str(row.label)!r}"
    elif result.auditor == "fairness" and subject.get("task") == "binary" and _names_positive(subject):
        text += f" (positive class {str(subject['pos_label'])!r})"
    return text


def _names_positive(subject: Mapping[str, Any]) -> bool:
    """Whether a message should name the positive class.

    It does when the subject gives one that is not the obvious one of 0/1 or False/True labels.
    """
    pos = subject.get("pos_label")
    if pos is None:
        return False
    classes = subject.get("classes")
    if isinstance(classes, Sequence) and not isinstance(classes, str) and classes:
        names = {str(c) for c in classes}
        if names <= {"0", "1"} or names <= {"False", "True"}:
            return str(pos) not in ("1", "True")
    return True


def _components(metric: str) -> tuple[str, ...]:
    """The per-group metric(s) an aggregate compares (between groups, not to overall)."""
    if metric.endswith("_to_overall"):
        return ()
    for base, comps in (("demographic_parity_", ("selection_rate",)), ("disparate_impact_", ("selection_rate",)),
                        ("equal_opportunity_", ("true_positive_rate",)),
                        ("equalized_odds_", ("true_positive_rate", "false_positive_rate"))):
        if metric.startswith(base):
            return comps
    for suffix in ("_difference", "_ratio"):
        if metric.endswith(suffix):
            return (metric[: -len(suffix)],)
    return ()


def _fmt_end(group: Any, measures: list[str]) -> str:
    return f"{_fmt_group(group, None)} ({', '.join(measures)})"


def _extremes(result: AuditResult, metric: str, row: Any) -> str:
    """For an aggregate row, the two groups it compares: from the auditor's finding, else from its rows."""
    if row.group is not None or row.over is None:
        return ""
    for f in result.findings:
        ev = f.evidence
        if (f.code.split(".", 1)[-1] == metric and list(ev.get("over") or []) == list(row.over)
                and ev.get("label") == row.label
                and isinstance(ev.get("lowest"), Mapping) and isinstance(ev.get("highest"), Mapping)):
            parts = []
            for end in ("lowest", "highest"):
                e = ev[end]
                measures = [f"{k} {_g(v)}" for k, v in e.items()
                            if k not in ("group", "n") and isinstance(v, (int, float)) and not isinstance(v, bool)]
                measures.append(f"n = {_count(e.get('n'))}")
                parts.append(_fmt_end(e.get("group"), measures))
            return f" Extremes: {parts[0]} to {parts[1]}."
    details = result.details if isinstance(result.details, Mapping) else {}
    min_n = details.get("min_group_size")
    m = result.metrics
    best = None
    for component in _components(metric):
        per = m[(m["metric"] == component) & m["group"].map(lambda g: g is not None)
                & m["over"].map(lambda o: o is not None and list(o) == list(row.over))
                & m["label"].map(lambda x: x == row.label)]
        per = per[per["value"].map(_defined)]
        if isinstance(min_n, (int, float)) and not isinstance(min_n, bool):
            per = per[per["n"].map(lambda n: _defined(n) and n >= min_n)]
        if len(per) < 2:
            continue
        lo, hi = per.loc[per["value"].idxmin()], per.loc[per["value"].idxmax()]
        if best is None or hi["value"] - lo["value"] > best[2]["value"] - best[1]["value"]:
            best = (component, lo, hi)
    if best is None:
        return ""
    component, lo, hi = best
    ends = [_fmt_end(e["group"], [f"{component} {_g(e['value'])}", f"n = {_count(e['n'])}"]) for e in (lo, hi)]
    return f" Extremes: {ends[0]} to {ends[1]}."


# -- why a metric is missing -----------------------------------------------------------------------
_SCORE_BASES = ("roc_auc_score", "brier_score_loss", "expected_calibration_error")
_REGRESSION_BASES = ("mean_prediction", "mean_target", "mean_absolute_error", "mean_squared_error",
                     "root_mean_squared_error", "r2_score")


def _base(name: str) -> str:
    for suffix in ("_difference", "_ratio", "_group_min", "_group_max"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _missing_reason(result: AuditResult, name: str) -> str:
    """Why an auditor that ran reports no ``name``: its own word first, then what is known of the metric."""
    details = result.details if isinstance(result.details, Mapping) else {}
    own = details.get("missing_metrics")
    if isinstance(own, Mapping) and own.get(name):
        return str(own[name])
    if result.auditor == "privacy":
        membership = details.get("membership")
        if name.startswith("membership_") and isinstance(membership, Mapping) and membership.get("skipped"):
            return str(membership["skipped"])
        if name in _catalog.PRIVACY_ANONYMITY and details.get("anonymity_skipped"):
            return str(details["anonymity_skipped"])
        if name in ("l_diversity_distinct", "l_diversity_entropy", "t_closeness"):
            return "no sensitive attribute (the target or sensitive_attribute=) to measure it against."
    task = details.get("task")
    if result.auditor == "fairness":
        base = _base(name)
        if base in _SCORE_BASES and task != "regression":
            return "it needs scores: a score column, or a model with predict_proba (binary tasks)."
        if base in _REGRESSION_BASES and task != "regression":
            return f"it is reported for regression tasks; this task is {task}."
        if base not in _REGRESSION_BASES and task == "regression" and base not in ("count", "share"):
            return "it is reported for classification tasks; this task is regression."
        if name == "representation_ratio":
            return "it needs the population's shares (the fairness auditor's population_shares option)."
    notes = [f.message for f in result.findings if f.code.split(".")[-1] in ("note", "skipped", "not_assessed")]
    if notes:
        return " ".join(n if n.rstrip().endswith(".") else n + "." for n in notes)
    return "the auditor ran but did not report it for this subject."


def _missing(check: Check, message: str) -> CheckOutcome:
    if check.if_missing == "skip":
        return outcome(check, Status.SKIPPED, message + MSG_SKIPPED_SUFFIX)
    return outcome(check, Status.FAIL, message)


def _auditor_exists(name: str) -> bool:
    if name in _catalog.AUDITOR_METRICS:
        return True
    from .. import _registry

    return name in _registry.names()


def _unknown_metric(check: Check, present: Iterable[str]) -> SpecError:
    known = _catalog.known_names(check.auditor, present)
    close = difflib.get_close_matches(check.metric_name, known, n=1)
    hint = f" (did you mean {check.auditor + '.' + close[0]!r}?)" if close else ""
    return SpecError(MSG_UNKNOWN_METRIC.format(index=check.index, auditor=check.auditor,
                                               metric=check.metric_name, hint=hint))


def _has_catalogue(auditor: str) -> bool:
    return auditor in _catalog.AUDITOR_METRICS or _catalog._declared(auditor) is not None


# -- one check -------------------------------------------------------------------------------------
def _evaluate_one(check: Check, result: AuditResult | None, subject: Mapping[str, Any]) -> CheckOutcome:
    if result is None:
        if not _auditor_exists(check.auditor):
            from .. import _registry

            known = sorted(set(_catalog.AUDITOR_METRICS) | set(_registry.names()))
            close = difflib.get_close_matches(check.auditor, known, n=1)
            hint = f" (did you mean {close[0] + '.' + check.metric_name!r}?)" if close else ""
            raise SpecError(MSG_UNKNOWN_AUDITOR.format(index=check.index, metric=check.metric,
                                                       auditor=check.auditor, known=known, hint=hint))
        if _has_catalogue(check.auditor) and not _catalog.can_report(check.auditor, check.metric_name):
            raise _unknown_metric(check, ())
        return _missing(check, MSG_NOT_RUN.format(metric=check.metric, auditor=check.auditor))
    if result.status == Status.ERROR:
        return outcome(check, Status.ERROR, f"{check.metric}: auditor {check.auditor!r} {result.status}: "
                                                 f"{result.reason or 'no reason given'}")
    present = set(result.metrics["metric"])
    if result.status == Status.SKIPPED:
        if _has_catalogue(check.auditor) and not _catalog.can_report(check.auditor, check.metric_name, present):
            raise _unknown_metric(check, present)
        return _missing(check, MSG_AUDITOR_SKIPPED.format(metric=check.metric, auditor=check.auditor,
                                                          reason=result.reason or "no reason given"))
    if check.metric_name not in present:
        if not _catalog.can_report(check.auditor, check.metric_name, present):
            raise _unknown_metric(check, present)
        return _missing(check, MSG_METRIC_MISSING.format(metric=check.metric, auditor=check.auditor,
                                                         name=check.metric_name,
                                                         reason=_missing_reason(result, check.metric_name)))
    rows = select_rows(result, check)
    if len(rows) == 0:
        filters = [f"over={check.over!r}" if isinstance(check.over, str) else f"over={list(check.over or [])}",
                   f"group={dict(check.group or {})}"] + ([f"label={check.label!r}"] if check.label else [])
        return outcome(check, Status.FAIL, MSG_NO_ROW.format(metric=check.metric, filters=" ".join(filters)))
    worst: tuple[float, float, bool, Any] | None = None
    undefined: list[Any] = []
    suppressed: list[Any] = []
    for row in rows.itertuples(index=False):
        if _is_suppressed(getattr(row, "suppressed", None)):
            suppressed.append(row)
            continue
        judged = judge_row(check.op, check.threshold, check.bound, check.severity, row.value, row.ci_low,
                           row.ci_high)
        if judged is None:
            undefined.append(row)
            continue
        _, value, from_ci, excess = judged
        if worst is None or excess > worst[0]:
            worst = (excess, value, from_ci, row)
    if (worst is None or worst[0] <= 0) and (undefined or worst is None):
        row = next((r for r in undefined if r.group is None), undefined[0] if undefined else suppressed[0])
        why = (_WHY_SUPPRESSED if not undefined else
               _WHY_UNDEFINED_AGGREGATE if row.group is None else _WHY_UNDEFINED_GROUP)
        if len(undefined) > 1:
            why += f" ({len(undefined)} of the {len(rows)} matching rows are undefined)"
        message = MSG_OUTCOME_UNDEFINED.format(metric=check.metric, where=_where(result, row, subject), why=why)
        if check.if_missing == "skip":  # undefined is missing: skipped, as asked, never passed
            status, message = Status.SKIPPED, message + MSG_SKIPPED_SUFFIX
        else:
            status = Status.FAIL if check.severity == "fail" else Status.WARN
        return outcome(check, status, message,
                            value=None, group=row.group, over=tuple(row.over) if row.over is not None else None,
                            label=row.label)
    if worst is None:  # every row was skipped above, and each such path returned
        raise RuntimeError("no row was judged")
    excess, value, from_ci, row = worst
    where = _where(result, row, subject)
    if from_ci:
        basis = f"even its {'lower' if check.op == 'max' else 'upper'} confidence bound"
    elif check.bound == "ci":
        basis = "its estimate (no interval available)"
    else:
        basis = "its estimate"
    op_word = "maximum" if check.op == "max" else "minimum"
    if not math.isfinite(value):
        status = Status.FAIL if check.severity == "fail" else Status.WARN
        msg = MSG_OUTCOME_NON_FINITE.format(
            metric=check.metric, where=where, basis=basis,
            value=_g(value), op=op_word, threshold=_g(check.threshold), estimate=_g(row.value),
            interval=_interval(row), n=_count(row.n))
    elif excess > 0:
        status = Status.FAIL if check.severity == "fail" else Status.WARN
        relative = f"{excess / abs(check.threshold):.0%} of the threshold" if check.threshold else "threshold 0"
        msg = MSG_OUTCOME_FAIL.format(
            metric=check.metric, where=where, basis=basis, value=_g(value),
            direction="above" if check.op == "max" else "below", op=op_word, threshold=_g(check.threshold),
            excess=_g(excess), relative=relative, estimate=_g(row.value), interval=_interval(row),
            n=_count(row.n), extremes=_extremes(result, check.metric_name, row))
    else:
        status = Status.PASS
        msg = MSG_OUTCOME_PASS.format(metric=check.metric, where=where, basis=basis, value=_g(value), op=op_word,
                                      threshold=_g(check.threshold), margin=_g(-excess))
    return outcome(check, status, msg, value=float(value), group=row.group,
                        over=tuple(row.over) if row.over is not None else None, label=row.label)


def validate_names(checks: Sequence[Check], auditors: Iterable[str] = ()) -> None:
    """Before an audit runs: raise the usage error a check naming no known auditor or metric will give.

    ``auditors`` are the names about to run (plugins given as instances need not be
    registered). Only auditors with a catalogue of names (built-in, or a plugin declaring
    ``metrics``) have their metric names checked here; the rest are checked on their result.
    """
    running = set(auditors)
    for check in checks:
        if check.auditor not in running and not _auditor_exists(check.auditor):
            _evaluate_one(check, None, {})  # raises MSG_UNKNOWN_AUDITOR
        if check.auditor in _catalog.AUDITOR_METRICS and not _catalog.can_report(check.auditor, check.metric_name):
            raise _unknown_metric(check, ())


def evaluate_checks(checks: Sequence[Check], results: Mapping[str, AuditResult], *,
                    subject: Mapping[str, Any] | None = None) -> list[CheckOutcome]:
    """Apply every check to the results (keyed by auditor name).

    ``subject`` is the report's subject description; when it carries ``task``, ``classes``
    and ``pos_label``, messages name the class a row is about or the positive class.
    """
    return [_evaluate_one(c, results.get(c.auditor), dict(subject or {})) for c in checks]
