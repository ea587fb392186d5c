"""The fairness view: headline disparity, per-group rates with intervals, checks beside their rows."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._html import (
    SUPPRESSED,
    UNDEFINED,
    Markup,
    as_mapping,
    ci_parts,
    esc,
    fmt_num,
    fmt_threshold,
    group_label,
    humanize,
    is_undefined,
    over_label,
    status_badge,
    table,
    truncate,
)
from .._plots import Bar, Curve, Point, calibration_figure, disparity_figure, rates_figure
from ._generic import SectionContext, _int, _num, metrics_table

__all__ = ["render_fairness"]

DEFAULT_MIN_GROUP_SIZE = 30

_HEADLINE_DIFFS = ("demographic_parity_difference", "equalized_odds_difference",
                   "equal_opportunity_difference")
_CLASSIFICATION_COLUMNS = (
    "selection_rate", "base_rate", "accuracy_score", "true_positive_rate", "false_positive_rate",
    "precision_score", "f1_score", "roc_auc_score", "balanced_accuracy_score", "true_negative_rate",
    "false_negative_rate", "brier_score_loss", "expected_calibration_error",
)
_REGRESSION_COLUMNS = ("mean_absolute_error", "root_mean_squared_error", "mean_prediction", "mean_target",
                       "r2_score", "mean_squared_error")
_MAX_GROUP_COLUMNS = 7
_MAX_BARS = 24
_LOWER_IS_WORSE = frozenset({"accuracy_score", "balanced_accuracy_score", "precision_score", "f1_score",
                             "roc_auc_score", "r2_score", "true_positive_rate", "true_negative_rate"})
_HIGHER_IS_WORSE = frozenset({"mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
                              "brier_score_loss", "expected_calibration_error", "false_positive_rate",
                              "false_negative_rate"})
_NOT_UNIT = frozenset(_REGRESSION_COLUMNS)


# -- fairness ---------------------------------------------------------------------------------
def _key(metric: Any, label: Any) -> tuple[str, str | None]:
    return str(metric), None if label is None else str(label)


def _metric_name(key: tuple[str, str | None]) -> str:
    metric, label = key
    return metric if label is None else f"{metric} [class {label}]"


@dataclass
class _Fairness:
    per_group: dict[tuple[str, ...], dict[tuple, dict[tuple[str, str | None], Mapping[str, Any]]]]
    groups: dict[tuple, Mapping[str, Any]]
    overall: dict[tuple[str, str | None], Mapping[str, Any]]
    aggregates: list[Mapping[str, Any]]


def _index(rows: Sequence[Any]) -> _Fairness:
    per_group: dict = {}
    groups: dict = {}
    overall: dict = {}
    aggregates: list = []
    for r in rows:
        if not isinstance(r, Mapping):
            continue
        group, over = r.get("group"), r.get("over")
        if isinstance(group, Mapping) and group:
            over_t = tuple(str(f) for f in over) if over else tuple(str(k) for k in group)
            gkey = tuple((str(k), None if v is None else str(v)) for k, v in group.items())
            per_group.setdefault(over_t, {}).setdefault(gkey, {})[_key(r.get("metric"), r.get("label"))] = r
            groups.setdefault(gkey, group)
        elif over:
            aggregates.append(r)
        else:
            overall[_key(r.get("metric"), r.get("label"))] = r
    ordered = dict(sorted(per_group.items(), key=lambda kv: len(kv[0])))  # single features first
    return _Fairness(ordered, groups, overall, aggregates)


def _short_group(gkey: tuple, over: tuple[str, ...]) -> str:
    """A group's value alone within a one-feature grouping, ``f=v, ...`` otherwise."""
    group = dict(gkey)
    if len(over) == 1 and len(group) == 1:
        value = next(iter(group.values()))
        return "(missing)" if value is None else str(value)
    return group_label(group)


