"""Opening a table: bad files, unknown engines, globs that match nothing and large files read whole
each give one clear error or hint."""
import numpy as np
import pandas as pd
import pytest

import audit
from audit import DataError, UsageError
from audit._files import MSG_UNREADABLE
from audit.engines import open_table
from audit.engines._table import MSG_UNKNOWN_ENGINE


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(5)
    n = 400
    return pd.DataFrame({"y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n), "sex": rng.choice(["F", "M"], n)})


def test_lazy_errors(tmp_path, frame):
    frame.assign(p=frame["p"].astype(float).where(frame.index > 2)).to_parquet(tmp_path / "nan.parquet")
    with pytest.raises(DataError, match="column 'p' \\(prediction\\) has 3 missing"):
        audit.AuditSubject(tmp_path / "nan.parquet", target="y", prediction="p", engine="polars")
    frame.to_parquet(tmp_path / "d.parquet")
    with pytest.raises(UsageError, match="column 'gender' given as sensitive_features"):
        audit.AuditSubject(tmp_path / "d.parquet", target="y", prediction="p", sensitive_features="gender",
                           engine="duckdb")
    with pytest.raises(UsageError) as err:
        open_table(tmp_path / "d.parquet", "spark")
    assert str(err.value) == MSG_UNKNOWN_ENGINE.format(engines=["pandas", "polars", "duckdb"], engine="spark")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(UsageError, match="cannot read .*bad.parquet"):
        audit.AuditSubject(tmp_path / "bad.parquet", target="y", prediction="p", engine="polars")


@pytest.mark.parametrize("engine", [None, "polars", "duckdb"])
def test_a_glob_that_matches_nothing_says_so(tmp_path, engine):
    with pytest.raises(audit.UsageError) as err:
        audit.AuditSubject(tmp_path / "none-*.parquet", target="y", prediction="p", engine=engine)
    assert str(err.value) == MSG_UNREADABLE.format(path=tmp_path / "none-*.parquet",
                                                   reason="no file matches this pattern")


def test_a_large_file_read_whole_gets_a_hint(tmp_path, frame, monkeypatch, caplog):
    import audit.subject._subject as subject_module

    frame.to_parquet(tmp_path / "d.parquet")
    monkeypatch.setattr(subject_module, "LARGE_FILE_BYTES", 1)
    with caplog.at_level("WARNING", logger="audit"):
        audit.AuditSubject(tmp_path / "d.parquet", target="y", prediction="p")
    size = (tmp_path / "d.parquet").stat().st_size
    assert caplog.messages == [subject_module.MSG_LARGE_FILE.format(path=tmp_path / "d.parquet", size_mb=size / 1e6)]
    caplog.clear()
    with caplog.at_level("WARNING", logger="audit"):
        audit.AuditSubject(tmp_path / "d.parquet", target="y", prediction="p", engine="polars")
    assert caplog.messages == []
