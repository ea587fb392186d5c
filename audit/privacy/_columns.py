"""Which columns of a table hold personal data, and which are quasi-identifiers.

Each column is classified on a seeded sample of rows (default 10,000; the same rows in every
engine): value columns by full-match patterns (vectorised ``Series.str.fullmatch``) then
validators on the matches; free-text columns by :func:`find_pii` on the sample (their shares
are sample estimates). A value-column classification is then confirmed on the whole column,
with the validator and not the pattern alone: the engine counts the values matching the
type's pattern and returns a seeded sample of at most ``candidate_sample`` of them (default
2,000; every one when there are no more), the validator checks those, and the whole-column
share is (matches / values) x (valid share of the checked candidates), exact when every match
was checked and an estimate with a Wilson interval otherwise. A column is reported only when
at least ``min_share`` of both the sample and the whole column validate. pandas runs the same
procedure (same candidates), so every engine gives the same result. Near-unique strings with
digits (case, account or order numbers) and integer columns whose name says they are an id
are reported as ``IDENTIFIER``. Results carry counts, shares and masked examples only (see
:mod:`._mask`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from .._intervals import wilson_interval
from ..engines import MAX_CELL_CHARS, sample_positions
from . import _messages as msg
from ._mask import mask
from ._ner import parse_ner
from ._text import DEFAULT_REGIONS, find_pii
from ._validators import card_ok, iban_ok, ipv4_ok, ipv6_ok, phone_ok, ssn_ok

__all__ = ["ColumnPII", "scan_frame", "suggest_quasi_identifiers", "DIRECT_IDENTIFIERS", "MAX_CELL_CHARS"]

#: Types that identify a person on their own (as opposed to quasi-identifiers such as dates).
DIRECT_IDENTIFIERS = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "IBAN_CODE", "PERSON",
                                "IDENTIFIER"})


@dataclass(frozen=True)
class ColumnPII:
    """One column found to hold one kind of personal data.

    ``share`` is the share of the sampled non-missing values that validated (for free
    text: of sampled rows holding at least one such entity). For value columns
    ``share_full`` is the share of all non-missing values that validate: ``n_matched``
    values match the type's pattern (counted by the engine) and the validator checked
    ``n_checked`` of them (all, or a seeded sample of ``candidate_sample``; a type without a
    validator is decided by its pattern, so all count as checked). It is exact when
    ``n_checked == n_matched``, otherwise an estimate with the 95 % Wilson interval
    ``share_full_ci``. Identifier columns carry their distinct share there; free text
    ``None`` (sample only). ``examples`` are masked.
    """

    column: str
    entity_type: str
    kind: str                 # "values", "free_text" or "identifier"
    n_values: int             # non-missing values in the column
    n_sampled: int
    share: float
    share_full: float | None
    examples: tuple[str, ...] = ()
    direct: bool = field(default=False)
    n_matched: int | None = None
    n_checked: int | None = None
    share_full_ci: tuple[float, float] | None = None

    @property
    def share_full_exact(self) -> bool:
        """Whether ``share_full`` is a count (every pattern match validated) rather than an estimate."""
        return self.n_matched is not None and self.n_checked == self.n_matched

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "entity_type": self.entity_type, "kind": self.kind,
                "n_values": self.n_values, "n_sampled": self.n_sampled, "share": round(self.share, 6),
                "share_full": None if self.share_full is None else round(self.share_full, 6),
                "n_matched": self.n_matched, "n_checked": self.n_checked,
                "share_full_ci": None if self.share_full_ci is None else [round(x, 6) for x in self.share_full_ci],
                "examples": list(self.examples), "direct_identifier": self.direct}


_Validator = Callable[[str], bool]

# Value-level patterns, in the dialect every engine reads the same way: RE2 (DuckDB, pyarrow),
# Rust (polars), Java (Spark) and Python's re (pandas, Dask). No look-around, and digits written
# [0-9] because \d is Unicode in Rust and Python but ASCII in RE2. A match starts and ends
# with a character that is not whitespace, which :func:`_padded` relies on.
_VALUE_TYPES: tuple[tuple[str, str, _Validator | None], ...] = (
    ("EMAIL_ADDRESS", r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}", None),
    ("IBAN_CODE", r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?", iban_ok),
    ("CREDIT_CARD", r"[0-9](?:[ -]?[0-9]){11,18}", card_ok),
    ("US_SSN", r"[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}", ssn_ok),
    ("IP_ADDRESS", r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}", ipv4_ok),
    ("IP_ADDRESS", r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*", ipv6_ok),
    ("MAC_ADDRESS", r"[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}", None),
    ("PHONE_NUMBER", r"(?:\+|00)?\(?[0-9][0-9 ().-]{5,20}[0-9](?: ?(?:x|ext\.?) ?[0-9]{1,6})?", None),
    ("DATE_TIME", r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
                  r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?|[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}", None),
)
#: Whitespace around a value: every character Python's ``str.strip`` removes, a superset of what
#: polars (Unicode White_Space), DuckDB and Spark (ASCII whitespace) strip.
_PAD_CHARS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"


def _padded(pattern: str) -> str:
    """``pattern`` between runs of :data:`_PAD_CHARS` (literal characters: every dialect reads them alike).

    An engine strips a value before matching, each engine a different set of characters, but
    always a subset of these; since a match of a value pattern neither starts nor ends with
    one of them, a value matches the padded pattern after any engine's strip exactly when its
    Python-stripped form matches ``pattern``: the same values in every engine.
    """
    pad = "[" + _PAD_CHARS + "]*"
    return f"{pad}(?:{pattern}){pad}"


_POSTCODE = (r"\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{4}(?: ?[A-Z]{2})?"
             r"|\d{3}-\d{4}|\d{6}")
_NAME_SHAPE = r"[^\W\d_]+(?:['\u2019.-][^\W\d_]*)*(?: [^\W\d_]+(?:['\u2019.-][^\W\d_]*)*){0,3}"
_NAME_HINT = re.compile(r"(?:^|_)(?:name|names|first|firstname|given|surname|last|lastname|family|fullname|"
                        r"forename|middle|maiden|patient|customer|client|employee|person|contact|owner|holder)(?:_|$)",
                        re.I)
_ID_HINT = re.compile(r"(?:^|_)(?:id|ids|uuid|guid|key|no|nr|num|number|case|account|acct|record|mrn|ssn|"
                      r"passport|licen[cs]e|badge|member|customer|patient|policy|claim|ticket|serial)(?:_|$)|"
                      r"(?:id|number)$", re.I)
_POSTCODE_HINT = re.compile(r"zip|postcode|postal|post_code|plz|cep", re.I)
_PHONE_HINT = re.compile(r"phone|mobile|cell|tel|fax", re.I)
_SSN_HINT = re.compile(r"ssn|social_?security", re.I)
_DOB_HINT = re.compile(r"birth|dob|born", re.I)
_QI_HINT = re.compile(r"(?:^|_)(?:age|sex|gender|race|ethnicity|ethnic|zip|zipcode|postcode|postal|dob|birth|"
                      r"birthdate|birthday|nationality|marital)(?:_|$)|^age|birth", re.I)


def _to_str(values: pd.Series) -> pd.Series:
    """Non-missing values as pyarrow-backed strings, decoded and cut to MAX_CELL_CHARS."""
    if values.dtype == object:
        values = values.map(lambda v: v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray))
                            else v if isinstance(v, str) else str(v))
    out = values.astype("str")
    return out.str.slice(0, MAX_CELL_CHARS)


def _examples(values: pd.Series, ok: np.ndarray, n: int = 3) -> tuple[str, ...]:
    picked = values[ok].head(n).tolist()
    return tuple(mask(v) for v in picked)


def _is_free_text(sample: pd.Series) -> bool:
    lengths = sample.str.len()
    return bool(lengths.median() >= 25 and sample.str.contains(" ", regex=False).mean() >= 0.5)


def _integer_digits(col: pd.Series) -> pd.Series | None:
    """Integer-valued numbers as digit strings (None when the column holds fractions)."""
    values = pd.to_numeric(col, errors="coerce").dropna()
    if values.empty or values.dtype.kind == "b":
        return None
    arr = values.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(arr)) or not np.all(np.mod(arr, 1) == 0) or np.abs(arr).max() >= 1e18:
        return None
    return pd.Series(arr.astype(np.int64), index=values.index).astype("str")


def scan_frame(frame: Any, *, sample_size: int = 10_000, min_share: float = 0.8,
               regions: Sequence[str] = DEFAULT_REGIONS, random_state: int = 0,
               columns: Sequence[str] | None = None, candidate_sample: int = 2_000,
               ner: str | None = None) -> list[ColumnPII]:
    """Classify every column (or ``columns``) of ``frame``; one entry per (column, type) found.

    ``frame`` is a pandas frame or an :class:`audit.engines.Table` (a pandas frame is read
    through one). The seeded sample of ``sample_size`` rows
    (:func:`audit.engines.sample_positions`) is classified, then a value column is confirmed on
    the whole column: the engine counts the values matching the type's pattern and returns a
    seeded sample of at most ``candidate_sample`` of them for the validator, so only the row
    sample, those candidates and a few counts leave it, and every engine gives the same result.
    Free-text columns go through :func:`find_pii` on the sample, with ``ner``
    (``"spacy:<pipeline>"``) when given, so a column of notes that name people is reported as
    holding PERSON.
    """
    parse_ner(ner)
    sample_size = _whole_number("sample_size", sample_size)
    candidate_sample = _whole_number("candidate_sample", candidate_sample)
    regions = tuple(regions)
    found: list[ColumnPII] = []
    from ..engines import Table

    table = frame if isinstance(frame, Table) else Table(frame, label="data")
    names = list(columns if columns is not None else table.columns)  # as the frame spells them; reported as text
    n_rows = table.n_rows
    rows = table.sample(sample_size, random_state, names)
    non_missing = {c: n_rows - k for c, k in table.null_counts(names).items()}
    for name in names:
        whole = _Whole(table, name, candidate_sample, random_state)
        found.extend(_scan_column(str(name), rows[name], non_missing[name], whole, min_share, regions, ner))
    return found


def _whole_number(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise UsageError(msg.BAD_COUNT.format(name=name, value=value))
    return int(value)


def _strip(values: pd.Series) -> pd.Series:
    """Values without surrounding whitespace (the characters :func:`_padded` allows)."""
    return values.str.strip(_PAD_CHARS)


@dataclass(frozen=True)
class _Confirmed:
    """A type's whole-column share: matches counted, candidates validated."""

    share: float
    n_matched: int
    n_checked: int
    ci: tuple[float, float]