def _headline(task: Any, present: set[tuple[str, str | None]]) -> tuple[str, str | None] | None:
    prefs = {"regression": ("mean_absolute_error", "root_mean_squared_error", "mean_prediction"),
             "multiclass": ("accuracy_score", "balanced_accuracy_score", "selection_rate")}.get(
        str(task), ("selection_rate", "accuracy_score", "mean_absolute_error"))
    for metric in prefs:
        if (metric, None) in present:
            return metric, None
        labelled = sorted(k for k in present if k[0] == metric)
        if labelled:
            return labelled[0]
    rest = sorted(k for k in present if k[0] not in ("count", "share"))
    return rest[0] if rest else None


def _sort_rule(metric: str) -> tuple[str, Callable[[float, float | None], float]]:
    """Worst-first sort key and its description for one headline metric."""
    name = metric.replace("_", " ")
    if metric in _LOWER_IS_WORSE:
        return f"lowest {name} first", lambda v, _o: v
    if metric in _HIGHER_IS_WORSE:
        return f"highest {name} first", lambda v, _o: -v
    return (f"largest gap in {name} from the overall value first",
            lambda v, o: -abs(v - (o if o is not None else 0.0)))


def _group_n(cells: Mapping[tuple[str, str | None], Mapping[str, Any]], headline: Any) -> int | None:
    """Rows in a group: the ``n`` of its headline row, else its ``count`` metric, else any ``n``."""
    rows = [cells[k] for k in ((headline,) if headline else ()) + (("count", None),) if k in cells]
    count = cells[("count", None)].get("value") if ("count", None) in cells else None
    candidates = [r.get("n") for r in rows] + [count]
    candidates += [r.get("n") for r in cells.values()]
    for value in candidates:
        n = _int(value)
        if n is not None:
            return n
    return None


def _cell_ci(row: Mapping[str, Any] | None) -> Any:
    if row is None:
        return "\u2014"
    if row.get("suppressed") is True:
        return SUPPRESSED
    if is_undefined(row.get("value")):
        return UNDEFINED
    text, interval = ci_parts(row.get("value"), row.get("ci_low"), row.get("ci_high"))
    return Markup(esc(text) + (f' <span class="ci">{esc(interval)}</span>' if interval else ""))


@dataclass(frozen=True)
class _RowCheck:
    """One check as it applies to one row: its threshold, bound and severity."""

    threshold: float
    severity: str  # "fail" | "warn"
    op: str        # "max" | "min"
    bound: str     # "estimate" | "ci"


def _row_checks(checks: Sequence[Mapping[str, Any]], auditor: str, row: Mapping[str, Any]) -> list[_RowCheck]:
    """The checks that gate this row (same metric, an ``over`` that selects it), without repeats."""
    from ...gate._rule import over_matches

    found: list[_RowCheck] = []
    for c in checks:
        if not isinstance(c, Mapping) or c.get("metric") != f"{auditor}.{row.get('metric')}":
            continue
        over = c.get("over")
        if over is not None and not isinstance(over, str) and not list(over):
            over = None
        if not over_matches(over, row.get("over")):
            continue
        t = _num(c.get("threshold"))
        if t is None:
            continue
        sev = str(c.get("severity") or ("warn" if c.get("status") == "warn" else "fail"))
        item = _RowCheck(t, "warn" if sev == "warn" else "fail", str(c.get("op") or "max"),
                         "ci" if c.get("bound") == "ci" else "estimate")
        if item not in found:
            found.append(item)
    return found


def _thresholds(checks: Sequence[Mapping[str, Any]], auditor: str,
                row: Mapping[str, Any]) -> list[tuple[float, str, str]]:
    found: list[tuple[float, str, str]] = []
    for rc in _row_checks(checks, auditor, row):
        item = (rc.threshold, rc.severity, rc.op)
        if item not in found:
            found.append(item)
    return found


def _threshold_text(rc: _RowCheck) -> str:
    """``\u2264 0.100 (ci bound)``; ``, warn only`` for a check whose breach only warns."""
    return (f"{fmt_threshold(rc.op, rc.threshold)} ({'ci bound' if rc.bound == 'ci' else 'estimate'}"
            f"{', warn only' if rc.severity == 'warn' else ''})")


