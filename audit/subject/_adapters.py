"""``audit.Model``: the one way any model comes in, and one backend class per kind of model.

A user hands in a torch module (Keras 3 on the torch backend included), a scikit-learn
estimator or Pipeline, or a plain callable, optionally behind its own preprocessing (a
fitted scikit-learn transformer or a callable from the raw frame to the model's input).
Every auditor then asks the same questions of it: predictions and class probabilities for
raw rows, the encoded input tensor and the torch module (for gradients, FLOPs and
compression), and which encoded columns each original column made, so attributions are
always reported per original column.
"""
from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from ._encoding import column_groups
from ._messages import (
    MSG_BAD_TASK,
    MSG_ENCODED_SHARED,
    MSG_ENCODED_UNOWNED,
    MSG_INPUT_WIDTH,
    MSG_KERAS_BACKEND,
    MSG_MODEL_COLUMNS,
    MSG_MODEL_FAILED,
    MSG_NEEDS,
    MSG_NO_RAW_OUTPUT,
    MSG_NON_NUMERIC_FEATURES,
    MSG_POS_LABEL_NOT_IN_CLASSES,
    MSG_PREDICT_2D,
    MSG_PREPROCESS_FAILED,
    MSG_PREPROCESS_TYPE,
    MSG_PROBA_SHAPE,
    MSG_UNSUPPORTED_MODEL,
)

__all__ = ["Model", "as_model", "is_keras", "require", "MSG_NEEDS",
           "MSG_UNSUPPORTED_MODEL", "MSG_NON_NUMERIC_FEATURES", "MSG_INPUT_WIDTH",
           "MSG_PREPROCESS_FAILED", "MSG_PREDICT_2D", "MSG_BAD_TASK", "MSG_POS_LABEL_NOT_IN_CLASSES",
           "MSG_MODEL_FAILED"]

TASKS = ("binary", "multiclass", "regression")
T = TypeVar("T")

_BATCH = 8192


