"""Error messages of the fairness engine, one constant each.

Each says which argument is wrong, what was expected, what was got and how to fix it.
Tests format these constants with ``str.format`` and compare the raised message verbatim,
so a wording change is a one-line edit here.
"""
from __future__ import annotations

__all__ = [
    "EMPTY_INPUT", "LENGTH_MISMATCH", "NOT_ONE_DIMENSIONAL", "NON_FINITE", "UNKNOWN_TASK",
    "MIXED_LABEL_TYPES", "TOO_MANY_CLASSES_BINARY", "POS_LABEL_NOT_FOUND", "POS_LABEL_AMBIGUOUS",
    "POS_LABEL_NOT_BINARY", "REGRESSION_NOT_NUMERIC", "SCORE_TASK", "SCORE_NOT_NUMERIC",
    "SCORE_RANGE", "SENSITIVE_TYPE", "SENSITIVE_NDIM", "NO_SENSITIVE", "DUPLICATE_FEATURE",
    "TOO_MANY_INTERSECTIONS", "REFERENCE_TYPE", "REFERENCE_UNKNOWN_FEATURE",
    "REFERENCE_UNKNOWN_VALUE", "POPULATION_TYPE", "POPULATION_UNKNOWN_FEATURE",
    "POPULATION_UNKNOWN_VALUE", "POPULATION_BAD_SHARE", "N_BOOT", "CI_LEVEL", "N_BINS",
    "CALIBRATION_NOT_BINARY", "MIN_GROUP_SIZE", "ZERO_DIVISION", "MIN_CELL_SIZE", "FDR",
    "COUNTS_WEIGHT_COLUMNS", "CONTROL_ONE_LEVEL", "CONTROL_IS_SENSITIVE", "WEIGHT_NOT_NUMERIC",
    "WEIGHT_NOT_FINITE", "WEIGHT_NEGATIVE", "WEIGHT_ALL_ZERO",
    "COUNTS_MISSING_COLUMNS", "COUNTS_BAD", "COUNTS_REGRESSION",
]

EMPTY_INPUT = ("y_true is empty: expected at least one row, got 0 rows; "
               "pass the rows of the table to audit.")
LENGTH_MISMATCH = ("{name} has {got} rows but y_true has {expected}; "
                   "pass one entry per row of y_true (same length, same order).")
NOT_ONE_DIMENSIONAL = ("{name} must be one-dimensional: expected shape (n,), got shape {shape}; "
                       "pass a single column (for scores, the positive-class column).")
NON_FINITE = ("{name} contains {count} missing or infinite value(s), the first at row {row}; "
              "expected finite values only; drop or impute those rows before auditing.")
UNKNOWN_TASK = ("task must be 'binary', 'multiclass', 'regression' or None (infer it), "
                "got {task!r}; pass one of those.")
MIXED_LABEL_TYPES = ("y_true and y_pred hold labels that cannot be ordered together "
                     "(types: {types}); pass labels of one type, e.g. all int or all str.")
TOO_MANY_CLASSES_BINARY = ("task='binary' needs at most two classes in y_true and y_pred "
                           "together (pos_label included), got {count}: {classes}; "
                           "pass task='multiclass' or map the labels to two classes.")
POS_LABEL_NOT_FOUND = ("pos_label={pos_label!r} is not one of the classes in y_true and "
                       "y_pred ({classes}); pass one of those classes as pos_label.")
POS_LABEL_AMBIGUOUS = ("y_true and y_pred hold the single class {label!r}, which is not 1, so "
                       "the positive class is unknown; pass pos_label= to name it.")
POS_LABEL_NOT_BINARY = ("pos_label applies to task='binary' only, got pos_label={pos_label!r} "
                        "with task={task!r}; drop pos_label or pass task='binary'.")
REGRESSION_NOT_NUMERIC = ("task='regression' needs numeric {name}, got dtype {dtype}; "
                          "pass numbers, or task='binary'/'multiclass' for class labels.")
SCORE_TASK = ("y_score is supported for task='binary' only, got task={task!r}; "
              "drop y_score or pass a binary target.")
SCORE_NOT_NUMERIC = ("y_score must be numeric, got dtype {dtype}; "
                     "pass the predicted probability of the positive class.")
SCORE_RANGE = ("y_score must hold probabilities of the positive class in [0, 1], got values "
               "from {low!r} to {high!r}; pass predict_proba(X)[:, 1], not decision scores.")
SENSITIVE_TYPE = ("sensitive_features must be a DataFrame, a dict of columns, a Series, a "
                  "list or an array, got {type_name}; pass one of those.")
SENSITIVE_NDIM = ("sensitive_features must be 1-D or 2-D, got an array of shape {shape}; "
                  "pass one column per sensitive feature.")
NO_SENSITIVE = ("sensitive_features has no columns: expected at least one sensitive feature, "
                "got {got}; pass one column per sensitive feature.")
