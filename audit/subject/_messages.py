"""Messages of the audited subject: models, tables, roles and their validation.

Conventions as in :mod:`audit._messages`.
"""
from __future__ import annotations

__all__ = [
    "MSG_UNSUPPORTED_MODEL", "MSG_NON_NUMERIC_FEATURES", "MSG_INPUT_WIDTH", "MSG_PREPROCESS_FAILED",
    "MSG_MODEL_FAILED", "MSG_PREDICT_2D", "MSG_NEEDS", "MSG_BAD_TASK", "MSG_POS_LABEL_NOT_IN_CLASSES",
    "MSG_PROBA_SHAPE", "MSG_UNMAPPABLE", "MSG_UNCOVERED", "MSG_NESTED_COLUMN",
    "MSG_TOO_MANY_CLASSES", "MSG_POS_LABEL_REQUIRED", "MSG_POS_LABEL_NOT_FOUND", "MSG_POS_LABEL_MULTICLASS",
    "MSG_POS_LABEL_REGRESSION", "MSG_OUTPUT_NOT_FINITE", "MSG_MODEL_NEEDS_COLUMNS",
    "MSG_NO_TARGET_OR_PREDICTION", "MSG_LARGE_FILE", "MSG_PREDICTION_LENGTH", "MSG_PSEUDONYMISED",
    "MSG_MISSING_COLUMN", "MSG_EMPTY_DATA", "MSG_UNSUPPORTED_DATA", "MSG_NAN_IN_COLUMN", "MSG_LENGTH_MISMATCH",
    "MSG_DUPLICATE_COLUMNS", "MSG_ROLE_TYPE", "MSG_NOT_NUMERIC",
    "MSG_ENCODED_UNOWNED",
    "MSG_ENCODED_SHARED",
    "MSG_KERAS_BACKEND",
    "MSG_NO_RAW_OUTPUT",
    "MSG_PREPROCESS_TYPE",
    "MSG_MODEL_COLUMNS",
    "MSG_IMAGE_SHAPE",
    "MSG_CHANNEL_LAST",
    "MSG_MIXED_SIZES",
    "MSG_NAN_PIXELS",
    "MSG_METADATA_ROWS",
    "MSG_MISSING_FILE",
    "MSG_UNREADABLE_IMAGE",
    "MSG_NO_PATH_COLUMN",
    "MSG_CLASS_COUNT",
    "MSG_NO_MODEL",
    "MSG_BAD_ITEM",
    "MSG_NO_PIL",
    "MSG_IMAGES_TYPE",
    "MSG_IMAGES_NOT_FOLDER",
]

# -- audit.subject._adapters -------------------------------------------------------
MSG_UNSUPPORTED_MODEL = ("model of type {type} is not supported; expected a torch nn.Module (Keras 3 on the "
                         "torch backend included), a scikit-learn style estimator with predict(), a callable "
                         "returning predictions or scores, an audit.Model, or a rai-audit reference network.")
MSG_NON_NUMERIC_FEATURES = ("feature column(s) {columns} are not numeric, so a torch nn.Module cannot take them; "
                            "pass audit.Model(module, preprocess=<the fitted transformer it was trained behind>) "
                            "or features=[...] naming numeric columns only.")
MSG_INPUT_WIDTH = ("the {kind} model takes {expected} input columns but gets {got} ({what}); pass "
                   "audit.Model(model, preprocess=...) with the transformer it was trained behind, or "
                   "features=[...] naming its input columns in order.")
MSG_PREPROCESS_FAILED = ("the preprocess step ({step}) failed on the table's columns {columns}: "
                         "{error_type}: {error}; pass the fitted transformer the model was trained behind.")
MSG_MODEL_FAILED = "the {kind} model ({cls}) failed on {n} rows of the table: {error_type}: {error}"
MSG_PREDICT_2D = ("{cls}.predict returned an array of shape {shape}, not one label or value per row; "
                  "return labels from predict (probabilities belong in predict_proba).")
#: An auditor reached a step its declared requirements should have guaranteed (a plugin that declares too little).
MSG_NEEDS = ("auditor {auditor!r} needs the subject's {what}, and the subject has none; declare it in the "
             "auditor's requires so the auditor is skipped with that reason instead.")