class Model:
    """A model as rai-audit sees it: the model, its preprocessing, and what its outputs mean.

    Parameters
    ----------
    model : torch ``nn.Module`` (a Keras 3 model on the torch backend is one), a scikit-learn
        style estimator or Pipeline (``predict``, optional ``predict_proba``), or a callable
        from the model's input to predictions (1-D) or class scores (2-D).
    preprocess : optional fitted scikit-learn transformer (ColumnTransformer, Pipeline,
        OneHotEncoder, ...) or callable mapping the raw table to the model's input. With a
        transformer, the map from encoded columns back to original ones comes from the
        transformer, so attributions are reported per original column.
    feature_names : the raw columns the model (or its preprocess) takes; by default the
        columns it was fitted on (``feature_names_in_``).
    task : "binary", "multiclass" or "regression"; inferred when None.
    classes : the labels behind the model's output columns, in order (a torch classifier's
        logits, a callable's score columns); scikit-learn estimators carry ``classes_``.
    pos_label : the positive class of a binary task.
    output_scale : ``(scale, shift)`` applied to a regression module's output, for a model
        trained on a standardised target; predictions are then in the target's units.
    metadata : optional ``card``, ``recipe``, ``sensitive_inputs`` (sensitive attribute ->
        input columns that carry it) and ``n_train_rows``, shown in the report.
    """

    def __init__(self, model: Any, preprocess: Any = None, feature_names: Sequence[str] | None = None,
                 task: str | None = None, classes: Sequence[Any] | None = None, pos_label: Any = None, *,
                 output_scale: tuple[float, float] | None = None,
                 metadata: Mapping[str, Any] | None = None) -> None:
        if model is None:
            raise UsageError(MSG_UNSUPPORTED_MODEL.format(type="NoneType"))
        if task is not None and task not in TASKS:
            raise UsageError(MSG_BAD_TASK.format(tasks=list(TASKS), task=task))
        self.model = model
        self.preprocess = preprocess
        self.feature_names = None if feature_names is None else [str(c) for c in feature_names]
        self.task = task
        self.classes = None if classes is None else list(classes)
        self.pos_label = pos_label
        self.output_scale = output_scale
        self.metadata = dict(metadata or {})
        if (self.classes is not None and pos_label is not None
                and not any(same_label(c, pos_label) for c in self.classes)):
            raise UsageError(MSG_POS_LABEL_NOT_IN_CLASSES.format(pos_label=pos_label, classes=self.classes))
        self.backend = _backend_for(model)
        self._groups: dict[str, list[int]] | None = None

    # -- what the model is ---------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """``torch``, ``keras``, ``sklearn`` or ``callable``: which backend answers for the model."""
        return self.backend.kind

    @property
    def decodes_with_task(self) -> bool:
        """Whether predictions need the task first (a torch module's logits: labels or values?)."""
        return self.backend.kind in ("torch", "keras")

    def __repr__(self) -> str:
        pre = "" if self.preprocess is None else f", preprocess={type(self.preprocess).__name__}"
        return f"Model({type(self.model).__name__}{pre}, kind={self.kind!r})"

    @property
    def card(self) -> Any:
        return self.metadata.get("card")

    def torch_module(self) -> Any | None:
        """The torch module that takes :meth:`encode`'s tensor (None for estimators and callables)."""
        return self.backend.module()

    def n_parameters(self) -> int | None:
        return self.backend.n_parameters()

    def describe(self) -> dict[str, Any]:
        cls = type(self.model)
        out: dict[str, Any] = {"kind": self.kind, "class": f"{cls.__module__}.{cls.__qualname__}",
                               "n_parameters": self.n_parameters()}
        if self.preprocess is not None:
            pcls = type(self.preprocess)
            out["preprocess"] = f"{pcls.__module__}.{pcls.__qualname__}"
        fingerprint = self.fingerprint()
        if fingerprint is not None:
            out["fingerprint"] = fingerprint
        return out

    def fingerprint(self) -> str | None:
        """sha256 of a torch module's weights (names, shapes and values): which model was audited."""
        module = self.torch_module()
        if module is None or not hasattr(module, "state_dict"):
            return None
        h = hashlib.sha256()
        try:
            for name, tensor in sorted(module.state_dict().items()):
                value = tensor.detach().cpu().contiguous()
                h.update(f"{name}:{tuple(value.shape)}:{value.dtype}".encode())
                h.update(value.numpy().tobytes())
        except (TypeError, RuntimeError, AttributeError):
            return None
        return "sha256:" + h.hexdigest()

    def input_columns(self) -> list[str] | None:
        """The raw columns the model takes: given, or those its preprocess or estimator was fitted on."""
        if self.feature_names is not None:
            return list(self.feature_names)
        for source in (self.preprocess, self.model if self.preprocess is None else None):
            if source is None:
                continue
            names = getattr(source, "feature_names_in_", None)
            if names is None and hasattr(source, "features") and hasattr(source, "feature_groups"):
                names = source.features  # a rai-audit TabularPreprocessor
            if names is not None:
                return [str(c) for c in names]
        return None

    def declared_task(self) -> str | None:
        """The task the model itself declares: given, the backend's (an estimator's type), or from classes."""
        if self.task is not None:
            return self.task
        declared = self.backend.declared_task()
        if declared is not None:
            return declared
        if self.classes is not None:
            return "binary" if len(self.classes) <= 2 else "multiclass"
        return None

    def output_width(self, frame: pd.DataFrame) -> int | None:
        """Columns of a torch module's (or callable's) raw output, from two rows; None for estimators."""
        if not self.backend.has_raw_output:
            return None
        out = self.raw_output(frame.iloc[:2])
        return 1 if out.ndim == 1 else int(out.shape[1])

    def model_classes(self, n_outputs: int | None = None) -> list[Any] | None:
        """The labels behind the output columns: given, ``classes_``, or 0..k-1 for a torch classifier."""
        if self.classes is not None:
            return list(self.classes)
        classes = self.backend.own_classes()
        if classes is not None:
            return classes
        if n_outputs is not None:
            return list(range(max(n_outputs, 2)))
        return None

    # -- inputs --------------------------------------------------------------------------------
    def transform(self, frame: pd.DataFrame, features: Sequence[str] | None = None) -> Any:
        """The model's input for raw rows: the preprocess output, or the input columns."""
        columns = list(features) if features is not None else (self.input_columns() or list(frame.columns))
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise UsageError(MSG_MODEL_COLUMNS.format(missing=missing, columns=columns))
        X = frame.loc[:, columns]
        if self.preprocess is None:
            return X
        try:
            if hasattr(self.preprocess, "transform"):
                out = self.preprocess.transform(X)
            elif callable(self.preprocess):
                out = self.preprocess(X)
            else:
                raise UsageError(MSG_PREPROCESS_TYPE.format(got=type(self.preprocess).__name__))
        except UsageError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's step failed on the user's table: say so
            raise UsageError(MSG_PREPROCESS_FAILED.format(step=type(self.preprocess).__name__, columns=columns,
                                                          error_type=type(exc).__name__,
                                                          error=str(exc).splitlines()[0][:300] if str(exc) else ""
                                                          )) from None
        return out

    def encode(self, frame: pd.DataFrame, features: Sequence[str] | None = None) -> Any:
        """The float32 input tensor of :meth:`torch_module` for raw rows."""
        import torch

        X = self.transform(frame, features)
        if hasattr(X, "toarray"):
            X = X.toarray()
        if isinstance(X, torch.Tensor):
            return X.detach().to(torch.float32)
        if isinstance(X, pd.DataFrame):
            bad = [c for c in X.columns if not (pd.api.types.is_numeric_dtype(X[c].dtype)
                                                or pd.api.types.is_bool_dtype(X[c].dtype))]
            if bad:
                raise UsageError(MSG_NON_NUMERIC_FEATURES.format(columns=[str(c) for c in bad]))
            X = X.to_numpy(dtype=np.float32, na_value=np.nan)
        arr = np.asarray(X)
        if arr.dtype.kind not in "biuf":
            raise UsageError(MSG_NON_NUMERIC_FEATURES.format(columns="<preprocess output>"))
        return torch.from_numpy(np.array(arr, dtype=np.float32, copy=True).reshape(len(frame), -1))

    def encoded_names(self, features: Sequence[str]) -> list[str]:
        names = getattr(self.preprocess, "encoded_names", None)
        if isinstance(names, list):
            return list(names)
        if self.preprocess is not None and hasattr(self.preprocess, "get_feature_names_out"):
            with contextlib.suppress(Exception):  # names are for messages only
                return [str(n) for n in self.preprocess.get_feature_names_out()]
        return list(features)

    def feature_groups(self, frame: pd.DataFrame, features: Sequence[str]) -> dict[str, list[int]]:
        """Original column -> indices of the encoded columns it made (one each without preprocess)."""
        if self._groups is not None:
            return self._groups
        features = list(features)
        if self.preprocess is None:
            groups = {f: [i] for i, f in enumerate(features)}
        elif hasattr(self.preprocess, "feature_groups") and not callable(self.preprocess.feature_groups):
            groups = {k: list(v) for k, v in self.preprocess.feature_groups.items()}
        elif hasattr(self.preprocess, "transform") and hasattr(self.preprocess, "get_params"):
            width = int(self.encode(frame.iloc[:2], features).shape[1])
            groups = column_groups(self.preprocess, features, width)
        else:
            groups = _probe_groups(self, frame, features)
        self._groups = groups
        return groups

    # -- outputs: the backend answers, the wrapper names the classes --------------------------
    def raw_output(self, frame: pd.DataFrame, features: Sequence[str] | None = None) -> np.ndarray:
        """The torch module's (or callable's) output for raw rows, as float64 numpy, in batches."""
        return self.backend.raw(self, frame, features)

    def proba(self, frame: pd.DataFrame, features: Sequence[str] | None = None) -> np.ndarray | None:
        """Class probabilities ``(n, k)`` in :meth:`model_classes` order; None when the model gives none."""
        return self.backend.proba(self, frame, features)

    def predict(self, frame: pd.DataFrame, features: Sequence[str] | None = None, task: str | None = None
                ) -> np.ndarray:
        """Labels (in the model's label space) or values for raw rows."""
        return self.backend.predict(self, frame, features, task)

    def forward_tensor(self, x: Any) -> np.ndarray:
        """The model's raw output for an input it takes as it is (a batch of images), as float64 numpy.

        A torch module runs in eval mode without gradients; a callable is called on the batch.
        """
        import torch

        if self.kind not in ("torch", "keras", "callable"):
            raise UsageError(MSG_UNSUPPORTED_MODEL.format(type=f"{type(self.model).__name__} (for images: a torch "
                                                               "nn.Module or a callable)"))
        module = self.model
        was_training = getattr(module, "training", False)
        if self.kind != "callable" and hasattr(module, "eval"):
            try:
                module.eval()
            except (NotImplementedError, RuntimeError):  # an exported program (torch.export) is inference-only
                was_training = False
        try:
            with torch.no_grad():
                out = self.call(module, x, len(x))
        finally:
            if was_training and hasattr(module, "train"):
                module.train(True)
        arr = (out.detach().cpu().numpy() if isinstance(out, torch.Tensor) else np.asarray(out)).astype(np.float64)
        if arr.ndim == 0 or len(arr) != len(x):
            raise UsageError(MSG_MODEL_FAILED.format(kind=self.kind, cls=type(self.model).__name__, n=len(x),
                                                     error_type="ValueError",
                                                     error=f"it returned shape {tuple(arr.shape)} for {len(x)} inputs"))
        return arr.reshape(len(x)) if arr.ndim == 2 and arr.shape[1] == 1 else arr

    def proba_of(self, out: np.ndarray) -> np.ndarray:
        """Class probabilities from :meth:`forward_tensor`'s output (a callable's probabilities pass through)."""
        if self.kind == "callable":
            if out.ndim == 1 and np.all((out >= 0) & (out <= 1)):
                return np.column_stack([1.0 - out, out])
            if out.ndim == 2 and np.all(out >= 0) and np.allclose(out.sum(axis=1), 1.0, atol=1e-6):
                return out
        return _probabilities(out)

    def score_from_proba(self, probs: np.ndarray, pos_label: Any = None) -> np.ndarray:
        """The positive class's column of class probabilities (binary tasks)."""
        classes = self.model_classes(probs.shape[1])
        column = probs.shape[1] - 1
        if pos_label is not None and classes is not None:
            hits = [i for i, c in enumerate(classes) if same_label(c, pos_label)]
            if hits:
                column = hits[0]
        return np.asarray(probs[:, column], dtype=np.float64)

    def call(self, fn: Any, x: Any, n: int) -> Any:
        """``fn(x)``; a failure of the user's model on the table's rows is a usage error naming it."""
        try:
            return fn(x)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - a model that cannot take the table's rows: the user's to fix
            raise UsageError(MSG_MODEL_FAILED.format(kind=self.kind, cls=type(self.model).__name__, n=n,
                                                     error_type=type(exc).__name__,
                                                     error=(str(exc).splitlines() or [""])[0][:300])) from None

    def check_width(self, x: Any, features: Sequence[str] | None) -> None:
        expected = _input_width(self.torch_module())
        if expected is not None and x.ndim == 2 and expected != x.shape[1]:
            what = ("the preprocess output" if self.preprocess is not None
                    else f"columns {list(features or self.input_columns() or [])[:12]}")
            raise UsageError(MSG_INPUT_WIDTH.format(kind=self.kind, expected=expected, got=int(x.shape[1]),
                                                    what=what))

    def decode(self, out: np.ndarray, task: str | None) -> np.ndarray:
        """A torch module's raw output as predictions: values (regression) or labels (logit > 0, argmax)."""
        if task == "regression":
            return _scaled(out.reshape(len(out), -1)[:, 0], self.output_scale)
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        index = (out > 0).astype(np.int64) if out.ndim == 1 else out.argmax(axis=1).astype(np.int64)
        return self.labels_of(index, 1 if out.ndim == 1 else out.shape[1])

    def labels_of(self, index: np.ndarray, n_outputs: int) -> np.ndarray:
        """Output-column indices as the model's labels (the indices themselves for 0..k-1)."""
        classes = self.model_classes(n_outputs)
        if classes is None or list(classes) == list(range(len(classes))):
            return index
        return np.asarray(classes)[index] if _numeric(classes) else np.asarray(classes, dtype=object)[index]

    def score(self, frame: pd.DataFrame, features: Sequence[str] | None = None, task: str | None = None,
              pos_label: Any = None) -> np.ndarray | None:
        """The positive class's probability (binary tasks), None when the model gives none."""
        if task != "binary":
            return None
        probs = self.proba(frame, features)
        return None if probs is None else self.score_from_proba(probs, pos_label)

    def class_column(self, label: Any, n_outputs: int) -> int | None:
        """The output column of class ``label`` (None when the model's classes do not name it)."""
        classes = self.model_classes(n_outputs)
        if classes is None:
            return None
        hits = [i for i, c in enumerate(classes) if same_label(c, label)]
        return hits[0] if hits else None