def _confirmed(n_matched: int, n_values: int, n_checked: int, n_valid: int) -> _Confirmed:
    """Whole-column share of valid values, with its interval.

    A count when every match was checked, else (matches / values) x (valid / checked), with the
    Wilson interval of the checked sample scaled the same way.
    """
    if n_checked == n_matched:
        share = n_valid / n_values
        return _Confirmed(share, n_matched, n_checked, (share, share))
    matched = n_matched / n_values
    low, high = wilson_interval(n_valid / n_checked, n_checked, 0.95)
    return _Confirmed(matched * n_valid / n_checked, n_matched, n_checked, (matched * low, matched * high))


def _validate(n_matched: int, n_values: int, candidates: list[str], validator: _Validator | None) -> _Confirmed:
    if validator is None:  # the pattern is the whole test
        return _confirmed(n_matched, n_values, n_matched, n_matched)
    return _confirmed(n_matched, n_values, len(candidates), sum(1 for v in candidates if validator(v)))


class _Whole:
    """Whole-column questions answered by the table's engine: counts and a sample of candidates."""

    def __init__(self, table: Any, column: str, candidate_sample: int, seed: int) -> None:
        self._table, self._column = table, column
        self._k, self._seed = candidate_sample, seed

    def distinct(self) -> int:
        return self._table.n_unique([self._column])[self._column]

    def confirm(self, pattern: str, validator: _Validator | None) -> _Confirmed:
        padded = _padded(pattern)
        n_matched, n_values = self._table.match_counts(self._column, padded)
        candidates: list[str] = []
        if validator is not None and n_matched:
            positions = sample_positions(n_matched, self._k, self._seed)
            rows = self._table.take(positions, [self._column], matching=(self._column, padded))
            if len(rows) != len(positions):
                raise DataError(msg.CANDIDATES_LOST.format(column=self._column, asked=len(positions),
                                                           got=len(rows), matched=n_matched))
            candidates = _strip(_to_str(rows[self._column])).tolist()
        return _validate(n_matched, n_values, candidates, validator)


