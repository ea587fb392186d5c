"""MitigationAuditor: fix candidates for a failing fairness policy, each measured on rows it did not fit on."""
from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import _metric_catalog as catalog
from .._base import BaseAuditor, Interval, OneOf, Requirement
from .._exceptions import UsageError
from .._results import AuditReport, AuditResult, Finding, Severity, Status, metrics_frame
from ..subject import require
from ._candidates import Candidate, positive, refit_candidates, split_rows, threshold_candidates
from ._messages import (
    MSG_CAVEAT,
    MSG_NO_CONSTRAINT,
    MSG_NO_FAIRNESS_CHECKS,
    MSG_NO_FAIRNESS_RUN,
    MSG_NOT_BINARY,
    MSG_NOT_NEEDED,
    MSG_SPLIT,
    MSG_UNKNOWN_OVER,
)
from ._pareto import front, worse_beyond_interval
from ._thresholds import CONSTRAINTS, check_constraint, group_keys

if TYPE_CHECKING:
    from ..subject import Subject

__all__ = ["MitigationAuditor", "MitigationResult", "CONSTRAINT_OF_METRIC", "MSG_NOT_NEEDED", "MSG_NO_FAIRNESS_RUN",
           "MSG_NO_FAIRNESS_CHECKS", "MSG_NOT_BINARY", "MSG_CAVEAT", "MSG_UNKNOWN_OVER", "MSG_NO_CONSTRAINT",
           "MSG_SPLIT"]

logger = logging.getLogger(__name__)


#: Gated fairness metric -> the constraint whose thresholds equalise it.
CONSTRAINT_OF_METRIC = {
    "demographic_parity_difference": "demographic_parity", "demographic_parity_ratio": "demographic_parity",
    "disparate_impact_ratio": "demographic_parity", "selection_rate_difference": "demographic_parity",
    "selection_rate_ratio": "demographic_parity",
    "equalized_odds_difference": "equalized_odds", "equalized_odds_ratio": "equalized_odds",
    "average_abs_odds_difference": "equalized_odds",
    "equal_opportunity_difference": "true_positive_rate_parity",
    "equal_opportunity_ratio": "true_positive_rate_parity",
    "true_positive_rate_difference": "true_positive_rate_parity",
    "true_positive_rate_ratio": "true_positive_rate_parity",
    "false_negative_rate_difference": "true_positive_rate_parity",
    "false_negative_rate_ratio": "true_positive_rate_parity",
    "false_positive_rate_difference": "false_positive_rate_parity",
    "false_positive_rate_ratio": "false_positive_rate_parity",
    "true_negative_rate_difference": "false_positive_rate_parity",
    "true_negative_rate_ratio": "false_positive_rate_parity",
}
#: Constraints built when the policy gates none (the three the issue names).
DEFAULT_CONSTRAINTS = ("demographic_parity", "equalized_odds", "true_positive_rate_parity")
#: Disparities every candidate reports, gated or not (the side effects a fix on one can cause).
HEADLINE = ("demographic_parity_difference", "equalized_odds_difference", "equal_opportunity_difference")
MAIN_SCORE = "accuracy_score"
_WHEN = ("failing", "always")


@dataclasses.dataclass(frozen=True)
class MitigationResult(AuditResult):
    """The mitigation auditor's result, with the fitted candidates (``fitted``: name -> Candidate).

    ``fitted`` lives only in this process (report.json holds the figures, not the objects);
    :func:`audit.mitigation.apply` uses it.
    """

    fitted: Mapping[str, Candidate] = dataclasses.field(default_factory=dict, repr=False, compare=False)