class _Backend:
    """How one kind of model answers for raw rows: one class per kind, chosen once (:func:`_backend_for`)."""

    kind = ""
    has_raw_output = True

    def __init__(self, model: Any) -> None:
        self.model = model

    def module(self) -> Any | None:
        return None

    def n_parameters(self) -> int | None:
        return None

    def declared_task(self) -> str | None:
        return None

    def own_classes(self) -> list[Any] | None:
        return None

    def raw(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None) -> np.ndarray:
        raise UsageError(MSG_NO_RAW_OUTPUT.format(kind=self.kind))

    def proba(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None) -> np.ndarray | None:
        raise NotImplementedError

    def predict(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None,
                task: str | None) -> np.ndarray:
        raise NotImplementedError


class _EstimatorBackend(_Backend):
    """A scikit-learn style estimator or Pipeline: ``predict``, optional ``predict_proba`` and ``classes_``."""

    kind = "sklearn"
    has_raw_output = False

    def declared_task(self) -> str | None:
        classes = getattr(self.model, "classes_", None)
        if classes is not None:
            return "binary" if len(classes) <= 2 else "multiclass"
        with contextlib.suppress(Exception):  # a duck-typed estimator has no declared type
            from sklearn.base import is_regressor

            if is_regressor(self.model):
                return "regression"
        return "regression" if getattr(self.model, "_estimator_type", None) == "regressor" else None

    def own_classes(self) -> list[Any] | None:
        classes = getattr(self.model, "classes_", None)
        return None if classes is None else [_plain(c) for c in classes]

    def proba(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None) -> np.ndarray | None:
        if not hasattr(self.model, "predict_proba"):
            return None
        out = np.asarray(owner.call(self.model.predict_proba, owner.transform(frame, features), len(frame)),
                         dtype=np.float64)
        if out.ndim != 2 or out.shape[0] != len(frame):
            raise UsageError(MSG_PROBA_SHAPE.format(cls=type(self.model).__name__, shape=out.shape, n=len(frame)))
        return out

    def predict(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None,
                task: str | None) -> np.ndarray:
        out = np.asarray(owner.call(self.model.predict, owner.transform(frame, features), len(frame)))
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if out.ndim != 1:
            raise UsageError(MSG_PREDICT_2D.format(cls=type(self.model).__name__, shape=out.shape))
        return out