def _scan_column(name: str, sampled: pd.Series, n: int, whole: Any, min_share: float,
                 regions: tuple[str, ...], ner: str | None = None) -> list[ColumnPII]:
    col = sampled[sampled.notna()]
    if n == 0 or len(col) == 0 or col.dtype.kind == "b":
        return []
    if col.dtype.kind in "iuf" or isinstance(col.dtype, pd.DatetimeTZDtype) or col.dtype.kind == "M":
        if col.dtype.kind == "M" or isinstance(col.dtype, pd.DatetimeTZDtype):
            etype = "DATE_OF_BIRTH" if _DOB_HINT.search(name) else "DATE_TIME"
            return [ColumnPII(name, etype, "values", n, len(col), 1.0, 1.0, ("####-##-##",), False)]
        return _scan_numeric(name, col, n, whole, min_share, regions)
    sample = _to_str(col)
    sample = sample[sample.str.len() > 0]
    if sample.empty:
        return []
    if _is_free_text(sample):
        return _scan_free_text(name, sample, n, regions, ner)
    stripped = _strip(sample)
    for etype, pattern, validator in _VALUE_TYPES:
        shape = stripped.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)
        if shape.mean() < min_share:
            continue
        if etype == "PHONE_NUMBER":
            validator = partial(phone_ok, regions=regions)
        ok = shape.copy()
        if validator is not None:
            idx = np.flatnonzero(shape)
            ok[idx] = [validator(v) for v in stripped.iloc[idx]]
        share = float(ok.mean())
        if share < min_share:
            continue
        if n > len(col):
            full = whole.confirm(pattern, validator)
        else:  # the sample is the whole column: every match was validated
            full = _confirmed(int(shape.sum()), n, int(shape.sum()), int(ok.sum()))
        if full.share < min_share:
            continue
        if etype == "DATE_TIME" and _DOB_HINT.search(name):
            etype = "DATE_OF_BIRTH"
        return [ColumnPII(name, etype, "values", n, len(sample), share, full.share, _examples(stripped, ok),
                          etype in DIRECT_IDENTIFIERS, full.n_matched, full.n_checked, full.ci)]
    if _POSTCODE_HINT.search(name):
        ok = stripped.str.upper().str.fullmatch(_POSTCODE).to_numpy(dtype=bool, na_value=False)
        if ok.mean() >= min_share:
            return [ColumnPII(name, "POSTCODE", "values", n, len(sample), float(ok.mean()), None,
                              _examples(stripped, ok), False)]
    names = stripped.str.fullmatch(_NAME_SHAPE).to_numpy(dtype=bool, na_value=False)
    distinct = whole.distinct() / n
    if names.mean() >= min_share and (_NAME_HINT.search(name) and distinct >= 0.05):
        return [ColumnPII(name, "PERSON", "values", n, len(sample), float(names.mean()), None,
                          _examples(stripped, names), True)]
    digits = stripped.str.contains(r"\d").to_numpy(dtype=bool, na_value=False)
    lengths = stripped.str.len()
    if ((distinct >= 0.9 and digits.mean() >= min_share and 4 <= lengths.median() <= 64 and n >= 20)
            or (_ID_HINT.search(name) and distinct >= 0.5 and n >= 20)):
        return [ColumnPII(name, "IDENTIFIER", "identifier", n, len(sample), float(distinct), float(distinct),
                          _examples(stripped, np.ones(len(stripped), dtype=bool)), True)]
    return []


