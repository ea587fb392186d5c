"""What attribution works on: the model's input tensor, its feature groups, one scalar output.

Every model comes in as an :class:`audit.Model`. A torch module (a reference network, a
user's module behind its own preprocessing, Keras 3 on the torch backend) is explained on
its encoded input, with ``groups`` mapping each original column to its encoded columns (from
the preprocessing itself). Any other model (a scikit-learn estimator or Pipeline, a callable)
gets one column per original feature: a non-numeric feature travels as integer category
codes and is decoded back into a frame before the model sees it, so Captum's perturbation
methods can drive any model through a wrapped forward function.

The explained output is one number per row: the positive-class probability (binary), the
probability of ``target_class`` (multiclass) or the prediction in the target's units
(regression).
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from .._exceptions import DataError, UsageError
from . import _messages as msg

__all__ = ["BASELINES", "Explained", "NonFiniteInputs", "prepare", "baseline_row", "group_values"]

BASELINES = ("train_mean", "zero")


@dataclasses.dataclass
class Explained:
    """A model made ready for Captum, and the rows it is explained on.

    ``inputs`` are the encoded rows (float32, ``n x d``); ``groups`` maps each original feature
    to its column indices; ``forward`` maps an ``m x d`` tensor to an ``m x 1`` output (target 0);
    ``module`` is that forward as an ``nn.Module`` when the model is differentiable, else None;
    ``rebuild`` makes the same wrapper around another copy of the user's module (for the
    randomisation check); ``categorical`` lists features whose columns are one-hot blocks.
    """

    inputs: torch.Tensor
    groups: dict[str, list[int]]
    forward: Callable[[torch.Tensor], torch.Tensor]
    module: nn.Module | None
    inner: nn.Module | None
    rebuild: Callable[[nn.Module], nn.Module] | None
    encode: Callable[[pd.DataFrame], torch.Tensor]
    categorical: tuple[str, ...]
    kind: str
    output: str

    @property
    def features(self) -> list[str]:
        return list(self.groups)

    @property
    def feature_mask(self) -> torch.Tensor:
        """Captum's ``feature_mask``: one id per original feature, shared by its columns."""
        mask = torch.zeros((1, self.inputs.shape[1]), dtype=torch.long)
        for i, cols in enumerate(self.groups.values()):
            mask[0, cols] = i
        return mask


class _Head(nn.Module):
    """The user's module followed by the map to the explained scalar (kept ``m x 1``)."""

    def __init__(self, inner: nn.Module, transform: str, column: int = 0, scale: float = 1.0,
                 shift: float = 0.0) -> None:
        super().__init__()
        self.inner = inner
        self.transform = transform
        self.column = column
        self.scale = scale
        self.shift = shift
        self.sigmoid = nn.Sigmoid()
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.inner(x)
        if out.ndim == 1:
            out = out.unsqueeze(1)
        if self.transform == "sigmoid":
            return self.sigmoid(out[:, :1])
        if self.transform == "sigmoid_neg":
            return self.sigmoid(-out[:, :1])
        if self.transform == "softmax":
            return self.softmax(out)[:, self.column:self.column + 1]
        return out[:, :1] * self.scale + self.shift


def _first_linear_width(module: nn.Module) -> int | None:
    for m in module.modules():
        if isinstance(m, nn.Linear):
            return int(m.in_features)
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Embedding)):
            return None
    return None


