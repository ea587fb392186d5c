"""The zoo's models, each fitted once: what a team brings to an audit, on the vendored Adult and COMPAS tables.

Every builder returns ``(model, test_frame, train_frame, run_kwargs)``; the frames are
raw (text categories, missing values as NaN) and ``run_kwargs`` holds the column roles.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from audit.models import load_dataset

#: Rows audited per zoo model: enough for every auditor's figures, small enough for CI.
N_TEST = 1500
N_TRAIN = 4000
ADULT_CAT = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex",
             "native_country"]
ADULT_NUM = ["age", "capital_gain", "capital_loss", "hours_per_week"]


@lru_cache(maxsize=None)
def adult() -> tuple[pd.DataFrame, pd.DataFrame]:
    ds = load_dataset("adult")
    train = ds.train.sample(N_TRAIN, random_state=0).reset_index(drop=True)
    test = ds.test.sample(N_TEST, random_state=0).reset_index(drop=True)
    return train.drop(columns=["age_band"]), test.drop(columns=["age_band"])


def _column_transformer() -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return ColumnTransformer([
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ADULT_CAT),
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), ADULT_NUM)])


@lru_cache(maxsize=None)
def logistic_pipeline() -> tuple[Any, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Pipeline(ColumnTransformer(OneHotEncoder, SimpleImputer+StandardScaler), LogisticRegression).

    It takes sex and race as inputs.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    train, test = adult()
    model = Pipeline([("pre", _column_transformer()), ("clf", LogisticRegression(max_iter=500))])
    model.fit(train[ADULT_CAT + ADULT_NUM], train["income"])
    return model, test, train, {"target": "income", "sensitive_features": ["sex", "race"]}


def _with_missing_numbers(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    out = frame.copy()
    rng = np.random.default_rng(seed)
    out.loc[rng.random(len(out)) < 0.08, "age"] = np.nan
    out.loc[rng.random(len(out)) < 0.05, "hours_per_week"] = np.nan
    return out


@lru_cache(maxsize=None)
def hist_gradient_boosting() -> tuple[Any, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """HistGradientBoostingClassifier, which takes missing numbers as they are, behind an OrdinalEncoder."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    train, test = adult()
    train, test = _with_missing_numbers(train, 1), _with_missing_numbers(test, 2)
    pre = ColumnTransformer([("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                                    encoded_missing_value=-1), ADULT_CAT),
                             ("num", "passthrough", ADULT_NUM)])
    model = Pipeline([("pre", pre), ("clf", HistGradientBoostingClassifier(max_iter=60, random_state=0))])
    model.fit(train[ADULT_CAT + ADULT_NUM], train["income"])
    return model, test, train, {"target": "income", "sensitive_features": ["sex", "race"]}


@lru_cache(maxsize=None)
def random_forest() -> tuple[Any, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline

    train, test = adult()
    model = Pipeline([("pre", _column_transformer()),
                      ("clf", RandomForestClassifier(n_estimators=30, max_depth=8, random_state=0, n_jobs=1))])
    model.fit(train[ADULT_CAT + ADULT_NUM], train["income"])
    return model, test, train, {"target": "income", "sensitive_features": ["sex", "race"]}


def _train_torch(module: Any, X: np.ndarray, y: np.ndarray, epochs: int = 30, seed: int = 0) -> Any:
    import torch

    torch.manual_seed(seed)
    opt = torch.optim.Adam(module.parameters(), lr=0.01)
    x = torch.from_numpy(X.astype(np.float32))
    target = torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        opt.zero_grad()
        loss = loss_fn(module(x), target)
        loss.backward()
        opt.step()
    return module.eval()


@lru_cache(maxsize=None)
def torch_behind_column_transformer() -> tuple[Any, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """A torch MLP trained on a ColumnTransformer's output, handed in as audit.Model(module, preprocess=ct)."""
    import torch

    import audit

    train, test = adult()
    ct = _column_transformer().fit(train[ADULT_CAT + ADULT_NUM])
    X = ct.transform(train[ADULT_CAT + ADULT_NUM])
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    _train_torch(net, X, train["income"].to_numpy())
    return audit.Model(net, preprocess=ct), test, train, {"target": "income", "sensitive_features": ["sex", "race"]}


@lru_cache(maxsize=None)
def keras_behind_column_transformer() -> tuple[Any, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """A Keras 3 model on the torch backend behind the same ColumnTransformer."""
    import keras

    import audit

    train, test = adult()
    ct = _column_transformer().fit(train[ADULT_CAT + ADULT_NUM])
    X = ct.transform(train[ADULT_CAT + ADULT_NUM]).astype(np.float32)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((X.shape[1],)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit(X, train["income"].to_numpy().astype(np.float32), epochs=3, batch_size=256, verbose=0)
    return audit.Model(model, preprocess=ct), test, train, {"target": "income", "sensitive_features": ["sex", "race"]}


@lru_cache(maxsize=None)
def multiclass_compas() -> tuple[Any, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """COMPAS age category (three text classes) predicted from the rest, by a LogisticRegression Pipeline."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    ds = load_dataset("compas")
    train, test = ds.train.drop(columns=["age"]), ds.test.drop(columns=["age"])
    cat = ["sex", "race", "c_charge_degree"]
    num = ["juv_fel_count", "juv_misd_count", "juv_other_count", "priors_count", "two_year_recid"]
    model = Pipeline([("pre", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), cat),
                                                 ("num", StandardScaler(), num)])),
                      ("clf", LogisticRegression(max_iter=500))])
    model.fit(train[cat + num], train["age_cat"])
    return model, test.reset_index(drop=True), train, {"target": "age_cat", "sensitive_features": ["race", "sex"]}


@lru_cache(maxsize=None)
def ridge_integer_target() -> tuple[Any, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Ridge predicting Adult's hours_per_week, an integer target with many values: a regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    train, test = adult()
    train = train.assign(hours_per_week=train["hours_per_week"].astype("int64"))
    test = test.assign(hours_per_week=test["hours_per_week"].astype("int64"))
    cat = [c for c in ADULT_CAT]
    num = ["age", "capital_gain", "capital_loss"]
    model = Pipeline([("pre", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), cat),
                                                 ("num", StandardScaler(), num)])), ("reg", Ridge())])
    model.fit(train[cat + num].fillna({"age": 38}), train["hours_per_week"])
    return model, test.fillna({"age": 38}), train.fillna({"age": 38}), {
        "target": "hours_per_week", "sensitive_features": ["sex", "race"]}


@lru_cache(maxsize=None)
def text_labels() -> tuple[Any, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The logistic pipeline on labels 'approved' / 'rejected' (approved = income above 50K)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    train, test = adult()
    label = {1: "approved", 0: "rejected"}
    train = train.assign(decision=train["income"].map(label)).drop(columns=["income"])
    test = test.assign(decision=test["income"].map(label)).drop(columns=["income"])
    model = Pipeline([("pre", _column_transformer()), ("clf", LogisticRegression(max_iter=500))])
    model.fit(train[ADULT_CAT + ADULT_NUM], train["decision"])
    return model, test, train, {"target": "decision", "sensitive_features": ["sex", "race"], "pos_label": "approved"}


@lru_cache(maxsize=None)
def plain_callable() -> tuple[Any, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """A plain function from the raw columns to class probabilities, with its classes named."""
    import audit

    pipe, test, train, roles = logistic_pipeline()

    def score(X: pd.DataFrame) -> np.ndarray:
        return pipe.predict_proba(X)

    return audit.Model(score, feature_names=ADULT_CAT + ADULT_NUM, classes=[0, 1]), test, train, roles


ZOO = {
    "logistic_pipeline": logistic_pipeline,
    "hist_gradient_boosting": hist_gradient_boosting,
    "random_forest": random_forest,
    "torch_behind_column_transformer": torch_behind_column_transformer,
    "keras_behind_column_transformer": keras_behind_column_transformer,
    "multiclass_compas": multiclass_compas,
    "ridge_integer_target": ridge_integer_target,
    "text_labels": text_labels,
    "plain_callable": plain_callable,
}
