"""Image attribution: per-group heatmaps, region shares and the randomisation check.

The heatmaps are per-group means from Captum GradCAM, IntegratedGradients and Occlusion, with
their difference; the share is of attribution inside a region mask.

Heatmaps illustrate what a model looked at; they do not decide whether it is fair. Adebayo et al.
(2018, 2022) found post-hoc attributions unreliable at detecting a spurious signal, and this project's
own probe agrees: the swap test and the group gaps decide. So the default report shows only the
aggregate heatmap of each group (images of people are personal data); single images only on request.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._exceptions import UsageError
from .._results import Finding, Severity

if TYPE_CHECKING:
    from ..subject import ImageSubject

__all__ = ["IMAGE_METHODS", "image_attribution", "heatmaps", "ssim", "MSG_IMAGE_METHOD", "MSG_NO_CONV",
           "MSG_MASK_SHAPE", "READING"]

IMAGE_METHODS = ("grad_cam", "integrated_gradients", "occlusion")
MSG_IMAGE_METHOD = "image attribution method {method!r} is unknown; expected one of {methods}."
MSG_NO_CONV = ("grad_cam needs a convolution layer (nn.Conv2d) in the model; this one has none. Use "
               "image_methods=[\"integrated_gradients\"] or [\"occlusion\"].")
MSG_MASK_SHAPE = ("region_mask has shape {got}; expected (H, W) = {hw} for every image, or (N, H, W) = {nhw} "
                  "(one mask per image), or a function of an image batch returning (n, H, W) masks.")
READING = ("Heatmaps illustrate where the model looked, averaged over each group; they are not evidence that it "
           "is fair or unfair (Adebayo et al. 2018, 2022). The group gaps and the swap test decide.")
#: Heatmaps stored in report.json and drawn in the report have at most this many cells a side.
MAX_CELLS = 28


def _last_conv(module: Any) -> Any | None:
    import torch

    convs = [m for m in module.modules() if isinstance(m, torch.nn.Conv2d)]
    return convs[-1] if convs else None


def heatmaps(module: Any, x: Any, target: np.ndarray, method: str, *, n_steps: int = 32,
             window: int = 4) -> np.ndarray:
    """``(n, H, W)`` non-negative attribution maps of ``target`` classes for images ``x`` (float32 NCHW)."""
    import torch
    from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, Occlusion

    tgt = torch.as_tensor(np.asarray(target, dtype=np.int64))
    x = x.detach().clone()
    module.eval()
    if method == "grad_cam":
        layer = _last_conv(module)
        if layer is None:
            raise UsageError(MSG_NO_CONV)
        attr = LayerGradCam(module, layer).attribute(x, target=tgt, relu_attributions=True)
        attr = LayerAttribution.interpolate(attr, tuple(x.shape[2:]), interpolate_mode="bilinear")
        maps = attr.detach().sum(1)
    elif method == "integrated_gradients":
        attr = IntegratedGradients(module).attribute(x, baselines=torch.zeros_like(x), target=tgt, n_steps=n_steps,
                                                     internal_batch_size=max(1, len(x)) * 4)
        maps = attr.detach().abs().sum(1)
    elif method == "occlusion":
        c = int(x.shape[1])
        attr = Occlusion(module).attribute(x, sliding_window_shapes=(c, window, window), strides=(c, window, window),
                                           baselines=0.0, target=tgt, perturbations_per_eval=16)
        maps = attr.detach().abs().sum(1)
    else:
        raise UsageError(MSG_IMAGE_METHOD.format(method=method, methods=list(IMAGE_METHODS)))
    out = maps.numpy().astype(np.float64)
    return np.clip(out, 0.0, None)


def _normalised(maps: np.ndarray) -> np.ndarray:
    """Each map scaled to sum to 1 (so every image counts once in a group mean); an all-zero map stays zero."""
    total = maps.reshape(len(maps), -1).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total[:, None, None] > 0, maps / total[:, None, None], 0.0)


def _pooled(m: np.ndarray, cells: int = MAX_CELLS) -> np.ndarray:
    """A map averaged into at most ``cells`` x ``cells`` blocks (what report.json stores and the report draws)."""
    h, w = m.shape
    fh, fw = max(1, math.ceil(h / cells)), max(1, math.ceil(w / cells))
    if fh == 1 and fw == 1:
        return m
    ph, pw = math.ceil(h / fh) * fh, math.ceil(w / fw) * fw
    padded = np.full((ph, pw), np.nan)
    padded[:h, :w] = m
    return np.nanmean(padded.reshape(ph // fh, fh, pw // fw, fw), axis=(1, 3))


def ssim(a: np.ndarray, b: np.ndarray, window: int = 7) -> float:
    """Structural similarity of two maps (each scaled to [0, 1]), with a uniform ``window`` (Wang et al. 2004)."""
    from scipy.ndimage import uniform_filter

    def scaled(m: np.ndarray) -> np.ndarray:
        span = float(m.max() - m.min())
        return (m - m.min()) / span if span > 0 else np.zeros_like(m)

    a, b = scaled(a.astype(np.float64)), scaled(b.astype(np.float64))
    size = min(window, *a.shape)
    mu_a, mu_b = uniform_filter(a, size), uniform_filter(b, size)
    var_a = uniform_filter(a * a, size) - mu_a ** 2
    var_b = uniform_filter(b * b, size) - mu_b ** 2
    cov = uniform_filter(a * b, size) - mu_a * mu_b
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return float(s.mean())


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a.ravel(), b.ravel()).statistic)


def _randomised(module: Any, seed: int) -> Any:
    """A copy of ``module`` with every parameter redrawn (seeded): the model-randomisation test's model."""
    import copy

    import torch

    clone = copy.deepcopy(module)
    gen = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for p in clone.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * (p.std() if p.numel() > 1 else 1.0))
    return clone.eval()


