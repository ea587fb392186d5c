"""Datasets: shapes, columns, documented transformations, checksum verification."""
from __future__ import annotations

import gzip
import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from audit import DataError, UsageError
from audit.models import AGE_BANDS, _datasets, load_dataset

SHAPES = {  # name: (train rows, test rows, columns)
    "adult": (32561, 16281, 14),
    "compas": (4320, 1852, 10),
    "german": (700, 300, 23),
    "diabetes": (309, 133, 12),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shapes_and_columns(name):
    ds = load_dataset(name)
    n_train, n_test, n_cols = SHAPES[name]
    assert ds.train.shape == (n_train, n_cols)
    assert ds.test.shape == (n_test, n_cols)
    assert list(ds.train.columns) == list(ds.columns) == list(ds.test.columns)
    assert ds.target in ds.train.columns
    assert set(ds.sensitive_features) <= set(ds.train.columns)
    assert set(ds.sensitive_inputs) == set(ds.sensitive_features)
    assert all(set(v) <= set(ds.features) for v in ds.sensitive_inputs.values())
    if ds.task == "binary":
        assert set(ds.train[ds.target].unique()) == {0, 1}
    assert ds.train[list(ds.numeric)].dtypes.map(lambda d: d.kind == "f").all()


def test_frames_are_fresh_copies():
    a = load_dataset("german")
    a.train.loc[0, "age"] = -1.0
    assert load_dataset("german").train.loc[0, "age"] != -1.0


def test_adult_parsing():
    ds = load_dataset("adult")
    frame = pd.concat([ds.train, ds.test])
    strings = frame[list(ds.categorical)].stack()
    assert not strings.str.match(r"^\s|\s$").any(), "whitespace must be stripped"
    assert not (strings == "?").any(), "'?' must become missing"
    assert ds.train["workclass"].isna().sum() == 1836
    assert ds.test["income"].mean() == pytest.approx(0.2362, abs=1e-4)
    assert "fnlwgt" not in ds.features and "education_num" not in ds.features
    assert set(ds.sensitive_features) == {"sex", "race", "age_band"}


def test_compas_filters_and_features():
    ds = load_dataset("compas")
    frame = pd.concat([ds.train, ds.test])
    assert len(frame) == 6172  # ProPublica's filtered count
    assert set(frame["c_charge_degree"]) == {"F", "M"}
    for banned in ("decile_score", "score_text", "id", "c_jail_in", "compas_screening_date",
                   "is_recid", "v_decile_score"):
        assert banned not in frame.columns
    assert set(ds.sensitive_features) == {"race", "sex", "age_cat"}
    # stratified 70/30 split with the documented seed
    assert ds.split["seed"] == 0 and ds.split["test_size"] == 0.3
    assert abs(ds.train["two_year_recid"].mean() - ds.test["two_year_recid"].mean()) < 1e-3


def test_compas_duplicate_columns_must_agree(tmp_path, monkeypatch):
    src = _datasets.DATA_DIR / "compas" / "compas-scores-two-years.csv.gz"
    lines = gzip.decompress(src.read_bytes()).decode().splitlines()
    header = lines[0].split(",")
    second = [i for i, n in enumerate(header) if n == "priors_count"][1]
    fields = lines[1].split(",")
    fields[second] = "999"
    lines[1] = ",".join(fields)
    data = gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    (tmp_path / "compas").mkdir()
    (tmp_path / "compas" / src.name).write_bytes(data)
    monkeypatch.setitem(_datasets.SHA256, f"compas/{src.name}",
                        hashlib.sha256(data).hexdigest())
    with pytest.raises(DataError, match="priors_count"):
        load_dataset("compas", data_dir=tmp_path)


def test_german_mapping():
    ds = load_dataset("german")
    frame = pd.concat([ds.train, ds.test])
    assert frame["credit_risk"].mean() == pytest.approx(0.7)  # 700 good of 1000
    assert not frame[list(ds.categorical)].stack().str.match(r"^A\d+$").any()
    male = frame["personal_status_sex"].str.startswith("male")
    assert (frame.loc[male, "sex"] == "male").all()
    assert (frame.loc[~male, "sex"] == "female").all()
    assert frame["sex"].value_counts().to_dict() == {"male": 690, "female": 310}
    assert set(frame["foreign_worker"]) == {"yes", "no"}


def test_diabetes_sex_labels_are_neutral():
    ds = load_dataset("diabetes")
    assert ds.task == "regression" and ds.target == "progression"
    assert set(ds.train["sex"]) | set(ds.test["sex"]) == {"sex_1", "sex_2"}


def test_age_bands():
    ages = pd.Series([18, 24.9, 25, 44, 45, 64, 65, 90, np.nan])
    got = _datasets.age_band(ages).tolist()
    assert got == ["<25", "<25", "25-44", "25-44", "45-64", "45-64", "65+", "65+", None]
    assert [b[0] for b in AGE_BANDS] == ["<25", "25-44", "45-64", "65+"]


def test_unknown_dataset_and_bad_override():
    with pytest.raises(UsageError, match="unknown dataset"):
        load_dataset("mnist")
    with pytest.raises(UsageError, match="adult"):
        load_dataset("adult", seed=1)


def test_split_override_changes_split():
    a = load_dataset("german")
    b = load_dataset("german", seed=1)
    assert len(b.test) == 300 and not a.test.equals(b.test)


@pytest.mark.parametrize("relpath", sorted(_datasets.SHA256))
def test_vendored_files_match_checksums(relpath):
    raw = (_datasets.DATA_DIR / relpath).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == _datasets.SHA256[relpath]


def test_provenance_lists_the_checksums():
    text = (_datasets.DATA_DIR / "PROVENANCE.md").read_text()
    listed = dict((p, h) for h, p in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.M))
    assert listed == _datasets.SHA256


def test_corrupted_file_raises_data_error_naming_it(tmp_path):
    shutil.copytree(_datasets.DATA_DIR / "german", tmp_path / "german")
    assert len(load_dataset("german", data_dir=tmp_path).train) == 700  # intact copy loads
    target = tmp_path / "german" / "german.data.gz"
    data = bytearray(target.read_bytes())
    data[-5] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"german\.data\.gz") as info:
        load_dataset("german", data_dir=tmp_path, seed=3)
    assert "checksum mismatch" in str(info.value) and "expected sha256" in str(info.value)


def test_missing_file_raises_data_error(tmp_path):
    with pytest.raises(DataError, match=r"adult\.data\.gz"):
        load_dataset("adult", data_dir=tmp_path)


def test_library_never_reads_shared_folder():
    src = Path(_datasets.__file__).parent
    for path in src.glob("*.py"):
        assert "/work/shared" not in path.read_text(), path
