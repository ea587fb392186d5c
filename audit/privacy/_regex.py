"""Pattern rewriting for the scanners of :mod:`._text`: the start finder's form and Hyperscan's form.

The start finder embeds each entity pattern without capturing groups (back-references copied
out); Hyperscan scans an ASCII copy of the text with a form that has no look-arounds. Each
rewritten form matches wherever the original does.
"""
from __future__ import annotations

import importlib
import re
import sys
from typing import Any

# Python's own regular-expression parser and compiler (``re._parser`` from 3.11, ``sre_parse`` before).
_NAMES = ("re._parser", "re._compiler", "re._constants") if sys.version_info >= (3, 11) else \
    ("sre_parse", "sre_compile", "sre_constants")
_parser: Any = importlib.import_module(_NAMES[0])
_compiler: Any = importlib.import_module(_NAMES[1])
_c: Any = importlib.import_module(_NAMES[2])

__all__ = ["embedded", "hyperscan_form", "ascii_copy", "WORD_STAND_IN", "OTHER_STAND_IN", "FOLDING_LETTERS"]


def embedded(pattern: str, flags: int) -> str:
    """``pattern`` without capturing groups, to sit inside the combined start finder.

    Groups become non-capturing and a back-reference becomes a copy of the group it
    names (a lookbehind cannot hold back-references): the embedded pattern matches
    wherever the original does, and the original decides at the positions it marks.
    """
    out: list[str] = []
    groups: dict[int, str] = {}  # group number -> its embedded text (empty until the group closes)
    opened: list[tuple[int | None, int]] = []
    i, in_class = 0, False
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
                groups[len(groups) + 1] = ""
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


# -- the Hyperscan form, for an ASCII copy of the text -----------------------------------------------
#: Bytes that stand for the non-ASCII characters in the copy Hyperscan scans (:func:`ascii_copy`):
#: a word character (Python's Unicode ``\w``) becomes ``_``, any other becomes SUB. Both are one
#: byte, so offsets agree; ``_`` is a word byte and SUB is not, so ``\b`` agrees as well.
WORD_STAND_IN, OTHER_STAND_IN = 0x5F, 0x1A
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: The ASCII letters that Python's case-insensitive matching equates with a non-ASCII character
#: (``K``/KELVIN SIGN, ``s``/LONG S, ``i``/DOTTED and DOTLESS I; tests recompute it over all of Unicode).
FOLDING_LETTERS = frozenset("IKSiks")
_WIDE_RANGE = 4_096  # a class range with more non-ASCII code points than this may hold both kinds
_WORD = re.compile(r"\w")
_POSSESSIVE = getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)  # Python 3.11 added possessive repeats
_ATOMIC = getattr(_c, "ATOMIC_GROUP", object())  # and atomic groups


def ascii_copy(text: str) -> bytes:
    """``text`` as bytes, one per character: ASCII kept, a non-ASCII word character ``_``, any other SUB."""
    if text.isascii():
        return text.encode("ascii")
    return _NON_ASCII.sub(chr(OTHER_STAND_IN), _NON_ASCII_WORD.sub(chr(WORD_STAND_IN), text)).encode("ascii")


def _non_ascii_kinds(op: Any, av: Any, folding: bool) -> tuple[bool, bool]:
    """Whether one class item may match a non-ASCII word character, and a non-ASCII other character."""
    if op is _c.LITERAL:
        if av < 0x80:
            return folding and chr(av) in FOLDING_LETTERS, False
        ch = chr(av)
        word = bool(_WORD.match(ch))
        return word or (folding and ch.isalpha()), not word
    if op is _c.RANGE:
        low, high = av
        word = folding and any(low <= ord(ch) <= high for ch in FOLDING_LETTERS)
        if high < 0x80:
            return word, False
        if high - max(low, 0x80) > _WIDE_RANGE:
            return True, True
        chars = "".join(chr(code) for code in range(max(low, 0x80), high + 1) if not 0xD800 <= code < 0xE000)
        words = len(_WORD.findall(chars))
        return word or words > 0 or (folding and any(ch.isalpha() for ch in chars)), len(chars) > words
    if op is _c.CATEGORY:
        return {_c.CATEGORY_DIGIT: (True, False), _c.CATEGORY_WORD: (True, False),
                _c.CATEGORY_SPACE: (False, True), _c.CATEGORY_NOT_WORD: (False, True)}.get(av, (True, True))
    return True, True  # NEGATE, NOT_LITERAL, ANY and anything new: may match any character


