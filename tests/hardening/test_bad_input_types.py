"""Bad input types are one clear usage error each (issue 14, item 8) and data paths are bounded (item 6):
list, struct and binary columns in any role, duplicate CSV header names, a FIFO or a device as the
data path, a dataset folder with a link to itself or out of itself."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import audit
from audit._exceptions import UsageError
from audit._files import MSG_DUPLICATE_HEADER, MSG_FOLDER_LINK, MSG_NOT_REGULAR
from audit.subject._subject import MSG_NESTED_COLUMN

N = 40
ENGINES = [None, "polars", "pandas"]


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, N)
    return pd.DataFrame({"y": y, "p": y, "g": rng.choice(["a", "b"], N), "q": rng.choice(["u", "v"], N),
                         "lst": [[1, 2], [3]] * (N // 2), "dct": [{"a": 1}, {"a": 2}] * (N // 2),
                         "bin": [b"x", b"y"] * (N // 2)})


_ROLES = {"sensitive_features": lambda c: {"target": "y", "prediction": "p", "sensitive_features": [c]},
          "quasi_identifiers": lambda c: {"target": "y", "prediction": "p", "sensitive_features": ["g"],
                                          "quasi_identifiers": [c]},
          "target": lambda c: {"target": c, "sensitive_features": ["g"]},
          "prediction": lambda c: {"target": "y", "prediction": c, "sensitive_features": ["g"]}}


@pytest.mark.parametrize("role", list(_ROLES))
@pytest.mark.parametrize(("column", "kind"), [("lst", "list"), ("dct", "struct"), ("bin", "binary")])
@pytest.mark.parametrize("source", ["frame", "parquet"])
def test_a_nested_or_binary_column_in_a_role_is_a_usage_error(tmp_path, role, column, kind, source) -> None:
    frame = _frame()
    data = frame
    if source == "parquet":
        data = tmp_path / "d.parquet"
        frame.to_parquet(data)
    for engine in ENGINES if source == "parquet" else [None]:
        with pytest.raises(UsageError) as err:
            audit.run(data, auditors=["fairness", "privacy"], engine=engine, **_ROLES[role](column))
        assert str(err.value) == MSG_NESTED_COLUMN.format(column=column, role=role, kind=kind)


@pytest.mark.parametrize("engine", ENGINES)
def test_duplicate_csv_header_names_are_a_usage_error(tmp_path, engine) -> None:
    path = tmp_path / "d.csv"
    path.write_text("y,p,g,g\n" + "1,1,a,b\n0,0,b,a\n" * 10, encoding="utf-8")
    with pytest.raises(UsageError) as err:
        audit.run(path, target="y", prediction="p", sensitive_features=["g"], auditors=["fairness"], engine=engine)
    assert str(err.value) == MSG_DUPLICATE_HEADER.format(path=path, names=["g"], renamed=["g.1"])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fifo_as_the_data_path_is_a_usage_error_not_a_hang(tmp_path, engine) -> None:
    fifo = tmp_path / "d.csv"
    os.mkfifo(fifo)
    with pytest.raises(UsageError) as err:
        audit.run(fifo, target="y", prediction="p", sensitive_features=["g"], engine=engine)
    assert str(err.value) == MSG_NOT_REGULAR.format(path=fifo, kind="a named pipe (FIFO)")


def test_a_device_as_the_data_path_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as err:
        audit.run("/dev/zero", target="y", sensitive_features=["g"])
    assert "got a device" in str(err.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_dataset_folder_linking_to_itself_is_a_usage_error_not_a_hang(tmp_path, engine) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    _frame()[["y", "p", "g"]].to_parquet(ds / "part.parquet")
    os.symlink(".", ds / "loop")
    with pytest.raises(UsageError) as err:
        audit.run(ds, target="y", prediction="p", sensitive_features=["g"], auditors=["fairness"], engine=engine)
    assert str(err.value) == MSG_FOLDER_LINK.format(
        path=ds, entry=ds / "loop", target=ds.resolve(), why="a folder (a dataset scan would follow it, and may loop)")


def test_a_dataset_folder_linking_out_of_itself_is_a_usage_error(tmp_path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    _frame()[["y", "p", "g"]].to_parquet(tmp_path / "elsewhere.parquet")
    os.symlink(tmp_path / "elsewhere.parquet", ds / "part.parquet")
    with pytest.raises(UsageError) as err:
        audit.run(ds, target="y", prediction="p", sensitive_features=["g"], auditors=["fairness"])
    assert "outside the folder" in str(err.value)
