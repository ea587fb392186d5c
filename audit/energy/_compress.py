"""Cheaper variants of a torch model: int8 dynamic quantisation and global magnitude pruning.

A Keras 3 model (on the torch backend) is compressed with Keras' own means: ``quantize("int8")``
on a clone, and global magnitude pruning of its Dense kernels (the smallest |weights| set to 0).

Every variant is built on a deep copy; the audited model is never touched. Pruning is
global unstructured L1 over all ``nn.Linear`` weights (``torch.nn.utils.prune``), then made
permanent with ``prune.remove``. Quantisation is ``torch.ao.quantization.quantize_dynamic``
on ``nn.Linear`` to int8. A model that cannot be compressed one way (no Linear layer, no
quantisation engine) gets a note and that variant is skipped.

Unstructured pruning leaves tensors dense: FLOPs, file size and (with dense kernels) speed
do not change. The cost model therefore calls a pruned variant's saving *theoretical*
(non-zero weights only, as sparse kernels would run it).
"""
from __future__ import annotations

import copy
import dataclasses
import warnings
from typing import Any

__all__ = ["Variant", "build_variants", "linear_density", "VARIANT_LABELS"]

VARIANT_LABELS = {
    "original": "original (fp32)",
    "int8_dynamic": "int8 dynamic quantisation (Linear)",
}


@dataclasses.dataclass
class Variant:
    """A compressed copy of the module, or the reason it could not be built."""

    name: str
    module: Any | None
    density: float = 1.0          # fraction of non-zero Linear weights
    cost_ratio: float = 1.0       # theoretical cost relative to the original
    basis: str = "as counted"     # how cost_ratio was obtained
    note: str | None = None


def _linears(module: Any) -> list[Any]:
    import torch

    return [m for m in module.modules() if isinstance(m, torch.nn.Linear)]


def _weighted(module: Any) -> list[Any]:
    """The layers magnitude pruning thins: Linear and convolution layers (a CNN's FLOPs are in its convolutions)."""
    import torch

    kinds = (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)
    return [m for m in module.modules() if isinstance(m, kinds)]


def linear_density(module: Any) -> float:
    """Share of non-zero weights over all Linear and convolution layers (1.0 without such layers)."""
    layers = _weighted(module)
    total = sum(m.weight.numel() for m in layers)
    return 1.0 if total == 0 else float(sum(int((m.weight != 0).sum()) for m in layers) / total)


def _quantised(module: Any, int8_ratio: float, int8_source: str) -> Variant:
    import torch

    if not _linears(module):
        return Variant("int8_dynamic", None, note="no nn.Linear layer to quantise; int8 variant skipped.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice
            q = torch.ao.quantization.quantize_dynamic(copy.deepcopy(module).eval(), {torch.nn.Linear},
                                                       dtype=torch.qint8)
    except Exception as exc:  # no engine, unsupported layer, a module that cannot be copied
        return Variant("int8_dynamic", None,
                       note=f"int8 dynamic quantisation failed ({type(exc).__name__}); variant skipped.")
    return Variant("int8_dynamic", q, 1.0, int8_ratio, f"theoretical: {int8_source}")


def _pruned(module: Any, amount: float) -> Variant:
    import torch
    from torch.nn.utils import prune

    name = f"pruned_{round(amount * 100)}"
    if not _linears(module):
        return Variant(name, None, note="no nn.Linear layer to prune; pruned variant skipped.")
    try:
        copied = copy.deepcopy(module).eval()
        params = [(m, "weight") for m in _weighted(copied)]
        with torch.no_grad():
            prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=amount)
            for m, p in params:
                prune.remove(m, p)
    except Exception as exc:
        return Variant(name, None, note=f"magnitude pruning to {amount:.0%} failed ({type(exc).__name__}); "
                                        "variant skipped.")
    density = linear_density(copied)
    return Variant(name, copied, density, density,
                   "theoretical: non-zero Linear and convolution weights only; dense kernels run the zeros too")



def _keras_clone(model: Any) -> Any:
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def _keras_kernels(model: Any) -> list[Any]:
    return [layer.kernel for layer in model.layers if type(layer).__name__ == "Dense" and hasattr(layer, "kernel")]


def keras_density(model: Any) -> float:
    """Share of non-zero Dense kernel weights of a Keras model (1.0 without Dense layers)."""
    import numpy as np

    kernels = [np.asarray(k.numpy()) for k in _keras_kernels(model)]
    total = sum(k.size for k in kernels)
    return 1.0 if total == 0 else float(sum(int(np.count_nonzero(k)) for k in kernels) / total)


def _keras_quantised(model: Any, int8_ratio: float, int8_source: str) -> Variant:
    if not _keras_kernels(model):
        return Variant("int8_dynamic", None, note="no Dense layer to quantise; int8 variant skipped.")
    try:
        q = _keras_clone(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Layer InputLayer does not have a `quantize` method"
            q.quantize("int8")
    except Exception as exc:  # a layer Keras cannot quantise, a model that cannot be cloned
        return Variant("int8_dynamic", None, note=f"Keras int8 quantisation failed ({type(exc).__name__}); "
                                                  "variant skipped.")
    return Variant("int8_dynamic", q, 1.0, int8_ratio, f"theoretical: {int8_source}")


def _keras_pruned(model: Any, amount: float) -> Variant:
    import numpy as np

    name = f"pruned_{round(amount * 100)}"
    if not _keras_kernels(model):
        return Variant(name, None, note="no Dense layer to prune; pruned variant skipped.")
    try:
        copied = _keras_clone(model)
        kernels = _keras_kernels(copied)
        values = np.concatenate([np.abs(np.asarray(k.numpy())).ravel() for k in kernels])
        k = int(round(amount * values.size))
        if k:
            threshold = np.partition(values, k - 1)[k - 1]
            for kernel in kernels:
                w = np.asarray(kernel.numpy())
                kernel.assign(np.where(np.abs(w) <= threshold, 0.0, w).astype(w.dtype))
    except Exception as exc:
        return Variant(name, None, note=f"magnitude pruning to {amount:.0%} failed ({type(exc).__name__}); "
                                        "variant skipped.")
    density = keras_density(copied)
    return Variant(name, copied, density, density,
                   "theoretical: non-zero Dense weights only; dense kernels run the zeros too")


def build_variants(module: Any, prune_amounts: tuple[float, ...], quantise: bool, int8_ratio: float,
                   int8_source: str) -> list[Variant]:
    """Original first, then the int8 variant (if asked) and one pruned variant per amount."""
    from ..subject import is_keras

    out = [Variant("original", module)]
    if is_keras(module):
        if quantise:
            out.append(_keras_quantised(module, int8_ratio, int8_source))
        out.extend(_keras_pruned(module, a) for a in prune_amounts)
        return out
    if quantise:
        out.append(_quantised(module, int8_ratio, int8_source))
    out.extend(_pruned(module, a) for a in prune_amounts)
    return out
