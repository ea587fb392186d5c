"""The fast paths of ``find_pii`` agree with their plain forms.

Context rules are stored reversed (matched at the candidate); here each is checked against
its forward form on generated windows. The optional Hyperscan prefilter must give the same
spans as the pure-``re`` path.
"""
from __future__ import annotations

import importlib.util
import random
import re

import pytest

from audit.privacy import _recognizers, _text

FORWARD = {
    "_NEG_NUMBER": r"(?:order|invoice|inv|ref|reference|ticket|tracking|po|sku|item|account no|acct|case|batch|lot|"
                   r"serial|build|version|ver|isbn|#)\s*(?:no\.?|number|nr\.?|id)?\s*[:#=]?\s*$",
    "_NEG_VERSION": r"(?:version|ver\.?|v|build|release|rel\.?|rev(?:ision)?|firmware|fw|pkg|package|"
                    r"==|>=|<=|~=|@)\s*[:=]?\s*$",
    "_SSN_CONTEXT": r"(?:ssn|social\s+security|soc\.?\s*sec|ss\s*#|ss\s*no|taxpayer|tin)\b[^\x00]{0,25}$",
    "_PHONE_CONTEXT": r"(?:phone|tel|telephone|call|mobile|cell|fax|contact|reach|dial|text|sms|whatsapp)"
                      r"\b[^\x00]{0,20}$",
    "_DOB_CONTEXT": r"(?:born|birth|dob|d\.o\.b\.?|birthday|birthdate)\b[^\x00]{0,12}$",
    "_SSN_HASH": r"\b(?:ssn|ss)\s*#\s*$",
    "_CARD_CONTEXT": r"\b(?:card|cc)\b\s*(?:number\s*)?(?:no\s*)?[:#]?\s*$",
}
PIECES = ["order", "Invoice", "inv", "ref", "ticket", "PO", "sku", "account no", "acct", "case", "lot", "serial",
          "build", "version", "ver", "v", "isbn", "#", "no", "No.", "number", "nr.", "id", "release", "rel.",
          "revision", "rev", "firmware", "fw", "pkg", "package", "==", ">=", "<=", "~=", "@", "ssn", "SSN",
          "social security", "soc. sec", "ss #", "ss no", "taxpayer", "tin", "phone", "tel", "telephone", "call",
          "mobile", "cell", "fax", "contact", "reach", "dial", "text", "sms", "whatsapp", "born", "birth", "dob",
          "D.O.B.", "birthday", "birthdate", " ", "  ", ":", "=", "x", "is", "my", "at", "-", "é", "\t", "a1", "s",
          "card", "cc", "ss", "ssn#", "card #"]


@pytest.mark.parametrize("name", sorted(FORWARD))
def test_reversed_context_rule_matches_its_forward_form(name):
    forward = re.compile(FORWARD[name], re.I)
    reverse = getattr(_recognizers, name)
    rng = random.Random(7)  # noqa: S311 - seeded test data
    agree = hits = 0
    for _ in range(6000):
        window = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))[-_recognizers._CONTEXT:]
        expected = forward.search(window) is not None
        assert (reverse.match(window[::-1]) is not None) == expected, (name, window)
        agree += 1
        hits += expected
    assert 0 < hits < agree  # both outcomes were exercised


def _corpus() -> list[str]:
    rng = random.Random(3)  # noqa: S311 - seeded test data
    parts = ["call 415-555-0132", "tel: +44 20 7946 0958", "SSN 123-45-6789", "ssn 123 45 6789", "id 078051120",
             "card 4111 1111 1111 1111", "ref 4111111111111112", "IBAN GB82 WEST 1234 5698 7654 32",
             "DE89370400440532013000", "login 192.168.1.20", "version 1.2.3.4", "fe80::1ff:fe23:4567:890a",
             "00:1A:2B:3C:4D:5E", "born 1985-03-02", "on 12/03/2020", "3rd March 2021", "zip 90210", "SW1A 1AA",
             "Dear Zoë Müller,", "Mr. John Smith", "name is Ann Lee", "mail jo.doe@example.co.uk", "Ångström",
             "order no. 555-0132-4411", "pkg==2.10.1.5", "x", "", "zip", "12345", "name\x1fis Ann Lee",
             "NIÑO 555 0100", "\u212aelvin 4111111111111111", "123-45-6789-1", "123-45-6789.5", "123-45-6789/x",
             "a123456789", "1.123 45 6789", "123456789-", "4111111111111111 2", "4111-1111-1111-1111.",
             "/4111111111111111",
             "12.03.2020.5", "12.03.2020.", "12/03/2020/", "12-03-20:", "x12/03/2020", "1/2/2020a", "31-12-99",
             # issue 15's formats and types
             "::ffff:192.0.2.1", "fe80::1%eth0/64", "10.0.0.0/8.", "src=:: dst=::1", "de89 3704 0044 0532 0130 00",
             "DE89-3704-0044-0532-0130-00", "josé@exämple.de", "info@example.xn--p1ai", "https://example.com/a?b=1",
             "www.foo.org", "see example.org", "5-May-2021", "May-21", "exp 05/21", "078.05.1123", "078-051121",
             "EC1A 1BB", "QA1 1AA", "ff:ff:ff:ff:ff:ff", "card #4111 1111 1111 1111", "122000000000003",
             "221B Baker Street", "Hauptstraße 5a, 10115 Berlin", "12 rue de la Paix, 75002 Paris",
             "Calle de Alcalá 42, 28014 Madrid", "aged 34", "34 years old", "Frau Łucja Żak", "030 1234567",
             "01 42 68 53 00", "090-1234-5678", "Bonjour Mme Dupont"]
    joins = ["; ", " ", "", "-", ".", "/"]
    return [rng.choice(joins).join(rng.choice(parts) for _ in range(rng.randint(0, 4))) for _ in range(4000)]