def _scan_numeric(name: str, col: pd.Series, n: int, whole: Any, min_share: float,
                  regions: tuple[str, ...]) -> list[ColumnPII]:
    sample = _integer_digits(col)
    if sample is None:
        return []
    checks: list[tuple[str, re.Pattern[str], Callable[[str], bool]]] = [
        ("US_SSN", _SSN_HINT, lambda v: len(v) == 9 and ssn_ok(v)),
        ("PHONE_NUMBER", _PHONE_HINT, lambda v: phone_ok(v, regions)),
        ("POSTCODE", _POSTCODE_HINT, lambda v: len(v) in (4, 5, 6)),
    ]
    for etype, hint, check in checks:
        if hint.search(name):
            ok = np.array([check(v) for v in sample], dtype=bool)
            if ok.mean() >= min_share:
                return [ColumnPII(name, etype, "values", n, len(sample), float(ok.mean()), None,
                                  _examples(sample, ok), etype in DIRECT_IDENTIFIERS)]
    if _ID_HINT.search(name) and not _QI_HINT.search(name):
        distinct = whole.distinct() / n
        if distinct >= 0.9 and n >= 20:
            return [ColumnPII(name, "IDENTIFIER", "identifier", n, len(sample), float(distinct), float(distinct),
                              _examples(sample, np.ones(len(sample), dtype=bool)), True)]
    return []