def _mask_for(region_mask: Any, x: Any, positions: np.ndarray, hw: tuple[int, int], n_total: int) -> np.ndarray:
    if callable(region_mask):
        m = np.asarray(region_mask(x), dtype=bool)
    else:
        m = np.asarray(region_mask, dtype=bool)
        if m.shape == hw:
            m = np.broadcast_to(m, (len(positions), *hw))
        elif m.shape == (n_total, *hw):
            m = m[positions]
    if m.shape != (len(positions), *hw):
        raise UsageError(MSG_MASK_SHAPE.format(got=tuple(np.shape(region_mask)) if not callable(region_mask)
                                               else tuple(m.shape), hw=hw, nhw=(n_total, *hw)))
    return m


def _mean_row(metric: str, group: Mapping[str, Any] | None, values: np.ndarray, level: float) -> dict[str, Any]:
    values = values[np.isfinite(values)]
    n = int(len(values))
    row: dict[str, Any] = {"metric": metric, "group": None if group is None else dict(group), "n": n,
                           "value": None, "ci_low": None, "ci_high": None}
    if n == 0:
        return row
    mean = float(values.mean())
    row["value"] = mean
    if n >= 2:
        from scipy.stats import t

        half = float(t.ppf(0.5 + level / 2, n - 1)) * float(values.std(ddof=1)) / math.sqrt(n)
        row["ci_low"], row["ci_high"] = mean - half, mean + half
    return row


