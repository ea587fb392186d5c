"""The masking rule: what of a personal value may appear in a report, a log or an error.

Only its shape. Every letter (any script) becomes ``x``, every digit ``#``; the separators
that make a format recognisable (space ``.`` ``-`` ``@`` ``_`` ``+`` ``:`` ``/`` ``(`` ``)``) are
kept; any other character becomes ``*``; the result is cut at 24 characters. So
``jane.doe@example.org`` is shown as ``xxxx.xxx@xxxxxxx.xxx`` and ``123-45-6789`` as
``###-##-####``: a reviewer sees what kind of value a column holds, never which value.
"""
from __future__ import annotations

from typing import Any

__all__ = ["mask", "MASK_LIMIT"]

#: Masked examples are cut to this many characters (then an ellipsis).
MASK_LIMIT = 24
_KEPT = frozenset(" .-@_+:/()")


def _char(ch: str) -> str:
    if ch.isdigit():
        return "#"
    if ch.isalpha():
        return "x"
    if ch in _KEPT:
        return ch
    if ch.isspace():
        return " "
    return "*"


def mask(value: Any, limit: int = MASK_LIMIT) -> str:
    """The shape of ``value`` with no letter or digit of it (see the module doc)."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    head = text[:limit]
    out = "".join(_char(ch) for ch in head)
    return out + ("\u2026" if len(text) > limit else "")
