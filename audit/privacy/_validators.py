"""Validators that turn a regex candidate into a confirmed identifier (or reject it).

A pattern only proposes; these functions decide, with the rule each identifier carries:
the Luhn checksum and issuer ranges for payment cards, ISO 13616 mod-97 and the country
length table for IBANs, the SSA's area/group/serial rules for US SSNs, and
libphonenumber's metadata (the ``phonenumbers`` package) for phone numbers.
"""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata

__all__ = ["luhn_ok", "card_ok", "iban_ok", "ssn_ok", "ipv4_ok", "ipv6_ok", "mac_ok", "phone_ok", "date_ok",
           "IBAN_LENGTHS", "month_number"]

_NON_DIGIT = re.compile(r"\D")


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod-10) checksum of a string of digits."""
    total = 0
    parity = len(digits) % 2
    for i, ch in enumerate(digits):
        d = ord(ch) - 48
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_brand_ok(d: str) -> bool:
    """Issuer ranges (IIN) and lengths of the major card networks."""
    n = len(d)
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    if d[0] == "4":                                   # Visa
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:          # Mastercard, incl. the 2-series
        return n == 16
    if p2 in (34, 37):                                # American Express
        return n == 15
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 622126 <= p6 <= 622925:  # Discover
        return 16 <= n <= 19
    if 3528 <= p4 <= 3589 or p4 in (1800, 2131):      # JCB
        return 15 <= n <= 19
    if 300 <= p3 <= 305 or p2 in (36, 38, 39) or p4 == 3095:  # Diners Club
        return 14 <= n <= 19
    if p2 == 62 or p2 == 81:                          # UnionPay
        return 16 <= n <= 19
    if 2200 <= p4 <= 2204:                            # Mir
        return 16 <= n <= 19
    if p2 == 50 or 56 <= p2 <= 69 or p4 in (6304, 6759, 6761, 6762, 6763):  # Maestro
        return 12 <= n <= 19
    if d[0] == "1":                                   # UATP (airline cards: AirPlus and others)
        return n == 15
    return False


def card_ok(text: str) -> bool:
    """A payment card number: 12-19 digits (12 only for Maestro), a known issuer range, Luhn."""
    d = _NON_DIGIT.sub("", text)
    if not 12 <= len(d) <= 19 or len(set(d)) == 1:
        return False
    return _card_brand_ok(d) and luhn_ok(d)


#: IBAN length per country (ISO 13616 registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}


def iban_ok(text: str) -> bool:
    """An IBAN: the country's registered length and the ISO 7064 mod-97 check equal to 1."""
    s = text.replace(" ", "").replace("-", "").upper()
    if IBAN_LENGTHS.get(s[:2]) != len(s) or not s[2:4].isdigit() or not s.isalnum():
        return False
    moved = s[4:] + s[:4]
    return int(moved.translate(_IBAN_LETTERS)) % 97 == 1


_IBAN_LETTERS = {ord(ch): str(value) for value, ch in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10)}


# The SSA never issued these (advertising samples and the Woolworth card).
_SSN_BLOCKED = frozenset({"078051120", "219099999", "123456789", "111111111", "000000000"})


def ssn_ok(text: str) -> bool:
    """A US SSN: area not 000, 666 or 900-999; group not 00; serial not 0000; known samples refused."""
    d = _NON_DIGIT.sub("", text)
    if len(d) != 9 or d in _SSN_BLOCKED or len(set(d)) == 1:
        return False
    area, group, serial = int(d[:3]), d[3:5], d[5:]
    return area != 0 and area != 666 and area < 900 and group != "00" and serial != "0000"


def ipv4_ok(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 and (p == "0" or p[0] != "0") for p in parts)


def ipv6_ok(text: str) -> bool:
    """An IPv6 address (RFC 4291 section 2.2 text forms, an embedded IPv4 tail and an RFC 4007 zone index allowed)."""
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return text.count(":") >= 2


