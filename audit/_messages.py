"""The core's user-facing messages (API, spec and policy files, plugins, CLI), one home each.

Each constant is a ``str.format`` template that says what was expected, what came and how to
fix it; tests compare them verbatim. Modules import what they raise.
"""
from __future__ import annotations

__all__ = [
    "MSG_AUDITOR_OPTION", "MSG_MISSING_PACKAGES", "MSG_IMAGE_ROLE", "MSG_MODALITY", "MSG_BAD_OPTION",
    "MSG_NOT_REGULAR", "MSG_FOLDER_LINK", "MSG_FOLDER_ENTRY", "MSG_FOLDER_SIZE", "MSG_DUPLICATE_HEADER",
    "MSG_TOO_LARGE", "MSG_TOO_DEEP", "MSG_UNREADABLE", "MSG_UNSUPPORTED_FORMAT", "MSG_UNKNOWN_AUDITOR",
    "MSG_NAME_CLASH", "MSG_BAD_PLUGIN", "MSG_SPEC_UNKNOWN_KEY", "MSG_SPEC_TYPE", "MSG_IMAGES_NPY",
    "MSG_NEEDS_EXTRA", "MSG_NO_POLICY",
    "MSG_DUPLICATE_AUDITOR",
    "MSG_VALIDATE_PARAMS_CRASHED",
    "MSG_OPTIONS_NOT_RUN",
    "MSG_AUDITOR_TYPE",
    "MSG_INVALID_OPTIONS",
    "MSG_TOML_INVALID",
    "MSG_TOML_NOT_UTF8",
    "MSG_CANNOT_READ",
    "MSG_IS_DIRECTORY",
    "MSG_NO_SUCH_FILE",
    "MSG_PLUGIN_REQUIRES",
    "MSG_PLUGIN_NAME",
    "MSG_PLUGIN_RUN",
    "MSG_PLUGIN_ATTRIBUTE",
    "MSG_PLUGIN_NOT_CLASS",
    "MSG_REPORT_MALFORMED",
    "MSG_REPORT_SCHEMA",
    "MSG_NOT_A_REPORT",
    "MSG_REPORT_NOT_JSON",
    "MSG_REPORT_UNREADABLE",
    "MSG_REPORT_MISSING",
    "MSG_NO_RESULT",
    "MSG_NOT_ONE_ROW",
    "MSG_SPEC_STRAY_OPTIONS",
    "MSG_SPEC_MODEL_SOURCES",
    "MSG_SPEC_DATA_SOURCES",
    "MSG_SPEC_NO_DATA",
    "MSG_MODEL_UNPICKLE",
    "MSG_MODEL_MISSING",
    "MSG_MODEL_PICKLED",
    "MSG_TORCHSCRIPT",
    "MSG_IMAGES_UNREADABLE",
    "MSG_SPEC_IMAGE_MODEL",
    "MSG_DIFF_NEGATIVE",
    "MSG_SPEC_IMAGE_KEY",
    "MSG_UNKNOWN_NETWORK",
]

# -- audit._api --------------------------------------------------------------------
MSG_AUDITOR_OPTION = "auditor {name!r} has no option(s) {unknown}; its options are {known}."
MSG_MISSING_PACKAGES = ("this auditor needs {modules}, which {verb} not installed: pip install \"rai-audit[{extras}]\" "
                        "(for torch's CPU-only build, first: pip install torch --index-url "
                        "https://download.pytorch.org/whl/cpu).")
MSG_IMAGE_ROLE = ("{role}=... does not apply to an image subject (the model predicts from the images); "
                  "leave it out, or audit a table of predictions without images or metadata=.")
#: An auditor that does not declare the subject's modality (``modalities``; tables only without it) is skipped.
MSG_MODALITY = ("auditor {name!r} audits {modalities} subjects, not {modality} ones (it declares modalities = "
                "{modalities}); it is skipped.")