def _row_outcome(rc: _RowCheck, row: Mapping[str, Any]) -> Any:
    """One row judged against one check: a pass/warn/fail badge, or ``undefined`` (never a pass)."""
    from ...gate._rule import judge_row

    if row.get("suppressed") is True:
        return SUPPRESSED
    judged = judge_row(rc.op, rc.threshold, rc.bound, rc.severity, _num(row.get("value")),
                       _num(row.get("ci_low")), _num(row.get("ci_high")))
    if judged is None:
        return Markup(f'{status_badge("fail" if rc.severity == "fail" else "warn")} {esc(UNDEFINED)}')
    return status_badge(str(judged[0]))


def _short_metric(metric: str) -> str:
    return metric.replace("_difference", "").replace("_", " ")


def render_fairness(result: Mapping[str, Any], ctx: SectionContext) -> list[str]:
    """Group rates with intervals, disparities against thresholds, per-group tables, calibration."""
    idx = _index(result.get("metrics") or [])
    details = as_mapping(result.get("details"))
    min_n = _int(details.get("min_group_size"))
    min_n = DEFAULT_MIN_GROUP_SIZE if min_n is None else min_n
    auditor = str(result.get("auditor", "fairness"))
    task = ctx.subject.get("task")
    out: list[str] = []
    present = {k for cells in idx.per_group.values() for g in cells.values() for k in g}
    headline = _headline(task, present)
    small_total = 0
    if headline is not None and idx.per_group:
        small_total = _rates_block(out, idx, headline, min_n, ctx)
    out.extend(_disparity_block(idx, auditor, ctx))
    if idx.per_group:
        out.extend(_group_tables(idx, headline, task, present, min_n, small_total))
    if idx.overall:
        out.append("<h3>Overall metrics</h3>")
        out.append(metrics_table(list(idx.overall.values()), caption="Whole population"))
    calibration = details.get("calibration")
    if isinstance(calibration, Sequence) and not isinstance(calibration, str) and calibration:
        out.extend(_calibration_block(calibration, ctx))
    return out


def _rates_block(out: list[str], idx: _Fairness, headline: tuple[str, str | None], min_n: int,
                 ctx: SectionContext) -> int:
    metric_name = _metric_name(headline)
    overall_row = idx.overall.get(headline)
    overall = _num(overall_row.get("value")) if overall_row else None
    panels = []
    summary = []
    small_total = 0
    for over, cells in idx.per_group.items():
        points = []
        for gkey, g in cells.items():
            row = g.get(headline)
            v = _num(row.get("value")) if row else None
            if row is None or v is None:
                continue
            n = _group_n(g, headline)
            small = n is not None and n < min_n
            small_total += small
            points.append(Point(_short_group(gkey, over), v, _num(row.get("ci_low")), _num(row.get("ci_high")), small))
        if points:
            panels.append((f"by {over_label(over)}", points))
            lo = min(points, key=lambda p: (p.value, p.label))
            hi = max(points, key=lambda p: (p.value, p.label))
            summary.append(f"{over_label(over)}: lowest {lo.label} ({fmt_num(lo.value)}), "
                           f"highest {hi.label} ({fmt_num(hi.value)})")
    if not panels:
        return 0
    overall_text = f"; overall {fmt_num(overall)}" if overall is not None else ""
    description = truncate(f"Dot plot of {metric_name} per group with 95% confidence intervals, one panel per "
                           f"grouping{overall_text}. " + "; ".join(summary) + ".", 900)
    out.append(f"<h3>{esc(humanize(metric_name))} by group</h3>")
    svg = rates_figure(f"{ctx.anchor}-rates", panels, metric=metric_name, overall=overall,
                       description=description, unit_interval=headline[0] not in _NOT_UNIT)
    out.append(f"<figure>{svg}<figcaption>{esc(description)} Hollow markers: groups with fewer than "
               f"{min_n} rows. Panels with more than 30 groups show the lowest and highest.</figcaption></figure>")
    return small_total


