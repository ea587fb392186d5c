"""PII in free text: compiled patterns propose, validators and context decide, overlaps resolve.

:func:`find_pii` joins all texts into one string (NUL-separated; no pattern can cross a NUL),
finds in one pass every position where some entity's pattern matches (a combined start
finder), re-matches each entity's own compiled pattern at its positions only (exactly what
a ``finditer`` per pattern would yield). With the optional ``hyperscan`` package (the ``fast``
extra) and a large input, Hyperscan instead names, per pattern, the texts it may match in
and where its first match may start, and each pattern's ``finditer`` reads only there: the
same matches, found faster. Then it validates each candidate, scores it with
its context (a "SSN" word before nine digits; "version" or "==" before a dotted quad), then
resolves overlaps between types per text: the stronger entity wins (an IBAN's digit groups
are not also a card; an SSN is not also a phone). Entity names are Presidio's, plus
``DATE_OF_BIRTH``, ``MAC_ADDRESS`` and ``POSTCODE``.
"""
from __future__ import annotations

import gc
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._exceptions import UsageError
from . import _messages as msg
from ._validators import (IBAN_LENGTHS, card_ok, date_ok, iban_ok, ipv4_ok, ipv6_ok, month_number, phone_ok,
                          ssn_ok)

__all__ = ["PIISpan", "find_pii", "ENTITY_TYPES", "DEFAULT_REGIONS", "as_texts", "PRIORITY"]

#: Regions whose national phone formats are recognised without a leading ``+``.
DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB")

#: Overlap resolution: when spans of two types overlap, the higher priority wins.
PRIORITY: dict[str, int] = {
    "EMAIL_ADDRESS": 10, "IBAN_CODE": 9, "CREDIT_CARD": 8, "US_SSN": 7, "MAC_ADDRESS": 7, "IP_ADDRESS": 6,
    "PHONE_NUMBER": 5, "DATE_OF_BIRTH": 4, "DATE_TIME": 3, "POSTCODE": 2, "PERSON": 1,
}
ENTITY_TYPES: tuple[str, ...] = tuple(PRIORITY)

_SEP = "\x00"
_CONTEXT = 40  # characters before a candidate read as its context


@dataclass(frozen=True, slots=True)
class PIISpan:
    """One entity found in one text: ``text[start:end]`` is of ``entity_type``, with confidence ``score``."""

    start: int
    end: int
    entity_type: str
    score: float


_Candidate = tuple[int, int, str, float]
_Check = Callable[["re.Match[str]", str, tuple[str, ...]], "_Candidate | None"]

# Context rules read the text just before a candidate, *reversed*: each is the mirror image of
# a rule "keyword, then a few characters, then the candidate" (e.g. ``order no: $``), so
# ``match`` at the candidate (one anchored attempt) replaces a ``search`` for ``...$`` that
# tries every position of the window. tests/privacy checks each against its forward form.
_NEG_NUMBER = re.compile(r"\s*[:#=]?\s*(?:\.?on|rebmun|\.?rn|di)?\s*"  # (?:order|...)\s*(?:no\.?|...)?\s*[:#=]?\s*$
                         r"(?:redro|eciovni|vni|fer|ecnerefer|tekcit|gnikcart|op|uks|meti|on tnuocca|tcca|"
                         r"esac|hctab|tol|laires|dliub|noisrev|rev|nbsi|#)", re.I)
_NEG_VERSION = re.compile(r"\s*[:=]?\s*(?:noisrev|\.?rev|v|dliub|esaeler|\.?ler|(?:noisi)?ver|erawmrif|wf|gkp|"
                          r"egakcap|==|=>|=<|=~|@)", re.I)  # (?:version|...|@)\s*[:=]?\s*$
_SSN_CONTEXT = re.compile(r"[^\x00]{0,25}\b(?:nss|ytiruces\s+laicos|ces\s*\.?cos|#\s*ss|on\s*ss|reyapxat|nit)",
                          re.I)  # (?:ssn|social\s+security|...)\b[^\x00]{0,25}$
_PHONE_CONTEXT = re.compile(r"[^\x00]{0,20}\b(?:enohp|let|enohpelet|llac|elibom|llec|xaf|tcatnoc|hcaer|laid|txet|"
                            r"sms|ppastahw)", re.I)  # (?:phone|tel|...)\b[^\x00]{0,20}$
