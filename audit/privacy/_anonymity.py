"""Re-identification risk over quasi-identifiers, from one grouped pass.

Each quasi-identifier is factorised (a missing value is its own value, never dropped),
the codes are combined into one equivalence-class id per record, and everything follows
from the class sizes and, with a sensitive attribute, the (class, value) counts:

- k-anonymity: the smallest class size; the share of unique records (classes of size 1);
- ARX's prosecutor model (El Emam): records whose risk 1/|class| exceeds the threshold,
  the highest risk 1/k, and the average risk #classes/#records (ARX's "success rate",
  a mean over records, not pycanon's mean over classes);
- distinct l-diversity (fewest distinct sensitive values in a class) and entropy
  l-diversity (exp of the smallest within-class entropy);
- t-closeness: the largest Earth Mover's Distance between a class's sensitive values
  and the whole table's: ordered distance for numeric attributes (Li et al. 2007:
  sum of |cumulative differences| / (m - 1)), equal distance (half the L1) otherwise.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import UsageError
from ..subject._validation import check_frame
from . import _messages as msg

__all__ = ["Anonymity", "SensitiveDiversity", "anonymity", "equivalence_classes", "MAX_DENSE_CELLS"]

#: Above classes x distinct values cells, a numeric sensitive attribute is binned into 256 quantiles for t.
MAX_DENSE_CELLS = 50_000_000


@dataclass(frozen=True)
class SensitiveDiversity:
    """l-diversity and t-closeness of one sensitive attribute."""

    attribute: str
    l_distinct: int
    l_entropy: float
    t_closeness: float
    distance: str  # "ordered" or "equal"
    n_values: int

    def to_dict(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "l_distinct": self.l_distinct, "l_entropy": self.l_entropy,
                "t_closeness": self.t_closeness, "distance": self.distance, "n_values": self.n_values}


@dataclass(frozen=True)
class Anonymity:
    """k, uniqueness, ARX prosecutor risks and, per sensitive attribute, l and t."""

    quasi_identifiers: tuple[str, ...]
    n_records: int
    n_classes: int
    k: int
    unique_share: float
    risk_threshold: float
    prosecutor_records_at_risk: float
    prosecutor_highest_risk: float
    prosecutor_average_risk: float
    class_size_counts: Mapping[int, int] = field(repr=False)  # class size -> number of classes
    sensitive: Mapping[str, SensitiveDiversity] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"quasi_identifiers": list(self.quasi_identifiers), "n_records": self.n_records,
                "n_classes": self.n_classes, "k": self.k, "unique_share": self.unique_share,
                "risk_threshold": self.risk_threshold,
                "prosecutor_records_at_risk": self.prosecutor_records_at_risk,
                "prosecutor_highest_risk": self.prosecutor_highest_risk,
                "prosecutor_average_risk": self.prosecutor_average_risk,
                "class_size_counts": [[int(s), int(c)] for s, c in sorted(self.class_size_counts.items())],
                "sensitive": {k: v.to_dict() for k, v in self.sensitive.items()}}


def _codes(col: pd.Series) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    return codes.astype(np.int64, copy=False), max(len(uniques), 1)


def equivalence_classes(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per record, its class id (0..n_classes-1), and the class sizes; missing values are values."""
    key = np.zeros(len(frame), dtype=np.int64)
    cardinality = 1
    for name in columns:
        codes, card = _codes(frame[name])
        if cardinality * card >= 2**62:  # compact the key before it could overflow
            key, _ = _codes(pd.Series(key))
            cardinality = int(key.max()) + 1 if len(key) else 1
        key = key * card + codes
        cardinality *= card
    class_id, uniques = pd.factorize(key)
    sizes = np.bincount(class_id, minlength=len(uniques))
    return class_id.astype(np.int64, copy=False), sizes