def _output_spec(task: str, shape: tuple[int, ...], n: int, target_class: int | None) -> tuple[str, int]:
    """How to turn a torch module's raw output into the explained scalar: (transform, column)."""
    width = 1 if len(shape) == 1 else (shape[1] if len(shape) == 2 else -1)
    ok_rows = len(shape) in (1, 2) and shape[0] == n
    if task == "binary" and ok_rows and width in (1, 2):
        if width == 1:  # a logit of class 1; the explained column 0 is its complement
            return ("sigmoid", 0) if target_class in (None, 1) else ("sigmoid_neg", 0)
        return "softmax", 1 if target_class is None else int(target_class)
    if task == "regression" and ok_rows and width == 1:
        return "identity", 0
    if task == "multiclass" and ok_rows and width >= 3:
        column = 1 if target_class is None else int(target_class)
        if not 0 <= column < width:
            raise UsageError(msg.TARGET_CLASS.format(value=target_class, k=width, last=width - 1))
        return "softmax", column
    expected = {"binary": f"({n},), ({n}, 1) logits or ({n}, 2) class scores",
                "regression": f"({n},) or ({n}, 1)",
                "multiclass": f"({n}, k) class scores with k >= 3"}[task]
    raise UsageError(msg.OUTPUT_SHAPE.format(shape=tuple(shape), n=n, task=task, expected=expected))


def _torch_wrapper(inner: nn.Module, task: str, width: int, target_class: int | None,
                   scale: float = 1.0, shift: float = 0.0, features: Sequence[str] = ()) -> _Head:
    """The user's module and the map to the explained scalar; ``target_class`` is the explained column."""
    expected = _first_linear_width(inner)
    if expected is not None and expected != width:
        raise UsageError(msg.INPUT_WIDTH.format(expected=expected, got=width, features=list(features)))
    probe = torch.zeros((2, width))
    try:
        with torch.no_grad():
            out = inner(probe)
    except RuntimeError as exc:
        raise UsageError(msg.INPUT_WIDTH.format(expected="a different number of", got=width,
                                                features=list(features))) from exc
    transform, column = _output_spec(task, tuple(out.shape), 2, target_class)
    return _Head(inner, transform, column, scale, shift).eval()


def prepare(model: Any, frame: pd.DataFrame, features: Sequence[str], task: str | None,
            *, target_class: Any = None, pos_label: Any = None) -> Explained:
    """Encode ``frame`` for ``model`` (an :class:`audit.Model`) and wrap its forward.

    A torch module (Keras on the torch backend included) is explained on its encoded input,
    one group of encoded columns per original column, so gradient methods apply; any other
    model is driven through its raw-frame predictions by perturbation methods. Missing
    values reach a model that handles them (a Pipeline with an imputer); a torch module's
    encoded input must be finite.
    """
    if task is None:
        raise UsageError(msg.NO_TASK)
    features = list(features)
    if not features:
        raise UsageError(msg.NO_FEATURES)
    module = model.torch_module()
    if module is None:
        return _prepare_estimator(model, frame, features, task, target_class, pos_label)

    def encode(f: pd.DataFrame) -> torch.Tensor:
        return model.encode(f, features)

    inputs = encode(frame)
    groups = model.feature_groups(frame, features)
    bad = sorted({f for f, cols in groups.items() if cols and not torch.isfinite(inputs[:, cols]).all()})
    if bad:
        raise NonFiniteInputs(bad, len(frame))
    width = int(inputs.shape[1])
    scale, shift = model.output_scale if (task == "regression" and model.output_scale) else (1.0, 0.0)
    n_out = _probe_width(module, width, model.encoded_names(features))
    column, name = _explained_column(model, task, n_out, target_class, pos_label)

    def rebuild(inner: nn.Module) -> nn.Module:
        return _torch_wrapper(inner, task, width, column, scale, shift, model.encoded_names(features))

    head = rebuild(module)
    categorical = tuple(f for f in groups if f in frame.columns and len(groups[f]) > 1
                        and not pd.api.types.is_numeric_dtype(frame[f].dtype))
    return Explained(inputs, {k: list(v) for k, v in groups.items()}, head, head, module, rebuild, encode,
                     categorical, model.kind, name)


class NonFiniteInputs(DataError):
    """A torch module's encoded input holds NaN or infinities for these original columns."""

    def __init__(self, columns: list[str], n: int) -> None:
        super().__init__(f"encoded inputs of {columns} are not finite on the {n} sampled rows")
        self.columns = columns


