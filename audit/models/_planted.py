"""Planted defects: deterministic edits of a reference dataset that give a variant a known flaw.

A variant's recipe carries a ``planted`` entry (``kind`` plus its parameters and a seed);
:func:`plant` applies it to the clean :class:`Dataset` before preprocessing, so the
variant is trained exactly like the clean networks, only on edited data. Every edit uses
its own seeded numpy generator and depends only on the row order of the clean split, so
retraining gives byte-identical weights.

Kinds:

``label_bias``
    Historical bias written into the training labels: in the favoured group of
    ``attribute`` each negative label turns positive with probability ``flip_up``; in the
    other groups each positive label turns negative with probability ``flip_down``. The
    test split keeps its true labels, so the card's metrics show the harm. With ``via``
    the bias follows that column instead of ``attribute`` (used by ``proxy``).
``proxy``
    Adds a synthetic categorical column ``column`` that agrees with ``attribute`` for a
    share ``agreement`` of the rows (values ``"segment_a"`` for the favoured group,
    ``"segment_b"`` otherwise, swapped for the rest), removes ``attribute`` from the
    model's inputs, then applies ``label_bias`` through the new column. The model never
    sees the attribute, only its proxy.
``identifier``
    Adds an identifier column ``column`` (a distinct code per record, like an applicant
    number) and makes it a categorical model input, so the network can memorise its
    training rows by identifier; combined with many epochs and no weight decay in the
    recipe, the model overfits and leaks membership.
``fragile_group``
    Makes one group's outcomes hinge on a single sparse input: a numeric column ``column``
    is ``value`` for a share ``share`` of the ``group`` rows of ``attribute`` whose label
    is positive and 0 elsewhere, and, in both splits, the labels of that group become
    exactly that flag. The rest of the rows keep their true labels and real features. The
    network's path for the group runs through one rarely active input, which magnitude
    pruning cuts first: the compressed network's group gap widens (docs/validity.md gives
    the measured figures).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import UsageError
from ._datasets import Dataset
from ._messages import MSG_UNKNOWN_PLANTED

__all__ = ["PLANTED_KINDS", "plant"]

PLANTED_KINDS = ("label_bias", "proxy", "identifier", "fragile_group")


def _favoured_mask(frame: pd.DataFrame, column: str, favoured: str) -> np.ndarray:
    return (frame[column].astype(object).astype(str) == favoured).to_numpy()


def _biased_labels(frame: pd.DataFrame, target: str, favoured: np.ndarray, flip_up: float,
                   flip_down: float, rng: np.random.Generator) -> pd.Series:
    y = frame[target].to_numpy().astype(np.int64)
    u = rng.random(len(y))
    up = favoured & (y == 0) & (u < flip_up)
    down = ~favoured & (y == 1) & (u < flip_down)
    out = np.where(up, 1, np.where(down, 0, y)).astype(np.int64)
    return pd.Series(out, index=frame.index, name=target)


def _label_bias(ds: Dataset, p: dict[str, Any], rng: np.random.Generator) -> Dataset:
    train = ds.train.copy()
    via = p.get("via", p["attribute"])
    favoured = _favoured_mask(train, via, p["favoured"])
    train[ds.target] = _biased_labels(train, ds.target, favoured, float(p["flip_up"]),
                                      float(p["flip_down"]), rng)
    return dataclasses.replace(ds, train=train)


def _proxy_column(frame: pd.DataFrame, p: dict[str, Any], rng: np.random.Generator) -> pd.Series:
    favoured = _favoured_mask(frame, p["attribute"], p["favoured"])
    agree = rng.random(len(frame)) < float(p["agreement"])
    in_a = np.where(agree, favoured, ~favoured)
    return pd.Series(np.where(in_a, "segment_a", "segment_b").astype(object), index=frame.index,
                     name=p["column"], dtype=object)


def _proxy(ds: Dataset, p: dict[str, Any], rng: np.random.Generator) -> Dataset:
    column, attribute = p["column"], p["attribute"]
    frames = []
    for frame in (ds.train, ds.test):
        frame = frame.copy()
        proxy = _proxy_column(frame, p, rng)
        # The proxy goes first among the columns: it is a categorical input like the others.
        frames.append(pd.concat([proxy, frame], axis=1))
    categorical = (column,) + tuple(c for c in ds.categorical if c != attribute)
    sensitive_inputs = dict(ds.sensitive_inputs)
    sensitive_inputs[attribute] = tuple(c for c in sensitive_inputs.get(attribute, ())
                                        if c != attribute)
    out = dataclasses.replace(ds, train=frames[0], test=frames[1], categorical=categorical,
                              sensitive_inputs=sensitive_inputs)
    return _label_bias(out, {**p, "via": column, "favoured": "segment_a"}, rng)


def _identifier(ds: Dataset, p: dict[str, Any], rng: np.random.Generator) -> Dataset:
    column = p["column"]
    n_train, n_test = len(ds.train), len(ds.test)
    codes = rng.permutation(n_train + n_test) + int(p.get("first_code", 100000))
    prefix = str(p.get("prefix", "APP-"))
    frames = []
    for frame, part in ((ds.train, codes[:n_train]), (ds.test, codes[n_train:])):
        ids = pd.Series([f"{prefix}{c}" for c in part], index=frame.index, name=column, dtype=object)
        frames.append(pd.concat([ids, frame], axis=1))
    return dataclasses.replace(ds, train=frames[0], test=frames[1],
                               categorical=(column,) + ds.categorical)


def _fragile_group(ds: Dataset, p: dict[str, Any], rng: np.random.Generator) -> Dataset:
    column = p["column"]
    frames = []
    for frame in (ds.train, ds.test):
        frame = frame.copy()
        in_group = _favoured_mask(frame, p["attribute"], p["group"])
        y = frame[ds.target].to_numpy().astype(np.int64)
        flag = in_group & (y == 1) & (rng.random(len(frame)) < float(p["share"]))
        frame[ds.target] = np.where(in_group, flag.astype(np.int64), y).astype(np.int64)
        values = pd.Series(np.where(flag, float(p["value"]), 0.0), index=frame.index, name=column)
        frames.append(pd.concat([values, frame], axis=1))
    return dataclasses.replace(ds, train=frames[0], test=frames[1], numeric=(column,) + ds.numeric)


_PLANTERS = {"label_bias": _label_bias, "proxy": _proxy, "identifier": _identifier,
             "fragile_group": _fragile_group}


def plant(dataset: Dataset, planted: dict[str, Any]) -> Dataset:
    """The dataset with the defect ``planted`` describes (see the module doc); a new object."""
    kind = planted.get("kind")
    if kind not in _PLANTERS:
        raise UsageError(MSG_UNKNOWN_PLANTED.format(kind=kind, known=list(PLANTED_KINDS)))
    rng = np.random.default_rng(int(planted.get("seed", 0)))
    out = _PLANTERS[kind](dataset, planted, rng)
    info = dict(out.info, planted_defect=planted.get("description", kind))
    return dataclasses.replace(out, info=info)