def image_attribution(subject: ImageSubject, *, methods: Sequence[str], max_images: int, region_mask: Any,
                      sanity_images: int, sanity_threshold: float, examples: bool, ci: float, n_steps: int,
                      seed: int) -> tuple[list[dict[str, Any]], list[Finding], dict[str, Any]]:
    """(metric rows, findings, details) of the image attribution of ``subject`` (an image subject)."""
    methods = list(dict.fromkeys(methods))
    for m in methods:
        if m not in IMAGE_METHODS:
            raise UsageError(MSG_IMAGE_METHOD.format(method=m, methods=list(IMAGE_METHODS)))
    module = subject.model.torch_module()
    rng = np.random.default_rng(seed)
    n = subject.n_rows
    positions = np.arange(n) if n <= max_images else np.sort(rng.choice(n, size=int(max_images), replace=False))
    x = subject.image_rows(positions)
    target = np.asarray(subject.class_probabilities)[positions].argmax(1) if subject.class_probabilities is not None \
        else np.zeros(len(positions), dtype=np.int64)
    hw = (int(x.shape[2]), int(x.shape[3]))
    sensitive = subject.sensitive_frame.iloc[positions].reset_index(drop=True)
    mask = None if region_mask is None else _mask_for(region_mask, x, positions, hw, n)
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = [Finding(Severity.INFO, "attribution.image_reading", READING)]
    details: dict[str, Any] = {"modality": "image", "methods": methods, "n_images": int(len(positions)),
                               "explained": "the predicted class", "reading": READING, "heatmaps": {},
                               "cells": list(_pooled(np.zeros(hw)).shape)}
    for method in methods:
        maps = _normalised(heatmaps(module, x, target, method, n_steps=n_steps))
        per_method: dict[str, Any] = {"overall": np.round(_pooled(maps.mean(0)), 6).tolist(), "groups": []}
        for feature in subject.sensitive_features:
            values = sensitive[feature].to_numpy()
            levels = [v for v in dict.fromkeys(values.tolist()) if v is not None]
            try:
                levels = sorted(levels)
            except TypeError:
                levels = sorted(levels, key=str)
            means = {}
            for level in levels:
                sel = np.asarray([v == level for v in values], dtype=bool)
                group = {feature: str(level)}
                means[str(level)] = maps[sel].mean(0)
                per_method["groups"].append({"group": group, "n": int(sel.sum()),
                                             "heatmap": np.round(_pooled(means[str(level)]), 6).tolist()})
                if mask is not None:
                    share = (maps[sel] * mask[sel]).reshape(int(sel.sum()), -1).sum(1)
                    rows.append(_mean_row(f"{method}_share_in_region", group, share, ci))
            if len(levels) >= 2:
                first = str(levels[0])
                for level in levels[1:]:
                    diff = means[str(level)] - means[first]
                    per_method.setdefault("differences", []).append(
                        {"group": {feature: str(level)}, "minus": {feature: first},
                         "heatmap": np.round(_pooled(diff), 6).tolist()})
                    rows.append({"metric": f"{method}_group_difference_l1", "group": {feature: str(level)},
                                 "value": float(np.abs(diff).sum()), "n": int(len(values)), "over": [feature],
                                 "label": None})
        if mask is not None:
            share = (maps * mask).reshape(len(maps), -1).sum(1)
            rows.append(_mean_row(f"{method}_share_in_region", None, share, ci))
        if examples:
            per_method["examples"] = [np.round(_pooled(m), 6).tolist() for m in maps[:4]]
        details["heatmaps"][method] = per_method
        k = min(int(sanity_images), len(positions))
        if k:
            rand = _normalised(heatmaps(_randomised(module, seed), x[:k], target[:k], method, n_steps=n_steps))
            rank = np.asarray([_spearman(a, b) for a, b in zip(maps[:k], rand, strict=True)])
            sim = np.asarray([ssim(a, b) for a, b in zip(maps[:k], rand, strict=True)])
            r_row = _mean_row(f"{method}_randomisation_rank_correlation", None, rank, ci)
            s_row = _mean_row(f"{method}_randomisation_ssim", None, sim, ci)
            rows += [r_row, s_row]
            if r_row["value"] is not None and r_row["value"] > float(sanity_threshold):
                findings.append(Finding(Severity.WARNING, "attribution.image_sanity", (
                    f"{method} heatmaps barely change when the model's weights are randomised (mean rank correlation "
                    f"{r_row['value']:.2f} over {k} images, above {float(sanity_threshold):.2f}): they show the input "
                    "more than the model, so do not read them as what the model uses (Adebayo et al. 2018)."),
                    {"method": method, "rank_correlation": r_row["value"], "ssim": s_row["value"], "n": k}))
    return rows, findings, details