MSG_BAD_TASK = "task must be one of {tasks}; got {task!r}."
MSG_POS_LABEL_NOT_IN_CLASSES = "pos_label {pos_label!r} is not one of the model's classes ({classes})."
MSG_PROBA_SHAPE = ("{cls}.predict_proba returned shape {shape} for {n} rows; expected ({n}, k) class "
                   "probabilities, one column per class in classes_ order.")
MSG_ENCODED_UNOWNED = ("{n} encoded column(s) of the preprocess output move with no raw column on the audited rows; "
                       "pass a fitted scikit-learn transformer as preprocess so the map comes from the transformer "
                       "itself.")
MSG_ENCODED_SHARED = ("encoded column {index} of the preprocess output depends on more than one raw column "
                      "({first!r} and {second!r}); attributions need one original column per encoded column.")
MSG_KERAS_BACKEND = ("a Keras model is audited on the torch backend: set KERAS_BACKEND=torch before importing keras "
                     "(got a Keras model that is not a torch module).")
MSG_NO_RAW_OUTPUT = "a {kind} model gives no raw output; ask for its predictions or probabilities."
MSG_PREPROCESS_TYPE = "preprocess must be a fitted transformer with transform() or a callable; got {got}."
MSG_MODEL_COLUMNS = "the model needs column(s) {missing} that the table lacks; the model takes {columns}."

# -- audit.subject._encoding -------------------------------------------------------
MSG_UNMAPPABLE = ("cannot tell which original column each output of {step} comes from (it takes {n_in} "
                  "columns and gives {n_out}); attributions need one original column per encoded column: "
                  "use a column-wise step (OneHotEncoder, scalers, imputers) or explain the model on its "
                  "encoded inputs.")
MSG_UNCOVERED = ("the preprocessing gives {n_out} columns but its steps account for {covered}; "
                 "encoded column(s) {missing} come from no original column.")

# -- audit.subject._subject --------------------------------------------------------
#: A column in a role that holds lists, structs, maps, arrays or bytes (not one scalar per row).
MSG_NESTED_COLUMN = ("column {column!r} ({role}) holds {kind} values; expected one number, string or boolean per "
                     "row. Flatten it, or convert it to text, before auditing.")
MSG_BAD_TASK = "task must be one of {tasks}; got {task!r}."
MSG_TOO_MANY_CLASSES = ("{column} has more than {limit} distinct labels and the predictions have none with "
                        "fractions, so the task cannot be guessed; pass task=\"regression\" (or "
                        "task=\"multiclass\" for that many classes).")
MSG_POS_LABEL_REQUIRED = ("the labels of {column!r} are {classes}, not 0/1 or booleans, so the positive class "
                          "cannot be guessed; pass pos_label=... (audit.run, [data] pos_label, or "
                          "audit.Model(..., pos_label=...)).")
MSG_POS_LABEL_NOT_FOUND = "pos_label {pos_label!r} is not one of the labels ({classes}); pass one of those."
MSG_POS_LABEL_MULTICLASS = ("pos_label {pos_label!r} was given for a multiclass task; every class is audited "
                            "one-vs-rest, so leave pos_label out (or pass task=\"binary\").")
MSG_POS_LABEL_REGRESSION = "pos_label {pos_label!r} was given for a regression task; leave it out."
MSG_OUTPUT_NOT_FINITE = ("the model's scores are missing or infinite for {count} of {n} rows (input columns with "
                         "missing values: {columns}); give the model a preprocess that imputes "
                         "(audit.Model(model, preprocess=...)), or impute those values before auditing.")
MSG_MODEL_NEEDS_COLUMNS = ("the {model} model takes {n} column(s) and the table lacks {missing}; add them, or "
                           "pass features=[...] naming the columns the model takes.")
MSG_NO_TARGET_OR_PREDICTION = ("prediction column {column!r} is not in the data and no model was given to "
                               "compute it; pass model=... or name an existing prediction column.")
MSG_LARGE_FILE = ("{path!s} holds {size_mb:,.0f} MB on disk and is read whole into pandas; name an engine "
                  "(engine=\"polars\" or \"duckdb\"; in a spec, [data] engine = \"polars\") to scan it lazily.")
MSG_PREDICTION_LENGTH = ("the model returned {got} predictions for {expected} rows; "
                         "a model must return one prediction per row.")
