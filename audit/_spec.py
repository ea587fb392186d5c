"""Spec files (TOML, DESIGN.md section 6): what to audit, with which auditors and checks.

```toml
title = "Credit model, release 7"        # optional
random_state = 0                          # optional

[data]
path = "predictions.parquet"              # CSV or Parquet (a file, a folder or a glob), relative to this file
# train_path = "train.parquet"            # optional: the rows the model was trained on
# engine = "polars"                       # scan the file lazily ("polars", "duckdb"; default pandas)
# reference = "adult-mlp"                 # or: the test split of a reference network
target = "y_true"
prediction = "y_pred"                     # omit when [model] computes predictions
score = "y_score"
sensitive_features = ["sex", "race"]

[model]                                   # optional
reference = "adult-mlp"                   # a reference network by name, or
# path = "models/adult-mlp"               # a reference network folder, or
# path = "model.pkl"                      # a pickled scikit-learn estimator, with
# allow_pickle = true                     # explicit opt-in, since unpickling runs code

[auditors]
enabled = ["fairness"]                    # optional; default: every registered auditor
[auditors.fairness]
n_boot = 500

[[checks]]
metric = "fairness.demographic_parity_difference"
max = 0.1
bound = "ci"
```
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from .gate._checks import Check, parse_checks
from ._exceptions import SpecError, UsageError
from ._files import read_toml

__all__ = ["Spec", "load_spec", "MSG_SPEC_UNKNOWN_KEY", "MSG_SPEC_TYPE"]

MSG_SPEC_UNKNOWN_KEY = "spec {path!s}: unknown key(s) {keys} in {table}; allowed keys: {allowed}."
MSG_SPEC_TYPE = "spec {path!s}: {key} must be {expected}; got {got!r}."

_TOP = ("title", "name", "random_state", "data", "model", "auditors", "checks")
_DATA = ("path", "train_path", "reference", "target", "prediction", "score", "sensitive_features", "quasi_identifiers",
         "features", "task", "name", "engine", "pos_label", "sample_weight")
_MODEL = ("reference", "path", "allow_pickle")


@dataclasses.dataclass(frozen=True)
class Spec:
    """A parsed, validated spec file with paths resolved against the spec's folder."""

    path: Path
    data: dict[str, Any]
    model: dict[str, Any]
    auditors: list[str] | None
    auditor_options: dict[str, dict[str, Any]]
    checks: list[Check]
    title: str | None
    name: str | None
    random_state: int

    def load_data_and_model(self, models_dir: str | os.PathLike[str] | None = None
                            ) -> tuple[Any, Any, Any, Any]:
        """(data, train_data, model, model_card) as the spec describes them."""
        model, card = None, None
        ref = self.model.get("reference")
        mpath = self.model.get("path")
        if ref or (mpath and Path(mpath).is_dir()):
            from .models import load_reference

            net = load_reference(str(ref or mpath), **({"models_dir": models_dir} if models_dir else {}))
            model, card = net, net.card
        elif mpath:
            model = _load_pickled_model(Path(mpath), bool(self.model.get("allow_pickle")), self.path)
        train: Any = self.data.get("train_path")
        if "path" in self.data:
            data: Any = self.data["path"]
        else:
            from .models import load_reference

            net = load_reference(self.data["reference"], **({"models_dir": models_dir} if models_dir else {}))
            data = net.test_frame()
            train = net.train_frame() if train is None else train
        return data, train, model, card


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], where: str, path: Path) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise SpecError(MSG_SPEC_UNKNOWN_KEY.format(path=path, keys=unknown, table=where, allowed=list(allowed)))


