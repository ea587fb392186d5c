"""group_sums: per-replicate sums equal one bincount over (replicate, group) keys, bit for bit."""
import numpy as np
import pytest

from audit.fairness._counts import group_sums


def _flat(group_of_row, n_groups, values, weights):
    summed = weights if values is None else weights * values
    summed = np.broadcast_to(summed, (summed.shape[0], len(group_of_row)))
    index = np.arange(summed.shape[0])[:, None] * n_groups + group_of_row[None, :]
    return np.bincount(index.ravel(), weights=summed.ravel(), minlength=summed.shape[0] * n_groups).reshape(
        summed.shape[0], n_groups)


@pytest.mark.parametrize("values_shape", ["none", "rows", "replicates"])
def test_group_sums_are_bitwise_the_flat_bincount(values_shape):
    rng = np.random.default_rng(3)
    n, groups, reps = 5_000, 17, 6
    group_of_row = rng.integers(0, groups - 1, n)  # the last group stays empty
    weights = rng.multinomial(n, np.full(n, 1 / n), size=reps).astype(np.float64)
    values = {"none": None, "rows": rng.random(n) * 1e3, "replicates": rng.random((reps, n))}[values_shape]
    got = group_sums(group_of_row, groups, values, weights)
    assert got.shape == (reps, groups) and (got[:, -1] == 0).all()
    np.testing.assert_array_equal(got, _flat(group_of_row, groups, values, weights))
    np.testing.assert_allclose(got[0].sum(), (weights[0] if values is None else
                                              (weights * values)[0]).sum(), rtol=1e-12)
