"""The recognizers of :func:`find_pii`: patterns, context rules, and checks that accept or reject a match.

One pattern per entity form, the context rules read before a candidate, and the check that
turns a match into a candidate (validator, context, score) or rejects it.

Each spec is ``(entity_type, pattern, flags, check)``. Patterns start with a word character
(or ``+``, ``(``, ``:``) not preceded by one (the combined start finder of :mod:`._text`
relies on it); checks receive the match, the joined texts and the phone regions.
Entity names are Presidio's, plus ``DATE_OF_BIRTH``, ``MAC_ADDRESS``, ``POSTCODE``,
``UK_POSTCODE``, ``DOMAIN_NAME``, ``STREET_ADDRESS`` and ``AGE``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ._validators import (
    IBAN_LENGTHS,
    card_ok,
    date_ok,
    iban_ok,
    ipv4_ok,
    ipv6_ok,
    mac_ok,
    month_number,
    phone_ok,
    ssn_ok,
)

__all__ = ["DEFAULT_REGIONS", "ENTITY_TYPES", "NAME_CUES", "NER_TYPES", "PRIORITY", "add_name_cues", "specs"]

#: Regions whose national phone formats are recognised without a leading ``+`` (libphonenumber
#: validity plus its national-prefix rule); pass ``regions=`` to choose others.
DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "CH", "AT", "IN", "BR", "CA",
                                    "AU", "JP", "IL")

#: Overlap resolution: when spans of two types overlap, the higher priority wins. A type is not
#: looked for inside a span a higher type already won: no phone inside an address, a postcode,
#: an IBAN, a card or a date; no domain inside an e-mail address or a URL.
PRIORITY: dict[str, int] = {
    "EMAIL_ADDRESS": 30, "IBAN_CODE": 29, "CREDIT_CARD": 28, "US_SSN": 27, "MAC_ADDRESS": 27, "IP_ADDRESS": 26,
    "URL": 25, "STREET_ADDRESS": 24, "DATE_OF_BIRTH": 23, "DATE_TIME": 22, "UK_POSTCODE": 21, "POSTCODE": 20,
    "PHONE_NUMBER": 19, "DOMAIN_NAME": 18, "AGE": 17, "PERSON": 16, "LOCATION": 15, "NRP": 14, "ORGANIZATION": 13,
}
ENTITY_TYPES: tuple[str, ...] = tuple(PRIORITY)
#: Types only a NER backend finds (``find_pii(..., ner="spacy:<pipeline>")``).
NER_TYPES: frozenset[str] = frozenset({"LOCATION", "NRP", "ORGANIZATION"})

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
_SSN_HASH = re.compile(r"\s*#\s*(?:nss|ss)\b", re.I)  # \b(?:ssn|ss)\s*#\s*$
_DATE_SHAPE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")
_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|#)\s*\d{1,6}$", re.I)


_CARD_CONTEXT = re.compile(r"\s*[:#]?\s*(?:on\s*)?(?:rebmun\s*)?\b(?:drac|cc)\b",
                           re.I)  # \b(?:card|cc)\b\s*(?:number\s*)?(?:no\s*)?[:#]?\s*$


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
    want = IBAN_LENGTHS.get(text[:2].upper())
    if want is None:
        return None
    # Trim trailing groups a following word was swallowed into: the match is letters and digits
    # with single separators (space or dash) between them, so the country's length ends after
    # ``want`` of them.
    end = want
    while (longer := want + text.count(" ", 0, end) + text.count("-", 0, end)) != end:
        end = longer
    if end > len(text) or (end < len(text) and text[end].isalnum()):
        return None
    code = text[:end]
    letters = "".join(ch for ch in code if ch.isalpha())
    if not (letters.isupper() or letters.islower()):  # ISO 13616 prints one case; "GI75 aWBK..." is not an IBAN
        return None
    if " " in code and "-" in code:
        return None
    return (m.start(), m.start() + end, "IBAN_CODE", 1.0) if iban_ok(code) else None


def _card(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    if not card_ok(m.group()):
        return None
    ctx = _context(joined, m.start())
    if _NEG_NUMBER.match(ctx) and not _CARD_CONTEXT.match(ctx):  # "card #4111..." is a card, "ref #4111..." not
        return None
    return m.start(), m.end(), "CREDIT_CARD", 1.0


def _ssn(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    text = m.group()
    first, second = m.group(2), m.group(4)
    if first != second and not ({first, second} == {"-", ""}):  # "693-09.4444" mixes two separators
        return None
    if not ssn_ok(text):
        return None
    ctx = _context(joined, m.start())
    cued = _SSN_CONTEXT.match(ctx) is not None
    if _NEG_NUMBER.match(ctx) and not _SSN_HASH.match(ctx):  # "ssn# 123456789" is an SSN, "ticket #..." not
        return None
    if first != second:  # 3-6 or 5-4 grouping: a very weak SSN
        score = 0.1
    else:
        score = 0.85 if first == "-" else 0.6 if first in (" ", ".") else 0.3
    if cued:
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


def _prefix_len(text: str, limit: int) -> int:
    """Length of ``text`` without a CIDR suffix ("/24") whose prefix length exceeds ``limit``."""
    cut = text.rfind("/")
    if cut >= 0 and int(text[cut + 1:]) > limit:
        return cut
    return len(text)


def _ipv4(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    text = m.group()
    end = _prefix_len(text, 32)
    if not ipv4_ok(text[:end].split("/")[0]) or _NEG_VERSION.match(_context(joined, m.start())):
        return None
    return m.start(), m.start() + end, "IP_ADDRESS", 0.95


def _ipv6(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    text = m.group()
    end = _prefix_len(text, 128)
    address = text[:end].split("/")[0]
    if not ipv6_ok(address):
        return None
    # "::" alone (the unspecified address) is weak evidence, as in Presidio; "::1" and longer are not.
    score = 0.5 if address == "::" else 0.95
    return m.start(), m.start() + end, "IP_ADDRESS", score


def _mac(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    if not mac_ok(m.group()):  # the broadcast and all-zero addresses name no device
        return None
    return m.start(), m.end(), "MAC_ADDRESS", 0.95


def _date_type(joined: str, start: int) -> str:
    return "DATE_OF_BIRTH" if _DOB_CONTEXT.match(_context(joined, start)) else "DATE_TIME"


def _date_iso(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    if not date_ok(int(m.group(1)), int(m.group(2)), int(m.group(3))):
        return None
    if _NEG_VERSION.match(_context(joined, m.start())):
        return None
    return m.start(), m.end(), _date_type(joined, m.start()), 0.85


def _year(y: str) -> int:
    return int(y) + (1900 if len(y) == 2 and int(y) > 30 else 2000 if len(y) == 2 else 0)


def _date_numeric(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    a, b, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
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


def _date_dashed(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    """Month names joined by dashes: ``5-May-2021``, ``29-FEB``, ``May-21``, ``May-2021``."""
    g = m.groupdict()
    if g["mon"] is not None:  # day-Mon[-year]
        month, day = month_number(g["mon"]), int(g["day"])
        year = _year(g["year"]) if g["year"] else 2000  # a leap year: "29-FEB" alone is a valid day
        score = 0.85 if g["year"] else 0.6
    else:  # Mon-yy / Mon-yyyy (a month of a year) or Mon-dd
        month, rest = month_number(g["mon2"]), g["rest"]
        day, year, score = 1, _year(rest) if len(rest) in (2, 4) else 0, 0.6
    if month is None or not date_ok(year, month, day):
        return None
    return m.start(), m.end(), _date_type(joined, m.start()), score


def _date_partial(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    """``05/21``, ``5/2021``: a month and a year (or day), weak evidence as in Presidio (0.1-0.2)."""
    a, b = m.group(1), m.group(2)
    if not 1 <= int(a) <= 12:
        return None
    ctx = _context(joined, m.start())
    if _NEG_VERSION.match(ctx) or _NEG_NUMBER.match(ctx):
        return None
    if len(b) == 4:
        return (m.start(), m.end(), "DATE_TIME", 0.2) if 1900 <= int(b) <= 2099 else None
    return (m.start(), m.end(), "DATE_TIME", 0.1) if 1 <= int(b) <= 31 else None


def _postcode(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    return m.start("zip"), m.end("zip"), "POSTCODE", 0.7


def _uk_postcode(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    return m.start(), m.end(), "UK_POSTCODE", 0.7


def _url(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    text = m.group().rstrip(".,;:!?")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip(".,;:!?")
    return m.start(), m.start() + len(text), "URL", 0.6


def _domain(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    return m.start(), m.end(), "DOMAIN_NAME", 0.5


def _address(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    return m.start(), m.end(), "STREET_ADDRESS", 0.7


def _age(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    """An age next to its context ("aged 34", "age: 34", "34 years old", "34 Jahre alt", "34 ans", "34 años")."""
    group = "age1" if m.group("age1") else "age2"
    if not 0 < int(m.group(group)) <= 120:
        return None
    return m.start(group), m.end(group), "AGE", 0.6


_NOT_NAMES = frozenset({"Sir", "Madam", "Customer", "Customers", "Team", "Support", "Service", "Services",
                        "Us", "The", "All", "Admin", "User", "Users", "Manager", "Department", "Office", "Desk",
                        "Center", "Centre", "Information", "Details", "Number", "Name", "Names"})


def _person(m: re.Match[str], joined: str, regions: tuple[str, ...]) -> _Candidate | None:
    name = m.group("name")
    words = name.split()
    start = m.start("name")
    while words and words[0].rstrip(".") in _HONORIFIC_WORDS:  # "Dear Mrs Smith": the name is "Smith"
        start += len(words[0]) + 1
        words.pop(0)
    while words and words[-1] in _NOT_NAMES:
        words.pop()
    if not words or words[0] in _NOT_NAMES:
        return None
    return start, start + len(" ".join(words)), "PERSON", 0.6


_HONORIFIC_WORDS: set[str] = set()




# -- patterns ------------------------------------------------------------------------------------
def _char_class(test: Callable[[str], bool], stop: int = 0x530) -> str:
    """A regex character-class body of every character below ``stop`` that passes ``test``, as ranges."""
    out: list[str] = []
    run: list[int] = []
    for code in list(range(0x41, stop)) + [-1]:
        if code >= 0 and test(chr(code)) and chr(code).isalpha():
            if run and run[-1] == code - 1:
                run.append(code)
                continue
            if not run:
                run = [code]
                continue
        if run:
            a, b = chr(run[0]), chr(run[-1])
            out.append(re.escape(a) if a == b else f"{re.escape(a)}-{re.escape(b)}")
            run = [code] if code >= 0 and test(chr(code)) and chr(code).isalpha() else []
    return "".join(out)


# Unicode upper- and lower-case letters of the Latin (incl. Extended-A/B: Ł, Ż, Ő), Greek and
# Cyrillic blocks: Python's ``re`` has no \p{Lu}, so the classes are spelled out once.
_UP = _char_class(str.isupper)
_LOW = _char_class(str.islower)
_NAME_WORD = rf"[{_UP}][{_LOW}]*(?:[{_UP}][{_LOW}]+)?(?:['\u2019-][{_UP}]?[{_LOW}]+)?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_MON3 = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"

#: Honorifics (a name follows, one to three words) and cue words (a name of two or three words
#: follows) per language; :func:`add_name_cues` adds more. Matching is case-sensitive for
#: honorifics ("Dr", "Herr", "Mme") and case-insensitive for cue words.
NAME_CUES: dict[str, dict[str, list[str]]] = {
    "en": {"honorifics": ["Mr", "Mrs", "Ms", "Mx", "Miss", "Dr", "Prof", "Sir", "Dame", "Lady", "Lord", "Rev"],
           "cues": ["name(?:\\s+is)?", "dear", "signed(?:\\s+by)?", "patient", "customer", "client", "employee",
                    "applicant", "contact", "attn", "beneficiary", "cardholder", "holder", "recipient", "regards",
                    "sincerely", "called", "named", "met", "thanks", "hi", "hello",
                    "mister", "son", "daughter", "wife", "husband", "mother", "father"]},
    "de": {"honorifics": ["Herr", "Herrn", "Frau", "Fr", "Hr"],
           "cues": ["name(?:\\s+ist)?", "sehr geehrte[rs]?", "liebe[rs]?", "hallo", "gezeichnet", "patient(?:in)?",
                    "kunde", "kundin", "empfänger(?:in)?", "inhaber(?:in)?", "grüße", "gruß"]},
    "fr": {"honorifics": ["M", "Mme", "Mlle", "Me", "Monsieur", "Madame", "Mademoiselle", "Docteur", "Pr"],
           "cues": ["nom", "je m'appelle", "cher", "chère", "bonjour", "signé(?:\\s+par)?", "patient(?:e)?",
                    "client(?:e)?", "destinataire", "titulaire", "cordialement", "de la part de"]},
    "es": {"honorifics": ["Sr", "Sra", "Srta", "Don", "Doña", "Dña", "Dra"],
           "cues": ["nombre", "me llamo", "estimad[oa]", "querid[oa]", "hola", "firmado(?:\\s+por)?",
                    "paciente", "cliente", "destinatario", "titular", "atentamente", "saludos"]},
}


def add_name_cues(language: str, *, honorifics: Sequence[str] = (), cues: Sequence[str] = ()) -> None:
    """Add honorifics and cue words (regular-expression fragments) for ``language``; used from the next call."""
    entry = NAME_CUES.setdefault(language, {"honorifics": [], "cues": []})
    entry["honorifics"] += [re.escape(h) for h in honorifics]
    entry["cues"] += [str(c) for c in cues]
    global GENERATION
    GENERATION += 1


#: Bumped when the cue tables change: the scanner rebuilds its patterns when it sees a new value.
GENERATION = 0

# English street words: the common USPS Publication 28 suffixes and the usual British ones.
_STREET_EN = (r"Street|St|Streets|Avenue|Ave|Road|Rd|Roads|Boulevard|Blvd|Lane|Ln|Drive|Dr|Drives|Court|Ct|Courts|"
              r"Place|Pl|Way|Ways|Terrace|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Square|Sq|Squares|Row|Gardens?|"
              r"Hills?|Grove|Walks?|Mews|Park|Parks|Mountains?|Mount|Ports?|Village|Villages|Ville|Ridges?|Points?|"
              r"Springs?|Heights|Meadows?|Crossing|Fields?|Forest|Harbou?rs?|Islands?|Isle|Junctions?|Lakes?|"
              r"Landing|Manor|Mills?|Mission|Motorway|Oval|Pass|Path|Pike|Pines?|Plains?|Plaza|Prairie|Ranch|"
              r"Rapids?|Run|Shoals?|Shores?|Summit|Trace|Track|Trail|Tunnel|Turnpike|Valleys?|Via|Views?|Vista|"
              r"Wells?|Creek|Coves?|Center|Centre|Circles?|Common|Corners?|Course|Estates?|Expressway|Extensions?|"
              r"Falls?|Ferry|Flats?|Fords?|Fort|Freeway|Gateway|Glens?|Greens?|Haven|Hollow|Inlet|Keys?|Knolls?|"
              r"Lights?|Loop|Mall|Orchard|Overpass|Radial|Skyway|Spur|Station|Stravenue|Stream|Throughway|"
              r"Trafficway|Underpass|Unions?|Vale|Viaduct|Alley|Arcade|Bayou|Beach|Bend|Bluffs?|Bottom|Branch|"
              r"Bridge|Brooks?|Burgs?|Bypass|Camp|Canyon|Cape|Causeway|Cliffs?|Club|Crest|Curve|Dale|Dam|Divide|"
              r"Locks?|Lodge|Ramp|Route|Wall|Shoal|Crossroad|Fall|Hill")
_STREET_DE = (r"[Ss]tra(?:ß|ss)e|[Ss]tr\.|[Ww]eg|[Aa]llee|[Pp]latz|[Gg]asse|[Rr]ing|[Dd]amm|[Uu]fer|[Cc]haussee|"
              r"[Ss]teig|[Mm]arkt|laan|straat|gracht|plein|dreef")
_STREET_FR = (r"rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|quai|route|cours|passage|square")
_STREET_ES = (r"Calle|C/|Avenida|Avda\.?|Av\.|Plaza|Pza\.|Paseo|Camino|Carrera|Ronda|Travesía|Carretera|"
              r"Callejón|Cuesta|Pasaje|Rambla|Glorieta|Alameda|Urbanización|Vía|Via|Cañada|Acceso|Carrer|Strada|"
              r"Piazza|Viale|Vicolo|Corso|Contrada|Largo|Borgo")
#: Top-level domains a bare host name may end in (a scheme or "www." accepts any).
_TLDS = ("com|org|net|edu|gov|mil|int|io|co|ai|app|dev|info|biz|me|tv|us|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|"
         "pl|cz|pt|ie|il|in|jp|cn|kr|au|nz|ca|br|mx|ar|ru|ua|tr|gr|hu|ro|za|sg|hk|tw|eu|site|online|store|tech|"
         "cloud|xyz|page|blog|shop|news")
_CAP_WORD = rf"[{_UP}][{_LOW}'\u2019-]+"
_TAIL_POSTCODE = rf"(?:,?\s(?:[A-Z]{{2}}\s)?\d{{5}}(?:-\d{{4}})?(?:\s{_CAP_WORD})?)?"


def specs() -> tuple[tuple[str, str, int, _Check], ...]:
    """Every entity spec ``(entity_type, pattern, flags, check)``, with the current name cues."""
    honorifics = "|".join(h for lang in NAME_CUES.values() for h in lang["honorifics"])
    _HONORIFIC_WORDS.clear()
    _HONORIFIC_WORDS.update(h.replace("\\", "") for lang in NAME_CUES.values() for h in lang["honorifics"])
    cues = "|".join(c for lang in NAME_CUES.values() for c in lang["cues"])
    return (
        ("EMAIL_ADDRESS",  # RFC 5322 dot-atoms; RFC 6531 lets both parts hold non-ASCII letters; punycode TLDs
         r"(?<![\w.+%-])[^\W_][\w.%+-]{0,63}@[^\W_](?:[\w-]{0,62}[^\W_])?"
         r"(?:\.[^\W_](?:[\w-]{0,62}[^\W_])?)*\.(?:[^\W\d_]{2,24}|xn--[a-z0-9-]{1,59})(?![\w-])", 0, _email),
        ("IBAN_CODE",  # ISO 13616: electronic form, or printed in groups of four (spaces or dashes); one case
         r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,3})?\b", 0, _iban),
        ("CREDIT_CARD", r"(?<![\w.,/-])\d(?:[ -]?\d){11,18}(?![\d])", 0, _card),
        ("US_SSN", r"(?<![\d./-])(\d{3})([-. ]?)(\d{2})([-. ]?)(\d{4})(?!\d|[-/]\d|\.\d)", 0, _ssn),
        ("PHONE_NUMBER",
         r"(?<![\w+@.:/=-])(?:\+|00)?\(?\d[\d ().-]{5,20}\d(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w@]|[.:/-]\d)", 0,
         _phone),
        ("IP_ADDRESS", r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,4})?(?![\w]|\.\d|/\d)", 0, _ipv4),
        ("IP_ADDRESS",  # RFC 4291 2.2 (all three forms), RFC 4007 zone index, RFC 4632 prefix length
         r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
         r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|[0-9A-Fa-f]{1,4})?"
         r"(?:%[0-9A-Za-z]{1,16})?(?:/\d{1,4})?(?![\w:]|\.\w|/\d)", 0, _ipv6),
        ("MAC_ADDRESS",
         r"(?<![\w:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![\w:-])"
         r"|(?<![\w.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w.])", 0, _mac),
        ("URL",  # a scheme or "www.", a host with a top-level domain, an optional port and path
         r"(?<![\w@.-])(?:(?:https?|ftp)://(?:[\w-]{1,63}\.)+[^\W\d_]{2,24}|www\.(?:[\w-]{1,63}\.)+"
         r"[^\W\d_]{2,24})(?::\d{1,5})?(?:[/?#][^\s\"'<>\x00]*)?", 0, _url),
        ("STREET_ADDRESS",  # EN: "221B Baker Street", "1600 Pennsylvania Ave NW, Washington, DC 20500"
         rf"\b\d{{1,5}}[A-Za-z]?,?\s(?:{_CAP_WORD}\s){{1,3}}(?:{_STREET_EN})\b\.?(?:\s(?:NW|NE|SW|SE|N|S|E|W)\b)?"
         rf"(?:,\s{_CAP_WORD}(?:\s{_CAP_WORD})?,\s[A-Z]{{2}}\s\d{{5}}(?:-\d{{4}})?)?", 0, _address),
        ("STREET_ADDRESS",  # DE/NL: "Hauptstraße 5a, 10115 Berlin", "Laurenz-Müller-Weg 18", "Am Markt 3"
         rf"\b(?:[{_UP}][{_UP}{_LOW}-]{{0,40}}?(?:{_STREET_DE})|(?:Am|An der|Im|In der|Auf dem)\s{_CAP_WORD})"
         rf"\s\d{{1,4}}[a-z]?(?:[-/]\d{{1,4}})?\b(?:,?\s\d{{4,5}}(?:\s?[A-Z]{{2}})?\s{_CAP_WORD})?", 0, _address),
        ("STREET_ADDRESS",  # FR: "12 rue de la Paix, 75002 Paris"
         rf"\b\d{{1,4}}(?:\s?(?:bis|ter))?,?\s(?i:{_STREET_FR})\s(?:(?:de\sla|de|du|des|d'|l')\s?)?{_CAP_WORD}"
         rf"(?:\s{_CAP_WORD}){{0,3}}(?:,?\s\d{{5}}\s{_CAP_WORD})?", 0, _address),
        ("STREET_ADDRESS",  # ES/IT: "Calle de Alcalá 42, 28014 Madrid", "Strada Nedda, 4"
         rf"\b(?:{_STREET_ES})\s(?:(?:de\sla|de|del|dei|della|di)\s)?{_CAP_WORD}(?:\s{_CAP_WORD}){{0,3}},?\s(?:n[ºo°]\.?\s?)?"
         rf"\d{{1,4}}\b(?:,?\s\d{{5}}\s{_CAP_WORD})?", 0, _address),
        ("DATE_TIME",
         r"(?<![\w./-])(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
         r"(?![\w-]|\.\d)", 0, _date_iso),
        ("DATE_TIME", r"(?<![\w./:-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/:-]|\.\d)", 0, _date_numeric),
        ("DATE_TIME",
         rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH}),?\s+(?P<y1>\d{{4}})"
         rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}}))\b", re.I, _date_words),
        ("DATE_TIME",
         rf"(?<![\w./:-])(?:(?P<day>\d{{1,2}})-(?P<mon>{_MON3})(?:-(?P<year>\d{{4}}|\d{{2}}))?"
         rf"|(?P<mon2>{_MON3})-(?P<rest>\d{{4}}|\d{{2}}))(?![\w/:-]|\.\d)", re.I, _date_dashed),
        ("DATE_TIME", r"(?<![\w./:-])(\d{1,2})/(\d{4}|\d{2})(?![\w/:-]|\.\d)", 0, _date_partial),
        ("POSTCODE",
         r"(?:(?i:\bzip(?:\s*code)?|\bpostal\s*code|\bpost\s*code)[^\w\x00]{0,3}|\b[A-Z]{2},?\s)(?P<zip>\d{5}(?:-\d{4})?)\b",
         0, _postcode),
        ("UK_POSTCODE",  # Royal Mail rules: no Q, V, X first; no I, J, Z second; restricted letters after digits
         r"\b(?:[A-PR-UWYZ](?:\d[A-HJKPSTUW]?|\d\d|[A-HK-Y]\d[ABEHMNPRVWXY0-9]?)|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}\b",
         0, _uk_postcode),
        ("DOMAIN_NAME",  # a bare host name with a known top-level domain (not the domain of an e-mail address)
         rf"(?<![\w@.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.){{1,8}}(?i:{_TLDS})(?![\w-]|\.\w)", 0,
         _domain),
        ("AGE",
         r"\b(?i:aged?|age\s*(?:is|of)?|âge|âgé(?:e)?\s+de|alter|im\s+alter\s+von|edad)\s*[:=]?\s*(?P<age1>\d{1,3})\b"
         r"|\b(?P<age2>\d{1,3})(?:[- ](?i:years?|yrs?)[- ]old|\s(?i:jahre)\salt|\s(?i:ans)\b|\s(?i:años)\b)",
         0, _age),
        ("PERSON", rf"\b(?:{honorifics})\.?\s+(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,2}})", 0, _person),
        ("PERSON",
         rf"\b(?i:{cues})\s*[:,-]?\s+(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{1,2}})", 0, _person),
    )
