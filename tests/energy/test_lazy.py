"""The energy auditor on lazy tables: the pandas report, from sampled rows and one streamed pass of
fixed-size batches holding only predictions; the feature table is never loaded whole."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest
import torch

import audit
from audit.energy import EnergyAuditor
from audit.energy._auditor import _predict_all
from audit.energy._compress import build_variants
from audit.engines import LazyTable
from tests.engines.helpers import LAZY_KINDS, lazy_data, recorded_loads
from audit.models import load_reference

CPU = "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz"
KINDS = LAZY_KINDS
BATCH = 64  # several batches, cut where no engine would cut them


@pytest.fixture
def feature_loads(monkeypatch):
    """Records every LazyTable.to_pandas call (None: the whole table)."""
    with recorded_loads(monkeypatch) as seen:
        yield seen


def _figures(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True)


@pytest.mark.parametrize("name", ["german-mlp", "diabetes-mlp"])
@pytest.mark.parametrize("kind", KINDS)
def test_reference_network_on_a_lazy_table_gives_the_pandas_report(name, kind, tmp_path, feature_loads):
    net = load_reference(name)
    kw = dict(model=net, target=net.target, sensitive_features=list(net.sensitive_features), batch_rows=BATCH)
    expected = EnergyAuditor(cpu_model=CPU).run(audit.AuditSubject(net.test_frame(), **kw))
    data, engine = lazy_data(net.test_frame(), kind, tmp_path)
    subject = audit.AuditSubject(data, engine=engine, **kw)
    result = EnergyAuditor(cpu_model=CPU).run(subject)
    assert subject.is_lazy and "data" not in subject._loaded
    assert all(c is not None and not set(c) & set(net.feature_names) for c in feature_loads), feature_loads
    assert [e["variant"] for e in result.details["compression"]] == ["original", "int8_dynamic", "pruned_50",
                                                                     "pruned_80"]
    assert _figures(result) == _figures(expected)


def _torch_frame(n: int = 500) -> tuple[torch.nn.Module, pd.DataFrame]:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n),
                          "group": rng.choice(["u", "v"], n)})
    frame["y"] = (frame["a"] + 0.5 * frame["b"] + (frame["group"] == "u") > 0.3).astype(int)
    torch.manual_seed(1)
    module = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    return module, frame


def test_torch_module_on_a_parquet_scan(tmp_path, feature_loads):
    module, frame = _torch_frame()
    kw = dict(model=module, target="y", sensitive_features=["group"], features=["a", "b", "c"], batch_rows=BATCH)
    expected = EnergyAuditor(cpu_model=CPU).run(audit.AuditSubject(frame, **kw))
    frame.to_parquet(tmp_path / "t.parquet")
    subject = audit.AuditSubject(tmp_path / "t.parquet", engine="polars", **kw)
    result = EnergyAuditor(cpu_model=CPU).run(subject)
    assert "data" not in subject._loaded and all(c is not None and "a" not in c for c in feature_loads)
    assert _figures(result) == _figures(expected)


def test_streamed_predictions_are_the_variants_predictions_on_fixed_batches():
    """One pass gives every variant's predictions for every row in table order, batch for batch the
    pandas rows' (dynamic int8 quantisation scales activations per batch, so the cut matters)."""
    module, frame = _torch_frame()
    subject = audit.AuditSubject(pl.from_pandas(frame).lazy(), model=module, target="y", features=["a", "b", "c"],
                                 batch_rows=BATCH)
    variants = build_variants(module, (0.5,), True, 0.25, "test")

    def encode(f):
        return torch.from_numpy(np.array(f.loc[:, ["a", "b", "c"]].to_numpy(dtype=np.float32), copy=True))

    def decode(out):
        return (out.reshape(-1) > 0).astype(np.int64)

    got = _predict_all(subject, variants, encode, decode)
    assert set(got) == {"original", "int8_dynamic", "pruned_50"}
    for v in variants:
        with torch.no_grad():
            expected = np.concatenate([decode(v.module(encode(frame.iloc[i:i + BATCH])).numpy())
                                       for i in range(0, len(frame), BATCH)])
        np.testing.assert_array_equal(got[v.name], expected)
