"""Reference datasets: vendored raw files, verified by sha256, parsed into readable frames.

Every dataset comes back as a :class:`Dataset` with a train and a test frame of raw,
human-readable columns (the target, the sensitive attributes and the model features).
The raw files live in ``audit/models/data/<dataset>/``; nothing is downloaded and
nothing outside the package is read. A file whose sha256 does not match the one recorded
here (and in ``data/PROVENANCE.md``) raises :class:`audit.DataError` naming the file.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exceptions import DataError, UsageError
from ._messages import (
    MSG_ADULT_LABELS,
    MSG_ADULT_SPLIT,
    MSG_ADULT_TEST_HEADER,
    MSG_CHECKSUM,
    MSG_COMPAS_DUPLICATE,
    MSG_COMPAS_HEADER,
    MSG_DIABETES_SHAPE,
    MSG_GERMAN_CODES,
    MSG_GERMAN_LABELS,
    MSG_GERMAN_SEX,
    MSG_UNKNOWN_DATASET,
    MSG_UNKNOWN_VENDORED,
    MSG_VENDORED_UNREADABLE,
)

if TYPE_CHECKING:  # numpy and pandas load when a dataset does: `rai-audit list` reads the recipes only
    import numpy as np
    import pandas as pd

__all__ = [
    "AGE_BANDS", "DATASETS", "DATA_DIR", "Dataset", "SHA256", "age_band", "load_dataset",
    "verified_bytes",
]

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"

#: sha256 of every vendored file, relative to ``DATA_DIR``; the same list is in PROVENANCE.md.
SHA256: dict[str, str] = {
    "adult/adult.data.gz": "c7a2b4716a97f930123e0baf879188d701e798172631a654fc703d4b082907f3",
    "adult/adult.names": "c248284c0b5de30c9e1958d6cdd168a34a654758b620e68f46aefa83fc0a576a",
    "adult/adult.test.gz": "8a2c1bffa6e7ce5abfa43881ae5e87c4311ebc2b3cd526c9c40a43f19f06f799",
    "compas/compas-scores-two-years.csv.gz":
        "afc545f541461a981a729a66b6f164db59d691d632e16c1dc9c50a950aaf12ee",
    "german/german.data.gz": "a4cc977b7fc38d60827f2f881d8377954ece4d7ade5d026e827307bb63395df2",
    "german/values_maps.json": "73a48f120cdb8019fb9f0ad84078ef1ba109f1100bbcc6cbcf925d60e6adcd4e",
    "fashion-mnist/train-images-idx3-ubyte.gz":
        "43293cd6d291761cb070201552a541a0c46b16bafbee82af7bcbff102286ec78",
    "fashion-mnist/train-labels-idx1-ubyte.gz":
        "6d5f1ae86a2399a0f2d1aae475d39d8367a73d801147b510e9266a8661779c3f",
    "fashion-mnist/test-images-idx3-ubyte.gz":
        "f63b5f3a005caedab708d16a900babd905c8331b1cd2188b91245c032cfe6acd",
    "fashion-mnist/test-labels-idx1-ubyte.gz":
        "09f5dc909c8586184bae0fbde44202a1b007bf6f2bd2bc952652fa22dc323f95",
}

#: Age bands used as a sensitive attribute by every dataset: (label, lower inclusive,
#: upper exclusive). Chosen to separate young adults, prime working age, late career and
#: retirement age, the usual split in employment and credit fairness analyses.
AGE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("<25", -math.inf, 25.0),
    ("25-44", 25.0, 45.0),
    ("45-64", 45.0, 65.0),
    ("65+", 65.0, math.inf),
)


def age_band(age: pd.Series) -> pd.Series:
    """Map ages (years) to the labels of :data:`AGE_BANDS`; a missing age stays missing."""
    import numpy as np
    import pandas as pd

    values = pd.to_numeric(age, errors="coerce").to_numpy(dtype=float)
    out = np.full(values.shape, None, dtype=object)
    for label, low, high in AGE_BANDS:
        out[(values >= low) & (values < high)] = label
    return pd.Series(out, index=age.index, name="age_band", dtype=object)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A reference dataset, split into train and test frames of raw readable columns.

    ``features`` are the model inputs (``categorical`` ones are one-hot encoded, the
    ``numeric`` ones standardised); ``sensitive_features`` are the attributes audits group
    by (some are inputs too, some derived from inputs, e.g. ``age_band`` from ``age``).
    ``sensitive_inputs`` maps each sensitive attribute to the model inputs that carry it.
    """

    name: str
    task: str  # "binary" or "regression"
    target: str
    sensitive_features: tuple[str, ...]
    categorical: tuple[str, ...]
    numeric: tuple[str, ...]
    train: pd.DataFrame = field(repr=False)
    test: pd.DataFrame = field(repr=False)
    split: dict[str, Any] = field(default_factory=dict)
    sensitive_inputs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict, repr=False)
    train_records: pd.DataFrame | None = field(default=None, repr=False)
    test_records: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def record_columns(self) -> tuple[str, ...]:
        """Raw columns a data owner keeps besides the model's (ids, case numbers, dates); never inputs.

        They sit in ``train_records``/``test_records``, row-aligned with ``train``/``test``
        (same filters, same split); :meth:`ReferenceNetwork.test_frame` joins them, so an
        audit sees the table as its owner holds it.
        """
        return () if self.test_records is None else tuple(self.test_records.columns)

    @property
    def features(self) -> tuple[str, ...]:
        """Model input columns, in the order the preprocessor encodes them."""
        return self.categorical + self.numeric

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of the frames: features, then sensitive-only columns, then target."""
        extra = tuple(s for s in self.sensitive_features if s not in self.features)
        return self.features + extra + (self.target,)


# ---------------------------------------------------------------------------- files

def verified_bytes(relpath: str, data_dir: Path | None = None) -> bytes:
    """Read a vendored file and check its sha256; raise DataError naming it on mismatch."""
    if relpath not in SHA256:
        raise UsageError(MSG_UNKNOWN_VENDORED.format(relpath=relpath, known=sorted(SHA256)))
    path = (data_dir or DATA_DIR) / relpath
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(
            MSG_VENDORED_UNREADABLE.format(path=path, error=exc, relpath=relpath)
        ) from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256[relpath]:
        raise DataError(
            MSG_CHECKSUM.format(path=path, expected=SHA256[relpath], got=digest, relpath=relpath)
        )
    return raw


def _gunzip_text(relpath: str, data_dir: Path | None) -> str:
    return gzip.decompress(verified_bytes(relpath, data_dir)).decode("utf-8")


def _stratified_split(y: np.ndarray | None, n: int, test_size: float, seed: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/test row indices; stratified by ``y`` when given (binary targets).

    Implemented with numpy's PCG64 generator rather than scikit-learn's splitter so the
    split depends only on numpy's documented permutation, not on a library version.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    strata = [np.arange(n)] if y is None else [np.flatnonzero(y == v) for v in np.unique(y)]
    test_parts = []
    for rows in strata:
        perm = rng.permutation(rows)
        test_parts.append(perm[: int(round(test_size * len(rows)))])
    test = np.sort(np.concatenate(test_parts))
    train = np.setdiff1d(np.arange(n), test)
    return train, test


def _split(frame: pd.DataFrame, target: str | None, test_size: float, seed: int
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    y = None if target is None else frame[target].to_numpy()
    tr, te = _stratified_split(y, len(frame), test_size, seed)
    return frame.iloc[tr].reset_index(drop=True), frame.iloc[te].reset_index(drop=True)


# ---------------------------------------------------------------------------- adult

_ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
]
_ADULT_CATEGORICAL = ("workclass", "education", "marital_status", "occupation",
                      "relationship", "race", "sex", "native_country")
_ADULT_NUMERIC = ("age", "capital_gain", "capital_loss", "hours_per_week")


def _adult_frame(text: str) -> pd.DataFrame:
    import pandas as pd

    frame = pd.read_csv(io.StringIO(text), header=None, names=_ADULT_COLUMNS,
                        skipinitialspace=True, na_values=["?"], dtype=object)
    frame = frame.dropna(how="all")
    for col in frame.columns:
        frame[col] = frame[col].astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    label = frame["income"].str.rstrip(".")
    if not set(label.unique()) <= {">50K", "<=50K"}:
        raise DataError(MSG_ADULT_LABELS.format(labels=sorted(label.unique())))
    frame["income"] = (label == ">50K").astype("int64")
    for col in ("age", "fnlwgt", "education_num", "capital_gain", "capital_loss",
                "hours_per_week"):
        frame[col] = pd.to_numeric(frame[col]).astype("float64")
    return frame


def _load_adult(data_dir: Path | None, **_: Any) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    train = _adult_frame(_gunzip_text("adult/adult.data.gz", data_dir))
    test_text = _gunzip_text("adult/adult.test.gz", data_dir)
    first, _newline, rest = test_text.partition("\n")
    if not first.startswith("|"):
        raise DataError(MSG_ADULT_TEST_HEADER.format(got=first[:40]))
    test = _adult_frame(rest)
    split = {"method": "predefined", "train_file": "adult.data", "test_file": "adult.test"}
    return train, test, split


# ---------------------------------------------------------------------------- compas

_COMPAS_FILTERS = (
    "days_b_screening_arrest between -30 and 30 (inclusive)",
    "is_recid != -1",
    "c_charge_degree != 'O'",
    "score_text != 'N/A'",
)


#: Record-keeping columns of the COMPAS file kept beside the model's columns (names, first
#: and last, and dates of birth were removed at vendoring; see PROVENANCE.md).
_COMPAS_RECORDS = ("id", "c_case_number", "compas_screening_date", "c_jail_in", "c_jail_out",
                   "c_offense_date", "c_arrest_date")


def _load_compas(data_dir: Path | None, *, test_size: float, seed: int
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    import numpy as np
    import pandas as pd

    text = _gunzip_text("compas/compas-scores-two-years.csv.gz", data_dir)
    # Read without pandas' silent ".1" renaming, so duplicated names are handled here.
    raw = pd.read_csv(io.StringIO(text), header=None, skiprows=1, dtype=object,
                      keep_default_na=False)
    header = text.partition("\n")[0].strip().split(",")
    if len(header) != raw.shape[1]:
        raise DataError(MSG_COMPAS_HEADER.format(n_names=len(header), n_fields=raw.shape[1]))
    keep: list[int] = []
    seen: dict[str, int] = {}
    for pos, name in enumerate(header):
        if name in seen:
            first = raw.iloc[:, seen[name]]
            if not first.equals(raw.iloc[:, pos]):
                raise DataError(MSG_COMPAS_DUPLICATE.format(name=name))
            continue
        seen[name] = pos
        keep.append(pos)
    frame = raw.iloc[:, keep].copy()
    frame.columns = [header[i] for i in keep]
    frame = frame.replace({"": np.nan})
    for col in ("age", "juv_fel_count", "juv_misd_count", "juv_other_count", "priors_count",
                "days_b_screening_arrest", "is_recid", "two_year_recid"):
        frame[col] = pd.to_numeric(frame[col])
    n_raw = len(frame)
    mask = (
        frame["days_b_screening_arrest"].between(-30, 30)
        & (frame["is_recid"] != -1)
        & (frame["c_charge_degree"] != "O")
        & (frame["score_text"].notna()) & (frame["score_text"] != "N/A")
    )
    frame = frame.loc[mask]
    columns = ["sex", "age", "race", "juv_fel_count", "juv_misd_count", "juv_other_count",
               "priors_count", "c_charge_degree", "age_cat", "two_year_recid"]
    frame = frame[columns + list(_COMPAS_RECORDS)].reset_index(drop=True)
    frame["id"] = pd.to_numeric(frame["id"]).astype("int64")
    for col in ("age", "juv_fel_count", "juv_misd_count", "juv_other_count", "priors_count"):
        frame[col] = frame[col].astype("float64")
    frame["two_year_recid"] = frame["two_year_recid"].astype("int64")
    for col in ("sex", "race", "c_charge_degree", "age_cat"):
        frame[col] = frame[col].astype(object)
    train, test = _split(frame, "two_year_recid", test_size, seed)
    split = {"method": "stratified_random", "stratify": "two_year_recid",
             "test_size": test_size, "seed": seed, "rows_before_filters": n_raw,
             "filters": list(_COMPAS_FILTERS),
             "duplicate_columns": "decile_score and priors_count occur twice in the header; "
                                  "the copies are checked equal and the first is kept"}
    return train, test, split


# ---------------------------------------------------------------------------- german

_GERMAN_COLUMNS = [
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings",
    "present_employment", "installment_rate", "personal_status_sex", "other_debtors",
    "present_residence", "property", "age", "installment_plans", "housing",
    "number_credits", "job", "people_liable", "telephone", "foreign_worker", "credit",
]
_GERMAN_MAP_KEYS = {"personal_status_sex": "status_sex"}
_GERMAN_NUMERIC = ("duration", "credit_amount", "installment_rate", "present_residence",
                   "age", "number_credits", "people_liable")
_GERMAN_CATEGORICAL = tuple(c for c in _GERMAN_COLUMNS[:-1] if c not in _GERMAN_NUMERIC)


def _load_german(data_dir: Path | None, *, test_size: float, seed: int
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    import pandas as pd

    maps = json.loads(verified_bytes("german/values_maps.json", data_dir))
    text = _gunzip_text("german/german.data.gz", data_dir)
    frame = pd.read_csv(io.StringIO(text), sep=" ", header=None, names=_GERMAN_COLUMNS,
                        dtype=object)
    for col in _GERMAN_CATEGORICAL:
        mapping = maps[_GERMAN_MAP_KEYS.get(col, col)]
        unknown = set(frame[col]) - set(mapping)
        if unknown:
            raise DataError(MSG_GERMAN_CODES.format(column=col, codes=sorted(unknown)))
        readable = {k: ("yes" if v is True else "no" if v is False else str(v).strip())
                    for k, v in mapping.items()}
        frame[col] = frame[col].map(readable).astype(object)
    for col in _GERMAN_NUMERIC:
        frame[col] = pd.to_numeric(frame[col]).astype("float64")
    if not set(frame["credit"]) <= {"1", "2"}:
        raise DataError(MSG_GERMAN_LABELS.format(labels=sorted(set(frame['credit']))))
    frame["credit_risk"] = (frame.pop("credit") == "1").astype("int64")
    # status_sex: A91, A93, A94 are male, A92, A95 female (values_maps.json, UCI docs).
    frame["sex"] = frame["personal_status_sex"].str.split(":").str[0].str.strip().astype(object)
    if not set(frame["sex"]) <= {"male", "female"}:
        raise DataError(MSG_GERMAN_SEX.format(values=sorted(set(frame['personal_status_sex']))))
    train, test = _split(frame, "credit_risk", test_size, seed)
    split = {"method": "stratified_random", "stratify": "credit_risk",
             "test_size": test_size, "seed": seed}
    return train, test, split


# ---------------------------------------------------------------------------- diabetes

def _load_diabetes(data_dir: Path | None, *, test_size: float, seed: int
                   ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(scaled=False, as_frame=True)
    frame = bunch.frame.rename(columns={"target": "progression"}).astype("float64")
    if frame.shape != (442, 11) or not set(frame["sex"]) <= {1.0, 2.0}:
        raise DataError(MSG_DIABETES_SHAPE.format(shape=frame.shape, sex_values=sorted(set(frame['sex']))))
    # The source does not say which of 1/2 is female or male, so the labels stay neutral.
    frame["sex"] = frame["sex"].map({1.0: "sex_1", 2.0: "sex_2"}).astype(object)
    train, test = _split(frame, None, test_size, seed)
    split = {"method": "random", "test_size": test_size, "seed": seed}
    return train, test, split


# ---------------------------------------------------------------------------- registry

DATASETS: dict[str, dict[str, Any]] = {
    "adult": {
        "loader": _load_adult, "task": "binary", "target": "income",
        "sensitive": ("sex", "race", "age_band"),
        "sensitive_inputs": {"sex": ("sex",), "race": ("race",), "age_band": ("age",)},
        "records": ("fnlwgt", "education_num"),
        "categorical": _ADULT_CATEGORICAL, "numeric": _ADULT_NUMERIC,
        "split": {},
        "info": {
            "title": "UCI Adult (Census Income, 1994 CPS extract)",
            "source": "UCI Machine Learning Repository, 'Adult', Becker & Kohavi 1996, "
                      "doi:10.24432/C5XW20",
            "licence": "CC BY 4.0",
            "files": ["adult/adult.data.gz", "adult/adult.test.gz", "adult/adult.names"],
            "positive_label": "income > 50K (1); <= 50K is 0",
            "notes": "UCI's own test file is the test split. Whitespace stripped, '?' is "
                     "missing, the trailing '.' of test labels removed. fnlwgt (a census "
                     "sampling weight) and education_num (a recoding of education) are "
                     "not model inputs.",
        },
    },
    "compas": {
        "loader": _load_compas, "task": "binary", "target": "two_year_recid",
        "sensitive": ("race", "sex", "age_cat"),
        "sensitive_inputs": {"race": ("race",), "sex": ("sex",), "age_cat": ("age",)},
        "records": _COMPAS_RECORDS,
        "categorical": ("sex", "race", "c_charge_degree"),
        "numeric": ("age", "juv_fel_count", "juv_misd_count", "juv_other_count",
                    "priors_count"),
        "split": {"test_size": 0.3, "seed": 0},
        "info": {
            "title": "ProPublica COMPAS two-year recidivism (Broward County, FL)",
            "source": "github.com/propublica/compas-analysis, compas-scores-two-years.csv "
                      "(Angwin et al. 2016, 'Machine Bias')",
            "licence": "published by ProPublica for public analysis; cite the source",
            "files": ["compas/compas-scores-two-years.csv.gz"],
            "positive_label": "re-arrested within two years (1); 0 otherwise",
            "notes": "ProPublica's standard filters applied: " + "; ".join(_COMPAS_FILTERS)
                     + ". The COMPAS scores (decile_score, score_text), identifiers and "
                     "dates are not model inputs. name, first, last and dob were removed "
                     "from the vendored copy (data minimisation).",
        },
    },
    "german": {
        "loader": _load_german, "task": "binary", "target": "credit_risk",
        "sensitive": ("sex", "age_band", "foreign_worker"),
        "sensitive_inputs": {"sex": ("personal_status_sex",), "age_band": ("age",),
                             "foreign_worker": ("foreign_worker",)},
        "categorical": _GERMAN_CATEGORICAL, "numeric": _GERMAN_NUMERIC,
        "split": {"test_size": 0.3, "seed": 0},
        "info": {
            "title": "Statlog (German Credit Data)",
            "source": "UCI Machine Learning Repository, Hofmann 1994, doi:10.24432/C5NC77",
            "licence": "CC BY 4.0",
            "files": ["german/german.data.gz", "german/values_maps.json"],
            "positive_label": "good credit risk (UCI label 1) is 1; bad (UCI label 2) is 0",
            "notes": "Codes A11..A202 mapped to the UCI documentation's meanings "
                     "(values_maps.json). sex is derived from personal_status_sex: A91, "
                     "A93, A94 male; A92, A95 female.",
        },
    },
    "diabetes": {
        "loader": _load_diabetes, "task": "regression", "target": "progression",
        "sensitive": ("sex", "age_band"),
        "sensitive_inputs": {"sex": ("sex",), "age_band": ("age",)},
        "categorical": ("sex",),
        "numeric": ("age", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"),
        "split": {"test_size": 0.3, "seed": 0},
        "info": {
            "title": "Diabetes (Efron et al. 2004, 'Least Angle Regression')",
            "source": "scikit-learn, sklearn.datasets.load_diabetes(scaled=False), bundled",
            "licence": "BSD-3-Clause (scikit-learn distribution)",
            "files": [],
            "positive_label": "regression: disease progression one year after baseline",
            "notes": "sex is coded 1/2 in the source, which does not say which code is "
                     "female or male; the labels are kept neutral as 'sex_1'/'sex_2'.",
        },
    },
}


@lru_cache(maxsize=8)
def _cached(name: str, data_dir: str | None, test_size: float | None, seed: int | None
            ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    spec = DATASETS[name]
    kwargs = dict(spec["split"])
    if test_size is not None:
        kwargs["test_size"] = test_size
    if seed is not None:
        kwargs["seed"] = seed
    train, test, split = spec["loader"](Path(data_dir) if data_dir else None, **kwargs)
    for frame in (train, test):
        if "age_band" in spec["sensitive"]:
            frame["age_band"] = age_band(frame["age"])
    log.debug("loaded dataset %s: %d train rows, %d test rows", name, len(train), len(test))
    return train, test, split


def load_dataset(name: str, *, test_size: float | None = None, seed: int | None = None,
                 data_dir: str | Path | None = None) -> Dataset:
    """Load a reference dataset (``adult``, ``compas``, ``german``, ``diabetes``).

    ``test_size`` and ``seed`` override the documented split (not for ``adult``, whose
    test split is UCI's own file). ``data_dir`` reads the raw files from another folder
    laid out like ``audit/models/data`` (their checksums are still verified).
    Frames are fresh copies: callers may modify them.
    """
    if name not in DATASETS:
        raise UsageError(MSG_UNKNOWN_DATASET.format(name=name, known=sorted(DATASETS)))
    if name == "adult" and (test_size is not None or seed is not None):
        raise UsageError(MSG_ADULT_SPLIT)
    spec = DATASETS[name]
    train, test, split = _cached(name, str(data_dir) if data_dir else None, test_size, seed)
    columns_order = list(spec["categorical"]) + list(spec["numeric"])
    columns_order += [s for s in spec["sensitive"] if s not in columns_order]
    columns_order.append(spec["target"])
    records = [c for c in spec.get("records", ()) if c not in columns_order]
    train_records = train[records].copy() if records else None
    test_records = test[records].copy() if records else None
    for frame in (train_records, test_records):
        for col in records:
            if frame is not None and frame[col].dtype.kind not in "biuf":
                frame[col] = frame[col].astype(object)
    train, test = train[columns_order].copy(), test[columns_order].copy()
    for frame in (train, test):
        for col in columns_order:
            if frame[col].dtype.kind not in "biuf":
                frame[col] = frame[col].astype(object)
    return Dataset(
        name=name, task=spec["task"], target=spec["target"],
        sensitive_features=tuple(spec["sensitive"]),
        categorical=tuple(spec["categorical"]), numeric=tuple(spec["numeric"]),
        train=train, test=test,
        sensitive_inputs={k: tuple(v) for k, v in spec["sensitive_inputs"].items()},
        split=json.loads(json.dumps(split)), info=json.loads(json.dumps(spec["info"])),
        train_records=train_records, test_records=test_records,
    )