class MitigationAuditor(BaseAuditor):
    """Fix candidates with their measured trade-offs, when a fairness check fails (or when asked).

    Parameters
    ----------
    when : "failing" runs only when a fairness check of the audit failed (a default run);
        "always" builds candidates whatever the checks say (naming 'mitigation' in
        ``auditors=[...]`` sets it).
    fairness_constraints : post-processing constraints to fit (fairlearn's names); default: those the
        policy's fairness checks state, else demographic parity, equalized odds and
        true-positive-rate parity.
    objective : what the thresholds maximise (fairlearn's objective names).
    over : the sensitive features whose groups get their own thresholds (their intersection);
        default: the features of the failed checks, else every sensitive feature.
    reweighing, reductions : build those refitted candidates (a scikit-learn estimator that
        takes ``sample_weight``, and ``train_data``).
    strengths : ExponentiatedGradient's ``difference_bound`` values.
    time_budget_s : wall time the refitted candidates may take together; those not started
        within it are skipped with the reason.
    fit_share : the share of the audited rows the candidates are fitted on; the rest are the
        held-out rows every candidate is measured on.
    grid_size : ThresholdOptimizer's grid.
    n_boot, ci, min_group_size : interval settings of the fairness engine for every candidate
        (default: those the fairness auditor ran with).
    checks : a policy (path or list of check dicts) to judge candidates by; default: the audit's.
    random_state : seed of the split, the bootstrap and randomised predictions; None takes
        the subject's.
    """

    name = "mitigation"
    version = "1.0"
    requires = frozenset({Requirement.TARGET, Requirement.PREDICTIONS, Requirement.SENSITIVE_FEATURES})
    #: Options the auditor takes when a user names it, rather than a default run picking it up.
    on_request = {"when": "always"}
    constraints = {
        "when": [OneOf(_WHEN)], "fairness_constraints": [Sequence, None], "objective": [str], "over": [Sequence, None],
        "reweighing": [bool], "reductions": [bool], "strengths": [Sequence],
        "time_budget_s": [Interval(float, 0, None)], "fit_share": [Interval(float, 0, 1, "neither")],
        "grid_size": [Interval(int, 1, None)], "n_boot": [Interval(int, 0, None), None],
        "ci": [Interval(float, 0, 1, "neither"), None], "min_group_size": [Interval(int, 0, None), None],
        "random_state": [Interval(int, 0, None), None],
    }

    def __init__(self, *, when: str = "failing", fairness_constraints: Sequence[str] | None = None,
                 objective: str = "accuracy_score", over: Sequence[str] | None = None, reweighing: bool = True,
                 reductions: bool = True, strengths: Sequence[float] = (0.01, 0.05), time_budget_s: float = 60.0,
                 fit_share: float = 0.5, grid_size: int = 1000, n_boot: int | None = None, ci: float | None = None,
                 min_group_size: int | None = None, checks: Any = None, random_state: int | None = None) -> None:
        self.when = when
        self.fairness_constraints = fairness_constraints
        self.objective = objective
        self.over = over
        self.reweighing = reweighing
        self.reductions = reductions
        self.strengths = strengths
        self.time_budget_s = time_budget_s
        self.fit_share = fit_share
        self.grid_size = grid_size
        self.n_boot = n_boot
        self.ci = ci
        self.min_group_size = min_group_size
        self.checks = checks
        self.random_state = random_state

    # -- options ---------------------------------------------------------------------------------
    def _validate(self, subject: Subject) -> None:
        """What the declared ``constraints`` cannot say: fairlearn's names, and features of this subject."""
        self.validate_params()
        for c in self.fairness_constraints or ():
            check_constraint(c, self.objective)
        if self.fairness_constraints is None:
            check_constraint("demographic_parity", self.objective)
        unknown = [f for f in (self.over or ()) if f not in subject.sensitive_features]
        if unknown:
            raise UsageError(MSG_UNKNOWN_OVER.format(unknown=unknown, known=list(subject.sensitive_features)))

    def _skipped(self, reason: str) -> MitigationResult:
        return MitigationResult(self.name, self.version, Status.SKIPPED, params=self.get_params(), reason=reason)

    # -- run -------------------------------------------------------------------------------------
    def run(self, subject: Subject) -> AuditResult:
        from ..gate._checks import load_policy

        self._validate(subject)
        if subject.task != "binary":
            return self._skipped(MSG_NOT_BINARY.format(task=subject.task))
        seed = subject.random_state if self.random_state is None else int(self.random_state)
        checks = load_policy(self.checks) if self.checks is not None else list(getattr(subject, "policy", ()))
        fairness_checks = [c for c in checks if c.auditor == "fairness"]
        earlier = dict(getattr(subject, "earlier_results", {}) or {}).get("fairness")
        described = subject.describe()
        failed: list[Any] = []
        policy_note = None
        failing_features: list[str] = []
        if fairness_checks and earlier is not None and earlier.status not in (Status.SKIPPED, Status.ERROR):
            outcomes = _judge(fairness_checks, earlier, described)
            failed = [c for c, o in zip(fairness_checks, outcomes, strict=False) if o.status == Status.FAIL]
            failing_features = _failing_features(earlier, failed)
            if self.when == "failing" and not failed:
                return self._skipped(MSG_NOT_NEEDED.format(passed=sum(o.status == Status.PASS for o in outcomes)))
        elif self.when == "failing":
            return self._skipped(MSG_NO_FAIRNESS_CHECKS if not fairness_checks else MSG_NO_FAIRNESS_RUN)
        if not fairness_checks:
            from importlib import resources

            path = resources.files("audit") / "policies" / "classification.toml"
            fairness_checks = [c for c in load_policy(str(path)) if c.auditor == "fairness"]
            policy_note = "the audit has no fairness checks, so candidates are judged by rai-audit's default policy"
        fair_params = dict(earlier.params) if earlier is not None else {}
        settings = {"n_boot": self.n_boot if self.n_boot is not None else fair_params.get("n_boot", 200),
                    "ci": self.ci if self.ci is not None else fair_params.get("ci", 0.95),
                    "min_group_size": (self.min_group_size if self.min_group_size is not None
                                       else fair_params.get("min_group_size", 30)),
                    "min_cell_size": fair_params.get("min_cell_size", 10),
                    "intersections": fair_params.get("intersections", True)}
        return self._build(subject, seed, fairness_checks, failed, failing_features, settings, described,
                           policy_note)

    def _over(self, subject: Subject, failing: Sequence[str]) -> tuple[str, ...]:
        if self.over:
            return tuple(self.over)
        return tuple(f for f in subject.sensitive_features if f in failing) or tuple(subject.sensitive_features)

    def _constraints(self, checks: Sequence[Any]) -> tuple[list[str], list[str]]:
        if self.fairness_constraints is not None:
            return list(dict.fromkeys(self.fairness_constraints)), []
        wanted, notes = [], []
        for c in checks:
            constraint = CONSTRAINT_OF_METRIC.get(c.metric_name)
            if constraint is None:
                notes.append(MSG_NO_CONSTRAINT.format(metric=c.metric, known=list(CONSTRAINTS)))
            elif constraint not in wanted:
                wanted.append(constraint)
        return wanted or list(DEFAULT_CONSTRAINTS), notes

    def _build(self, subject: Subject, seed: int, checks: Sequence[Any], failed: Sequence[Any], failing: Sequence[str],
               settings: Mapping[str, Any], described: Mapping[str, Any], policy_note: str | None) -> AuditResult:
        from ..fairness import FairnessAuditor, group_metrics
        from ..gate._checks import select_rows

        started = time.perf_counter()
        over = self._over(subject, failing)
        # thresholds over the intersection fix every feature at once, but need both labels in every
        # cell; each feature on its own is the fallback a small cell cannot break
        overs = [over] + ([(f,) for f in over] if len(over) > 1 and not self.over else [])
        constraints, notes = self._constraints(checks)
        pos_label = subject.pos_label
        y = positive(subject.y_true, pos_label)
        y_pred = positive(subject.y_pred, pos_label)
        scores = subject.y_score
        sens = subject.sensitive_frame.reset_index(drop=True)
        keys = group_keys(sens, over)
        fit_rows, eval_rows = split_rows(keys, y, fit_share=float(self.fit_share), random_state=seed)
        features = list(subject.features)
        model = subject.model
        candidates: list[Candidate] = [Candidate("unchanged", "unchanged", "the model as audited", over=over,
                                                 model=model, features=tuple(features), pos_label=pos_label)]
        for o in overs:
            candidates += threshold_candidates(None if scores is None else scores[fit_rows], y[fit_rows],
                                               group_keys(sens, o)[fit_rows], constraints=constraints,
                                               objective=self.objective, grid_size=int(self.grid_size), over=o,
                                               model=model, features=features, pos_label=pos_label)
        if model is not None and (self.reweighing or self.reductions):
            candidates += refit_candidates(
                model, subject.train_data, target_pos=lambda v: positive(v, pos_label), features=features,
                over=over, constraints=constraints, strengths=list(self.strengths), reweighing=bool(self.reweighing),
                reductions=bool(self.reductions), time_budget_s=float(self.time_budget_s), random_state=seed,
                pos_label=pos_label, target=require(subject.target, "target", self.name),
                progress=lambda m: logger.info("%s", m))
        elif self.reweighing or self.reductions:
            notes.append("no model: the table holds predictions, so nothing can be refitted (reweighing and the "
                         "reductions are skipped).")
        eval_frame = None
        needs_frame = any(c.ok and c.method in ("reweighing", "exponentiated_gradient", "grid_search")
                          for c in candidates)
        if needs_frame:
            eval_frame = subject.data.iloc[eval_rows].reset_index(drop=True)
        sens_eval = sens.iloc[eval_rows].reset_index(drop=True)
        y_eval = y[eval_rows]
        aggregates = list(dict.fromkeys([c.metric_name for c in checks] + list(HEADLINE)))
        entries: list[dict[str, Any]] = []
        results: dict[str, AuditResult] = {}
        fairness_version = FairnessAuditor.version
        for cand in candidates:
            entry: dict[str, Any] = {"name": cand.name, "method": cand.method, "description": cand.description,
                                     "constraint": cand.constraint, "objective": cand.objective,
                                     "strength": cand.strength, "over": list(cand.over), "reason": cand.reason}
            if cand.ok:
                logger.info("mitigation: %s fitted in %.3f s", cand.name, cand.seconds)
            entries.append(entry)
            if not cand.ok:
                continue
            try:
                pred = self._predict(cand, y_pred, eval_rows, eval_frame, scores, sens_eval, seed)
            except UsageError as exc:  # e.g. a group the thresholds never saw: this candidate says so
                entry["reason"] = str(exc)
                continue
            m = group_metrics(y_eval, pred, sensitive_features=sens_eval, task="binary", pos_label=1,
                              n_boot=int(settings["n_boot"]), ci=float(settings["ci"]), random_state=seed,
                              min_group_size=int(settings["min_group_size"]),
                              intersections=bool(settings["intersections"]))
            details = {"min_group_size": settings["min_group_size"], "min_cell_size": settings["min_cell_size"],
                       "task": "binary", "n_boot": settings["n_boot"], "ci": settings["ci"]}
            small = m[(m["metric"] == "count") & m["group"].notna() & (m["value"] > 0)
                      & (m["value"] < settings["min_cell_size"])]
            if len(small):
                details["suppressed_groups"] = [dict(g) for g in small["group"]]
            results[cand.name] = AuditResult("fairness", fairness_version, Status.PASS, metrics=m, details=details)
        rows: list[dict[str, Any]] = []
        baseline = results.get("unchanged")
        for entry in entries:
            result = results.get(entry["name"])
            if result is None:
                entry["checks"] = None
                entry["passes"] = None
                continue
            figures = self._figures(result, aggregates)
            entry["metrics"] = figures
            outcomes = _judge(checks, result, described)
            entry["checks"] = [{"metric": o.metric, "over": o.to_dict()["over"], "op": o.op, "threshold": o.threshold,
                                "bound": o.bound, "severity": o.severity, "status": str(o.status), "value": o.value}
                               for o in outcomes]
            entry["passes"] = not any(o.status in (Status.FAIL, Status.ERROR) for o in outcomes)
            gated = self._gated(result, checks, failed, select_rows)
            entry["gated"] = gated
            for f in figures:
                rows.append({"metric": f"candidate_{f['metric']}", "group": {"candidate": entry["name"]},
                             "value": f["value"], "ci_low": f["ci_low"], "ci_high": f["ci_high"], "n": f["n"],
                             "over": f["over"], "label": None})
        if baseline is not None:
            base = {(f["metric"], tuple(f["over"] or ())): f for f in entries[0].get("metrics", [])}
            for entry in entries[1:]:
                worse = []
                for f in entry.get("metrics") or []:
                    b = base.get((f["metric"], tuple(f["over"] or ())))
                    if b is not None and worse_beyond_interval(catalog.direction(f["metric"]), f["value"], b):
                        worse.append({"metric": f["metric"], "over": f["over"], "value": _r(f["value"]),
                                      "unchanged": _r(b["value"]), "unchanged_ci": [_r(b["ci_low"]), _r(b["ci_high"])]})
                entry["worse"] = worse
        gated_check = self._gated_check(checks, failed)
        lower = gated_check is None or gated_check.op == "max"
        measured = [e for e in entries if e.get("metrics") is not None]
        on_front = front([(self._main(e)["value"], (e.get("gated") or {}).get("value")) for e in measured],
                         lower_is_better=lower)
        for e, flag in zip(measured, on_front, strict=False):
            e["pareto_front"] = flag
        base_acc = self._main(entries[0])["value"] if entries[0].get("metrics") else None
        for e in measured:
            acc = self._main(e)["value"]
            e["accuracy_lost"] = _r(base_acc - acc) if base_acc is not None and acc is not None else None
        accepted = [e for e in measured if e.get("passes")]
        best = max(accepted, key=lambda e: (self._main(e)["value"] or -math.inf, -entries.index(e)), default=None)
        chosen_thresholds = None
        threshold_pick = best if best is not None and best["method"] == "threshold_optimizer" else max(
            (e for e in accepted if e["method"] == "threshold_optimizer"),
            key=lambda e: self._main(e)["value"] or -math.inf, default=None)
        fitted = {c.name: c for c in candidates if c.ok}
        if threshold_pick is not None:
            chosen_thresholds = {"candidate": threshold_pick["name"], "over": list(threshold_pick["over"]),
                                 "pos_label": _label(pos_label),
                                 **fitted[threshold_pick["name"]].fitted.to_dict()}
        findings = self._findings(entries, best, notes, len(eval_rows), len(fit_rows), seed, over, policy_note)
        details = {
            "split": {"n_fit": int(len(fit_rows)), "n_eval": int(len(eval_rows)), "random_state": seed,
                      "stratified_by": [*over, "label"], "fit_share": float(self.fit_share),
                      "message": MSG_SPLIT.format(n_fit=len(fit_rows), n_eval=len(eval_rows), seed=seed,
                                                  over=" x ".join(over))},
            "over": list(over), "constraints": constraints, "objective": self.objective,
            "main_metric": MAIN_SCORE, "aggregates": aggregates,
            "gated": None if gated_check is None else {"metric": gated_check.metric_name,
                                                       "check": gated_check.metric, "op": gated_check.op,
                                                       "threshold": gated_check.threshold,
                                                       "bound": gated_check.bound},
            "policy_note": policy_note,
            "failed_checks": [c.metric for c in failed], "failing_features": list(failing),
            "candidates": entries,
            "accepted": None if best is None else {"name": best["name"], "accuracy_lost": best.get("accuracy_lost")},
            "caveat": MSG_CAVEAT.format(n=len(eval_rows)),
            "chosen_thresholds": chosen_thresholds,
            "time_budget_s": float(self.time_budget_s),
            "intervals": {"n_boot": settings["n_boot"], "ci": settings["ci"],
                          "method": "the fairness engine's bootstrap on the held-out rows"},
        }
        logger.info("mitigation: %d candidates in %.2f s", len(entries), time.perf_counter() - started)
        worst = max((f.severity for f in findings), key=list(Severity).index, default=Severity.INFO)
        status = Status.WARN if worst in (Severity.WARNING, Severity.HIGH) else Status.PASS
        return MitigationResult(self.name, self.version, status, metrics=metrics_frame(rows),
                                findings=tuple(sorted(findings, key=lambda f: -list(Severity).index(f.severity))),
                                params=self.get_params(), details=details, fitted=fitted)

    # -- pieces ----------------------------------------------------------------------------------
    @staticmethod
    def _predict(cand: Candidate, y_pred: np.ndarray, eval_rows: np.ndarray, eval_frame: pd.DataFrame | None,
                 scores: np.ndarray | None, sens_eval: pd.DataFrame, seed: int) -> np.ndarray:
        if cand.method == "unchanged":
            return y_pred[eval_rows]
        if cand.method == "threshold_optimizer" and scores is not None:  # fitted only when there are scores
            return cand.fitted.predict(scores[eval_rows], group_keys(sens_eval, cand.over), random_state=seed)
        return cand.predict(eval_frame, random_state=seed)

    @staticmethod
    def _figures(result: AuditResult, aggregates: Sequence[str]) -> list[dict[str, Any]]:
        m = result.metrics
        m = m[m["label"].isna() & m["group"].isna()]
        out = []
        for name in [MAIN_SCORE, *aggregates]:
            sub = m[m["metric"] == name]
            if name == MAIN_SCORE:
                sub = sub[sub["over"].isna()]
            for r in sub.itertuples(index=False):
                out.append({"metric": name, "over": None if r.over is None else list(r.over), "value": _num(r.value),
                            "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                            "n": None if pd.isna(r.n) else int(r.n)})
        return out

    @staticmethod
    def _main(entry: Mapping[str, Any]) -> dict[str, Any]:
        for f in entry.get("metrics") or []:
            if f["metric"] == MAIN_SCORE and f["over"] is None:
                return f
        return {"value": None, "ci_low": None, "ci_high": None}

    @staticmethod
    def _gated_check(checks: Sequence[Any], failed: Sequence[Any]) -> Any:
        if failed:
            return failed[0]
        return checks[0] if checks else None

    def _gated(self, result: AuditResult, checks: Sequence[Any], failed: Sequence[Any], select_rows: Any
               ) -> dict[str, Any] | None:
        """The gated disparity of one candidate: the worst aggregate row its check selects, with its interval."""
        check = self._gated_check(checks, failed)
        if check is None:
            return None
        rows = select_rows(result, check)
        rows = rows[rows["group"].isna() & rows["value"].notna()]
        if len(rows) == 0:
            return {"metric": check.metric_name, "over": None, "value": None, "ci_low": None, "ci_high": None}
        pick = rows.loc[rows["value"].idxmax() if check.op == "max" else rows["value"].idxmin()]
        return {"metric": check.metric_name, "over": None if pick["over"] is None else list(pick["over"]),
                "value": _num(pick["value"]), "ci_low": _num(pick["ci_low"]), "ci_high": _num(pick["ci_high"])}

    @staticmethod
    def _findings(entries: Sequence[Mapping[str, Any]], best: Mapping[str, Any] | None, notes: Sequence[str],
                  n_eval: int, n_fit: int, seed: int, over: Sequence[str], policy_note: str | None) -> list[Finding]:
        out = [Finding(Severity.INFO, "mitigation.split",
                       MSG_SPLIT.format(n_fit=n_fit, n_eval=n_eval, seed=seed, over=" x ".join(over)),
                       {"n_fit": n_fit, "n_eval": n_eval, "random_state": seed})]
        if policy_note:
            out.append(Finding(Severity.INFO, "mitigation.note", policy_note + "."))
        for note in notes:
            out.append(Finding(Severity.INFO, "mitigation.note", note))
        reasons: dict[str, list[str]] = {}
        for e in entries:
            if e.get("reason"):
                reasons.setdefault(e["reason"], []).append(e["name"])
        for reason, names in reasons.items():
            out.append(Finding(Severity.INFO, "mitigation.not_fitted", f"{', '.join(names)}: {reason}",
                               {"candidates": names}))
        for e in entries:
            if e.get("worse"):
                shown = ", ".join(f"{w['metric']}{'' if not w['over'] else ' over ' + ' x '.join(w['over'])}"
                                  for w in e["worse"][:6])
                out.append(Finding(Severity.WARNING, "mitigation.side_effect",
                                   f"{e['name']} makes {len(e['worse'])} metric(s) worse than the unchanged model "
                                   f"beyond the unchanged model's interval: {shown}.",
                                   {"candidate": e["name"], "worse": list(e["worse"])}))
        if best is not None:
            lost = best.get("accuracy_lost")
            out.append(Finding(Severity.INFO, "mitigation.accepted",
                               f"{best['name']} passes the policy on the held-out rows with the least accuracy lost "
                               f"({_lost_text(lost)}). {MSG_CAVEAT.format(n=n_eval)}",
                               {"candidate": best["name"], "accuracy_lost": lost}))
        else:
            out.append(Finding(Severity.WARNING, "mitigation.none_accepted",
                               "no candidate passes the policy on the held-out rows; the table shows how close each "
                               "comes.", {"candidates": sum(1 for e in entries if e.get("metrics") is not None)}))
        return out


def _judge(checks: Sequence[Any], result: AuditResult, described: Mapping[str, Any]) -> list[Any]:
    """The gate's outcome of each check on one fairness result (the one rule, :func:`audit.gate.apply`)."""
    from ..gate import apply as gate_apply

    return list(gate_apply(AuditReport([result], subject=dict(described)), list(checks)).outcomes)


def _failing_features(result: AuditResult, checks: Sequence[Any]) -> list[str]:
    """The sensitive features of every aggregate row that fails a check (not only each check's worst row)."""
    from ..gate._checks import judge_row, select_rows

    out: list[str] = []
    for check in checks:
        rows = select_rows(result, check)
        for r in rows[rows["group"].isna()].itertuples(index=False):
            judged = judge_row(check.op, check.threshold, check.bound, check.severity, r.value, r.ci_low, r.ci_high)
            if (judged is None or judged[0] == Status.FAIL) and r.over is not None:
                out.extend(f for f in r.over if f not in out)
    return out


def _lost_text(lost: float | None) -> str:
    if lost is None:
        return "accuracy undefined"
    return f"{lost:.3g}" if lost >= 0 else f"none: accuracy rises by {-lost:.3g}"


def _num(x: Any) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or pd.isna(x):
        return None
    return float(x)


def _r(x: Any) -> float | None:
    v = _num(x)
    return None if v is None else float(f"{v:.4g}")


def _label(x: Any) -> Any:
    return x.item() if hasattr(x, "item") else x