#: The finding that says which columns are shown by pseudonyms, and why.
MSG_PSEUDONYMISED = ("column {column!r} ({role}) holds personal data ({entity}): its {n:,} distinct values are "
                     "shown as {prefix}#1 to {prefix}#{n} (the largest group first) in every output, never as "
                     "they are. Audit a coarser column (a region, an age band) to read the groups by name.")

# -- audit.subject._validation -----------------------------------------------------
MSG_MISSING_COLUMN = "column {column!r} given as {role} is not in the data{hint}; the data has columns {available}."
MSG_EMPTY_DATA = ("the data has no rows; expected at least one row to audit. "
                  "Check the file or the filter that produced it.")
MSG_UNSUPPORTED_DATA = ("data of type {type} is not supported; expected a pandas or polars DataFrame, "
                        "a pyarrow Table, or a path to a CSV or Parquet file.")
MSG_NAN_IN_COLUMN = ("column {column!r} ({role}) has {count} missing or non-finite value(s) out of {n} rows; "
                     "{role} must be complete. Drop or fill those rows before auditing.")
MSG_LENGTH_MISMATCH = ("{name} has {got} rows but the data has {expected}; "
                       "predictions must align one-to-one with the data's rows.")
MSG_DUPLICATE_COLUMNS = ("the data has duplicate column name(s) {names}; "
                         "rename them so that every column name is unique.")
MSG_ROLE_TYPE = "{role} must be a column name or a list of column names; got {type}."
#: A score or weight column holding text or objects (their values are never quoted: they may be personal data).
MSG_NOT_NUMERIC = ("column {column!r} ({role}) must hold numbers; {count} of its {n} values are not numbers "
                   "(first at row {row}). Convert or drop those rows before auditing.")

# -- audit.subject._images -----------------------------------------------------------------------
MSG_IMAGE_SHAPE = ("images must have shape (N, C, H, W) or (N, H, W); got an array of shape {shape}. "
                   "Stack the images into one array, one image per first index.")
MSG_CHANNEL_LAST = ("the images look channel-last: shape {shape} (N, H, W, C with C = {channels}); expected "
                    "channel-first (N, C, H, W), as torch models take. Pass images.transpose(0, 3, 1, 2) "
                    "(numpy) or images.permute(0, 3, 1, 2) (torch).")
MSG_MIXED_SIZES = ("image {where} has shape {got}, image {first_where} has {expected}; every image must have "
                   "the same channels, height and width. Resize (or crop) them to one size before auditing.")
MSG_NAN_PIXELS = ("image {where} has {count} missing or infinite pixel value(s); every pixel must be a finite "
                  "number. Fix or drop that image (and its metadata row).")
MSG_METADATA_ROWS = ("metadata has {rows:,} row(s) for {images:,} image(s); expected one row per image, in the "
                     "images' order. Add the missing rows or drop the extra images.")
MSG_MISSING_FILE = ("image file {path!s} (metadata row {row:,}, column {column!r}) does not exist; fix the "
                    "path or drop that row.")
MSG_UNREADABLE_IMAGE = ("cannot read image file {path!s} (metadata row {row:,}): {reason}. Check that it is an "
                        "image Pillow can open (PNG, JPEG, ...).")
MSG_NO_PATH_COLUMN = ("images is a folder ({path!s}), so the metadata must name each image's file: pass "
                      "path_column=\"<column>\" (in a spec, [data] path_column).")
MSG_CLASS_COUNT = ("the model returns {width} class score(s) per image, but {what}; a model must return one "
                   "score per class. Check the model's last layer, or pass audit.Model(model, classes=[...]).")
MSG_NO_MODEL = "an image subject needs a model to predict from the images; pass model=... ."
MSG_BAD_ITEM = ("item {index:,} of the dataset is a {type}; expected an image (tensor or array) or a tuple "
                "(image, label).")
MSG_NO_PIL = ("images is a folder of files, which needs Pillow to read them; install it (pip install pillow), "
              "or pass the images as an array.")
MSG_IMAGES_TYPE = ("images of type {got} are not supported; expected a numpy array or torch tensor (N, C, H, W), a "
                   "torch Dataset, or a folder of image files.")
MSG_IMAGES_NOT_FOLDER = ("images {path!r} is not a folder; expected a folder of image files, an array (N, C, H, W) "
                         "or a torch Dataset.")