def _disparity_block(idx: _Fairness, auditor: str, ctx: SectionContext) -> list[str]:
    if not idx.aggregates:
        return []
    checked = {str(c.get("metric", "")).split(".", 1)[-1] for c in ctx.checks
               if isinstance(c, Mapping) and str(c.get("metric", "")).startswith(f"{auditor}.")}
    headline = [r for r in idx.aggregates if r.get("metric") in _HEADLINE_DIFFS]
    if not headline:  # regression and custom metrics: fall back to any difference
        headline = [r for r in idx.aggregates if str(r.get("metric", "")).endswith("_difference")][:12]
    chosen = {id(r) for r in headline}
    diffs = list(headline) + [r for r in idx.aggregates if id(r) not in chosen and r.get("metric") in checked
                              and "difference" in str(r.get("metric"))]
    ratios = [r for r in idx.aggregates if r.get("metric") in checked and "ratio" in str(r.get("metric"))]

    def bars(rows: Sequence[Mapping[str, Any]]) -> list[Bar]:
        made = []
        for r in rows[:_MAX_BARS]:
            v = _num(r.get("value"))
            if v is None:
                continue
            label = f"{_short_metric(str(r.get('metric')))} \u00b7 {over_label(r.get('over'))}"
            if r.get("label") is not None:
                label += f" [class {r.get('label')}]"
            made.append(Bar(label, v, _num(r.get("ci_low")), _num(r.get("ci_high")),
                            tuple((t, s) for t, s, _ in _thresholds(ctx.checks, auditor, r))))
        return made

    panels = []
    for title, parity, rows in (("Differences (0 = parity)", 0.0, diffs), ("Ratios (1 = parity)", 1.0, ratios)):
        made = bars(rows)
        if made:
            more = f" \u2014 first {_MAX_BARS} of {len(rows)}, all in the table below" if len(rows) > _MAX_BARS else ""
            panels.append((title + more, parity, made))
    out = ["<h3>Disparities</h3>"]
    if panels:
        worst = max((b for _, parity, bs in panels if parity == 0.0 for b in bs), key=lambda b: b.value, default=None)
        description = truncate(
            "Bar chart of headline disparities with 95% confidence intervals; vertical marks are check thresholds. "
            + (f"Largest difference: {worst.label} = {fmt_num(worst.value)}." if worst else ""), 600)
        svg = disparity_figure(f"{ctx.anchor}-disparity", panels, description=description)
        out.append(f"<figure>{svg}<figcaption>{esc(description)}</figcaption></figure>")
    has_label = any(r.get("label") is not None for r in idx.aggregates)
    headers = ["Metric", "Over"] + (["Class"] if has_label else []) + ["Value [95% CI]", "Threshold", "Outcome"]
    first = {id(r) for r in diffs + ratios}
    ordered = [r for r in idx.aggregates if id(r) in first] + [r for r in idx.aggregates if id(r) not in first]
    body = []
    for r in ordered:
        line: list[Any] = [str(r.get("metric", "")), over_label(r.get("over"))]
        if has_label:
            line.append("\u2014" if r.get("label") is None else str(r.get("label")))
        gated = _row_checks(ctx.checks, auditor, r)
        line += [_cell_ci(r), "; ".join(_threshold_text(rc) for rc in gated) or "\u2014",
                 Markup("; ".join(str(_row_outcome(rc, r)) for rc in gated)) if gated else "not gated"]
        body.append(line)
    out.append(table(headers, body, caption="Aggregate disparities between groups: each row against the checks "
                                            "that gate it", numeric=(len(headers) - 3,), what="disparity rows"))
    return out