class _TorchBackend(_Backend):
    """A torch module over the encoded input: logits or class scores out, batched, without gradients."""

    kind = "torch"

    def module(self) -> Any:
        return self.model

    def n_parameters(self) -> int | None:
        return int(sum(p.numel() for p in self.model.parameters()))

    def raw(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None) -> np.ndarray:
        import torch

        module = self.model
        x = owner.encode(frame, features)
        owner.check_width(x, features)
        was_training = getattr(module, "training", False)
        if hasattr(module, "eval"):
            module.eval()
        try:
            with torch.no_grad():
                parts = ([owner.call(module, x[i:i + _BATCH], len(x[i:i + _BATCH])) for i in range(0, len(x), _BATCH)]
                         if len(x) else [module(x)])
        finally:
            if was_training and hasattr(module, "train"):
                module.train(True)
        out = torch.cat([p if isinstance(p, torch.Tensor) else torch.as_tensor(np.asarray(p)) for p in parts])
        arr = out.detach().cpu().numpy().astype(np.float64)
        return arr.reshape(len(frame)) if arr.ndim == 2 and arr.shape[1] == 1 else arr

    def proba(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None) -> np.ndarray:
        return _probabilities(self.raw(owner, frame, features))

    def predict(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None,
                task: str | None) -> np.ndarray:
        return owner.decode(self.raw(owner, frame, features), task)