MSG_DUPLICATE_AUDITOR = "more than one auditor is named {clash}; an auditor's name must be unique in a run."
MSG_VALIDATE_PARAMS_CRASHED = "auditor {name!r}: validate_params() raised {error_type}: {error}"
MSG_OPTIONS_NOT_RUN = ("options were given for auditor(s) {names} that are not run; run them too or remove their "
                       "[auditors.<name>] table.")
MSG_AUDITOR_TYPE = "auditors must be names or Auditor instances; got {got}."
MSG_INVALID_OPTIONS = "auditor {name!r}: invalid options: {error}"

# -- audit._base -------------------------------------------------------------------
MSG_BAD_OPTION = ("auditor {auditor!r}: option {option!r} must be {expected}; got {got}. "
                  "Fix it in auditor_options or the spec's [auditors.{auditor}] table.")

# -- audit._files ------------------------------------------------------------------
MSG_NOT_REGULAR = ("cannot read {path!s}: expected a regular file or a folder of Parquet files; got {kind}. "
                   "Copy the data to a file and pass its path.")
MSG_FOLDER_LINK = ("cannot read folder {path!s}: {entry!s} is a symbolic link to {target!s}, {why}; expected "
                   "the folder's own files. Replace the link by the files it points to.")
MSG_FOLDER_ENTRY = ("cannot read folder {path!s}: {entry!s} is {kind}; expected regular files and folders only. "
                    "Remove it from the folder.")
MSG_FOLDER_SIZE = ("cannot read folder {path!s}: it holds more than {limit:,} entries; expected a Parquet "
                   "dataset. Pass the dataset's own folder.")
MSG_DUPLICATE_HEADER = ("cannot read {path!s}: the header names column(s) {names} more than once; expected unique "
                        "column names (pandas would silently rename the copies to {renamed}). Rename them in the "
                        "file.")
MSG_TOO_LARGE = ("cannot read {what} {path!s}: it holds {size:,} bytes; expected at most {limit:,}. "
                 "Pass the {what} file rai-audit wrote or documents.")
MSG_TOO_DEEP = ("cannot read {what} {path!s}: its tables and arrays nest more than {limit} deep; expected a "
                "{what} as documented (a few levels). Check the file.")
MSG_TOML_INVALID = "{what} {path!s} is not valid TOML: {error}."
MSG_TOML_NOT_UTF8 = "{what} {path!s} is not UTF-8 text; save it as UTF-8 TOML."
MSG_CANNOT_READ = "cannot read {what} {path!s}: {error}."
MSG_IS_DIRECTORY = "cannot read {what} {path!s}: it is a directory."
MSG_NO_SUCH_FILE = "cannot read {what} {path!s}: no such file."

# -- reading tables --------------------------------------------------------------------------------
MSG_UNREADABLE = "cannot read {path!s}: {reason}. Check that the path exists and is a CSV or Parquet file."
MSG_UNSUPPORTED_FORMAT = ("cannot read {path!s}: unsupported file type {suffix!r}; "
                          "expected .csv, .csv.gz, .tsv or .parquet.")

# -- audit._registry ---------------------------------------------------------------
MSG_UNKNOWN_AUDITOR = "unknown auditor {name!r}; available auditors: {available}. See `rai-audit list`."
#: Two installed distributions declare an auditor of one name: which one runs would be chance.
MSG_NAME_CLASH = ("auditor {name!r} is declared by more than one installed distribution: {dists}; expected one. "
                  "Uninstall one of them, or rename its entry point in group 'audit.auditors'.")
MSG_BAD_PLUGIN = "auditor plugin {entry!r} from distribution {dist!r} is invalid: {problem}."
MSG_PLUGIN_REQUIRES = "requires holds an unknown requirement; known: {known}"
MSG_PLUGIN_NAME = "the class's name {name!r} differs from the entry-point name {entry!r}"
MSG_PLUGIN_RUN = "run is not callable"
MSG_PLUGIN_ATTRIBUTE = "the class has no attribute {attr!r}"
MSG_PLUGIN_NOT_CLASS = "expected a class, got {got}"