def mac_ok(text: str) -> bool:
    """A MAC address that names one interface: not the broadcast (all ones) or the all-zero address."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", text).lower()
    return len(digits) == 12 and digits not in ("ffffffffffff", "000000000000")


@lru_cache(maxsize=64)
def _region_patterns(region: str) -> tuple[re.Pattern[str], str, str] | None:
    """One compiled pattern of every valid national number of ``region``, from libphonenumber's metadata."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return None
    patterns = []
    # A national number dialled in ``region`` is valid when any region sharing its calling code
    # (NANP: US, CA and the Caribbean; +44: GB, GG, IM, JE) has it, as libphonenumber decides.
    code = meta.country_code
    for sibling in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, (region,)) if code is not None else (region,):
        smeta = PhoneMetadata.metadata_for_region(sibling)
        if smeta is None:
            continue
        descs = (smeta.fixed_line, smeta.mobile, smeta.toll_free, smeta.premium_rate, smeta.shared_cost,
                 smeta.personal_number, smeta.voip, smeta.pager, smeta.uan, smeta.voicemail)
        patterns += [d.national_number_pattern for d in descs if d is not None and d.national_number_pattern]
    if not patterns:
        return None
    combined = re.compile("(?:" + ")|(?:".join(patterns) + ")")
    return combined, meta.national_prefix or "", str(meta.country_code)


def _national_ok(digits: str, region: str) -> bool:
    compiled = _region_patterns(region)
    if compiled is None:
        return False
    pattern, prefix, country = compiled
    if prefix and digits.startswith(prefix) and pattern.fullmatch(digits[len(prefix):]) is not None:
        return True  # written with the national (trunk) prefix
    if digits.startswith(country) and _country_code_without_plus(digits, region):
        return True
    # Written without the national prefix: valid only where the region dials such numbers without
    # it (libphonenumber's national-prefix rule, as its matcher applies at leniency VALID).
    return pattern.fullmatch(digits) is not None and not _prefix_required(digits, region)


def _country_code_without_plus(digits: str, region: str) -> bool:
    """Whether libphonenumber reads these digits, dialled in ``region``, as its country code and a valid number."""
    try:
        number = phonenumbers.parse(digits, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return False
    return (number.country_code_source == phonenumbers.CountryCodeSource.FROM_NUMBER_WITHOUT_PLUS_SIGN
            and phonenumbers.is_valid_number(number))


def _prefix_required(national: str, region: str) -> bool:
    """Whether ``region`` writes this national number with its national prefix (``0`` in DE, FR, GB...)."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None or not meta.national_prefix:
        return False
    for fmt in meta.number_format:
        leading = fmt.leading_digits_pattern
        if leading and re.match(leading[-1], national) is None:
            continue
        if fmt.pattern is None or re.fullmatch(fmt.pattern, national) is None:
            continue
        rule = fmt.national_prefix_formatting_rule
        if not rule or fmt.national_prefix_optional_when_formatting:
            return False
        return re.fullmatch(r"[^\\\d]*\\1[^\\\d]*", rule) is None  # more than the first group: the prefix
    return False


def phone_ok(text: str, regions: tuple[str, ...]) -> bool:
    """A phone number valid per libphonenumber: international (``+``/``00``) or national in ``regions``.

    National numbers are checked against the regions' compiled metadata patterns directly
    (what ``is_valid_number`` does, without parsing overhead); international ones through
    ``phonenumbers.parse``.
    """
    main = _PHONE_EXTENSION.split(text.strip(), maxsplit=1)[0]
    digits = _NON_DIGIT.sub("", main)
    if not 7 <= len(digits) <= 15:
        return False
    if main.startswith("+"):
        return _international_ok(digits)
    if main.startswith("00"):
        return _international_ok(digits[2:])
    return _national_in_ok(digits, regions)


_PHONE_EXTENSION = re.compile(r"\s*(?:x|ext\.?|#)\s*\d+$", re.I)


@lru_cache(maxsize=1 << 16)
def _international_ok(digits: str) -> bool:
    """``+digits`` is a valid number (libphonenumber reads only the digits after the ``+``)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+" + digits, None))
    except phonenumbers.NumberParseException:
        return False


@lru_cache(maxsize=1 << 16)
def _national_in_ok(digits: str, regions: tuple[str, ...]) -> bool:
    return any(_national_ok(digits, r) for r in regions)


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def date_ok(year: int, month: int, day: int) -> bool:
    """A plausible calendar date between 1900 and 2099."""
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return day <= (29 if leap else 28)
    return day <= (30 if month in (4, 6, 9, 11) else 31)


def month_number(name: str) -> int | None:
    return _MONTHS.get(name[:3].lower())
