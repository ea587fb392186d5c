"""Image subjects: images (an array, a torch Dataset or a folder of files) plus one metadata row per image.

The metadata table holds what the auditors group and count by (target, sensitive features,
ids); the images only go through the model, in batches, so a folder is never loaded whole.
The subject is an :class:`AuditSubject` whose table is the metadata and whose predictions
came from the images: the fairness engine and the checks see it as any other subject.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from ._adapters import Model, as_model
from ._messages import (
    MSG_BAD_ITEM,
    MSG_CHANNEL_LAST,
    MSG_CLASS_COUNT,
    MSG_IMAGE_SHAPE,
    MSG_IMAGES_NOT_FOLDER,
    MSG_IMAGES_TYPE,
    MSG_METADATA_ROWS,
    MSG_MISSING_FILE,
    MSG_MIXED_SIZES,
    MSG_NAN_PIXELS,
    MSG_NO_MODEL,
    MSG_NO_PATH_COLUMN,
    MSG_NO_PIL,
    MSG_UNREADABLE_IMAGE,
)
from ._subject import MSG_BAD_TASK, TASKS, AuditSubject
from ._validation import as_column_list, check_columns, check_finite, check_frame

__all__ = ["ImageSource", "ImageSubject", "is_image_data", "MSG_CHANNEL_LAST", "MSG_IMAGE_SHAPE",
           "MSG_MIXED_SIZES", "MSG_NAN_PIXELS", "MSG_METADATA_ROWS", "MSG_MISSING_FILE", "MSG_NO_PATH_COLUMN",
           "MSG_CLASS_COUNT", "MSG_NO_MODEL", "MSG_UNREADABLE_IMAGE", "MSG_BAD_ITEM"]

_CHANNELS = (1, 3, 4)
DEFAULT_IMAGE_BATCH = 256


def is_image_data(data: Any) -> bool:
    """Whether ``data`` is images (an array of 3 or 4 dimensions, a torch tensor or Dataset), not a table."""
    if isinstance(data, np.ndarray):
        return data.ndim in (3, 4)
    module = type(data).__module__
    if module.startswith("torch"):
        return True
    import sys

    if "torch" not in sys.modules:  # a torch Dataset means torch is imported already: never import it to ask
        return False
    from torch.utils.data import Dataset

    return isinstance(data, Dataset)


class ImageSource:
    """Images as batches of float32 ``(n, C, H, W)`` tensors, read in order, validated as they go.

    ``images``: a numpy array or torch tensor ``(N, C, H, W)`` or ``(N, H, W)`` (uint8 is scaled to
    [0, 1], as torchvision's ``ToTensor`` does; floats are taken as they are), a torch ``Dataset``
    (item -> image or (image, label)), or a folder with ``paths`` relative to it (read with Pillow).
    """

    def __init__(self, images: Any, *, paths: Sequence[str] | None = None, path_column: str | None = None) -> None:
        self.kind: str
        self._array: Any = None
        self._dataset: Any = None
        self._root: Path | None = None
        self._paths: list[str] | None = None
        self._path_column = path_column
        self.labels: np.ndarray | None = None
        if isinstance(images, (str, os.PathLike)):
            root = Path(images)
            if not root.is_dir():
                raise UsageError(MSG_IMAGES_NOT_FOLDER.format(path=str(root)))
            if paths is None:
                raise UsageError(MSG_NO_PATH_COLUMN.format(path=root))
            self.kind, self._root, self._paths = "folder", root, [str(p) for p in paths]
            self.n = len(self._paths)
            self.shape = None
        elif isinstance(images, np.ndarray) or type(images).__module__.startswith("torch") and hasattr(images, "shape"):
            self.kind = "array"
            self._array = images
            self.shape = _item_shape(tuple(int(s) for s in images.shape))
            self.n = int(images.shape[0])
        elif hasattr(images, "__getitem__") and hasattr(images, "__len__"):
            self.kind, self._dataset, self.n = "dataset", images, len(images)
            self.shape = None
        else:
            raise UsageError(MSG_IMAGES_TYPE.format(got=type(images).__name__))

    def describe(self) -> dict[str, Any]:
        return {"source": self.kind, "n_images": int(self.n), "shape": None if self.shape is None else list(self.shape)}

    def batches(self, batch_size: int = DEFAULT_IMAGE_BATCH) -> Iterator[tuple[int, Any]]:
        """``(start, tensor)`` for consecutive images ``start .. start + len(tensor) - 1``."""
        import torch

        for start in range(0, self.n, int(batch_size)):
            stop = min(self.n, start + int(batch_size))
            if self.kind == "array":
                part = self._array[start:stop]
                x = part.detach().cpu() if isinstance(part, torch.Tensor) else torch.from_numpy(np.array(part))
            else:
                x = torch.from_numpy(np.stack([self._read(i) for i in range(start, stop)]))
            x = _as_float(x)
            if x.ndim == 3:
                x = x[:, None]
            if self.shape is None:
                self.shape = tuple(int(s) for s in x.shape[1:])
            elif tuple(x.shape[1:]) != tuple(self.shape):  # (a Dataset's or folder's items are checked one by one)
                raise UsageError(MSG_MIXED_SIZES.format(where=self._where(start), got=tuple(x.shape[1:]),
                                                        first_where=self._where(0), expected=tuple(self.shape)))
            bad = ~torch.isfinite(x)
            if bool(bad.any()):
                per_image = bad.reshape(len(x), -1).sum(1)
                first = int(torch.nonzero(per_image)[0, 0])
                raise DataError(MSG_NAN_PIXELS.format(where=self._where(start + first), count=int(per_image[first])))
            yield start, x

    def _where(self, index: int) -> str:
        if self.kind == "folder" and self._paths is not None:
            return f"{index:,} ({self._paths[index]!r})"
        return f"{index:,}"

    def _read(self, index: int) -> np.ndarray:
        if self.kind == "dataset":
            item = self._dataset[index]
            if isinstance(item, (tuple, list)):
                item = item[0]
            if hasattr(item, "detach"):
                arr = item.detach().cpu().numpy()
            elif isinstance(item, np.ndarray):
                arr = item
            elif type(item).__module__.startswith("PIL"):
                arr = _pil_array(item)
            else:
                raise UsageError(MSG_BAD_ITEM.format(index=index, type=type(item).__name__))
        else:
            arr = self._read_file(index)
        arr = arr[None] if arr.ndim == 2 else arr
        if arr.ndim != 3:
            raise UsageError(MSG_IMAGE_SHAPE.format(shape=(self.n, *arr.shape)))
        shape = tuple(int(s) for s in arr.shape)
        if self.shape is None:
            self._first = shape
            self.shape = shape
        elif shape != tuple(self.shape):
            raise UsageError(MSG_MIXED_SIZES.format(where=self._where(index), got=shape, first_where=self._where(0),
                                                    expected=tuple(self.shape)))
        return arr

    def _read_file(self, index: int) -> np.ndarray:
        try:
            from PIL import Image
        except ImportError:
            raise UsageError(MSG_NO_PIL) from None
        assert self._root is not None and self._paths is not None  # noqa: S101 - internal invariant
        path = self._root / self._paths[index]
        if not path.is_file():
            raise UsageError(MSG_MISSING_FILE.format(path=path, row=index, column=self._path_column))
        try:
            with Image.open(path) as img:
                return _pil_array(img)
        except (OSError, ValueError) as exc:
            raise UsageError(MSG_UNREADABLE_IMAGE.format(path=path, row=index,
                                                         reason=(str(exc).splitlines() or [""])[0][:200])) from None

    def dataset_labels(self) -> np.ndarray | None:
        """The labels a Dataset's items carry (item -> (image, label)), read once; None otherwise."""
        if self.kind != "dataset" or self.n == 0:
            return None
        if not isinstance(self._dataset[0], (tuple, list)):
            return None
        out = []
        for i in range(self.n):
            label = self._dataset[i][1]
            out.append(label.item() if hasattr(label, "item") else label)
        return np.asarray(out)


def _pil_array(img: Any) -> np.ndarray:
    mode = img.mode
    if mode not in ("L", "RGB", "RGBA"):
        img = img.convert("RGB")
    arr = np.asarray(img)
    return arr if arr.ndim == 2 else np.ascontiguousarray(arr.transpose(2, 0, 1))


def _as_float(x: Any) -> Any:
    import torch

    if x.dtype == torch.uint8:
        return x.to(torch.float32) / 255.0
    if not torch.is_floating_point(x):
        return x.to(torch.float32)
    return x.to(torch.float32)


def _item_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    if len(shape) == 3:
        return (1, shape[1], shape[2])
    if len(shape) != 4:
        raise UsageError(MSG_IMAGE_SHAPE.format(shape=shape))
    if shape[1] not in _CHANNELS and shape[3] in _CHANNELS:
        raise UsageError(MSG_CHANNEL_LAST.format(shape=shape, channels=shape[3]))
    return shape[1:]


class ImageSubject(AuditSubject):
    """What is audited when the inputs are images: a model, the images, and one metadata row per image.

    ``metadata`` holds the target, the sensitive features and any ids; its row ``i`` describes
    image ``i``. Predictions (and, for a classifier, class probabilities) are computed once, in
    batches of ``batch_size`` images. ``path_column`` names the metadata column of file paths
    when ``images`` is a folder.
    """

    modality = "image"

    def __init__(self, images: Any, *, model: Any, metadata: Any = None, target: str | None = None,
                 sensitive_features: str | Sequence[str] | None = None, path_column: str | None = None,
                 quasi_identifiers: str | Sequence[str] | None = None, task: str | None = None,
                 name: str | None = None, random_state: int = 0, pos_label: Any = None,
                 sample_weight: str | None = None, batch_size: int = DEFAULT_IMAGE_BATCH,
                 train_images: Any = None, train_metadata: Any = None) -> None:
        if task is not None and task not in TASKS:
            raise UsageError(MSG_BAD_TASK.format(tasks=list(TASKS), task=task))
        self.name = name
        self.random_state = int(random_state)
        adapted = as_model(model)
        if adapted is None:
            raise UsageError(MSG_NO_MODEL)
        self.model: Model = adapted  # an image subject always has one
        self.batch_rows = int(batch_size)
        self._loaded: dict[str, Any] = {}
        frame = check_frame(metadata) if metadata is not None else None
        paths = None
        if path_column is not None:
            if frame is None:
                raise UsageError(MSG_NO_PATH_COLUMN.format(path=images))
            check_columns(frame, [path_column], "path_column")
            paths = [str(p) for p in frame[path_column]]
        self.images = ImageSource(images, paths=paths, path_column=path_column)
        labels = self.images.dataset_labels()
        if frame is None:
            frame = pd.DataFrame(index=range(self.images.n))
        if len(frame) != self.images.n:
            raise UsageError(MSG_METADATA_ROWS.format(rows=len(frame), images=self.images.n))
        if labels is not None and target is not None and target not in frame.columns:
            frame = frame.assign(**{target: labels})  # the Dataset's own labels
        self.target = check_columns(frame, as_column_list(target, "target"), "target")[0] if target else None
        self.score_column = None
        self.prediction_column = None
        self.sample_weight_column = (check_columns(frame, as_column_list(sample_weight, "sample_weight"),
                                                   "sample_weight")[0] if sample_weight else None)
        self.sensitive_features = check_columns(frame, as_column_list(sensitive_features, "sensitive_features"),
                                                "sensitive_features")
        self.quasi_identifiers = check_columns(frame, as_column_list(quasi_identifiers, "quasi_identifiers"),
                                               "quasi_identifiers")
        self.features: tuple[str, ...] = ()
        self.path_column = path_column
        self._hold(frame)  # the metadata is the Table every question is asked of, as for a table subject
        self._check_role_types()
        self.pseudonymised: dict[str, str] = {}
        self._label_pseudonyms: dict[Any, str] = {}
        self.pseudonymised_pii: tuple[Any, ...] = ()
        frame = self._pseudonymise(frame, random_state)
        self._hold(frame)
        self.train_data = None
        self._pos_label_given = pos_label if pos_label is not None else self.model.pos_label
        self._loaded["y_true"] = check_finite(frame[self.target], self.target, "target") if self.target else None
        self._predict_images(task)
        self.classes, self.pos_label = self._resolve_labels()
        #: The training images as a subject of their own (the same model and roles), for membership inference.
        self.train_subject: ImageSubject | None = None
        if train_images is not None:
            self.train_subject = ImageSubject(train_images, model=self.model, metadata=train_metadata, target=target,
                                              sensitive_features=sensitive_features, task=self.task,
                                              random_state=random_state, pos_label=pos_label,
                                              batch_size=batch_size)

    def _predict_images(self, task: str | None) -> None:
        """One pass over the images: raw outputs -> task, predictions, probabilities (and binary scores)."""
        outs = [self.forward(x) for _, x in self.images.batches(self.batch_rows)]
        out = np.concatenate(outs) if outs else np.zeros((0, 1))
        width = 1 if out.ndim == 1 else int(out.shape[1])
        declared = task or self.model.declared_task()
        self.task = declared or ("multiclass" if width >= 3 else "binary" if width == 2 else
                                 ("binary" if self.target is None or len(np.unique(self._loaded["y_true"])) <= 2
                                  else "regression"))
        self._check_class_count(width)
        if self.task in ("binary", "multiclass"):
            proba = self.model.proba_of(out)
            self._loaded["proba"] = proba
            index = (proba[:, 1] >= 0.5) if proba.shape[1] == 2 else proba.argmax(axis=1)
            self._loaded["y_pred"] = self.model.labels_of(index.astype(np.int64), 1 if out.ndim == 1 else width)
            self._loaded["y_score"] = (self.model.score_from_proba(proba, self._score_pos_label())
                                       if self.task == "binary" else None)
        else:
            self._loaded["y_pred"] = self.model.decode(out, self.task)
            self._loaded["y_score"] = None

    def forward(self, x: Any) -> np.ndarray:
        """The model's raw output for one batch of images (float64; one column per class, or one)."""
        return self.model.forward_tensor(x)

    def proba(self, x: Any) -> np.ndarray:
        """Class probabilities ``(n, k)`` for one batch of images (a classifier's)."""
        return self.model.proba_of(self.forward(x))

    def _check_class_count(self, width: int) -> None:
        if self.task not in ("binary", "multiclass"):
            return
        given = self.model.classes
        if given is not None and width > 1 and len(given) != width:
            raise UsageError(MSG_CLASS_COUNT.format(width=width, what=f"audit.Model was given {len(given)} classes"))
        if self.task == "multiclass" and width < 3:
            raise UsageError(MSG_CLASS_COUNT.format(width=width, what="the task is multiclass"))
        y = self._loaded.get("y_true")
        if y is None or given is not None:
            return
        labels = pd.unique(np.asarray(y))
        numeric = [int(v) for v in labels if isinstance(v, (int, np.integer)) and not isinstance(v, bool)]
        if len(numeric) == len(labels) and numeric and (min(numeric) < 0 or max(numeric) >= max(width, 2)):
            raise UsageError(MSG_CLASS_COUNT.format(
                width=width, what=f"the target {self.target!r} has labels from {min(numeric)} to {max(numeric)} "
                                  f"({max(numeric) + 1} classes)"))
        if len(labels) > max(width, 2):
            raise UsageError(MSG_CLASS_COUNT.format(
                width=width, what=f"the target {self.target!r} has {len(labels)} distinct labels"))

    def image_rows(self, positions: Sequence[int] | np.ndarray) -> Any:
        """The images at 0-based ``positions`` (sorted, unique) as one float32 tensor, read batch by batch."""
        import torch

        wanted = np.unique(np.asarray(positions, dtype=np.int64))
        parts = []
        for start, x in self.images.batches(self.batch_rows):
            inside = wanted[(wanted >= start) & (wanted < start + len(x))]
            if len(inside):
                parts.append(x[torch.from_numpy(inside - start)])
        return torch.cat(parts) if parts else torch.zeros((0, *(self.images.shape or (1, 1, 1))))

    @property
    def n_rows(self) -> int:
        return int(self.images.n)

    @property
    def class_probabilities(self) -> np.ndarray | None:
        """``(n, k)`` class probabilities of every image, in the model's class order (classifiers)."""
        return self._loaded.get("proba")

    def has(self, requirement: str) -> bool:
        from .._base import Requirement

        if Requirement(requirement) is Requirement.TRAIN_DATA:
            return self.train_subject is not None
        return super().has(requirement)

    def fingerprint(self) -> str:
        """sha256 over the metadata's fingerprint and the images' bytes, batch by batch."""
        import hashlib

        h = hashlib.sha256(super().fingerprint().encode())
        for _, x in self.images.batches(self.batch_rows):
            h.update(x.numpy().tobytes())
        return "sha256:" + h.hexdigest()

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["images"] = self.images.describe()
        if self.train_subject is not None:
            out["n_train_rows"] = int(self.train_subject.n_rows)
        if self.path_column is not None:
            out["images"]["path_column"] = self.path_column
        return out

    def __repr__(self) -> str:
        return (f"ImageSubject(name={self.name!r}, n_images={self.n_rows}, task={self.task!r}, "
                f"target={self.target!r}, sensitive_features={list(self.sensitive_features)!r})")