# -- audit._spec -------------------------------------------------------------------
MSG_SPEC_UNKNOWN_KEY = "spec {path!s}: unknown key(s) {keys} in {table}; allowed keys: {allowed}."
MSG_SPEC_TYPE = "spec {path!s}: {key} must be {expected}; got {got!r}."
MSG_IMAGES_NPY = ("spec {path!s}: [data] images {images!s} must be a folder of image files (with path_column) or a "
                  ".npy array (N, C, H, W); got a {suffix!r} file.")
MSG_SPEC_STRAY_OPTIONS = "spec {path!s}: options given for auditor(s) {stray} that are not in enabled {enabled}."
MSG_SPEC_MODEL_SOURCES = "spec {path!s}: [model] needs one of reference, path or torchscript, not several."
MSG_SPEC_DATA_SOURCES = "spec {path!s}: [data] needs exactly one of path, reference or images."
MSG_SPEC_NO_DATA = ("spec {path!s} has no [data] table; it needs at least path (or reference), target or "
                    "prediction, and sensitive_features.")
MSG_MODEL_UNPICKLE = "cannot unpickle model {path!s}: {error_type}: {error}."
MSG_MODEL_MISSING = "cannot read model {path!s}: no such file."
MSG_MODEL_PICKLED = ("spec {spec!s}: [model] path {path!r} is a pickled object; unpickling runs arbitrary code, so "
                     "it is loaded only with allow_pickle = true in [model].")
MSG_TORCHSCRIPT = ("cannot load TorchScript model {path!s}: {error}; save it with "
                   'torch.export.save(torch.export.export(model, (example,), dynamic_shapes=...), "model.pt2") or '
                   "torch.jit.save(torch.jit.script(model), path).")
MSG_IMAGES_UNREADABLE = "cannot read images {where!s}: {error}."
MSG_SPEC_IMAGE_MODEL = ("spec {path!s}: an image model is an image reference network ([model] reference or a "
                        'folder) or a TorchScript file ([model] torchscript = "cnn.pt").')

# -- audit.cli ---------------------------------------------------------------------
MSG_NEEDS_EXTRA = ("`rai-audit {command}` needs {module}, which is not installed: "
                   "pip install \"rai-audit[{extra}]\"{note}.")
MSG_DIFF_NEGATIVE = "--min-change and --limit must be >= 0; got {min_change} and {limit}."
MSG_SPEC_IMAGE_KEY = "spec {path!s}: [data] {key} does not apply to images (the model predicts from them); remove it."
MSG_UNKNOWN_NETWORK = "unknown reference network(s) {unknown}; known: {known}."

# -- audit.pytest_plugin -----------------------------------------------------------
MSG_NO_POLICY = ("the rai_audit_policy fixture needs a policy file: pass --rai-audit-policy PATH or set "
                 "rai_audit_policy = PATH in the [pytest] ini section (paths in the ini are relative to it).")

# -- audit._results ----------------------------------------------------------------------------
MSG_REPORT_MALFORMED = "report {path!s} is malformed: {error_type}: {error}."
MSG_REPORT_SCHEMA = ("report {path!s} has schema_version {got!r}; this rai-audit reads {major}.x. Re-run the audit "
                     "with this version.")
MSG_NOT_A_REPORT = "{path!s} is not a rai-audit report.json (no schema_version/results)."
MSG_REPORT_NOT_JSON = "report {path!s} is not valid JSON ({error}); pass a report.json written by rai-audit."
MSG_REPORT_UNREADABLE = "cannot read report {path!s}: {error}."
MSG_REPORT_MISSING = "cannot read report {path!s}: no such file."
MSG_NO_RESULT = "no result for auditor {auditor!r}; results: {known}"
MSG_NOT_ONE_ROW = ("expected one row for metric {metric!r} (group={group!r}, over={over!r}); found {found}. Known "
                   "metrics: {known}")
