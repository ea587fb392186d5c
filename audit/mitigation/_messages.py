"""Messages of the mitigation auditor and its candidates.

Conventions as in :mod:`audit._messages`.
"""
from __future__ import annotations

__all__ = [
    "MSG_NO_CANDIDATES", "MSG_UNKNOWN_CANDIDATE", "MSG_APPLY_SOURCE", "MSG_NOT_NEEDED", "MSG_NO_FAIRNESS_RUN",
    "MSG_NO_FAIRNESS_CHECKS", "MSG_NOT_BINARY", "MSG_CAVEAT", "MSG_UNKNOWN_OVER", "MSG_NO_CONSTRAINT",
    "MSG_SPLIT", "MSG_NO_SCORES", "MSG_NOT_REFITTABLE", "MSG_TORCH_REFIT", "MSG_REDUCTIONS_TORCH",
    "MSG_NO_TRAIN_DATA", "MSG_NO_SAMPLE_WEIGHT", "MSG_BUDGET_SPENT", "MSG_FIT_FAILED", "MSG_UNKNOWN_CONSTRAINT",
    "MSG_UNKNOWN_OBJECTIVE", "MSG_DEGENERATE_GROUP", "MSG_UNSEEN_GROUP", "MSG_LENGTHS", "MSG_LABELS",
    "MSG_APPLY_NEEDS_INPUT",
    "MSG_THRESHOLDS_NEED_SCORES",
    "MSG_CANDIDATE_NEEDS_SCORES",
    "MSG_CANDIDATE_NOT_FITTED",
]

# -- audit.mitigation.__init__ -----------------------------------------------------
MSG_NO_CANDIDATES = ("this mitigation result holds no fitted candidates ({why}); run the audit with 'mitigation' "
                     "in this process, or pass the thresholds JSON the CLI wrote with scores= and groups=.")
MSG_UNKNOWN_CANDIDATE = "no fitted candidate is called {name!r}; fitted: {known}."
MSG_APPLY_SOURCE = ("apply() takes an AuditReport, the mitigation result, a Candidate or a thresholds JSON dict; "
                    "got {got}.")
MSG_APPLY_NEEDS_INPUT = "apply() needs data= (the rows to predict), or scores= and groups= for a threshold candidate."
MSG_THRESHOLDS_NEED_SCORES = "a thresholds JSON needs scores= and groups= (one a row) to give predictions."

# -- audit.mitigation._auditor -----------------------------------------------------
MSG_NOT_NEEDED = ("no fix needed: the checks pass ({passed} fairness check(s) passed, none failed). "
                  "Name 'mitigation' in auditors=[...] to build candidates anyway.")
MSG_NO_FAIRNESS_RUN = ("not assessed: the fairness auditor did not run in this audit, so no fairness check says "
                       "a fix is needed. Run 'fairness' too, or name 'mitigation' in auditors=[...].")
MSG_NO_FAIRNESS_CHECKS = ("not assessed: this audit's policy has no fairness check, so nothing says a fix is "
                          "needed. Pass checks=..., or name 'mitigation' in auditors=[...] to build candidates "
                          "against rai-audit's default policy.")
MSG_NOT_BINARY = ("mitigation candidates are built for binary classification (group thresholds and the "
                  "reductions need a positive class); this task is {task}.")
MSG_CAVEAT = ("A fix is a decision for people, not for the tool: each candidate changes who gets which "
              "outcome, and the figures here are estimates on {n} held-out rows. Read the side effects, ask the "
              "people affected, and decide.")
MSG_UNKNOWN_OVER = ("mitigation option 'over' names {unknown}, which are not sensitive features of this audit "
                    "({known}).")
MSG_NO_CONSTRAINT = ("check {metric} states no constraint fairlearn can post-process or reduce to (known: "
                     "{known}); its candidates are measured against it but none is fitted for it.")
MSG_SPLIT = ("Candidates were fitted on {n_fit} of the audited rows and measured on the other {n_eval} "
             "(a seeded split, random_state {seed}, stratified by {over} x label): no candidate is judged on "
             "rows it was fitted on.")

# -- audit.mitigation._candidates --------------------------------------------------
MSG_NO_SCORES = ("no scores: group thresholds post-process a score (a score column, or a model with "
                 "predict_proba), and this subject has none, so the threshold candidates are skipped.")
MSG_NOT_REFITTABLE = ("the model ({kind}, {cls}) cannot be refitted here: {method} needs a scikit-learn "
                      "estimator (clone and fit), so it is skipped.")
MSG_TORCH_REFIT = ("{method} refits the model, and a torch module ({cls}) is refitted here only through a "
                   "rai-audit training recipe (the reference networks), which this one lacks, so it is skipped; "
                   "the threshold candidates post-process its scores instead.")
MSG_REDUCTIONS_TORCH = ("{method} (fairlearn.reductions) refits a scikit-learn estimator, and this model is a torch "
                        "module ({cls}), so it is skipped; reweighing and the threshold candidates stand in.")
MSG_NO_TRAIN_DATA = ("no train_data: {method} refits the model on its training rows, and none were given "
                     "(audit.run(..., train_data=frame)), so it is skipped.")
MSG_NO_SAMPLE_WEIGHT = ("{cls}.fit takes no sample_weight, which {method} needs (fairlearn#1087), so it is "
                        "skipped.")
MSG_BUDGET_SPENT = ("the time budget of {budget:g} s for refitted candidates was spent ({spent:.1f} s), so "
                    "{name} was not fitted; raise time_budget_s to fit it.")
MSG_FIT_FAILED = "{name} could not be fitted: {error_type}: {error}"
MSG_CANDIDATE_NEEDS_SCORES = ("candidate {name!r} post-processes scores; pass scores=... (the subject had a score "
                              "column, not a model)")
MSG_CANDIDATE_NOT_FITTED = "candidate {name!r} was not fitted: {reason}"

# -- audit.mitigation._thresholds --------------------------------------------------
MSG_UNKNOWN_CONSTRAINT = ("unknown constraint {constraint!r}; fairlearn's ThresholdOptimizer knows {known}. "
                          "Name one of them.")
MSG_UNKNOWN_OBJECTIVE = ("objective {objective!r} is not allowed with constraint {constraint!r}; "
                         "allowed: {allowed}.")
MSG_DEGENERATE_GROUP = ("group {group} has {positives} positive and {negatives} negative labels among the rows "
                        "thresholds are fitted on; a threshold needs both.")
MSG_UNSEEN_GROUP = ("{count} row(s) belong to group(s) {groups} that had no rows where the thresholds were "
                    "fitted, so no threshold exists for them; fit on rows that include every group.")
MSG_LENGTHS = "scores, labels and groups must have one entry a row; got {scores}, {labels} and {groups}."
MSG_LABELS = "labels must be 0/1 for group thresholds; got values other than 0 and 1 ({count} row(s))."
