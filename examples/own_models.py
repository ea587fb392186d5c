"""The README's three everyday cases, runnable: a scikit-learn Pipeline, a torch module behind a
ColumnTransformer, and a Keras 3 model (torch backend) behind the same transformer.

    python examples/own_models.py [OUT_DIR]

Each is audited on the raw UCI Adult table the package vendors (text categories, missing
values as NaN) and its report written to OUT_DIR/<case>/.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")  # before anything imports keras

import numpy as np
import torch
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import audit
from audit.models import load_dataset

CAT = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex", "native_country"]
NUM = ["age", "capital_gain", "capital_loss", "hours_per_week"]
QUICK = {"attribution": {"max_rows": 300, "n_boot": 20}, "fairness": {"n_boot": 50},
         "energy": {"measure_seconds": 0.2}}


def column_transformer() -> ColumnTransformer:
    return ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CAT),
                              ("num", make_pipeline(SimpleImputer(), StandardScaler()), NUM)])


def main(out: Path) -> dict[str, audit.AuditReport]:
    adult = load_dataset("adult")
    train = adult.train.sample(4000, random_state=0)
    test = adult.test.sample(2000, random_state=0)
    roles = dict(target="income", sensitive_features=["sex", "race"], train_data=train, auditor_options=QUICK)
    reports = {}

    # 1. a scikit-learn Pipeline on the raw table
    pipe = Pipeline([("pre", column_transformer()), ("clf", LogisticRegression(max_iter=500))])
    pipe.fit(train[CAT + NUM], train["income"])
    reports["pipeline"] = audit.run(test, model=pipe, **roles)

    # 2. a torch module trained on the transformer's output
    ct = column_transformer().fit(train[CAT + NUM])
    X = torch.from_numpy(ct.transform(train[CAT + NUM]).astype(np.float32))
    y = torch.from_numpy(train["income"].to_numpy(np.float32)).reshape(-1, 1)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(40):
        opt.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(net(X), y).backward()
        opt.step()
    reports["torch"] = audit.run(test, model=audit.Model(net.eval(), preprocess=ct), **roles)

    # 3. a Keras 3 model on the torch backend, behind the same transformer
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((X.shape[1],)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit(X.numpy(), y.numpy(), epochs=3, batch_size=256, verbose=0)
    reports["keras"] = audit.run(test, model=audit.Model(model, preprocess=ct), **roles)

    for name, report in reports.items():
        report.save(out / name)
    return reports


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "reports/own-models"))
