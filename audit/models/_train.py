"""Deterministic training of the reference networks, and writing their folders atomically.

Determinism: the caller's torch RNG state is forked (so training neither depends on nor
disturbs it), ``torch.manual_seed(seed)`` seeds the initialisation, a dedicated
``torch.Generator`` drives the shuffling, ``torch.use_deterministic_algorithms(True)`` is
on and torch runs on one CPU thread; the previous settings are restored afterwards.
No numpy randomness is used in training (the data splits use their own seeded numpy
generator). Rerunning on the same machine and library versions gives byte-identical
weights.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .._exceptions import UsageError
from ..energy._tracker import Tracker, track
from ._messages import MSG_OPTIMISER, MSG_TRAIN_UNKNOWN
from ._network import build_from_recipe, parameter_count
from ._preprocess import TabularPreprocessor
from ._recipes import ALL_NETWORKS, REFERENCE_NETWORKS, recipe_for
from ._reference import ReferenceNetwork, dataset_for_recipe, load_reference, resolve_models_dir

__all__ = ["fit_network", "train", "train_all", "training_energy_record"]

log = logging.getLogger(__name__)


class _Deterministic:
    """Context: one thread, deterministic algorithms, forked RNG; restores on exit."""

    def __enter__(self) -> _Deterministic:
        self._threads = torch.get_num_threads()
        self._det = torch.are_deterministic_algorithms_enabled()
        self._warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
        self._rng = torch.random.fork_rng(devices=[])
        self._rng.__enter__()
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
        return self

    def __exit__(self, *exc: object) -> None:
        torch.use_deterministic_algorithms(self._det, warn_only=self._warn_only)
        torch.set_num_threads(self._threads)
        self._rng.__exit__(None, None, None)


def fit_network(recipe: dict[str, Any], x: torch.Tensor, y: torch.Tensor,
                sample_weight: torch.Tensor | None = None) -> nn.Module:
    """Train the recipe's network on encoded inputs ``x`` and targets ``y`` (float32).

    Binary targets are 0/1 and trained with BCEWithLogits; regression targets must already
    be standardised and are trained with MSE. With ``sample_weight`` (one a row), each
    batch's loss is the weighted mean (reweighing refits a reference network this way).
    Returns the module in eval mode.
    """
    with _Deterministic():
        seed = int(recipe["seed"])
        torch.manual_seed(seed)
        module = build_from_recipe(recipe["architecture"], x.shape[1])
        opt_spec = recipe["optimiser"]
        if opt_spec.get("name") != "Adam":
            raise UsageError(MSG_OPTIMISER.format(got=opt_spec.get('name')))
        optimiser = torch.optim.Adam(module.parameters(), lr=float(opt_spec["lr"]),
                                     weight_decay=float(opt_spec.get("weight_decay", 0.0)))
        reduction = "mean" if sample_weight is None else "none"
        loss_fn: nn.Module = nn.MSELoss(reduction=reduction) if recipe["task"] == "regression" \
            else nn.BCEWithLogitsLoss(reduction=reduction)
        generator = torch.Generator().manual_seed(seed)
        batch = int(recipe["batch_size"])
        n = x.shape[0]
        y = y.reshape(-1, 1)
        module.train()
        for epoch in range(int(recipe["epochs"])):
            order = torch.randperm(n, generator=generator)
            total = 0.0
            for start in range(0, n, batch):
                idx = order[start:start + batch]
                optimiser.zero_grad(set_to_none=True)
                loss = loss_fn(module(x[idx]), y[idx])
                if sample_weight is not None:
                    w = sample_weight[idx].reshape(-1, 1)
                    loss = (loss * w).sum() / w.sum().clamp_min(1e-12)
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * len(idx)
            log.debug("%s epoch %d loss %.5f", recipe["name"], epoch + 1, total / n)
        return module.eval()


def training_energy_record(energy: Tracker) -> dict[str, Any]:
    """What the model card records of training's energy (machine-dependent, like training_seconds).

    Energy is before PUE (the card describes the computer, not the building); CO2e is left
    to the reader's grid: the energy auditor applies its own PUE and country.
    """
    figures = energy.to_dict()
    constants = figures["constants"]
    return {
        "method": figures["method"],
        "energy_joules": round(figures["energy_kwh"] * 3.6e6, 3),  # the card rounds to 6 decimals
        "cpu_seconds": round(figures["cpu_seconds"], 3),
        "cpu_model": constants["cpu_watts_per_core"]["cpu_model"],
        "cpu_watts_per_core": constants["cpu_watts_per_core"]["value"],
        "memory_gb": round(figures["memory_gb"], 3),
        "memory_watts_per_gb": constants["memory_watts_per_gb"]["value"],
        "pue": 1.0,
        "recorded_with": "audit.energy.track",
        "note": "machine-dependent, like training_seconds: "
                + ("RAPL counters (whole CPU package)" if figures["method"] == "measured" else
                   "estimated from this process's CPU time x rated W per core + resident memory x W/GB"),
    }


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _replace_dir(tmp: Path, final: Path) -> None:
    """Move ``tmp`` to ``final``, replacing an existing folder with as short a gap as possible."""
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        os.replace(final, old / final.name)
        try:
            os.replace(tmp, final)
        except OSError:
            os.replace(old / final.name, final)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)


def training_tensors(recipe: Mapping[str, Any]) -> tuple[Any, TabularPreprocessor, torch.Tensor, torch.Tensor]:
    """(dataset, preprocessor fitted on the training split, inputs, targets) of a recipe.

    The one place that turns a recipe into what ``fit_network`` trains on, so the energy
    benchmark times exactly the training workload.
    """
    dataset = dataset_for_recipe(recipe)
    train_frame = dataset.train
    regression = dataset.task == "regression"
    preprocessor = TabularPreprocessor(dataset.categorical, dataset.numeric)
    preprocessor.fit(train_frame, train_frame[dataset.target] if regression else None)
    x = torch.from_numpy(preprocessor.transform(train_frame))
    y_raw = train_frame[dataset.target].to_numpy()
    y = torch.tensor(preprocessor.scale_target(y_raw) if regression else y_raw, dtype=torch.float32)
    return dataset, preprocessor, x, y


def train(name: str, models_dir: str | os.PathLike[str] | None = None) -> ReferenceNetwork:
    """Train reference network ``name`` into ``models_dir/name/`` and return it loaded.

    The folder is written to a temporary sibling first and then moved into place, so a
    crash never leaves a half-written folder behind.
    """
    from ._card import build_card, card_markdown, card_metrics  # fairlearn: slow import

    recipe = recipe_for(name)
    root = resolve_models_dir(models_dir)
    root.mkdir(parents=True, exist_ok=True)
    dataset, preprocessor, x, y = training_tensors(recipe)

    started = time.perf_counter()
    with track(pue=1.0, nvml=False) as energy:
        module = fit_network(recipe, x, y)
    seconds = time.perf_counter() - started

    network = ReferenceNetwork(name, module, dataset, preprocessor, recipe, {})
    test = dataset.test
    y_true = test[dataset.target].to_numpy()
    y_pred = network.predict(test)
    y_score = None if dataset.task == "regression" else network.predict_proba(test)[:, 1]
    metrics = card_metrics(dataset, y_true, y_pred, y_score)
    card = build_card(recipe, dataset, preprocessor, parameter_count(module), metrics, seconds,
                      training_energy=training_energy_record(energy))

    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=root))
    try:
        _write_json(tmp / "recipe.json", recipe)
        preprocessor.save(tmp / "preprocessor.json")
        torch.save({k: v.detach().clone() for k, v in module.state_dict().items()},
                   tmp / "weights.pt")
        _write_json(tmp / "card.json", card)
        (tmp / "card.md").write_text(card_markdown(card), encoding="utf-8")
        os.chmod(tmp, 0o755)  # noqa: S103 - a model folder others read, like any installed package data
        _replace_dir(tmp, root / name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log.info("trained %s in %.1f s into %s", name, seconds, root / name)
    return load_reference(root / name)


def train_all(names: Iterable[str] | None = None,
              models_dir: str | os.PathLike[str] | None = None,
              progress: Callable[[str], None] | None = None) -> dict[str, ReferenceNetwork]:
    """Train several networks: the four clean references by default, planted-defect variants when named.

    ``progress(step)`` is told each.
    """
    selected = list(REFERENCE_NETWORKS) if names is None else list(names)
    unknown = [n for n in selected if n not in ALL_NETWORKS]
    if unknown:
        raise UsageError(MSG_TRAIN_UNKNOWN.format(unknown=unknown, known=list(ALL_NETWORKS)))
    out: dict[str, ReferenceNetwork] = {}
    for i, name in enumerate(selected, 1):
        if progress is not None:
            progress(f"training {name} ({i}/{len(selected)})")
        out[name] = train(name, models_dir)
    if progress is not None:
        progress(f"trained {len(out)} reference network(s)")
    return out
