"""Check an "anonymised" copy against the raw table it came from.

Three ways a release leaks: a direct identifier column survives (its raw values appear
verbatim in some column of the copy); a column holds unsalted hashes of raw values (MD5,
SHA-1 or SHA-256 of the value, as is or trimmed and lower-cased: anyone with the raw
value, or a list of likely values, reverses it by hashing); and the copy's
quasi-identifiers still single people out (its k-anonymity).
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..subject._validation import check_frame
from ._anonymity import Anonymity, anonymity
from ._columns import ColumnPII, scan_frame, suggest_quasi_identifiers

__all__ = ["CopyCheck", "check_anonymised_copy", "HASHES"]

HASHES = ("md5", "sha1", "sha256")
_HEX_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256"}
_SAMPLE = 5000


@dataclass(frozen=True)
class CopyCheck:
    """What survived anonymisation: verbatim identifiers, unsalted hashes, and the copy's k."""

    surviving: tuple[dict[str, Any], ...]      # raw column, copy column, share of raw values found
    hashed: tuple[dict[str, Any], ...]         # raw column, copy column, algorithm, share reversed
    anonymity: Anonymity | None
    raw_pii: tuple[ColumnPII, ...] = field(repr=False, default=())

    @property
    def ok(self) -> bool:
        return not self.surviving and not self.hashed and (self.anonymity is None or self.anonymity.k >= 2)

    def to_dict(self) -> dict[str, Any]:
        return {"surviving": list(self.surviving), "hashed": list(self.hashed),
                "anonymity": None if self.anonymity is None else self.anonymity.to_dict(),
                "raw_pii": [p.to_dict() for p in self.raw_pii]}


def _strings(col: pd.Series) -> pd.Series:
    return col.dropna().astype(str)


def _digests(values: pd.Series, algorithm: str) -> set[str]:
    out: set[str] = set()
    for v in values:
        for form in {v, v.strip().lower()}:
            out.add(hashlib.new(algorithm, form.encode("utf-8")).hexdigest())
    return out


def check_anonymised_copy(raw: Any, anonymised: Any, *, quasi_identifiers: Sequence[str] | None = None,
                          min_share: float = 0.05, random_state: int = 0) -> CopyCheck:
    """Compare ``anonymised`` with ``raw``: surviving identifiers, unsalted hashes, the copy's k.

    A raw PII column is reported as surviving (or hashed) in a copy column when at least
    ``min_share`` of a seeded sample of its values is found there. Quasi-identifiers
    default to those suggested for the raw table that the copy still has.
    """
    raw_frame, copy_frame = check_frame(raw), check_frame(anonymised)
    pii = tuple(p for p in scan_frame(raw_frame, random_state=random_state) if p.direct and p.kind != "free_text")
    copy_values = {str(c): set(_strings(copy_frame[c]).str.strip()) for c in copy_frame.columns}
    hex_columns = {}
    for c in copy_frame.columns:
        vals = _strings(copy_frame[c]).str.strip().str.lower()
        if len(vals) and vals.str.fullmatch(r"[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}").mean() >= 0.9:
            hex_columns[str(c)] = set(vals)
    surviving, hashed = [], []
    for p in pii:
        values = _strings(raw_frame[p.column])
        if len(values) > _SAMPLE:
            values = values.sample(n=_SAMPLE, random_state=random_state)
        stripped = values.str.strip()
        for name, present in copy_values.items():
            share = float(stripped.isin(present).mean())
            if share >= min_share:
                surviving.append({"raw_column": p.column, "copy_column": name, "entity_type": p.entity_type,
                                  "share": round(share, 6)})
        for name, present in hex_columns.items():
            length = len(next(iter(present)))
            algorithm = _HEX_LENGTHS.get(length)
            if algorithm is None:
                continue
            digests = _digests(values, algorithm)
            share = float(sum(1 for d in present if d in digests) / max(len(present), 1))
            if share >= min_share:
                hashed.append({"raw_column": p.column, "copy_column": name, "entity_type": p.entity_type,
                               "algorithm": algorithm, "share": round(share, 6)})
    if quasi_identifiers is None:
        qis = [q for q in suggest_quasi_identifiers(raw_frame, scan_frame(raw_frame, random_state=random_state))
               if q in copy_frame.columns]
    else:
        qis = list(quasi_identifiers)
    anon = anonymity(copy_frame, qis) if qis else None
    return CopyCheck(tuple(surviving), tuple(hashed), anon, pii)
