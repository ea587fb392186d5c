"""Fashion-MNIST (a vendored subset) and the synthetic group attribute of the image references.

No face dataset with demographic labels can be shipped or downloaded here, so the image
reference networks audit a *synthetic stand-in* for a demographic attribute: each
Fashion-MNIST garment is rendered in one of two appearances, group ``A`` (a light garment on
a warm background) or group ``B`` (a dark-blue garment on a pale background, lower contrast),
the way skin tone or lighting changes a photograph and not who is in it. The group changes
the appearance, never the class; the rendering is an exact affine map per channel, so
:func:`swap` turns an image of one group into the same garment in the other group, which is
the counterfactual the ``counterfactual`` auditor asks for.
"""
from __future__ import annotations

import gzip
import struct
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .._exceptions import UsageError
from ._datasets import verified_bytes
from ._image_recipes import GROUPS
from ._messages import (
    MSG_FASHION_SPLIT,
    MSG_GROUP_DRAW,
    MSG_SWAP_GROUP,
)

__all__ = ["CLASSES", "GROUPS", "load_fashion", "render", "swap", "garment_mask", "draw_groups", "MSG_SWAP_GROUP"]

#: Fashion-MNIST's ten classes, in label order (Xiao, Rasul & Vollgraf 2017).
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Ankle boot")


def _idx(relpath: str, data_dir: Path | None, images: bool) -> np.ndarray:
    raw = gzip.decompress(verified_bytes(relpath, data_dir))
    if images:
        _, n, rows, cols = struct.unpack(">IIII", raw[:16])
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, rows, cols)
    return np.frombuffer(raw, np.uint8, offset=8).astype(np.int64)


@lru_cache(maxsize=2)
def _cached(data_dir: str | None) -> dict[str, Any]:
    root = None if data_dir is None else Path(data_dir)
    out = {}
    for split in ("train", "test"):
        out[split] = (_idx(f"fashion-mnist/{split}-images-idx3-ubyte.gz", root, True),
                      _idx(f"fashion-mnist/{split}-labels-idx1-ubyte.gz", root, False))
    return out


def load_fashion(split: str, data_dir: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)`` of the vendored subset: uint8 ``(n, 28, 28)`` (copies) and int64 labels."""
    if split not in ("train", "test"):
        raise UsageError(MSG_FASHION_SPLIT.format(split=split))
    images, labels = _cached(None if data_dir is None else str(data_dir))[split]
    return images.copy(), labels.copy()


def _colours(groups: np.ndarray, key: str) -> np.ndarray:
    table = {g: np.asarray(v[key], dtype=np.float32) for g, v in GROUPS.items()}
    unknown = sorted({str(g) for g in np.unique(groups)} - set(table))
    if unknown:
        raise UsageError(MSG_SWAP_GROUP.format(group=unknown[0], groups=sorted(GROUPS)))
    return np.stack([table[str(g)] for g in groups]) if len(groups) else np.zeros((0, 3), np.float32)


def render(gray: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Grey garments in their groups' appearance.

    ``gray`` is uint8 or [0, 1] floats, ``(n, 28, 28)``; the result float32 ``(n, 3, 28, 28)``.
    """
    x = np.asarray(gray, dtype=np.float32)
    if np.asarray(gray).dtype == np.uint8:
        x = x / 255.0
    groups = np.asarray(groups)
    bg, fg = _colours(groups, "background"), _colours(groups, "foreground")
    return (bg[:, :, None, None] + x[:, None] * (fg - bg)[:, :, None, None]).astype(np.float32)


def swap(batch: Any, from_group: Any, to_group: Any) -> Any:
    """The same garments rendered in ``to_group``'s appearance (exact inverse of :func:`render`).

    Takes and returns what the model takes: a float32 ``(n, 3, 28, 28)`` torch tensor or numpy array.
    """
    import torch

    is_tensor = isinstance(batch, torch.Tensor)
    x = batch.detach().cpu().numpy() if is_tensor else np.asarray(batch, dtype=np.float32)
    n = len(x)
    src = np.full(n, str(from_group), dtype=object)
    dst = np.full(n, str(to_group), dtype=object)
    bg, fg = _colours(src, "background"), _colours(src, "foreground")
    # ink per channel, averaged over the channels (the rendering is affine per channel)
    ink = ((x - bg[:, :, None, None]) / (fg - bg)[:, :, None, None]).mean(axis=1)
    out = render(np.clip(ink, 0.0, 1.0), dst)
    return torch.from_numpy(out) if is_tensor else out


def garment_mask(batch: Any) -> np.ndarray:
    """``(n, H, W)`` booleans: True on the garment, False on the background (either group's background colour)."""
    x = batch.detach().cpu().numpy() if hasattr(batch, "detach") else np.asarray(batch, dtype=np.float32)
    on_background = np.zeros((len(x), *x.shape[2:]), dtype=bool)
    for g in GROUPS.values():
        bg = np.asarray(g["background"], dtype=np.float32)[None, :, None, None]
        on_background |= np.all(np.abs(x - bg) < 1e-3, axis=1)
    return ~on_background


def draw_groups(labels: np.ndarray, kind: str, seed: int, *, minority_share: float = 0.05,
                agreement: float = 0.95) -> np.ndarray:
    """The group of each image, drawn by ``kind``.

    ``balanced`` (A or B with probability 1/2, independent of the class),
    ``underrepresented`` (B with probability ``minority_share``), or ``spurious`` (classes 0-4 are A and
    5-9 are B with probability ``agreement``, the other group otherwise).
    """
    rng = np.random.default_rng(seed)
    n = len(labels)
    if kind == "balanced":
        b = rng.random(n) < 0.5
    elif kind == "underrepresented":
        b = rng.random(n) < float(minority_share)
    elif kind == "spurious":
        major = np.asarray(labels) >= 5
        b = np.where(rng.random(n) < float(agreement), major, ~major)
    else:
        raise UsageError(MSG_GROUP_DRAW.format(kind=kind))
    return np.where(b, "B", "A").astype(object)