def _group_tables(idx: _Fairness, headline: tuple[str, str | None] | None, task: Any,
                  present: set[tuple[str, str | None]], min_n: int, small_total: int) -> list[str]:
    prefs = _REGRESSION_COLUMNS if str(task) == "regression" else _CLASSIFICATION_COLUMNS
    rank = {m: i for i, m in enumerate(prefs)}
    candidates = [k for k in present if k[0] in rank]
    columns = sorted((k for k in candidates if k[1] is None), key=lambda k: rank[k[0]]) + \
        sorted((k for k in candidates if k[1] is not None), key=lambda k: (rank[k[0]], k[1]))
    if headline in columns:
        columns.remove(headline)
    columns = ([headline] if headline else []) + columns
    columns = columns[:_MAX_GROUP_COLUMNS]
    rule_text, sort_key = _sort_rule(headline[0]) if headline else ("in report order", lambda v, o: 0.0)
    overall_row = idx.overall.get(headline) if headline else None
    overall = _num(overall_row.get("value")) if overall_row else None
    out = ["<h3>Groups</h3>"]
    if small_total:
        out.append(f'<p class="note"><span class="flag">Small groups:</span> {small_total:,} group(s) have fewer '
                   f"than {min_n} rows. Their estimates are noisy; read them with their intervals.</p>")
    headers = ["Group", "n"] + [_metric_name(k) for k in columns] + ["Note"]
    for over, cells in idx.per_group.items():
        entries = []
        for gkey, g in cells.items():
            row = g.get(headline) if headline else None
            v = _num(row.get("value")) if row else None
            order = sort_key(v, overall) if v is not None else float("inf")
            entries.append((order, group_label(dict(gkey)), g))
        entries.sort(key=lambda e: (e[0], e[1]))
        body, classes = [], []
        for _, label, g in entries:
            n = _group_n(g, headline)
            small = n is not None and n < min_n
            note = Markup(f'<span class="flag">small group (n &lt; {min_n})</span>') if small else ""
            if any(isinstance(r, Mapping) and r.get("suppressed") is True for r in g.values()):
                note = Markup('<span class="flag">suppressed: too few people to show</span>')
            body.append([label, fmt_num(n) if n is not None else "\u2014"]
                        + [_cell_ci(g.get(k)) for k in columns] + [note])
            classes.append("row-warn" if small else None)
        out.append(table(headers, body, caption=f"Groups by {over_label(over)}, {rule_text}",
                         numeric=range(1, 2 + len(columns)), row_classes=classes, what=f"groups by {over_label(over)}"))
    return out


def _calibration_block(bins: Sequence[Any], ctx: SectionContext) -> list[str]:
    curves: dict[tuple, dict[str, Any]] = {}
    for b in bins:
        if not isinstance(b, Mapping):
            continue
        x, y = _num(b.get("mean_score")), _num(b.get("fraction_positive"))
        if x is None or y is None:
            continue
        group = b.get("group") if isinstance(b.get("group"), Mapping) else None
        over = tuple(str(f) for f in b.get("over") or ()) or (tuple(str(k) for k in group) if group else ())
        key = (over, tuple((str(k), None if v is None else str(v)) for k, v in (group or {}).items()))
        entry = curves.setdefault(key, {"points": [], "n": 0})
        entry["points"].append((_num(b.get("bin_low")) or 0.0, x, y))
        entry["n"] += _int(b.get("n")) or 0
    if not curves:
        return []
    overall = curves.get(((), ()))

    def curve(label: str, entry: Mapping[str, Any]) -> Curve:
        pts = sorted(entry["points"])
        return Curve(label, tuple(p[1] for p in pts), tuple(p[2] for p in pts))

    groupings: dict[tuple[str, ...], list] = {}
    for (over, gkey), entry in curves.items():
        if len(over) == 1:
            groupings.setdefault(over, []).append((gkey, entry))
    panels = []
    for over, items in list(groupings.items())[:3]:
        items = sorted(items, key=lambda t: (-t[1]["n"], t[0]))[:7]
        lines = ([curve("overall", overall)] if overall else []) + [curve(_short_group(g, over), e) for g, e in items]
        panels.append((f"by {over_label(over)}", lines))
    if not panels and overall:
        panels.append(("overall", [curve("overall", overall)]))
    if not panels:
        return []
    description = ("Reliability diagram: mean predicted score against the observed fraction of positives per "
                   "score bin, for the population and the largest groups of each sensitive feature; the dotted "
                   "diagonal is perfect calibration.")
    svg = calibration_figure(f"{ctx.anchor}-calibration", panels, description=description)
    return ["<h3>Calibration</h3>", f"<figure>{svg}<figcaption>{esc(description)}</figcaption></figure>"]