class _KerasBackend(_TorchBackend):
    """A Keras 3 model on the torch backend: a torch module whose parameters Keras counts."""

    kind = "keras"

    def n_parameters(self) -> int | None:
        return int(self.model.count_params()) if hasattr(self.model, "count_params") else super().n_parameters()


class _CallableBackend(_Backend):
    """A plain function of the model's input: labels or values (1-D), scores (1-D in [0, 1]) or class scores (2-D)."""

    kind = "callable"

    def raw(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None) -> np.ndarray:
        out = np.asarray(owner.call(self.model, owner.transform(frame, features), len(frame)))
        return out.astype(np.float64) if out.dtype.kind in "biuf" else out

    def proba(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None) -> np.ndarray:
        out = self.raw(owner, frame, features)
        if out.ndim == 1 and np.all((out >= 0) & (out <= 1)):
            return np.column_stack([1.0 - out, out])
        if out.ndim == 2 and np.all(out >= 0) and np.allclose(out.sum(axis=1), 1.0, atol=1e-6):
            return out
        return _probabilities(out)

    def predict(self, owner: Model, frame: pd.DataFrame, features: Sequence[str] | None,
                task: str | None) -> np.ndarray:
        out = self.raw(owner, frame, features)
        if task == "regression":
            return _scaled(out if out.ndim == 1 else out[:, 0], owner.output_scale)
        if out.ndim == 1 and not _looks_like_scores(out, task):
            return out  # labels as the function gives them
        probs = self.proba(owner, frame, features)
        index = (probs[:, 1] >= 0.5).astype(np.int64) if out.ndim == 1 else probs.argmax(axis=1).astype(np.int64)
        return owner.labels_of(index, 1 if out.ndim == 1 else out.shape[1])


