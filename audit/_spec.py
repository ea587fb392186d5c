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

# Images instead of a table: images = "images/" (a folder, with path_column naming each row's file) or
# "images.npy" (N, C, H, W); metadata = "metadata.csv" (one row per image); optional train_images and
# train_metadata; or reference = "fashion-cnn" (an image reference network's test split).

[model]                                   # optional
reference = "adult-mlp"                   # a reference network by name, or
# torchscript = "cnn.pt2"                 # an image model saved with torch.export.save (or torch.jit.save), or
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

from ._exceptions import SpecError, UsageError
from ._files import read_toml
from ._messages import (
    MSG_IMAGES_NPY,
    MSG_IMAGES_UNREADABLE,
    MSG_MODEL_MISSING,
    MSG_MODEL_PICKLED,
    MSG_MODEL_UNPICKLE,
    MSG_SPEC_DATA_SOURCES,
    MSG_SPEC_IMAGE_MODEL,
    MSG_SPEC_MODEL_SOURCES,
    MSG_SPEC_NO_DATA,
    MSG_SPEC_STRAY_OPTIONS,
    MSG_SPEC_TYPE,
    MSG_SPEC_UNKNOWN_KEY,
    MSG_TORCHSCRIPT,
)
from .gate._checks import Check, parse_checks

__all__ = ["Spec", "load_spec", "MSG_SPEC_UNKNOWN_KEY", "MSG_SPEC_TYPE", "MSG_IMAGES_NPY"]


_TOP = ("title", "name", "random_state", "data", "model", "auditors", "checks")
_DATA = ("path", "train_path", "reference", "target", "prediction", "score", "sensitive_features", "quasi_identifiers",
         "features", "task", "name", "engine", "pos_label", "sample_weight",
         "images", "metadata", "path_column", "train_images", "train_metadata")
_MODEL = ("reference", "path", "allow_pickle", "torchscript")
#: [data] keys of an image subject's files (paths, resolved against the spec's folder).
_IMAGE_FILES = ("images", "metadata", "train_images", "train_metadata")


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

    @property
    def is_image(self) -> bool:
        """Whether the spec describes an image subject ([data] images, or an image reference network)."""
        from .models import IMAGE_NETWORKS

        return "images" in self.data or self.data.get("reference") in IMAGE_NETWORKS

    def load_images_and_model(self, models_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
        """The keyword arguments of an image subject (images, metadata, train images, model) and the model card."""
        import pandas as pd

        from .models import IMAGE_NETWORKS, load_image_reference

        kw = {"models_dir": models_dir} if models_dir else {}
        out: dict[str, Any] = {"model": None, "card": None}
        ref = self.model.get("reference")
        mpath = self.model.get("path")
        where = ref or (mpath if mpath and Path(mpath).is_dir() else None)
        if where:
            net = load_image_reference(where, **kw)
            out["model"], out["card"] = net.as_model(), net.card
        elif self.model.get("torchscript"):
            out["model"] = _load_torchscript(Path(self.model["torchscript"]))
        elif mpath:
            raise SpecError(MSG_SPEC_IMAGE_MODEL.format(path=self.path))
        if self.data.get("reference") in IMAGE_NETWORKS:
            net = load_image_reference(self.data["reference"], **kw)
            out.update(images=net.test_images(), metadata=net.test_metadata())
            if out["model"] is None:
                out["model"], out["card"] = net.as_model(), net.card
            return out

        def table(key: str) -> Any:
            if key not in self.data:
                return None
            from ._files import read_table

            return read_table(self.data[key])

        def images(key: str) -> Any:
            if key not in self.data:
                return None
            where = Path(self.data[key])
            if where.is_dir():
                return where
            if where.suffix.lower() != ".npy":
                raise SpecError(MSG_IMAGES_NPY.format(path=self.path, images=where, suffix=where.suffix))
            import numpy as np

            try:
                return np.load(where, allow_pickle=False)  # an object array would need unpickling: refused
            except (OSError, ValueError) as exc:
                raise UsageError(MSG_IMAGES_UNREADABLE.format(where=where, error=exc)) from None

        out.update(images=images("images"), metadata=table("metadata"), train_images=images("train_images"),
                   train_metadata=table("train_metadata"))
        if out["metadata"] is not None and not isinstance(out["metadata"], pd.DataFrame):
            out["metadata"] = pd.DataFrame(out["metadata"])
        return out

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


def _load_torchscript(path: Path) -> Any:
    """An exported program (``torch.export.save``, ``.pt2``) or a TorchScript module (``torch.jit.save``).

    Either is the model's own graph, without a Python pickle of arbitrary objects.
    """
    import torch

    try:
        if path.suffix.lower() == ".pt2":
            return torch.export.load(str(path)).module()
        return torch.jit.load(str(path), map_location="cpu")
    except (OSError, RuntimeError, ValueError) as exc:
        raise UsageError(MSG_TORCHSCRIPT.format(path=path, error=(str(exc).splitlines() or [''])[0][:200])) from None


def _load_pickled_model(path: Path, allowed: bool, spec_path: Path) -> Any:
    if not allowed:
        raise SpecError(MSG_MODEL_PICKLED.format(spec=spec_path, path=str(path)))
    import pickle

    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - explicit opt-in above
    except FileNotFoundError:
        raise UsageError(MSG_MODEL_MISSING.format(path=path)) from None
    except Exception as exc:
        raise UsageError(MSG_MODEL_UNPICKLE.format(path=path, error_type=type(exc).__name__, error=exc)) from None


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Read and validate a spec file; every problem is a SpecError/UsageError naming the key."""
    path = Path(path)
    doc = read_toml(path, what="spec")
    _check_keys(doc, _TOP, "the top level", path)
    base = path.resolve().parent

    data = doc.get("data")
    if not isinstance(data, dict):
        raise SpecError(MSG_SPEC_NO_DATA.format(path=path))
    _check_keys(data, _DATA, "[data]", path)
    if sum(k in data for k in ("path", "reference", "images")) != 1:
        raise SpecError(MSG_SPEC_DATA_SOURCES.format(path=path))
    data = dict(data)
    for key in ("path", "train_path", "reference", "target", "prediction", "score", "task", "name", "engine",
                "sample_weight", *_IMAGE_FILES, "path_column"):
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
    for key in ("path", "train_path", *_IMAGE_FILES):
        if key in data:
            data[key] = str(base / data[key])

    model = doc.get("model", {})
    if not isinstance(model, dict):
        raise SpecError(MSG_SPEC_TYPE.format(path=path, key="[model]", expected="a table", got=model))
    _check_keys(model, _MODEL, "[model]", path)
    model = dict(model)
    if sum(k in model for k in ("reference", "path", "torchscript")) > 1:
        raise SpecError(MSG_SPEC_MODEL_SOURCES.format(path=path))
    for key in ("path", "torchscript"):
        if key in model:
            if not isinstance(model[key], str):
                raise SpecError(MSG_SPEC_TYPE.format(path=path, key=f"[model] {key}", expected="a string",
                                                     got=model[key]))
            model[key] = str(base / model[key])
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
            raise SpecError(MSG_SPEC_STRAY_OPTIONS.format(path=path, stray=stray, enabled=enabled))

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