def _byte_class(codes: list[int]) -> str:
    r"""A Hyperscan class of the given bytes (``\xff``, which the copy never holds, when there are none)."""
    if not codes:
        return "\\xff"
    parts, i = [], 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        parts.append(f"\\x{codes[i]:02x}" if i == j else f"\\x{codes[i]:02x}-\\x{codes[j]:02x}")
        i = j + 1
    return parts[0] if len(parts) == 1 and "-" not in parts[0] else "[" + "".join(parts) + "]"


def _atom(node: tuple[Any, Any], flags: int) -> str:
    """One character atom (a literal, a class, ``.``) as the class of copy bytes it may match."""
    key = (repr(node), flags)
    if key not in _ATOMS:
        _ATOMS[key] = _atom_class(node, flags)
    return _ATOMS[key]


_ATOMS: dict[tuple[str, int], str] = {}


def _atom_class(node: tuple[Any, Any], flags: int) -> str:
    op, av = node
    sub = _parser.SubPattern(_parser.State(), [node])
    compiled = _compiler.compile(sub, flags | re.UNICODE)
    codes = [code for code in range(0x80) if compiled.match(chr(code))]
    folding = bool(flags & re.IGNORECASE)
    if op is _c.IN:
        items = av
        if any(item_op is _c.NEGATE for item_op, _ in items):  # all but the items: \W and \w exclude a kind
            word = (_c.CATEGORY, _c.CATEGORY_WORD) not in items
            other = (_c.CATEGORY, _c.CATEGORY_NOT_WORD) not in items
        else:
            kinds = [_non_ascii_kinds(item_op, item_av, folding) for item_op, item_av in items]
            word, other = any(k[0] for k in kinds), any(k[1] for k in kinds)
    elif op is _c.LITERAL:
        word, other = _non_ascii_kinds(op, av, folding)
    else:
        word = other = True
    extra = ([WORD_STAND_IN] if word else []) + ([OTHER_STAND_IN] if other else [])
    return _byte_class(sorted(set(codes) | set(extra)))


def _hs(nodes: Any, flags: int, groups: dict[int, tuple[Any, int]]) -> str:
    out = []
    for op, av in nodes:
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
            out.append(_atom((op, av), flags))
        elif op is _c.SUBPATTERN:
            group, add, drop, sub = av
            inner = (flags | add) & ~drop
            if group is not None:
                groups[group] = (sub, inner)
            out.append(f"(?:{_hs(sub, inner, groups)})")
        elif op is _c.BRANCH:
            out.append("(?:" + "|".join(_hs(alt, flags, groups) for alt in av[1]) + ")")
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _POSSESSIVE):
            low, high, sub = av
            bound = f"{{{low},}}" if high is _c.MAXREPEAT else f"{{{low},{high}}}"
            out.append(f"(?:{_hs(sub, flags, groups)}){bound}")
        elif op is _ATOMIC:  # matches a subset of what the plain group matches
            out.append(f"(?:{_hs(av, flags, groups)})")
        elif op is _c.GROUPREF:  # the group's pattern: matches wherever its copy does
            sub, inner = groups[av]
            out.append(f"(?:{_hs(sub, inner | (flags & re.IGNORECASE), groups)})")
        elif op is _c.GROUPREF_EXISTS:
            _, yes, no = av
            out.append(f"(?:{_hs(yes, flags, groups)}|{_hs(no, flags, groups) if no is not None else ''})")
        elif op is _c.AT:
            # \\b and \\B read word bytes, which the copy keeps; ^ is the buffer's start in both;
            # any other anchor is dropped (a superset).
            out.append({_c.AT_BOUNDARY: "\\b", _c.AT_NON_BOUNDARY: "\\B", _c.AT_BEGINNING: "^",
                        _c.AT_BEGINNING_STRING: "^"}.get(av, ""))
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            continue  # a look-around only removes matches
        else:  # pragma: no cover - a construct this translation does not know
            raise ValueError(f"no Hyperscan form for the regular-expression construct {op}")
    return "".join(out)


def hyperscan_form(pattern: str, flags: int = 0) -> str:
    r"""A Hyperscan expression that matches the :func:`ascii_copy` of every text ``pattern`` matches in.

    Each character atom becomes the class of the bytes it may match in the copy (its ASCII
    characters, ``_`` when it may match a non-ASCII word character, SUB when another one);
    look-arounds and anchors other than ``\b``, ``\B`` and ``^`` go, back-references become
    copies of their groups. The result is a superset of ``pattern`` on the copy: Hyperscan
    names the texts, and ``pattern`` itself decides inside them.
    """
    parsed = _parser.parse(pattern, flags)
    return _hs(parsed, parsed.state.flags, {})
