"""Pattern rewriting for the scanners of :mod:`._text`: the forms of an entity pattern that sit inside
the combined start finder (no capturing groups, back-references copied out) and inside Hyperscan
(no look-arounds). Each rewritten form matches wherever the original does.
"""
from __future__ import annotations

import re

__all__ = ["embedded", "without_lookarounds"]


def embedded(pattern: str, flags: int) -> str:
    """``pattern`` without capturing groups, to sit inside the combined start finder.

    Groups become non-capturing and a back-reference becomes a copy of the group it
    names (a lookbehind cannot hold back-references): the embedded pattern matches
    wherever the original does, and the original decides at the positions it marks.
    """
    out, groups, opened, i, in_class = [], {}, [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1]
            if nxt.isdigit() and not in_class:
                out.append("(?:" + groups[int(nxt)] + ")")
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":  # a literal "]" first in the class
                out.append("[]")
                i += 2
                continue
        elif ch == "(":
            named = pattern.startswith("(?P<", i)
            capturing = named or not pattern.startswith("(?", i)
            opened.append((len(groups) + 1 if capturing else None, len(out)))
            if capturing:
                groups[len(groups) + 1] = None
            out.append("(?:" if capturing else "(")
            i = pattern.index(">", i) + 1 if named else i + 1
            continue
        elif ch == ")":
            number, at = opened.pop()
            if number is not None:
                groups[number] = "".join(out[at + 1:])
        out.append(ch)
        i += 1
    text = "".join(out)
    return f"(?i:{text})" if flags & re.I else text


def without_lookarounds(pattern: str) -> str:
    """``pattern`` with every lookahead and lookbehind removed: it matches wherever ``pattern`` does."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":
                out.append("[]")
                i += 2
                continue
        elif pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, j, cls = 0, i, False
            while True:  # skip to the parenthesis that closes this assertion
                c = pattern[j]
                if c == "\\":
                    j += 2
                    continue
                if cls:
                    cls = c != "]"
                elif c == "[":
                    cls = True
                    j += 1 if pattern[j + 1:j + 2] != "]" else 2
                    continue
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)
