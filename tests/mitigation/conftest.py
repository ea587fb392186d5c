"""Small seeded subjects for the mitigation tests: a biased scikit-learn model with training rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def biased_table(n: int, seed: int) -> pd.DataFrame:
    """Two groups; the label depends on x1, x2, and the model is pushed towards group 'm' through x3."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["f", "m"], n, p=[0.45, 0.55])
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    x3 = (sex == "m") + rng.normal(scale=0.3, size=n)
    logit = 0.9 * x1 - 0.6 * x2 + 1.4 * (sex == "m") - 0.6
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"x1": x1, "x2": x2, "x3": x3, "sex": sex, "y": y})


@pytest.fixture(scope="session")
def sklearn_case():
    from sklearn.linear_model import LogisticRegression

    train = biased_table(1200, 1)
    test = biased_table(1600, 2)
    model = LogisticRegression(max_iter=500).fit(train[["x1", "x2", "x3"]], train["y"])
    return model, train, test


DP_CHECK = [{"metric": "fairness.demographic_parity_difference", "max": 0.1, "over": ["sex"]}]
