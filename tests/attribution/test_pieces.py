"""Pieces of the attribution auditor that hold whatever engine holds the table: exact means in any
batching, the baseline from batches, seeded GradientShap. (Engine parity: tests/engines/test_parity.py.)"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch

from audit.attribution import baseline_row, prepare
from audit.attribution._inputs import _ExactSums
from tests.attribution.helpers import colour_network


def test_exact_sums_give_the_correctly_rounded_mean_in_any_batching():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(500, 3)) * [1, 1e6, 1e-6],
                        [[1e30, -1.0, 3e-39], [-1e30, 1.0, 0.0]]]).astype(np.float32)  # cancellation, a subnormal
    exact = [float(sum(Fraction(float(v)) for v in X[:, j]) / len(X)) for j in range(3)]
    whole, split = _ExactSums(3), _ExactSums(3)
    whole.add(X)
    for start in range(0, len(X), 37):
        split.add(X[start:start + 37])
    assert [whole.mean(j) for j in range(3)] == [split.mean(j) for j in range(3)] == exact
    special = _ExactSums(3)
    special.add(np.array([[np.inf, np.nan, np.nan], [1.0, 1.0, np.nan]], dtype=np.float32))
    # a missing value is left out of its column's mean; a column of missing values has none
    assert special.mean(0) == np.inf and special.mean(1) == 1.0 and np.isnan(special.mean(2))


def test_baseline_from_batches_equals_the_baseline_from_the_frame():
    net, frame = colour_network(False)
    ex = prepare(net.as_model(), frame, net.feature_names, "binary")
    whole, described = baseline_row(ex, frame, "train_mean")
    streamed, _ = baseline_row(ex, (frame.iloc[i:i + 7] for i in range(0, len(frame), 7)), "train_mean")
    assert torch.equal(whole, streamed)
    x = frame["x"].to_numpy(dtype=np.float64)
    scaled = ((x - net.preprocessor.means["x"]) / net.preprocessor.stds["x"]).astype(np.float32).astype(np.float64)
    exact = float(sum(Fraction(float(v)) for v in scaled) / len(scaled))
    assert whole[0, ex.groups["x"][0]].item() == np.float32(exact)
    assert described["features"] == {"colour": "mode category", "x": "mean"}


def test_gradient_shap_is_seeded_and_leaves_numpy_global_state_alone():
    """Captum's GradientShap draws from numpy's global generator; the same seed must give the same figures."""
    from audit.attribution import attribute
    from audit.attribution._methods import MethodSettings

    net, frame = colour_network(False)
    ex = prepare(net.as_model(), frame.iloc[:50], net.feature_names, "binary")
    base, _ = baseline_row(ex, frame, "train_mean")
    background = ex.encode(frame.iloc[:20])
    runs = []
    for outside in (1, 2):
        np.random.seed(outside)
        runs.append(attribute(ex, "gradient_shap", ex.inputs, base, MethodSettings(n_samples=5),
                              background=background).values)
        assert np.random.random() == np.random.RandomState(outside).random()  # global state untouched
    np.testing.assert_array_equal(runs[0], runs[1])
