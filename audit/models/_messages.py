"""Messages of the reference networks: vendored datasets, recipes, preprocessing, weights.

Conventions as in :mod:`audit._messages`.
"""
from __future__ import annotations

__all__ = [
    "MSG_LAYER_SIZES", "MSG_SPLIT",
    "MSG_ADULT_SPLIT",
    "MSG_UNKNOWN_DATASET",
    "MSG_DIABETES_SHAPE",
    "MSG_GERMAN_SEX",
    "MSG_GERMAN_LABELS",
    "MSG_GERMAN_CODES",
    "MSG_COMPAS_DUPLICATE",
    "MSG_COMPAS_HEADER",
    "MSG_ADULT_TEST_HEADER",
    "MSG_ADULT_LABELS",
    "MSG_CHECKSUM",
    "MSG_VENDORED_UNREADABLE",
    "MSG_UNKNOWN_VENDORED",
    "MSG_PREPROCESSOR_UNREADABLE",
    "MSG_PREPROCESSOR_INCONSISTENT",
    "MSG_PREPROCESSOR_KEY",
    "MSG_PREPROCESSOR_STD",
    "MSG_PREPROCESSOR_FORMAT",
    "MSG_NO_TARGET_SCALING",
    "MSG_NO_TARGET_SCALING_FIT",
    "MSG_FEATURE_NOT_NUMERIC",
    "MSG_PREPROCESSOR_NOT_FITTED",
    "MSG_FEATURE_ALL_MISSING",
    "MSG_FIT_EMPTY",
    "MSG_FEATURES_MISSING",
    "MSG_FEATURE_TWICE",
    "MSG_WEIGHTS_ARCHITECTURE",
    "MSG_RECIPE_KEY",
    "MSG_FOLDER_INCOMPLETE",
    "MSG_NOT_A_NETWORK",
    "MSG_NOT_TRAINED",
    "MSG_NOT_STATE_DICT",
    "MSG_UNSAFE_WEIGHTS",
    "MSG_NOT_JSON_OBJECT",
    "MSG_NETWORK_FILE_UNREADABLE",
    "MSG_PROBA_NOT_BINARY",
    "MSG_ARCHITECTURE_TYPE",
    "MSG_ACTIVATION",
    "MSG_TRAIN_UNKNOWN",
    "MSG_OPTIMISER",
    "MSG_UNKNOWN_MITIGATED",
    "MSG_MITIGATED_NOT_FITTED",
    "MSG_MITIGATED_COLUMN",
    "MSG_UNKNOWN_PLANTED",
    "MSG_UNKNOWN_RECIPE",
    "MSG_SWAP_GROUP",
    "MSG_GROUP_DRAW",
    "MSG_FASHION_SPLIT",
    "MSG_IMAGE_NOT_TRAINED",
    "MSG_IMAGE_NOT_A_NETWORK",
    "MSG_IMAGE_FOLDER_UNREADABLE",
    "MSG_IMAGE_FOLDER_INCOMPLETE",
    "MSG_UNKNOWN_IMAGE_NETWORK",
    "MSG_CNN_ARCHITECTURE",
]

# -- audit.models._network ---------------------------------------------------------
MSG_LAYER_SIZES = ("layer sizes must be whole numbers from 1 to {max_width:,}, at most {max_layers} hidden layers "
                   "and {max_params:,} parameters in all; got inputs={inputs!r}, hidden={hidden!r}, "
                   "outputs={outputs!r}. Fix the recipe's architecture.")
MSG_ARCHITECTURE_TYPE = "unsupported architecture type {got!r}; expected 'mlp'"
MSG_ACTIVATION = "unknown activation {activation!r}; expected one of {known}"

# -- audit.models._reference -------------------------------------------------------
MSG_SPLIT = ("recipe split {key} must be {expected}; got {got!r}. Fix the recipe's split.")
MSG_WEIGHTS_ARCHITECTURE = ("{path} does not fit the architecture in recipe.json ({error}); retrain with `rai-audit "
                            "train {name}`")
MSG_RECIPE_KEY = "{path} lacks {key!r}; retrain with `rai-audit train {name}`"
MSG_FOLDER_INCOMPLETE = ("reference network folder {folder} is incomplete: missing {missing}; run `rai-audit train "
                         "{name}` to rebuild it")
MSG_NOT_A_NETWORK = ("expected a reference network name ({names}) or a folder holding {files}; got {key!r}, which is "
                     "neither")
MSG_NOT_TRAINED = "reference network {key!r} is not trained: expected folder {folder}; run `rai-audit train {key}`"
MSG_NOT_STATE_DICT = ("{path}: expected a state_dict (a dict of name -> tensor), got {got}; retrain it with `rai-audit "
                      "train {name}`")
MSG_UNSAFE_WEIGHTS = ("{path} was refused by safe loading (torch.load weights_only=True): expected a state_dict of "
                      "tensors; got something else ({error}). Retrain it with `rai-audit train {name}`.")
MSG_NOT_JSON_OBJECT = "{path}: expected a JSON object, got {got}"
MSG_NETWORK_FILE_UNREADABLE = "cannot read {path}: {error}; retrain the network with `rai-audit train {name}`"
MSG_PROBA_NOT_BINARY = "{name} is a {task} network; predict_proba needs a binary classifier, use predict() instead"

# -- audit.models._datasets --------------------------------------------------------------------
MSG_ADULT_SPLIT = "adult uses UCI's own test file as its test split; do not pass test_size or seed for it"
MSG_UNKNOWN_DATASET = "unknown dataset {name!r}; expected one of {known}"
MSG_DIABETES_SHAPE = ("diabetes: expected 442 rows x 11 columns with sex coded 1/2, got {shape} and sex values "
                      "{sex_values}")
