"""Fuzzing the spec and policy parsers and the table loaders: every input gives a result or a
clear usage error (audit.UsageError), never another exception."""
import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import audit
from audit import UsageError
from audit._files import read_table
from audit._spec import load_spec
from audit.gate._checks import load_policy

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

keys = st.sampled_from(["path", "reference", "target", "prediction", "score", "sensitive_features", "metric",
                        "max", "min", "severity", "bound", "over", "group", "enabled", "n_boot", "engine",
                        "allow_pickle", "title", "random_state", "checks", "data", "model", "auditors", "x"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=True),
                    st.text(string.printable, max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(keys, inner, max_size=3)), max_leaves=8)
documents = st.dictionaries(keys, values, max_size=5)


def _toml_value(v):
    if v is None:
        return '""'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return "nan" if v != v else ("inf" if v == float("inf") else "-inf" if v == float("-inf") else repr(v))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml(doc):
    return "\n".join(f"{k} = {_toml_value(v)}" for k, v in doc.items()) + "\n"


def _only_usage_errors(fn):
    try:
        fn()
    except UsageError as exc:
        assert str(exc).strip(), "a usage error says what is wrong"


@SETTINGS
@given(doc=documents)
def test_spec_parser_structured(tmp_path, doc):
    p = tmp_path / "spec.toml"
    p.write_text(_toml(doc))
    _only_usage_errors(lambda: load_spec(p))


@SETTINGS
@given(doc=documents)
def test_policy_parser_structured(tmp_path, doc):
    p = tmp_path / "policy.toml"
    p.write_text(_toml(doc))
    _only_usage_errors(lambda: load_policy(p))


@SETTINGS
@given(rows=st.lists(st.dictionaries(keys, values, max_size=6), max_size=4))
def test_check_rows_in_python(rows):
    _only_usage_errors(lambda: load_policy(rows))


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_as_spec_and_policy(tmp_path, raw):
    p = tmp_path / "x.toml"
    p.write_bytes(raw)
    _only_usage_errors(lambda: load_spec(p))
    _only_usage_errors(lambda: load_policy(p))


@SETTINGS
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".parquet", ".csv.gz", ".tsv"]))
def test_arbitrary_bytes_as_a_table(tmp_path, raw, suffix):
    p = tmp_path / f"t{suffix}"
    p.write_bytes(raw)
    _only_usage_errors(lambda: read_table(p))


@settings(max_examples=25, deadline=None)
@given(text=st.text(max_size=200))
def test_text_csv_through_audit_run(tmp_path_factory, text):
    p = tmp_path_factory.mktemp("fuzz") / "t.csv"
    p.write_text(text)
    _only_usage_errors(lambda: audit.run(p, target="y", prediction="p", sensitive_features=["g"],
                                         auditors=["fairness"]))
