"""Bounded work (issue 14, item 6): long group values are cut in every output, TOML and report.json
nesting and sizes are bounded, recipe values are checked before anything is allocated."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import audit
from audit import cli
from audit._exceptions import UsageError
from audit._files import MAX_DEPTH, MAX_TOML_BYTES, MSG_TOO_DEEP, MSG_TOO_LARGE
from audit._format import VALUE_LIMIT


def test_a_five_megabyte_group_value_is_cut_in_every_output(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    n = 200
    big = "x" * 5_000_000
    frame = pd.DataFrame({"g": rng.choice([big, big + "y", "short"], n), "y": rng.integers(0, 2, n)})
    frame["p"] = frame["y"]
    report = audit.run(frame, target="y", prediction="p", sensitive_features=["g"], auditors=["fairness"],
                       checks=[{"metric": "fairness.selection_rate", "max": 0.0}])
    report.save(tmp_path / "r")
    text = (tmp_path / "r" / "report.json").read_text(encoding="utf-8")
    assert len(text) < 2_000_000, len(text)
    groups = {g["g"] for r in json.loads(text)["results"] for m in r["metrics"] if (g := m["group"])}
    assert len(groups) == 3  # two values cut to the same prefix stay apart
    assert all(len(v) < VALUE_LIMIT + 60 for v in groups)
    assert len((tmp_path / "r" / "report.html").read_text(encoding="utf-8")) < 3_000_000
    policy = tmp_path / "p.toml"
    policy.write_text('[[checks]]\nmetric = "fairness.selection_rate"\nmax = 0.0\n', encoding="utf-8")
    assert cli.main(["gate", str(tmp_path / "r"), "--policy", str(policy)]) == audit.ExitCode.CHECKS_FAILED
    out, err = capsys.readouterr()
    assert len(out) + len(err) < 100_000


@pytest.mark.parametrize("what", ["policy", "report"])
def test_nesting_50000_deep_is_a_usage_error_not_a_traceback(tmp_path, capsys, what) -> None:
    if what == "policy":
        path = tmp_path / "p.toml"
        path.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
        argv = ["gate", str(tmp_path / "missing.json"), "--policy", str(path)]
        report = tmp_path / "r"
        audit.run(pd.DataFrame({"y": [0, 1] * 10, "p": [0, 1] * 10, "g": ["a", "b"] * 10}), target="y",
                  prediction="p", sensitive_features=["g"], auditors=["fairness"]).save(report)
        argv[1] = str(report)
    else:
        path = tmp_path / "report.json"
        path.write_text('{"schema_version": "1.0", "results": [], "x": ' + "[" * 50_000 + "]" * 50_000 + "}",
                        encoding="utf-8")
        policy = tmp_path / "p.toml"
        policy.write_text('[[checks]]\nmetric = "fairness.selection_rate"\nmax = 0.0\n', encoding="utf-8")
        argv = ["gate", str(path), "--policy", str(policy)]
    assert cli.main(argv) == audit.ExitCode.USAGE_ERROR
    err = capsys.readouterr().err
    assert MSG_TOO_DEEP.format(what=what, path=path, limit=MAX_DEPTH) in err
    assert "Traceback" not in err


def test_an_oversized_policy_is_a_usage_error(tmp_path) -> None:
    from audit.gate._checks import load_policy

    path = tmp_path / "p.toml"
    path.write_text("# " + "x" * MAX_TOML_BYTES + "\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        load_policy(path)
    assert str(err.value) == MSG_TOO_LARGE.format(what="policy", path=path, size=path.stat().st_size,
                                                  limit=MAX_TOML_BYTES)


@pytest.mark.parametrize("hidden", [[2 ** 40], [0], [1.5], [True], [64] * 100, [60000, 60000]])
def test_recipe_layer_sizes_are_checked_before_allocating(hidden) -> None:
    from audit.models._network import MAX_LAYERS, MAX_PARAMETERS, MAX_WIDTH, MSG_LAYER_SIZES, build_from_recipe

    with pytest.raises(UsageError) as err:
        build_from_recipe({"type": "mlp", "hidden": hidden}, 10)
    assert str(err.value) == MSG_LAYER_SIZES.format(max_width=MAX_WIDTH, max_layers=MAX_LAYERS,
                                                    max_params=MAX_PARAMETERS, inputs=10, hidden=hidden, outputs=1)


@pytest.mark.parametrize(("split", "key"), [({"test_size": 2.0}, "test_size"),
                                            ({"test_size": float("nan")}, "test_size"),
                                            ({"seed": -1}, "seed"), ({"seed": 2 ** 40}, "seed")])
def test_recipe_split_values_are_checked(split, key) -> None:
    from audit.models._reference import dataset_for_recipe

    with pytest.raises(UsageError, match=f"recipe split {key} must be"):
        dataset_for_recipe({"dataset": "german", "split": {"method": "stratified", **split}})


def test_result_module_copies_of_the_limits_match_format() -> None:
    from audit import _format
    from audit import _results as _result

    assert (_result._VALUE_LIMIT, _result._TEXT_LIMIT) == (_format.VALUE_LIMIT, _format.TEXT_LIMIT)