MSG_GERMAN_SEX = "german: cannot derive sex from personal_status_sex values {values}"
MSG_GERMAN_LABELS = "german: credit labels {labels}; expected 1, 2"
MSG_GERMAN_CODES = "german: column {column!r} has codes {codes} that values_maps.json does not document"
MSG_COMPAS_DUPLICATE = ("compas: duplicated column {name!r} differs between its two occurrences; expected identical "
                        "copies")
MSG_COMPAS_HEADER = "compas: header has {n_names} names but rows have {n_fields} fields; the vendored CSV is malformed"
MSG_ADULT_TEST_HEADER = ("adult.test.gz: expected a junk first line starting with '|', got {got!r}; the vendored "
                         "file is not the UCI test file")
MSG_ADULT_LABELS = ("adult: unexpected income labels {labels}; expected '>50K' and '<=50K' (with or without a trailing "
                    "'.')")
MSG_CHECKSUM = ("checksum mismatch for vendored data file {path}: expected sha256 {expected}, got {got}. The file is "
                "corrupt or was modified; restore it from the repository (git checkout -- "
                "audit/models/data/{relpath}).")
MSG_VENDORED_UNREADABLE = ("cannot read vendored data file {path}: {error}. Reinstall rai-audit or restore the file "
                           "from the repository (git checkout -- audit/models/data/{relpath}).")
MSG_UNKNOWN_VENDORED = "unknown vendored file {relpath!r}; expected one of {known}"

# -- audit.models._preprocess ------------------------------------------------------------------
MSG_PREPROCESSOR_UNREADABLE = "cannot read preprocessor {path}: {error}; regenerate it with rai-audit train"
MSG_PREPROCESSOR_INCONSISTENT = ("preprocessor description is inconsistent: its encoded_names do not match its "
                                 "categories; regenerate it with rai-audit train")
MSG_PREPROCESSOR_KEY = "preprocessor description lacks key {key}; regenerate it with rai-audit train"
MSG_PREPROCESSOR_STD = "preprocessor: std of {column!r} must be positive and finite, got {got}"
MSG_PREPROCESSOR_FORMAT = ("not a rai-audit preprocessor description: expected format {expected!r}, got {got!r}; "
                           "regenerate it with rai-audit train")
MSG_NO_TARGET_SCALING = "this preprocessor keeps no target scaling (not a regression preprocessor)"
MSG_NO_TARGET_SCALING_FIT = ("this preprocessor keeps no target scaling (not a regression preprocessor); fit it with "
                             "target=train[target]")
MSG_FEATURE_NOT_NUMERIC = ("numeric feature {column!r} has non-numeric values: {error}; expected numbers or missing "
                           "values")
MSG_PREPROCESSOR_NOT_FITTED = ("the preprocessor is not fitted; call fit(train_frame) or load it with "
                               "TabularPreprocessor.from_dict/load")
MSG_FEATURE_ALL_MISSING = "numeric feature {column!r} is entirely missing in training"
MSG_FIT_EMPTY = "cannot fit the preprocessor on an empty frame; pass the training split"
MSG_FEATURES_MISSING = "frame lacks feature columns {missing}; expected all of {features}; got columns {columns}"
MSG_FEATURE_TWICE = "columns {columns} are listed as both categorical and numeric; list each feature once"

# -- audit.models._train -----------------------------------------------------------------------
MSG_TRAIN_UNKNOWN = "unknown reference networks {unknown}; expected names among {known}"
MSG_OPTIMISER = "unsupported optimiser {got!r}; expected 'Adam'"

# -- audit.models._mitigated -------------------------------------------------------------------
MSG_UNKNOWN_MITIGATED = "unknown mitigated model {name!r}; expected one of {known}"
MSG_MITIGATED_NOT_FITTED = ("the mitigated model is not fitted; call fit(train_frame, y) or build it with "
                            "load_mitigated(name)")
MSG_MITIGATED_COLUMN = ("the mitigated model needs column {column!r} to pick its per-group thresholds; got columns "
                        "{columns}")

# -- audit.models._planted ---------------------------------------------------------------------
MSG_UNKNOWN_PLANTED = "unknown planted defect kind {kind!r}; expected one of {known}"

# -- audit.models._recipes ---------------------------------------------------------------------
MSG_UNKNOWN_RECIPE = "unknown reference network {name!r}; expected one of {known}"

# -- audit.models._fashion -----------------------------------------------------------------------
MSG_SWAP_GROUP = "swap: group {group!r} is not one of the reference generator's groups {groups}."
MSG_GROUP_DRAW = "unknown group draw {kind!r}; expected 'balanced', 'underrepresented' or 'spurious'."
MSG_FASHION_SPLIT = "split must be 'train' or 'test'; got {split!r}."

# -- audit.models._image_nets ------------------------------------------------------------------
MSG_IMAGE_NOT_TRAINED = ("image reference network {key!r} is not trained: expected folder {folder}; run `rai-audit "
                         "train {key}`")
MSG_IMAGE_NOT_A_NETWORK = "expected an image reference network name ({names}) or its folder; got {key!r}"
MSG_IMAGE_FOLDER_UNREADABLE = "cannot read {folder}: {error}; retrain with `rai-audit train {name}`"
MSG_IMAGE_FOLDER_INCOMPLETE = ("image reference network folder {folder} is incomplete: missing {missing}; run "
                               "`rai-audit train {name}` to rebuild it")
MSG_UNKNOWN_IMAGE_NETWORK = "unknown image reference network {name!r}; expected one of {known}"
MSG_CNN_ARCHITECTURE = "unsupported architecture type {got!r}; expected 'cnn'"