_DOB_CONTEXT = re.compile(r"[^\x00]{0,12}\b(?:nrob|htrib|bod|\.?b\.o\.d|yadhtrib|etadhtrib)",
                          re.I)  # (?:born|birth|dob|d\.o\.b\.?|birthday|birthdate)\b[^\x00]{0,12}$
_DATE_SHAPE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")
_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|#)\s*\d{1,6}$", re.I)


def _context(joined: str, start: int) -> str:
    """Up to ``_CONTEXT`` characters of the same text before ``start``, reversed (nearest first)."""
    low = max(0, start - _CONTEXT)
    cut = joined.rfind(_SEP, low, start)
    return joined[cut + 1 if cut >= 0 else low:start][::-1]


# -- checks: a match -> a candidate or None --------------------------------------------------------
def _email(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    return m.start(), m.end(), "EMAIL_ADDRESS", 1.0


def _iban(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    text = m.group()
    want = IBAN_LENGTHS.get(text[:2])
    if want is None:
        return None
    # Trim trailing groups a following word was swallowed into: the match is letters and digits
    # with single spaces between them, so the country's length ends after ``want`` of them.
    end = want
    while (longer := want + text.count(" ", 0, end)) != end:  # least end with ``want`` of them before it
        end = longer
    if end > len(text) or (end < len(text) and text[end].isalnum()):
        return None
    return (m.start(), m.start() + end, "IBAN_CODE", 1.0) if iban_ok(text[:end]) else None


def _card(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    if not card_ok(m.group()):
        return None
    if _NEG_NUMBER.match(_context(joined, m.start())):
        return None
    return m.start(), m.end(), "CREDIT_CARD", 1.0


def _ssn(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    if not ssn_ok(m.group()):
        return None
    ctx = _context(joined, m.start())
    if _NEG_NUMBER.match(ctx):
        return None
    sep = m.group(2)
    score = 0.85 if sep == "-" else 0.6 if sep == " " else 0.3
    if _SSN_CONTEXT.match(ctx):
        score = 1.0
    return m.start(), m.end(), "US_SSN", score


def _phone(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    start, text = m.start(), m.group()
    ctx = _context(joined, start)
    if _NEG_NUMBER.match(ctx):
        return None
    for _ in range(3):  # retry without a trailing number that was swallowed into the match
        main = _EXTENSION.sub("", text)
        if not (_DATE_SHAPE.fullmatch(main) or _DOTTED_QUAD.fullmatch(main) or _SSN_SHAPE.fullmatch(main)):
            bare = main.isdigit()
            if phone_ok(text, regions) and not (bare and len(main) > 10 and not main.startswith("00")):
                score = 0.75
                if bare:
                    score = 0.4
                if _PHONE_CONTEXT.match(ctx):
                    score = 1.0
                return start, start + len(text), "PHONE_NUMBER", score
        cut = max(text.rfind(" "), text.rfind("\t"))
        if cut <= 0:
            return None
        text = text[:cut].rstrip(" .-(")
    return None


def _ipv4(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    if not ipv4_ok(m.group()) or _NEG_VERSION.match(_context(joined, m.start())):
        return None
    return m.start(), m.end(), "IP_ADDRESS", 0.95


def _ipv6(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    text = m.group()
    if len(text) < 6 or not ipv6_ok(text):
        return None
    return m.start(), m.end(), "IP_ADDRESS", 0.95


def _mac(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    return m.start(), m.end(), "MAC_ADDRESS", 0.95


def _date_type(joined: str, start: int) -> str:
    return "DATE_OF_BIRTH" if _DOB_CONTEXT.match(_context(joined, start)) else "DATE_TIME"


def _date_iso(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    if not date_ok(int(m.group(1)), int(m.group(2)), int(m.group(3))):
        return None
    if _NEG_VERSION.match(_context(joined, m.start())):
        return None
    return m.start(), m.end(), _date_type(joined, m.start()), 0.85


def _date_numeric(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    a, b, y = int(m.group(1)), int(m.group(3)), m.group(4)
    year = int(y) + (1900 if len(y) == 2 and int(y) > 30 else 2000 if len(y) == 2 else 0)
    if not (date_ok(year, a, b) or date_ok(year, b, a)):
        return None
    if _NEG_VERSION.match(_context(joined, m.start())) or _NEG_NUMBER.match(_context(joined, m.start())):
        return None
    return m.start(), m.end(), _date_type(joined, m.start()), 0.7


def _date_words(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    groups = m.groupdict()
    month = month_number(groups["m1"] or groups["m2"])
    day = int(groups["d1"] or groups["d2"])
    year = int(groups["y1"] or groups["y2"])
    if month is None or not date_ok(year, month, day):
        return None
    return m.start(), m.end(), _date_type(joined, m.start()), 0.85


def _postcode(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    group = "zip" if m.group("zip") else "uk"
    return m.start(group), m.end(group), "POSTCODE", 0.7


_NOT_NAMES = frozenset({"Sir", "Madam", "Customer", "Customers", "Team", "Support", "Service", "Services",
                        "Us", "The", "All", "Admin", "User", "Users", "Manager", "Department", "Office", "Desk",
                        "Center", "Centre", "Information", "Details", "Number", "Name", "Names"})


def _person(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    name = m.group("name")
    words = name.split()
    while words and words[-1] in _NOT_NAMES:
        words.pop()
    if not words or words[0] in _NOT_NAMES:
        return None
    start = m.start("name")
    return start, start + len(" ".join(words)), "PERSON", 0.6


# -- patterns ------------------------------------------------------------------------------------
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_NAME_WORD = rf"[{_UP}][{_LOW}]*(?:[{_UP}][{_LOW}]+)?(?:['\u2019-][{_UP}]?[{_LOW}]+)?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"

_SPECS: tuple[tuple[str, str, int, _Check], ...] = (
    ("EMAIL_ADDRESS",
     r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])", 0, _email),
    ("IBAN_CODE", r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", 0, _iban),
    ("CREDIT_CARD", r"(?<![\w.,/-])\d(?:[ -]?\d){11,18}(?![\d])", 0, _card),
    ("US_SSN", r"(?<![\d./-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?!\d|[-/]\d|\.\d)", 0, _ssn),
    ("PHONE_NUMBER",
     r"(?<![\w+@.:/=-])(?:\+|00)?\(?\d[\d ().-]{5,20}\d(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w@]|[.:/-]\d)", 0, _phone),
    ("IP_ADDRESS", r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)", 0, _ipv4),
    ("IP_ADDRESS", r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:.])", 0, _ipv6),
    ("MAC_ADDRESS",
     r"(?<![\w:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![\w:-])"
     r"|(?<![\w.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w.])", 0, _mac),
    ("DATE_TIME",
     r"(?<![\w./-])(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
     r"(?![\w-]|\.\d)", 0, _date_iso),
    ("DATE_TIME", r"(?<![\w./:-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/:-]|\.\d)", 0, _date_numeric),
    ("DATE_TIME",
     rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH}),?\s+(?P<y1>\d{{4}})"
     rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}}))\b", re.I, _date_words),
    ("POSTCODE",
     r"(?:(?i:\bzip(?:\s*code)?|\bpostal\s*code|\bpost\s*code)[^\w\x00]{0,3}|\b[A-Z]{2},?\s)(?P<zip>\d{5}(?:-\d{4})?)\b"
     r"|(?P<uk>\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b)", 0, _postcode),
    ("PERSON", rf"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof)\.?\s+(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,2}})", 0, _person),
    ("PERSON",
     rf"\b(?i:name(?:\s+is)?|dear|signed(?:\s+by)?|patient|customer|client|employee|applicant|contact|attn|"
     rf"beneficiary|cardholder|holder|recipient|regards|sincerely)\s*[:,-]?\s+"
     rf"(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{1,2}})", 0, _person),
)
_COMPILED = tuple(sorted(  # strongest type first: pruning by "covered" needs that order
    ((i, etype, re.compile(pattern, flags), check) for i, (etype, pattern, flags, check) in enumerate(_SPECS)),
    key=lambda spec: -PRIORITY[spec[1]]))

def _embedded(pattern: str, flags: int) -> str:
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


def _start_finder() -> tuple[re.Pattern[str], tuple[int, ...]]:
    """One pattern that, in a single pass, marks every position where any entity pattern matches.

    Every entity pattern starts with a word character (or ``+``, ``(``, ``:``) that is not
    preceded by a word character, except US SSNs, which may follow a letter. The finder
    consumes that first character (so the regex engine skips other positions in C) and
    then, inside a one-character lookbehind, tries each entity pattern as a lookahead that
    sets an empty marker group on success. One pass replaces one pass per pattern; the
    entity's own compiled pattern is then re-matched at the marked positions only.
    """
    parts, markers = [], []
    for i, (_, pattern, flags, _) in enumerate(_SPECS):
        parts.append(f"(?:(?={_embedded(pattern, flags)})(?P<m{i}>)|)")
        markers.append(i + 1)
    fail = "(?!)"
    for i in reversed(range(len(_SPECS))):
        fail = f"(?(m{i})|{fail})"
    finder = rf"[\w+(:](?:(?<!\w.)|(?<=[^\W\d]\d))(?<={''.join(parts)}.){fail}"
    return re.compile(finder), tuple(markers)


_FINDER, _MARKERS = _start_finder()
_PATTERNS = {index: pattern for index, _, pattern, _ in _COMPILED}


def _starts(joined: str) -> list[list[int]]:
    """Per entity spec, the positions where its pattern matches, from one pass of the start finder."""
    out: list[list[int]] = [[] for _ in _SPECS]
    marks = tuple(enumerate(_MARKERS))
    for m in _FINDER.finditer(joined):
        pos = m.start()
        for i, g in marks:
            if m.start(g) >= 0:
                out[i].append(pos)
    return out


def _matches(pattern: re.Pattern[str], joined: str, starts: list[int]) -> Iterable[re.Match[str]]:
    """What ``pattern.finditer(joined)`` yields, given every position where it matches."""
    last_end = 0
    for pos in starts:
        if pos < last_end:
            continue
        m = pattern.match(joined, pos)
        if m is not None:
            last_end = m.end()
            yield m


_PerSpec = dict[int, Iterable["re.Match[str]"]]


def _re_matches(joined: str, offsets: np.ndarray, lengths: np.ndarray, specs: frozenset[int]) -> _PerSpec:
    """Per entity spec, its matches in ``joined``: the pure-``re`` path (one start-finder pass)."""
    starts = _starts(joined)
    return {index: _matches(_PATTERNS[index], joined, starts[index]) for index in specs}


# -- optional accelerator: Hyperscan picks the texts a pattern may match in, ``re`` decides there ----
def _without_lookarounds(pattern: str) -> str:
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


def _hs_expression(pattern: str, flags: int) -> bytes:
    """The Hyperscan form of an entity pattern, for ASCII text: a superset reported once per text.

    Capturing groups and back-references go (as in the start finder), so do look-arounds;
    ``\\s`` gains the ASCII separators Python counts as whitespace; the non-ASCII letters of
    names go (texts with any non-ASCII character are always handed to ``re``). The suffix
    runs on to the NUL that ends the text, so Hyperscan reports each text once.
    """
    core = _without_lookarounds(_embedded(pattern, flags))
    core = core.replace(_UP, "A-Z").replace(_LOW, "a-z").replace("\\u2019", "")
    core = core.replace("\\s", "[\\t\\n\\v\\f\\r \\x1c-\\x1f]")
    return f"(?:{core})[^\\x00]*\\x00".encode("ascii")


# Patterns that many texts nearly match (digit runs), spelled out for Hyperscan exactly, their
# one-character look-arounds written as consumed characters ("^" or a character before; the NUL
# or a character after), so it reports only the texts that hold a real match.
_HS_EXACT: dict[_Check, str] = {
    _ssn: r"(?:^|[^\d./\-])\d{3}(?:-\d{2}-|\ \d{2}\ |\d{2})\d{4}"  # back-reference as three alternatives
          r"(?:\x00|[^\d\-/.\x00][^\x00]*\x00|[\-/.](?:\x00|[^\d\x00][^\x00]*\x00))",
    _card: r"(?:^|[^\w.,/\-])\d(?:[ \-]?\d){11,18}(?:\x00|[^\d\x00][^\x00]*\x00)",
    _date_numeric: r"(?:^|[^\w./:\-])\d{1,2}(?:/\d{1,2}/|\.\d{1,2}\.|-\d{1,2}-)(?:\d{4}|\d{2})"
                   r"(?:\x00|[^\w/:\-.\x00][^\x00]*\x00|\.(?:\x00|[^\d\x00][^\x00]*\x00))",
}


def _hs_database() -> Any:
    """All entity patterns in one Hyperscan database (ids: spec indices), or None without ``hyperscan``."""
    try:
        import hyperscan
    except ImportError:
        return None
    database = hyperscan.Database()
    expressions = [_HS_EXACT[check].encode("ascii") if check in _HS_EXACT else _hs_expression(pattern, flags)
                   for _, pattern, flags, check in _SPECS]
    database.compile(expressions=expressions, ids=list(range(len(_SPECS))),
                     elements=len(_SPECS), flags=[0] * len(_SPECS))
    return database


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _hs_matches(joined: str, offsets: np.ndarray, lengths: np.ndarray, specs: frozenset[int]) -> _PerSpec:
    """Per entity spec, its matches in ``joined``: Hyperscan names the texts, ``re`` matches in them.

    No pattern crosses the NUL between texts, so ``finditer`` over a run of consecutive
    texts yields what it yields over the whole string there; texts Hyperscan did not report
    (and no non-ASCII text is left out) hold no match.
    """
    hits: list[list[int]] = [[] for _ in _SPECS]
    data = (joined + _SEP).encode("ascii", "replace")  # one byte per character: offsets agree

    def on_match(spec: int, start: int, end: int, flags: int, context: Any) -> None:
        hits[spec].append(end - 1)

    with _HS_LOCK:  # one scratch space per database: scans must not overlap
        _HS_STATE["database"].scan(data, match_event_handler=on_match)
    forced = np.unique(np.searchsorted(offsets, [m.start() for m in _NON_ASCII.finditer(joined)], side="right") - 1)
    ends = offsets + lengths
    out: _PerSpec = {}
    for index in specs:
        found = np.searchsorted(offsets, hits[index], side="right") - 1
        texts = np.union1d(found, forced) if len(forced) else found  # already sorted, unique for hits
        out[index] = _runs(_PATTERNS[index], joined, texts, offsets, ends)
    return out


def _runs(pattern: re.Pattern[str], joined: str, texts: np.ndarray, offsets: np.ndarray,
          ends: np.ndarray) -> Iterable[re.Match[str]]:
    """``pattern``'s matches in the given texts, one ``finditer`` per run of consecutive texts."""
    if not len(texts):
        return
    breaks = np.flatnonzero(np.diff(texts) != 1) + 1
    firsts = texts[np.concatenate([[0], breaks])].tolist()
    lasts = texts[np.concatenate([breaks - 1, [len(texts) - 1]])].tolist()
    for first, last in zip(firsts, lasts):
        yield from pattern.finditer(joined, int(offsets[first]), int(ends[last]))


#: Use Hyperscan when it is importable (tests switch it off to compare both paths).
_ACCELERATE = True
#: Hyperscan's database takes ~0.2 s to compile, about what it saves on this many characters of
#: text; it is compiled on the first call at least this large and used for every call after.
_HS_MIN_CHARS = 250_000
_HS_STATE: dict[str, Any] = {}
_HS_LOCK = threading.Lock()


def _accelerator(n_chars: int) -> Any:
    """The Hyperscan database when it pays (compiled once), else None: the pure-``re`` path runs."""
    if not _ACCELERATE:
        return None
    if "database" not in _HS_STATE:
        if n_chars < _HS_MIN_CHARS:
            return None
        with _HS_LOCK:
            if "database" not in _HS_STATE:
                _HS_STATE["database"] = _hs_database()
    return _HS_STATE["database"]


_DATE_TYPES = frozenset({"DATE_TIME", "DATE_OF_BIRTH"})


def _strength(c: _Candidate) -> tuple[int, float, int, int]:
    """Sort key of overlap resolution: higher priority, then higher score, then longer, then earlier."""
    return -PRIORITY[c[2]], -c[3], c[0] - c[1], c[0]


def as_texts(texts: Any) -> list[str]:
    """Texts as a list of ``str``: None/NaN become empty, bytes are decoded (invalid bytes replaced)."""
    if isinstance(texts, (str, bytes)):
        raise UsageError(msg.SINGLE_TEXT)
    if not isinstance(texts, Iterable):
        raise UsageError(msg.NOT_TEXTS.format(type=type(texts).__name__))
    out = []
    for value in texts:
        if value is None or (isinstance(value, float) and value != value):
            out.append("")
        elif isinstance(value, str):
            out.append(value.replace(_SEP, " ") if _SEP in value else value)
        elif isinstance(value, (bytes, bytearray)):
            out.append(bytes(value).decode("utf-8", "replace").replace(_SEP, " "))
        else:
            out.append(str(value).replace(_SEP, " "))
    return out


def _entities(entities: Sequence[str] | None) -> frozenset[str]:
    if entities is None:
        return frozenset(ENTITY_TYPES)
    wanted = frozenset(str(e) for e in entities)
    unknown = sorted(wanted - set(ENTITY_TYPES))
    if unknown:
        raise UsageError(msg.UNKNOWN_ENTITY.format(unknown=unknown, known=list(ENTITY_TYPES)))
    return wanted


def find_pii(texts: Iterable[Any], *, entities: Sequence[str] | None = None,
             regions: Sequence[str] = DEFAULT_REGIONS, score_threshold: float = 0.5) -> list[list[PIISpan]]:
    """For each text, the PII spans found in it (sorted by start), Presidio-style.

    ``entities`` limits the types (default: all of :data:`ENTITY_TYPES`); ``regions`` are
    the ISO country codes whose national phone formats count; spans scoring below
    ``score_threshold`` (e.g. nine bare digits with no "SSN" word near) are dropped.
    """
    items = as_texts(texts)
    wanted = _entities(entities)
    region_tuple = tuple(str(r).upper() for r in regions)
    if not items:
        return []
    # Tens of thousands of short-lived match objects and tuples would trigger the cyclic
    # garbage collector over and over (~15% of the run); none of them forms a cycle.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _find(items, wanted, region_tuple, score_threshold)
    finally:
        if paused:
            gc.enable()


def _find(items: list[str], wanted: frozenset[str], region_tuple: tuple[str, ...],
          score_threshold: float) -> list[list[PIISpan]]:
    if "DATE_TIME" in wanted or "DATE_OF_BIRTH" in wanted:
        wanted = wanted | _DATE_TYPES
    lengths = np.fromiter((len(t) for t in items), dtype=np.int64, count=len(items))
    offsets = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    joined = _SEP.join(items)
    found: list[_Candidate] = []
    # Spans already won by a higher-priority type: a candidate inside one would lose the overlap
    # resolution anyway, so it is not validated (phone validation is the costly one).
    covered = bytearray(len(joined) + 1)
    last_priority = None
    pending: list[_Candidate] = []
    matches = _re_matches if _accelerator(len(joined)) is None else _hs_matches
    per_spec = matches(joined, offsets, lengths, frozenset(i for i, etype, _, _ in _COMPILED if etype in wanted))
    for index, etype, pattern, check in _COMPILED:
        if etype not in wanted:
            continue
        if PRIORITY[etype] != last_priority:
            for c in pending:
                covered[c[0]:c[1]] = b"\x01" * (c[1] - c[0])
            pending, last_priority = [], PRIORITY[etype]
        for m in per_spec[index]:
            if covered.find(1, m.start(), m.end()) >= 0:
                continue
            cand = check(m, joined, region_tuple)
            if cand is not None and cand[3] >= score_threshold and cand[2] in wanted:
                found.append(cand)
                pending.append(cand)
    out: list[list[PIISpan]] = [[] for _ in items]
    if not found:
        return out
    starts = np.fromiter((c[0] for c in found), dtype=np.int64, count=len(found))
    owner = np.searchsorted(offsets, starts, side="right") - 1
    per_text: dict[int, list[_Candidate]] = {}
    for cand, idx in zip(found, owner.tolist()):
        per_text.setdefault(idx, []).append(cand)
    for idx, cands in per_text.items():
        base = int(offsets[idx])
        if len(cands) == 1:
            kept = cands
        else:
            cands.sort(key=_strength)
            kept = []
            for c in cands:
                if all(c[1] <= k[0] or c[0] >= k[1] for k in kept):
                    kept.append(c)
            kept.sort()
        out[idx] = [PIISpan(s - base, e - base, t, score) for s, e, t, score in kept]
    return out