DUPLICATE_FEATURE = ("sensitive_features names the column {name!r} more than once; "
                     "give each sensitive feature a unique name.")
TOO_MANY_INTERSECTIONS = ("the intersection of {features} has {count} groups, more than the "
                          "limit of {limit}; pass intersections=False or fewer or coarser "
                          "sensitive features.")
REFERENCE_TYPE = ("reference_group must be a dict mapping a sensitive feature to a value, or "
                  "'min_metric', got {type_name}; pass e.g. {{'race': 'White'}} or 'min_metric'.")
REFERENCE_UNKNOWN_FEATURE = ("reference_group names the feature {feature!r}, which is not a "
                             "sensitive feature (known: {known}); use one of those names.")
REFERENCE_UNKNOWN_VALUE = ("reference_group gives {feature!r} a value that does not occur in that "
                           "column (it has {count} distinct values, not listed here as they may be "
                           "personal data); pass one of the column's own values, spelled as in the data.")
POPULATION_TYPE = ("population_shares must be a dict {{feature: {{value: share}}}}, got "
                   "{type_name}; pass e.g. {{'sex': {{'F': 0.51, 'M': 0.49}}}}.")
POPULATION_UNKNOWN_FEATURE = ("population_shares names the feature {feature!r}, which is not a "
                              "sensitive feature (known: {known}); use one of those names.")
POPULATION_UNKNOWN_VALUE = ("population_shares gives a share for a value of {feature!r} that does "
                            "not occur in that column (it has {count} distinct values, not listed here "
                            "as they may be personal data); pass the column's own values, spelled as "
                            "in the data.")
POPULATION_BAD_SHARE = ("population_shares[{feature!r}][{value!r}] must be a number in (0, 1], "
                        "got {share!r}; pass population shares as fractions.")
N_BOOT = ("n_boot must be a non-negative integer, got {n_boot!r}; "
          "pass 0 for no intervals or e.g. 1000 for bootstrap intervals.")
CI_LEVEL = ("ci must be a number strictly between 0 and 1, got {ci!r}; "
            "pass e.g. 0.95 for 95% intervals.")
N_BINS = "n_bins must be an integer >= 1, got {n_bins!r}; pass e.g. 10."
CALIBRATION_NOT_BINARY = ("calibration_table needs a binary y_true, got {count} classes: "
                          "{classes}; pass a two-class target (pos_label names the positive).")
MIN_GROUP_SIZE = ("min_group_size must be a non-negative integer, got {min_group_size!r}; "
                  "pass 0 to compare every group, or e.g. 30 to leave tiny groups out of aggregates.")
ZERO_DIVISION = ("zero_division must be None (an undefined rate is null), 0 or 1, got {zero_division!r}; "
                 "pass None, or 0 to reproduce fairlearn's convention.")
MIN_CELL_SIZE = ("min_cell_size must be a non-negative integer, got {min_cell_size!r}; pass 0 to show every "
                 "group, or e.g. 10 to suppress groups of fewer than 10 people in the report.")
WEIGHT_NOT_NUMERIC = ("{name} must hold numbers, got dtype {dtype}; pass one non-negative weight per row.")
WEIGHT_NOT_FINITE = ("{name} has {count} missing or infinite weight(s); pass a finite, non-negative "
                     "weight for every row (drop the rows or give them weight 0).")
WEIGHT_NEGATIVE = ("{name} has {count} negative weight(s); sample weights must be >= 0 "
                   "(0 leaves a row out of every figure).")
WEIGHT_ALL_ZERO = ("{name} is 0 for every row, so every weighted figure would be 0/0; "
                   "pass positive weights for the rows to audit.")
COUNTS_WEIGHT_COLUMNS = ("a weighted count table needs both sample_weight (the sum of weights per row) and "
                         "sample_weight_squares (the sum of squared weights per row); pass both or neither.")
CONTROL_ONE_LEVEL = ("control feature {feature!r} has a single level, so it splits nothing; drop it from "
                     "control_features or pass a column with at least two levels.")
CONTROL_IS_SENSITIVE = ("{feature!r} is both a control feature and a sensitive feature; a column is compared "
                        "across its groups or held fixed, not both: name it in one of the two.")
FDR = ("fdr must be a number strictly between 0 and 1, got {fdr!r}; pass e.g. 0.05 to keep the expected share "
       "of false discoveries among the significant disparities at 5%.")
COUNTS_MISSING_COLUMNS = ("the count table lacks column(s) {missing}; it has {columns}. Expected one row per "
                          "distinct (sensitive features, target, prediction) with its row count.")
COUNTS_BAD = ("count column {column!r} must hold non-negative integer row counts (and at least one row); "
              "got dtype {dtype}. Aggregate with a group-by count, e.g. len() per group.")
COUNTS_REGRESSION = ("regression metrics need the rows themselves (errors are per row), not a count table; "
                     "call group_metrics with y_true and y_pred instead.")