def _probe_width(module: nn.Module, width: int, names: Sequence[str]) -> int:
    """Output columns of ``module`` for a ``width``-column input (a wrong width is a usage error)."""
    expected = _first_linear_width(module)
    if expected is not None and expected != width:
        raise UsageError(msg.INPUT_WIDTH.format(expected=expected, got=width, features=list(names)[:20]))
    try:
        with torch.no_grad():
            out = module(torch.zeros((2, width)))
    except RuntimeError as exc:
        raise UsageError(msg.INPUT_WIDTH.format(expected="a different number of", got=width,
                                                features=list(names)[:20])) from exc
    return 1 if out.ndim == 1 else int(out.shape[1])


def _explained_column(model: Any, task: str, n_out: int, target_class: Any, pos_label: Any
                      ) -> tuple[int | None, str]:
    """Which output column is explained, and its name for the report."""
    if task == "regression":
        return None, _output_name(task)
    classes = model.model_classes(n_out)
    if task == "binary":
        label = pos_label if pos_label is not None else (classes[-1] if classes else 1)
        column = model.class_column(label, max(n_out, 2))
        return (1 if column is None else column), f"probability of the positive class ({label!r})"
    if target_class is None:
        column = 1
    elif isinstance(target_class, (int, np.integer)) and not isinstance(target_class, bool) and (
            classes is None or not any(_same_value(c, target_class) for c in classes)):
        column = int(target_class)
    else:
        column = model.class_column(target_class, n_out)
        if column is None:
            raise UsageError(msg.TARGET_CLASS.format(value=target_class, k=n_out, last=n_out - 1))
    if not 0 <= column < max(n_out, 2):
        raise UsageError(msg.TARGET_CLASS.format(value=target_class, k=n_out, last=n_out - 1))
    label = classes[column] if classes is not None and column < len(classes) else column
    return column, f"probability of class {label!r}"


def _same_value(a: Any, b: Any) -> bool:
    a = a.item() if isinstance(a, np.generic) else a
    b = b.item() if isinstance(b, np.generic) else b
    return type(a) is type(b) and a == b


def _output_name(task: str) -> str:
    return {"binary": "probability of the positive class", "multiclass": "probability of the explained class",
            "regression": "prediction"}[task]


def _prepare_estimator(model: Any, frame: pd.DataFrame, features: list[str], task: str,
                       target_class: Any, pos_label: Any) -> Explained:
    """A model without a torch module behind a tensor-in, tensor-out forward (perturbation methods only).

    Each original column is one input column; a non-numeric one travels as integer category
    codes (-1 for a missing value) and is decoded back into a raw frame before the model
    sees it, so a Pipeline meets its own columns, missing values included.
    """
    groups = {f: [i] for i, f in enumerate(features)}
    categorical = tuple(c for c in features if not pd.api.types.is_numeric_dtype(frame[c].dtype))
    levels = {c: sorted(pd.unique(frame[c].dropna().astype(str))) for c in categorical}
    dtypes = {c: frame[c].dtype for c in features}

    def encode(f: pd.DataFrame) -> torch.Tensor:
        cols = []
        for c in features:
            if c in levels:
                index = {v: i for i, v in enumerate(levels[c])}
                missing = f[c].isna().to_numpy()
                codes = [-1 if m else index.get(v, -1) for v, m in zip(f[c].astype(str), missing, strict=True)]
                cols.append(np.array(codes, dtype=np.float32))
            else:
                cols.append(f[c].to_numpy(dtype=np.float32, na_value=np.nan))
        return torch.from_numpy(np.stack(cols, axis=1) if cols else np.zeros((len(f), 0), np.float32))

    def decode(x: torch.Tensor) -> pd.DataFrame:
        arr = x.detach().cpu().numpy()
        data = {}
        for j, c in enumerate(features):
            if c in levels:
                codes = np.rint(np.nan_to_num(arr[:, j], nan=-1.0)).astype(np.int64)
                values = np.asarray(levels[c] or [None], dtype=object)[np.clip(codes, 0, max(len(levels[c]) - 1, 0))]
                values[codes < 0] = None
                data[c] = values
            else:
                column = arr[:, j]
                data[c] = (column.astype(dtypes[c]) if dtypes[c].kind in "iu" and np.isfinite(column).all()
                           else column.astype(np.float64) if dtypes[c].kind in "iuf" else column)
        return pd.DataFrame(data)

    probe = model.proba(frame.iloc[:2], features) if task in ("binary", "multiclass") else None
    has_proba = probe is not None
    if probe is not None:
        column, name = _explained_column(model, task, probe.shape[1], target_class, pos_label)
    else:
        column, name = None, (_output_name(task) if task == "regression" else "predicted label")

    def forward(x: torch.Tensor) -> torch.Tensor:
        X = decode(x)
        if has_proba:
            proba = model.proba(X, features)
            if proba.ndim != 2 or (task == "binary" and proba.shape[1] != 2) or column >= proba.shape[1]:
                expected = "(n, 2) class probabilities" if task == "binary" else f"(n, k) with k > {column}"
                raise UsageError(msg.OUTPUT_SHAPE.format(shape=proba.shape, n=len(X), task=task, expected=expected))
            out = proba[:, column]
        else:
            out = np.asarray(model.predict(X, features, task), dtype=np.float64)
            if out.shape != (len(X),):
                raise UsageError(msg.OUTPUT_SHAPE.format(shape=out.shape, n=len(X), task=task,
                                                         expected=f"({len(X)},)"))
        return torch.from_numpy(out.astype(np.float32)).reshape(-1, 1)

    inputs = encode(frame)
    forward(inputs[:2])  # fail early on a model whose output does not fit the task
    return Explained(inputs, groups, forward, None, None, None, encode, categorical, model.kind, name)