def _scan_free_text(name: str, sample: pd.Series, n: int,
                    regions: tuple[str, ...], ner: str | None = None) -> list[ColumnPII]:
    spans = find_pii(sample.tolist(), regions=regions, ner=ner)
    rows: dict[str, np.ndarray] = {}
    examples: dict[str, list[str]] = {}
    texts = sample.tolist()
    for i, found in enumerate(spans):
        for s in found:
            rows.setdefault(s.entity_type, np.zeros(len(spans), dtype=bool))[i] = True
            ex = examples.setdefault(s.entity_type, [])
            if len(ex) < 3:
                ex.append(mask(texts[i][s.start:s.end]))
    out = []
    for etype in sorted(rows, key=lambda t: (-rows[t].sum(), t)):
        out.append(ColumnPII(name, etype, "free_text", n, len(sample), float(rows[etype].mean()), None,
                             tuple(examples[etype]), etype in DIRECT_IDENTIFIERS))
    return out


def suggest_quasi_identifiers(frame: pd.DataFrame, pii: Sequence[ColumnPII] = (), *,
                              exclude: Sequence[str] = (), max_dates: int = 1) -> list[str]:
    """Columns an attacker could link on: age, sex, race, postcode, birth dates (by name), and dates.

    Dates come from the PII scan (``DATE_OF_BIRTH`` always; date-only ``DATE_TIME``
    columns up to ``max_dates``). Direct identifiers are not quasi-identifiers: they are
    reported on their own.
    """
    skip = set(map(str, exclude))
    direct = {p.column for p in pii if p.direct}
    out = [str(c) for c in frame.columns if str(c) not in skip and str(c) not in direct and _QI_HINT.search(str(c))]
    dates = 0
    for p in pii:
        if p.kind != "values" or p.column in out or p.column in skip:
            continue
        if p.entity_type in ("POSTCODE", "UK_POSTCODE"):
            out.append(p.column)
        elif p.entity_type == "DATE_OF_BIRTH":
            out.append(p.column)
        elif p.entity_type == "DATE_TIME" and dates < max_dates and all(":" not in e for e in p.examples):
            out.append(p.column)
            dates += 1
    return out