@pytest.mark.skipif(importlib.util.find_spec("hyperscan") is None,
                    reason="hyperscan is not installed (the 'fast' extra)")
def test_hyperscan_prefilter_gives_the_same_spans_as_plain_re(monkeypatch):
    texts = _corpus()
    monkeypatch.setattr(_text, "_HS_MIN_CHARS", 0)
    fast = _text.find_pii(texts, score_threshold=0.0)
    assert _text._HS_STATE["database"] is not None  # the accelerated path ran
    monkeypatch.setattr(_text, "_ACCELERATE", False)
    plain = _text.find_pii(texts, score_threshold=0.0)
    assert sum(map(len, plain)) > 3000
    assert fast == plain


def test_postcode_does_not_cross_into_the_next_text():
    spans = _text.find_pii(["my zip:", "12345 apples"], entities=["POSTCODE"])
    assert spans == [[], []]


def test_fast_extra_names_hyperscan():
    from pathlib import Path

    import tomllib

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    assert any(req.startswith("hyperscan") for req in project["optional-dependencies"]["fast"])


NON_ASCII_PARTS = ["😀", "👩‍👩‍👧", "𝐀𝐁𝐂", "\U0001f1e9\U0001f1ea", "é", "Zoë", "Müller", "\u00a0", "\u2003", "\u3000",
                   "１２３-４５-６７８９", "٤١١١١١١١١١١١١١١١", "\u212aelvin", "ſsn", "İstanbul", "e\u0301", "\u2019",
                   "Łucja Żak", "Straße", "日本語", "\u200f", "№", "—", "€"]


def _non_ascii_corpus() -> list[str]:
    """Texts where PII sits before, after and between non-ASCII characters, astral-plane emoji included."""
    rng = random.Random(5)  # noqa: S311 - seeded test data
    plain = _corpus()
    out = []
    for text in plain[:3000]:
        pieces = text.split(" ")
        for _ in range(rng.randint(1, 3)):
            pieces.insert(rng.randint(0, len(pieces)), rng.choice(NON_ASCII_PARTS))
        out.append(rng.choice([" ", "", "-"]).join(pieces))
    return out


@pytest.mark.skipif(importlib.util.find_spec("hyperscan") is None,
                    reason="hyperscan is not installed (the 'fast' extra)")
def test_hyperscan_on_the_ascii_copy_gives_the_same_spans_in_non_ascii_texts(monkeypatch):
    texts = _non_ascii_corpus()
    assert sum(not t.isascii() for t in texts) == len(texts)
    monkeypatch.setattr(_text, "_HS_MIN_CHARS", 0)
    monkeypatch.setattr(_text, "_HS_STATE", {})
    fast = _text.find_pii(texts, score_threshold=0.0)
    assert _text._HS_STATE["database"] is not None
    monkeypatch.setattr(_text, "_ACCELERATE", False)
    plain = _text.find_pii(texts, score_threshold=0.0)
    assert sum(map(len, plain)) > 1500
    # offsets after multi-byte and astral characters: the span text is the PII, not shifted
    after_emoji = [(t, s) for t, spans in zip(texts, plain) for s in spans if "😀" in t[:s.start]]
    assert after_emoji and all(t[s.start].isalnum() or t[s.start] in "+(:" for t, s in after_emoji)
    assert fast == plain


def test_ascii_copy_keeps_offsets_and_word_characters():
    from audit.privacy._regex import OTHER_STAND_IN, WORD_STAND_IN, ascii_copy

    text = "a😀b 𝐀 é\u00a0１\u212a—" + "".join(NON_ASCII_PARTS)
    copy = ascii_copy(text)
    assert len(copy) == len(text)
    for ch, byte in zip(text, copy):
        if ch.isascii():
            assert byte == ord(ch)
        else:
            assert byte == (WORD_STAND_IN if re.match(r"\w", ch) else OTHER_STAND_IN), ch


def test_folding_letters_are_every_ascii_letter_python_matches_to_a_non_ascii_one():
    from audit.privacy._regex import FOLDING_LETTERS

    everything = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    found = {chr(a) for a in range(0x80) if chr(a).isalpha() and re.search(re.escape(chr(a)), everything, re.I)}
    assert found == FOLDING_LETTERS


@pytest.mark.parametrize("pattern, flags", [(p, f) for _, p, f, _ in _recognizers.specs()])
def test_hyperscan_form_accepts_every_text_the_pattern_matches_in(pattern, flags):
    """Each spec's Hyperscan form, checked with Python's ``re`` on the copy (as bytes), is a superset."""
    from audit.privacy._regex import ascii_copy, hyperscan_form

    form = re.compile(hyperscan_form(pattern, flags).encode("ascii"))
    original = re.compile(pattern, flags)
    texts = _non_ascii_corpus()[:1500] + _corpus()[:500]
    matched = [t for t in texts if original.search(t)]
    assert all(form.search(ascii_copy(t)) for t in matched)