def baseline_row(explained: Explained, reference: pd.DataFrame | Iterable[pd.DataFrame], how: str
                 ) -> tuple[torch.Tensor, dict[str, Any]]:
    """One in-distribution baseline row and its description for the report.

    ``train_mean``: numeric features take their mean over ``reference`` (in the model's
    input space), one-hot blocks and category codes take the mode category (the first
    column, or the smallest code, among equally frequent ones). An all-zero one-hot block
    means "no category at all", which no real row has.

    ``reference`` is a frame or an iterable of frames (a table streamed in batches): the
    encoded columns are summed exactly (:class:`_ExactSums`), so the mean is the correctly
    rounded one, the same however the rows are split into batches.
    """
    if how not in BASELINES:
        raise UsageError(msg.BAD_BASELINE.format(value=how))
    d = explained.inputs.shape[1]
    if how == "zero":
        return torch.zeros((1, d)), {"kind": "zero", "features": {f: "0" for f in explained.groups}}
    frames = [reference] if isinstance(reference, pd.DataFrame) else reference
    sums = _ExactSums(d)
    code_columns = [cols[0] for f, cols in explained.groups.items() if f in explained.categorical and len(cols) == 1]
    code_counts: dict[int, np.ndarray] = {c: np.zeros(0, dtype=np.int64) for c in code_columns}
    for frame in frames:
        for start in range(0, len(frame), _EXACT_ROWS):
            X = explained.encode(frame.iloc[start:start + _EXACT_ROWS]).numpy()
            sums.add(X)
            for c in code_columns:
                codes = np.rint(X[:, c].astype(np.float64)).astype(np.int64)
                counts = np.bincount(codes[codes >= 0])
                size = max(len(counts), len(code_counts[c]))
                code_counts[c] = np.pad(code_counts[c], (0, size - len(code_counts[c]))) + np.pad(
                    counts, (0, size - len(counts)))
    row = torch.zeros((1, d), dtype=torch.float64)
    described: dict[str, Any] = {}
    for feature, cols in explained.groups.items():
        if feature in explained.categorical and len(cols) > 1:  # one-hot: the most frequent category
            totals = [sums.total(c) for c in cols]
            row[0, cols[totals.index(max(totals))]] = 1.0
            described[feature] = "mode category"
        elif feature in explained.categorical:  # category codes of an estimator's input
            counts = code_counts[cols[0]]
            row[0, cols[0]] = float(np.argmax(counts)) if counts.sum() else 0.0
            described[feature] = "mode category"
        else:
            for c in cols:
                row[0, c] = sums.mean(c)
            described[feature] = "mean"
    return row.to(torch.float32), {"kind": "train_mean", "features": described}


