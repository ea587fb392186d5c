"""Tables shared by the privacy tests and the engine parity tests."""
from __future__ import annotations

import numpy as np
import pandas as pd

from audit.engines import sample_positions

#: the row sample, the seed and the candidate sample the whole-column tests scan with
SAMPLE, SEED, CANDIDATES = 60, 4, 200


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _iban(account: str, valid: bool) -> str:
    bban = "37040044" + account
    check = 98 - int((bban + "DE00").translate({ord("D"): "13", ord("E"): "14"})) % 97
    return f"DE{(check if valid else check % 97 + 1):02d}{bban}"


def checked_frame() -> pd.DataFrame:
    """Columns whose pattern matches nearly everywhere while the validators reject part of them.

    ``card``: valid numbers at the sampled rows, 35 % Luhn failures elsewhere, so the sample passes
    and only the whole-column validation refuses the card type (the column is still reported as an
    identifier: unique digit strings). ``iban``: 12 % bad checksums. ``ssn``:
    whitespace of several kinds around the values (each engine strips a different set) and some
    full-width digits (Unicode digits: ``\\d`` in polars and Python, not in DuckDB).
    """
    n = 3_000
    rng = np.random.default_rng(11)
    sampled = set(sample_positions(n, SAMPLE, SEED).tolist())
    cards, ibans, ssns = [], [], []
    pads = ["", " ", "\u00a0", "\u3000", "\t", "\u2003", "\x1c"]
    for i in range(n):
        body = "4" + "".join(rng.choice(list("0123456789"), 14))
        digit = _luhn_digit(body)
        if i not in sampled and rng.random() < 0.35:
            digit = str((int(digit) + 1 + int(rng.integers(0, 9))) % 10)
        cards.append(body + digit)
        ibans.append(_iban(f"{int(rng.integers(0, 10**10)):010d}", valid=rng.random() >= 0.12))
        ssn = f"{int(rng.integers(1, 665)):03d}-{int(rng.integers(1, 99)):02d}-{int(rng.integers(1, 9999)):04d}"
        if rng.random() < 0.04:
            ssn = ssn.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})  # full-width digits
        ssns.append(rng.choice(pads) + ssn + rng.choice(pads))
    frame = pd.DataFrame({"card": cards, "iban": ibans, "ssn": ssns})
    frame.loc[::29, "iban"] = None
    return frame
