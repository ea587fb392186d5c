"""Shared pieces of the attribution tests: reference subjects, a one-hot toy network."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import torch

import audit
from audit.models import ReferenceNetwork, TabularPreprocessor, load_reference
from audit.models._datasets import Dataset

#: Small settings so the whole directory stays fast; the defaults run in the demo.
QUICK = dict(max_rows=400, n_boot=20, sanity_rows=100, infidelity_rows=100)


@lru_cache(maxsize=None)
def reference(name: str) -> ReferenceNetwork:
    return load_reference(name)


def reference_subject(name: str) -> audit.AuditSubject:
    net = reference(name)
    return audit.AuditSubject(net.test_frame(), model=net, target=net.target,
                              sensitive_features=net.sensitive_features, train_data=net.train_frame(), name=name)


def colour_network(split: bool, seed: int = 0) -> tuple[ReferenceNetwork, pd.DataFrame]:
    """A reference network over one categorical feature ``colour`` and one numeric ``x``.

    With ``split=True`` the category ``b`` is split into ``b1`` and ``b2`` (half its rows each)
    and both new columns get ``b``'s weights: the function of every row is unchanged, only the
    number of one-hot columns of ``colour`` grows.
    """
    rng = np.random.default_rng(seed)
    n = 300
    colour = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    x = rng.normal(size=n)
    y = (x + (colour == "b") * 1.5 > 0.5).astype(int)
    sex = rng.choice(["f", "m"], n)
    if split:
        b_rows = np.flatnonzero(colour == "b")
        colour = colour.astype(object)
        colour[b_rows[: len(b_rows) // 2]] = "b1"
        colour[b_rows[len(b_rows) // 2:]] = "b2"
    frame = pd.DataFrame({"colour": colour, "x": x, "sex": sex, "y": y})
    pre = TabularPreprocessor(["colour"], ["x"]).fit(frame)
    torch.manual_seed(seed)
    base = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 1))
    module = torch.nn.Sequential(torch.nn.Linear(pre.n_encoded, 6), torch.nn.ReLU(), torch.nn.Linear(6, 1))
    with torch.no_grad():
        w = base[0].weight  # columns: colour=a, colour=b, colour=c, x
        cols = [w[:, 0], w[:, 1], w[:, 1], w[:, 2], w[:, 3]] if split else [w[:, i] for i in range(4)]
        module[0].weight.copy_(torch.stack(cols, dim=1))
        module[0].bias.copy_(base[0].bias)
        module[2].load_state_dict(base[2].state_dict())
    dataset = Dataset("colour", "binary", "y", ("sex",), ("colour",), ("x",), frame, frame,
                      sensitive_inputs={"sex": ()})
    return ReferenceNetwork("colour", module.eval(), dataset, pre, {"name": "colour"}, {}), frame
