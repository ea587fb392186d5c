"""The recipe search behind the image networks (docs/validity.md, "How the compression row was reached").

Trains the image reference networks with a recipe changed by ``--override`` (JSON merged into
the recipe: ``architecture``, ``optimiser``, ``epochs``, ``seed``, ``groups``; ``appearance``
replaces the two groups' colours) and prints, per network: accuracy by group, the swap flip
rate, and for global magnitude pruning at each ``--prune`` amount the change of the accuracy
gap (A - B) with a 95 % row-bootstrap interval (``--resamples``, seed 0). The same ``_fit``,
``swap`` and ``build_variants`` as the package; nothing is written to ``models/``.

    PYTHONPATH=$PWD python benchmarks/image_recipes.py \\
        --override '{"architecture": {"channels": [12, 24], "hidden": 48}, "optimiser": {"weight_decay": 1e-4}}'
    PYTHONPATH=$PWD python benchmarks/image_recipes.py --quick   # one network, one epoch (smoke run)
"""
from __future__ import annotations

import argparse
import copy
import json
import time

import numpy as np
import torch

from audit.energy._compress import build_variants
from audit.models import _fashion, _image_recipes
from audit.models import _image_nets as nets


def _merge(recipe: dict, override: dict) -> dict:
    out = copy.deepcopy(recipe)
    for key, value in override.items():
        if key == "appearance":
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key].update(value)
        else:
            out[key] = value
    return out


def _gap(correct: np.ndarray, is_b: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    if rows is None:
        return np.asarray(correct[~is_b].mean() - correct[is_b].mean())
    c, b = correct[rows], is_b[rows]
    return (c * ~b).sum(1) / (~b).sum(1) - (c * b).sum(1) / b.sum(1)


def evaluate(name: str, override: dict, prune: tuple[float, ...], resamples: int) -> dict:
    recipe = _merge(_image_recipes._IMAGE[name], override)
    probe = nets.ImageReferenceNetwork(name, nets.build_cnn(recipe["architecture"]), recipe, {})
    x_train, meta_train = probe._split("train")
    started = time.perf_counter()
    module = nets._fit(recipe, torch.from_numpy(x_train),
                       torch.from_numpy(meta_train["label"].to_numpy().astype(np.int64)))
    seconds = time.perf_counter() - started
    x_test, meta_test = probe._split("test")
    y, is_b = meta_test["label"].to_numpy(), meta_test["group"].to_numpy() == "B"
    pred = nets._predict(module, x_test)
    swapped = np.empty_like(x_test)
    swapped[~is_b] = _fashion.swap(x_test[~is_b], "A", "B")
    swapped[is_b] = _fashion.swap(x_test[is_b], "B", "A")
    correct = pred == y
    out = {"network": name, "train_s": round(seconds, 1), "accuracy_A": round(float(correct[~is_b].mean()), 3),
           "accuracy_B": round(float(correct[is_b].mean()), 3),
           "flip_rate": round(float((nets._predict(module, swapped) != pred).mean()), 3)}
    rows = np.random.default_rng(0).integers(0, len(y), (resamples, len(y)))
    for variant in build_variants(module, prune, False, 0.25, "")[1:]:
        after = nets._predict(variant.module, x_test) == y
        change = float(_gap(after, is_b) - _gap(correct, is_b))
        low, high = np.percentile(_gap(after, is_b, rows) - _gap(correct, is_b, rows), [2.5, 97.5])
        out[variant.name] = (f"A {after[~is_b].mean():.3f} B {after[is_b].mean():.3f} "
                             f"gap change {change:+.3f} ({low:+.3f} to {high:+.3f})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--override", default="{}", help="JSON merged into every network's recipe")
    parser.add_argument("--networks", nargs="*", default=list(_image_recipes.IMAGE_NETWORKS))
    parser.add_argument("--prune", type=float, nargs="*", default=[0.5, 0.8, 0.9])
    parser.add_argument("--resamples", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="one network, one epoch, 50 resamples")
    args = parser.parse_args()
    torch.set_num_threads(1)
    override = json.loads(args.override)
    networks = args.networks
    if args.quick:
        override, networks, args.resamples = {**override, "epochs": 1}, networks[:1], 50
    if "appearance" in override:  # the two groups' colours, for every rendering in this process
        _image_recipes.GROUPS.clear()
        _image_recipes.GROUPS.update(override["appearance"])
    for name in networks:
        print(json.dumps(evaluate(name, override, tuple(args.prune), args.resamples)), flush=True)


if __name__ == "__main__":
    main()
