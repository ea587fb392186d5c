"""Messages of the gate: check parsing, baselines, outcomes and assertions.

Conventions as in :mod:`audit._messages`.
"""
from __future__ import annotations

__all__ = [
    "MSG_NOT_A_REPORT", "MSG_REGRESSION", "MSG_NO_REGRESSION", "MSG_TOLERANCE", "MSG_CHECK_KEYS",
    "MSG_CHECK_BOUND", "MSG_CHECK_METRIC", "MSG_CHECK_FIELD", "MSG_UNKNOWN_METRIC", "MSG_UNKNOWN_AUDITOR",
    "MSG_NOT_RUN", "MSG_AUDITOR_SKIPPED", "MSG_METRIC_MISSING", "MSG_SKIPPED_SUFFIX", "MSG_NO_ROW",
    "MSG_OUTCOME_UNDEFINED", "MSG_OUTCOME_NON_FINITE", "MSG_POLICY_EMPTY",
    "MSG_OUTCOME_FAIL", "MSG_OUTCOME_PASS",
    "MSG_CHECKS_SOURCE",
    "MSG_POLICY_KEYS",
    "MSG_CHECK_NOT_TABLE",
]

# -- audit.gate._assertions --------------------------------------------------------
MSG_NOT_A_REPORT = ("assert_passes needs an AuditReport (from audit.run), a report dict or the path of a "
                    "report.json; got {got}.")

# -- audit.gate._baseline ----------------------------------------------------------
#: A regression: which metric, for which group, from what to what, and the tolerance it broke.
MSG_REGRESSION = ("{metric} {where} {direction} from {old} to {new} against the baseline ({change}, {relative}); "
                  "tolerated {allowed} (the larger of {abs_tol} absolute and {rel_tol:.0%} of the baseline).")
MSG_NO_REGRESSION = ("{metric}: largest change against the baseline {change} ({where}, from {old} to {new}), "
                     "within the tolerated {allowed}.")
#: A tolerance that is not a finite number >= 0 (NaN would silently disable the baseline check).
MSG_TOLERANCE = ("--tolerance-{which} must be a finite number >= 0; got {got!r}. Pass e.g. --tolerance-{which} "
                 "{example}.")

# -- audit.gate._checks ------------------------------------------------------------
MSG_CHECK_KEYS = "check #{index} has unknown key(s) {keys}; allowed keys: {allowed}."
MSG_CHECK_BOUND = ("check #{index} ({metric}) must have exactly one of 'max' or 'min' as a number; "
                   "got {got}.")
MSG_CHECK_METRIC = ("check #{index}: metric must look like '<auditor>.<metric>', e.g. "
                    "'fairness.demographic_parity_difference'; got {metric!r}.")
MSG_CHECK_FIELD = "check #{index} ({metric}): {field} must be one of {allowed}; got {got!r}."
MSG_UNKNOWN_METRIC = "check #{index}: auditor {auditor!r} reports no metric {metric!r}{hint}."
MSG_UNKNOWN_AUDITOR = ("check #{index} ({metric}): no auditor is called {auditor!r}; known auditors: "
                       "{known}{hint}.")
#: A metric the report lacks, though its auditor can report it: why, then what the check did.
MSG_NOT_RUN = "{metric}: auditor {auditor!r} did not run in this audit."
MSG_AUDITOR_SKIPPED = "{metric}: auditor {auditor!r} was skipped: {reason}"
MSG_METRIC_MISSING = "{metric}: auditor {auditor!r} reports no metric {name!r}: {reason}"
MSG_SKIPPED_SUFFIX = " Skipped (if_missing = \"skip\"), not passed."
MSG_NO_ROW = "{metric}: no row matches {filters}."
#: A check whose deciding row (or every row) is undefined: never a pass.
MSG_OUTCOME_UNDEFINED = "{metric} {where}: the value is undefined (null), so the check cannot pass: {why}."
#: A check whose deciding value (estimate, or the CI bound it gates on) is infinite: never a pass.
MSG_OUTCOME_NON_FINITE = ("{metric} {where}: {basis} is {value}, not a finite number, so the check cannot pass "
                          "against the {op} {threshold}; estimate {estimate}{interval}, n = {n}.")
#: A policy file with no [[checks]]: gating on it would pass anything.
MSG_POLICY_EMPTY = ("policy {path!s} has no checks: expected at least one [[checks]] table (metric and max or "
                    "min); got none. An empty policy would pass any report.")
#: A failed (or warned) check: what, for which group, by how much, and the evidence.
MSG_OUTCOME_FAIL = ("{metric} {where}: {basis} {value} is {direction} the {op} {threshold} by {excess} "
                    "({relative}); estimate {estimate}{interval}, n = {n}.{extremes}")
MSG_OUTCOME_PASS = "{metric}: worst is {where}, {basis} {value}, within the {op} {threshold} (margin {margin})."
MSG_CHECKS_SOURCE = "checks must be a path to a policy TOML file or a list of check dicts; got {got}."
MSG_POLICY_KEYS = ("policy {source!s} has unknown top-level key(s) {unknown}; expected [[checks]] tables (and optional "
                   "title, description).")
MSG_CHECK_NOT_TABLE = "check #{index} must be a table of keys; got {got}."
