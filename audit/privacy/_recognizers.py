"""The recognizers of :func:`find_pii`: one pattern per entity form, the context rules read before a
candidate, and the check that turns a match into a candidate (validator, context, score) or rejects it.

Each spec is ``(entity_type, pattern, flags, check)``. Patterns start with a word character
(or ``+``, ``(``, ``:``) not preceded by one (the combined start finder of :mod:`._text`
relies on it); checks receive the match, the joined texts and the phone regions.
Entity names are Presidio's, plus ``DATE_OF_BIRTH``, ``MAC_ADDRESS``, ``POSTCODE``,
``UK_POSTCODE``, ``DOMAIN_NAME``, ``STREET_ADDRESS`` and ``AGE``.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ._validators import (IBAN_LENGTHS, card_ok, date_ok, iban_ok, ipv4_ok, ipv6_ok, month_number, phone_ok,
                          ssn_ok)

__all__ = ["DEFAULT_REGIONS", "ENTITY_TYPES", "PRIORITY"]

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