#: Rows encoded at a time by :func:`baseline_row`; well below the 2**29 rows whose float32
#: mantissas still sum exactly in float64.
_EXACT_ROWS = 65_536
_EXPONENT_OFFSET = 148  # np.frexp exponents of float32 values run from -148 (subnormals) to 128
_EXPONENTS = 277


class _ExactSums:
    """Exact column sums of float32 matrices, added batch by batch, and correctly rounded means.

    A float32 value is ``m * 2**(e - 24)`` with an integer ``|m| < 2**24``: per column and
    exponent the mantissas sum exactly in float64 (a batch holds fewer than 2**29 rows),
    and the totals are Python integers in units of ``2**-172``. A missing value (NaN) is
    left out of its column's sum and count, so the mean is over the observed values (a
    model that imputes sees a baseline it could have seen); infinities make the mean
    infinite or NaN as floating-point addition would.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self.totals = [0] * width
        self.rows = 0
        self.observed = np.zeros(width, dtype=np.int64)
        self.nan = np.zeros(width, dtype=bool)
        self.pos_inf = np.zeros(width, dtype=bool)
        self.neg_inf = np.zeros(width, dtype=bool)

    def add(self, X: np.ndarray) -> None:
        if X.dtype != np.float32:
            raise TypeError(f"exact sums need float32 inputs; got {X.dtype}")
        if len(X) == 0:
            return
        self.rows += len(X)
        self.observed += (~np.isnan(X)).sum(axis=0)
        finite = np.isfinite(X)
        if not finite.all():
            self.pos_inf |= (X == np.inf).any(axis=0)
            self.neg_inf |= (X == -np.inf).any(axis=0)
            X = np.where(finite, X, np.float32(0))
        mantissa, exponent = np.frexp(X.astype(np.float64))
        slots = (np.arange(self.width, dtype=np.int64) * _EXPONENTS)[None, :] + (exponent + _EXPONENT_OFFSET)
        sums = np.bincount(slots.ravel(), weights=(mantissa * 2.0 ** 24).ravel(),
                           minlength=self.width * _EXPONENTS).reshape(self.width, _EXPONENTS)
        for j in range(self.width):
            for k in np.flatnonzero(sums[j]).tolist():
                self.totals[j] += int(sums[j, k]) << k

    def total(self, column: int) -> float:
        """The column's sum, correctly rounded (exact for counts of a one-hot column)."""
        special = self._special(column)
        return special if special is not None else self.totals[column] / (1 << 172)

    def mean(self, column: int) -> float:
        """The column's mean, correctly rounded (NaN for no rows)."""
        special = self._special(column)
        if special is not None:
            return special
        if self.observed[column] == 0:
            return math.nan
        return self.totals[column] / (int(self.observed[column]) << 172)

    def _special(self, column: int) -> float | None:
        if self.nan[column] or (self.pos_inf[column] and self.neg_inf[column]):
            return math.nan
        if self.pos_inf[column]:
            return math.inf
        if self.neg_inf[column]:
            return -math.inf
        return None


def group_values(attr_columns: np.ndarray, groups: Mapping[str, Sequence[int]], copied: bool) -> np.ndarray:
    """Per-feature attributions from per-column ones.

    Gradient methods give each column its own attribution: a feature's is their signed sum.
    Perturbation methods with a ``feature_mask`` copy the group's value into every column:
    it is read once (summing would multiply it by the category count).
    """
    out = np.empty((attr_columns.shape[0], len(groups)), dtype=np.float64)
    for j, cols in enumerate(groups.values()):
        out[:, j] = attr_columns[:, cols[0]] if copied else attr_columns[:, list(cols)].sum(axis=1)
    return out