def _probabilities(out: np.ndarray) -> np.ndarray:
    """Class probabilities from logits: the logistic function of one column, the softmax of several."""
    with np.errstate(invalid="ignore"):  # a NaN output stays NaN; the subject refuses it with a count
        if out.ndim == 1:
            p = np.exp(-np.logaddexp(0.0, -out))  # the logistic function, without overflow
            return np.column_stack([1.0 - p, p])
        z = np.exp(out - out.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)


def _scaled(values: np.ndarray, output_scale: tuple[float, float] | None) -> np.ndarray:
    if output_scale is None:
        return values
    scale, shift = output_scale
    return values * float(scale) + float(shift)


def require(value: T | None, what: str, auditor: str) -> T:
    """``value`` (the subject's model, target, ...) when it is there, else a UsageError naming the auditor."""
    if value is None:
        raise UsageError(MSG_NEEDS.format(auditor=auditor, what=what))
    return value


def as_model(model: Any) -> Model | None:
    """Wrap a bare model (None stays None); a reference network gives its own Model."""
    if model is None or isinstance(model, Model):
        return model
    if hasattr(model, "as_model") and callable(model.as_model):
        out = model.as_model()
        if isinstance(out, Model):
            return out
    return Model(model)


# -- helpers -------------------------------------------------------------------------------------
def _backend_for(model: Any) -> _Backend:
    """The backend that answers for ``model``, chosen once from its type."""
    module = type(model).__module__
    torch = sys.modules.get("torch")  # a torch module exists only once torch is imported: never import it here
    if torch is not None and isinstance(model, torch.nn.Module):
        return _KerasBackend(model) if module.startswith("keras") or is_keras(model) else _TorchBackend(model)
    if module.startswith("keras") or is_keras(model):
        raise UsageError(MSG_KERAS_BACKEND)
    if hasattr(model, "predict"):
        return _EstimatorBackend(model)
    if callable(model):
        return _CallableBackend(model)
    raise UsageError(MSG_UNSUPPORTED_MODEL.format(type=type(model).__name__))