def _load_pickled_model(path: Path, allowed: bool, spec_path: Path) -> Any:
    if not allowed:
        raise SpecError(f"spec {spec_path!s}: [model] path {str(path)!r} is a pickled object; unpickling runs "
                        "arbitrary code, so it is loaded only with allow_pickle = true in [model].")
    import pickle

    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - explicit opt-in above
    except FileNotFoundError:
        raise UsageError(f"cannot read model {path!s}: no such file.") from None
    except Exception as exc:
        raise UsageError(f"cannot unpickle model {path!s}: {type(exc).__name__}: {exc}.") from None


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Read and validate a spec file; every problem is a SpecError/UsageError naming the key."""
    path = Path(path)
    doc = read_toml(path, what="spec")
    _check_keys(doc, _TOP, "the top level", path)
    base = path.resolve().parent

    data = doc.get("data")
    if not isinstance(data, dict):
        raise SpecError(f"spec {path!s} has no [data] table; it needs at least path (or reference), "
                        "target or prediction, and sensitive_features.")
    _check_keys(data, _DATA, "[data]", path)
    if ("path" in data) == ("reference" in data):
        raise SpecError(f"spec {path!s}: [data] needs exactly one of path or reference.")
    data = dict(data)
    for key in ("path", "train_path", "reference", "target", "prediction", "score", "task", "name", "engine",
                "sample_weight"):
        if key in data and not isinstance(data[key], str):
            raise SpecError(MSG_SPEC_TYPE.format(path=path, key=f"[data] {key}", expected="a string", got=data[key]))
    if "pos_label" in data and not isinstance(data["pos_label"], (str, int, bool)) or isinstance(
            data.get("pos_label"), float):
        raise SpecError(MSG_SPEC_TYPE.format(path=path, key="[data] pos_label",
                                             expected="a string, an integer or a boolean", got=data["pos_label"]))
    for key in ("sensitive_features", "quasi_identifiers", "features"):
        if key in data:
            v = data[key]
            if isinstance(v, str):
                data[key] = [v]
            elif not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
                raise SpecError(MSG_SPEC_TYPE.format(path=path, key=f"[data] {key}",
                                                     expected="a list of column names", got=v))
    for key in ("path", "train_path"):
        if key in data:
            data[key] = str(base / data[key])

    model = doc.get("model", {})
    if not isinstance(model, dict):
        raise SpecError(MSG_SPEC_TYPE.format(path=path, key="[model]", expected="a table", got=model))
    _check_keys(model, _MODEL, "[model]", path)
    model = dict(model)
    if "reference" in model and "path" in model:
        raise SpecError(f"spec {path!s}: [model] needs one of reference or path, not both.")
    if "path" in model:
        model["path"] = str(base / model["path"])
    if "allow_pickle" in model and not isinstance(model["allow_pickle"], bool):
        raise SpecError(MSG_SPEC_TYPE.format(path=path, key="[model] allow_pickle", expected="true or false",
                                             got=model["allow_pickle"]))

    auditors_table = doc.get("auditors", {})
    if not isinstance(auditors_table, dict):
        raise SpecError(MSG_SPEC_TYPE.format(path=path, key="[auditors]", expected="a table", got=auditors_table))
    enabled = auditors_table.get("enabled")
    if enabled is not None and not (isinstance(enabled, list) and all(isinstance(a, str) for a in enabled)):
        raise SpecError(MSG_SPEC_TYPE.format(path=path, key="[auditors] enabled",
                                             expected="a list of auditor names", got=enabled))
    options = {}
    for key, value in auditors_table.items():
        if key == "enabled":
            continue
        if not isinstance(value, dict):
            raise SpecError(MSG_SPEC_TYPE.format(path=path, key=f"[auditors] {key}",
                                                 expected="a table [auditors.<name>] of options", got=value))
        options[key] = dict(value)
    if enabled is not None:
        stray = sorted(set(options) - set(enabled))
        if stray:
            raise SpecError(f"spec {path!s}: options given for auditor(s) {stray} that are not in enabled "
                            f"{enabled}.")

    random_state = doc.get("random_state", 0)
    if isinstance(random_state, bool) or not isinstance(random_state, int) or random_state < 0:
        raise SpecError(MSG_SPEC_TYPE.format(path=path, key="random_state", expected="a non-negative integer",
                                             got=random_state))
    checks = doc.get("checks", [])
    if not isinstance(checks, list):
        raise SpecError(MSG_SPEC_TYPE.format(path=path, key="checks", expected="[[checks]] tables", got=checks))
    for key in ("title", "name"):
        if key in doc and not isinstance(doc[key], str):
            raise SpecError(MSG_SPEC_TYPE.format(path=path, key=key, expected="a string", got=doc[key]))
    return Spec(path=path, data=data, model=model, auditors=enabled, auditor_options=options,
                checks=parse_checks(checks), title=doc.get("title"),
                name=doc.get("name") or data.get("name"), random_state=random_state)