def _diversity(class_id: np.ndarray, sizes: np.ndarray, values: pd.Series, name: str,
               weights: np.ndarray | None = None) -> SensitiveDiversity:
    """L and t of one sensitive attribute; ``weights`` are row counts when each row stands for many records.

    Sums run in a canonical order (by class, then count, then the value's overall count),
    so a table and its count table give bit-identical figures.
    """
    numeric = values.dtype.kind in "iuf" and values.notna().all()
    counts = np.ones(len(values), dtype=np.int64) if weights is None else weights.astype(np.int64)
    if numeric:
        uniq, codes = np.unique(values.to_numpy(dtype=np.float64), return_inverse=True)
        m = len(uniq)
        if len(sizes) * m > MAX_DENSE_CELLS:  # bin a near-continuous attribute for the ordered EMD
            edges = np.unique(np.quantile(np.repeat(uniq[codes], counts), np.linspace(0, 1, 257)))
            codes = np.clip(np.searchsorted(edges, uniq[codes], side="right") - 1, 0, len(edges) - 1)
            codes = pd.factorize(codes, sort=True)[0]
            m = int(codes.max()) + 1
    else:
        codes_raw, uniq = pd.factorize(values, use_na_sentinel=False)
        codes, m = codes_raw.astype(np.int64), max(len(uniq), 1)
    n_classes = len(sizes)
    pair = class_id * m + codes
    pair_ids, inverse = np.unique(pair, return_inverse=True)
    pair_counts = np.bincount(inverse.ravel(), weights=counts, minlength=len(pair_ids)).astype(np.int64)
    pair_class = pair_ids // m
    pair_value = pair_ids % m
    value_counts = np.bincount(codes, weights=counts, minlength=m).astype(np.int64)
    order = np.lexsort((value_counts[pair_value], pair_counts, pair_class))
    pair_class, pair_value, pair_counts = pair_class[order], pair_value[order], pair_counts[order]
    l_distinct = int(np.bincount(pair_class, minlength=n_classes).min())
    p = pair_counts / sizes[pair_class]
    entropy = np.zeros(n_classes)
    np.add.at(entropy, pair_class, -p * np.log(p))
    l_entropy = float(math.exp(entropy.min()))
    overall = value_counts / value_counts.sum()
    if numeric and m > 1:
        t = 0.0
        chunk = max(1, MAX_DENSE_CELLS // (4 * m))
        for lo in range(0, n_classes, chunk):  # dense class x value blocks: cumulative differences
            hi = min(n_classes, lo + chunk)
            sel = (pair_class >= lo) & (pair_class < hi)
            block = np.zeros((hi - lo, m))
            block[pair_class[sel] - lo, pair_value[sel]] = p[sel]
            cum = np.cumsum(block - overall, axis=1)
            t = max(t, float(np.abs(cum[:, :-1]).sum(axis=1).max() / (m - 1)))
        distance = "ordered"
    else:
        # equal distance: 0.5 * sum |p_class - p_all|, summed sparsely: present values plus absent mass.
        diff = np.abs(p - overall[pair_value])
        present_overall = np.zeros(n_classes)
        np.add.at(present_overall, pair_class, overall[pair_value])
        l1 = np.zeros(n_classes)
        np.add.at(l1, pair_class, diff)
        l1 += 1.0 - present_overall
        t = float(0.5 * l1.max()) if m > 1 else 0.0
        distance = "equal"
    return SensitiveDiversity(name, l_distinct, l_entropy, t, distance, int(m))


def anonymity(frame: Any, quasi_identifiers: Sequence[str], sensitive: str | Sequence[str] | None = None, *,
              risk_threshold: float = 0.2) -> Anonymity:
    """k-anonymity, l-diversity, t-closeness, uniqueness and ARX prosecutor risks of ``frame``.

    ``frame`` is a table, or an :class:`audit.engines.Table`, whose engine then computes the
    count table over the quasi-identifiers and sensitive attributes (no rows are loaded); a
    table in memory is counted the same way.
    ``quasi_identifiers`` name the columns an attacker could link on; ``sensitive`` the
    attribute(s) whose disclosure l and t measure; ``risk_threshold`` the prosecutor risk
    (1/class size) above which a record counts as at risk (ARX's default is 0.2, i.e. k < 5).
    """
    from ..engines import COUNT_COLUMN, Table

    data = frame if isinstance(frame, Table) else Table(check_frame(frame), label="data")
    qis = [quasi_identifiers] if isinstance(quasi_identifiers, str) else list(quasi_identifiers or ())
    if not qis:
        raise UsageError(msg.QI_EMPTY)
    available = [str(c) for c in data.columns]
    missing = [q for q in qis if q not in data.columns]
    if missing:
        raise UsageError(msg.QI_MISSING.format(missing=missing, available=available))
    sens = [] if sensitive is None else [sensitive] if isinstance(sensitive, str) else list(sensitive)
    missing = [s for s in sens if s not in data.columns]
    if missing:
        raise UsageError(msg.SENSITIVE_MISSING.format(missing=missing, available=available))
    if not isinstance(risk_threshold, (int, float)) or not 0 <= risk_threshold <= 1:
        raise UsageError(msg.BAD_THRESHOLD.format(name="risk_threshold", value=risk_threshold))
    n = data.n_rows
    if n == 0:
        raise UsageError(msg.EMPTY_FRAME.format(what="the table"))
    # the engine groups; only (class, sensitive value) counts come back
    counts = data.count_table(list(dict.fromkeys([*qis, *sens])))
    weights = counts[COUNT_COLUMN].to_numpy(dtype=np.int64)
    class_id, _ = equivalence_classes(counts, qis)
    sizes = np.bincount(class_id, weights=weights).astype(np.int64)
    diversity = {s: _diversity(class_id, sizes, counts[s], s, weights) for s in sens}
    size_values, size_counts = np.unique(sizes, return_counts=True)
    at_risk = float(sizes[1.0 / sizes > risk_threshold].sum() / n)
    return Anonymity(
        quasi_identifiers=tuple(qis), n_records=n, n_classes=len(sizes), k=int(sizes.min()),
        unique_share=float((sizes == 1).sum() / n), risk_threshold=float(risk_threshold),
        prosecutor_records_at_risk=at_risk, prosecutor_highest_risk=float(1.0 / sizes.min()),
        prosecutor_average_risk=float(len(sizes) / n),
        class_size_counts={int(s): int(c) for s, c in zip(size_values, size_counts, strict=True)}, sensitive=diversity)