def is_keras(model: Any) -> bool:
    """Whether ``model`` is a Keras object (a Keras 3 model on the torch backend is also a torch module)."""
    return any(c.__module__.startswith("keras") for c in type(model).__mro__)


def _input_width(module: Any) -> int | None:
    """The width a torch module's first layer takes, when it starts with a Linear layer."""
    if module is None or not hasattr(module, "modules"):
        return None
    from torch import nn

    for m in module.modules():
        if isinstance(m, nn.Linear):
            return int(m.in_features)
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Embedding, nn.RNNBase)):
            return None
    return None


def _looks_like_scores(out: np.ndarray, task: str | None) -> bool:
    """A callable's 1-D output in [0, 1] with fractions is a score for a binary task, not labels."""
    if task != "binary" or out.dtype.kind != "f":
        return False
    return bool(np.all((out >= 0) & (out <= 1)) and np.any(out != np.round(out)))


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def same_label(a: Any, b: Any) -> bool:
    """Whether two labels are the same class: equal values, a string never equal to a number."""
    a, b = _plain(a), _plain(b)
    if isinstance(a, str) != isinstance(b, str):
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _probe_groups(model: Model, frame: pd.DataFrame, features: list[str]) -> dict[str, list[int]]:
    """Which encoded columns change when one raw column changes, for a callable preprocess.

    Each column in turn takes another row's values (a rotation of the sampled rows); an
    encoded column that changes belongs to that column. An encoded column that no single
    column moves, or that several move, has no owner: that is a usage error.
    """
    sample = frame.loc[:, features].iloc[:256].reset_index(drop=True)
    base = model.encode(sample, features).numpy()
    width = base.shape[1]
    owner = np.full(width, -1, dtype=np.int64)
    for i, f in enumerate(features):
        shifted = sample.copy()
        values = sample[f].to_numpy()
        for step in range(1, min(len(sample), 8)):
            rolled = np.roll(values, step)
            shifted[f] = rolled
            moved = np.flatnonzero(np.any(model.encode(shifted, features).numpy() != base, axis=0)
                                   & ~(np.isnan(base).all(axis=0)))
            clash = moved[(owner[moved] >= 0) & (owner[moved] != i)]
            if len(clash):
                raise UsageError(MSG_ENCODED_SHARED.format(index=int(clash[0]), first=features[int(owner[clash[0]])],
                                                           second=f))
            owner[moved] = i
    if (owner < 0).any():
        raise DataError(MSG_ENCODED_UNOWNED.format(n=int((owner < 0).sum())))
    return {f: np.flatnonzero(owner == i).tolist() for i, f in enumerate(features)}
