"""Error messages of the attribution auditor, one constant each.

Each says what was expected, what was got and how to fix it; tests format these constants
with ``str.format`` and compare the raised message verbatim. No message ever quotes a value
of the audited data: column names, counts and classes only.
"""
from __future__ import annotations

__all__ = [
    "NOT_DIFFERENTIABLE", "UNKNOWN_METHOD", "OUTPUT_SHAPE", "INPUT_WIDTH", "NON_FINITE_FEATURES",
    "NO_FEATURES", "DEEPLIFT_MODULE_REUSE", "BAD_MAX_ROWS", "BAD_N_STEPS", "BAD_BASELINE",
    "TARGET_CLASS", "NO_TASK", "IMAGE_METHODS_STRING",
]

NOT_DIFFERENTIABLE = ("method {method!r} needs gradients, but the model ({kind}) is not a differentiable "
                      "torch module; choose a perturbation method instead: {perturbation}.")
UNKNOWN_METHOD = "unknown attribution method {method!r}; expected one of {known}."
OUTPUT_SHAPE = ("the model returned output of shape {shape} for {n} rows, which does not fit a {task} task: "
                "expected {expected}; pass task=... matching the model, or a model whose output has that shape.")
INPUT_WIDTH = ("the model takes {expected} input columns but {got} features were given ({features}); "
               "pass features=[...] listing exactly the model's inputs, in its order.")
NON_FINITE_FEATURES = ("the torch model's encoded input is not finite for column {column!r}, which holds {count} "
                       "missing value(s) in the table's {n} rows (the attribution sample has {sample} rows; other "
                       "such columns: {others}); pass audit.Model(module, preprocess=...) with a preprocess that "
                       "imputes, or impute before auditing.")
NO_FEATURES = "the subject has no feature columns to attribute to; pass features=[...] naming the model's inputs."
DEEPLIFT_MODULE_REUSE = ("DeepLift cannot explain this model: module {module!r} is called {calls} times in one "
                         "forward pass, which corrupts DeepLift's backward hooks; use method "
                         "'integrated_gradients' instead.")
BAD_MAX_ROWS = "max_rows must be a positive integer or None (all rows), got {value!r}; pass e.g. 2000."
BAD_N_STEPS = "n_steps must be an integer >= 2, got {value!r}; pass e.g. 50."
BAD_BASELINE = ("baseline must be 'train_mean' (training mean for numeric features, mode category for "
                "categorical ones) or 'zero', got {value!r}.")
TARGET_CLASS = ("target_class {value!r} is not a class index of this {k}-class model; pass an integer from "
                "0 to {last}.")
NO_TASK = ("the subject has no task (no target and no prediction column), so the model output to explain "
           "is unknown; pass task='binary', 'multiclass' or 'regression'.")
IMAGE_METHODS_STRING = 'image_methods must be a list of method names, e.g. ["grad_cam"]; got a string.'
