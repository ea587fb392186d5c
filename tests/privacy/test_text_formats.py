"""find_pii's formats and types beyond the first release (issue 15), each from Presidio's public
recognizer cases or from the standard that defines it; and Presidio's public cases as a whole."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from audit.privacy import DEFAULT_REGIONS, _recognizers, add_name_cues, find_pii


def _found(text, **kw):
    return [(text[s.start:s.end], s.entity_type) for s in find_pii([text], **kw)[0]]


def _cases_module():
    path = Path(__file__).parents[2] / "benchmarks" / "presidio_cases.py"
    spec = importlib.util.spec_from_file_location("presidio_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_presidio_public_cases_pass_but_the_three_argued_in_the_benchmark_readme():
    cases = _cases_module()
    data = cases.load()
    results = cases.ours(data)
    failed = sorted(c["text"] for c, ok in zip(data["cases"], results) if not ok)
    # Argued in benchmarks/README.md: a five-part dotted number is no IPv4 address; 219-09-9999 is
    # an SSA advertising number; eleven bare digits are not read as a phone without a cue.
    assert failed == ["192.168.1.1.1", "219-09-9999", "My CN number is 13812345678"]
    assert len(data["cases"]) == 600  # 564 + MacAddressRecognizer 15 + UkPostcodeRecognizer 21


@pytest.mark.parametrize(("text", "value"), [  # RFC 4291 section 2.2, RFC 4007 zones, RFC 4632 prefixes
    ("::ffff:192.0.2.1", "::ffff:192.0.2.1"), ("64:ff9b::198.51.100.1 nat", "64:ff9b::198.51.100.1"),
    ("0:0:0:0:0:FFFF:129.144.52.38", "0:0:0:0:0:FFFF:129.144.52.38"), ("loopback ::1", "::1"),
    ("fe80::1%eth0/64", "fe80::1%eth0/64"), ("net 192.168.1.0/24.", "192.168.1.0/24"),
    ("10.0.0.0/123", "10.0.0.0"), ("Use 2001:db8::/32.", "2001:db8::/32"), ("2001:db8::1.", "2001:db8::1"),
])
def test_ip_forms(text, value):
    assert (value, "IP_ADDRESS") in _found(text)


def test_unspecified_ipv6_is_weak_and_bad_tails_are_not_addresses():
    assert _found("src=:: dst", score_threshold=0.5) == [("::", "IP_ADDRESS")]
    assert _found("src=:: dst", score_threshold=0.6) == []
    for text in ("::ffff:256.0.0.1", "2001:db8::256.1.1.1", "std::cout", "Time 12:34:56", "aa:bb:cc:dd:ee:ff"):
        assert not [v for v, t in _found(text) if t == "IP_ADDRESS"], text


@pytest.mark.parametrize(("text", "value"), [  # ISO 13616: print form in groups, one letter case
    ("iban de89 3704 0044 0532 0130 00 ok", "de89 3704 0044 0532 0130 00"),
    ("IBAN DE89-3704-0044-0532-0130-00.", "DE89-3704-0044-0532-0130-00"),
    ("gb29nwbk60161331926819", "gb29nwbk60161331926819"),
])
def test_iban_print_forms(text, value):
    assert (value, "IBAN_CODE") in _found(text)


def test_iban_mixed_case_or_separators_are_refused():
    assert _found("GI75 aWBK 0000 0000 7099 453") == []
    assert not [t for _, t in _found("DE89 3704-0044 0532 0130 00") if t == "IBAN_CODE"]


@pytest.mark.parametrize("value", ["josé@exämple.de", "用户@例子.广告", "info@example.xn--p1ai", "Ålesund@firma.no"])
def test_internationalised_email(value):  # RFC 6531 (SMTPUTF8) and IDNA A-labels
    assert _found(f"write to {value} now") == [(value, "EMAIL_ADDRESS")]


def test_url_and_domain_but_not_the_domain_of_an_email():
    assert _found('see "https://example.com/profile/42" and www.foo.org.') == [
        ("https://example.com/profile/42", "URL"), ("www.foo.org", "URL")]
    assert _found("mail jane@example.org about example.org") == [
        ("jane@example.org", "EMAIL_ADDRESS"), ("example.org", "DOMAIN_NAME")]
    assert _found("http://microsoft and www.microsoft and file.txt") == []


@pytest.mark.parametrize(("text", "value"), [
    ("Today is 5-May-2021", "5-May-2021"), ("due May-2021", "May-2021"), ("on 29-FEB", "29-FEB"),
    ("until 21-May", "21-May"),
])
def test_dashed_month_dates(text, value):
    assert (value, "DATE_TIME") in _found(text)


def test_partial_dates_and_impossible_days():
    assert _found("exp 05/21", score_threshold=0.0) == [("05/21", "DATE_TIME")]
    assert _found("exp 05/21") == []  # weak (0.1) as in Presidio, below the default threshold
    assert _found("on 30-FEB-2024 and 29-FEB-2023") == []


def test_ssn_separators():
    assert _found("ssn 078.05.1123") == [("078.05.1123", "US_SSN")]
    assert _found("078-051121", score_threshold=0.0) == [("078-051121", "US_SSN")]
    assert not [t for _, t in _found("693-09.4444", score_threshold=0.0) if t == "US_SSN"]


@pytest.mark.parametrize(("text", "ok"), [  # Royal Mail: no Q, V, X first; no I, J, Z second
    ("EC1A 1BB", True), ("W1A 0AX", True), ("M1 1AE", True), ("B33 8TH", True), ("CR2 6XH", True),
    ("DN55 1PT", True), ("QA1 1AA", False), ("VA1 1AA", False), ("XB1 1AA", False), ("AI1 1AA", False),
    ("AZ1 1AA", False), ("EC1A 1CB", False),
])
def test_uk_postcode_rules(text, ok):
    assert (("UK_POSTCODE" in [t for _, t in _found(f"post to {text} please")]) == ok)


def test_mac_broadcast_and_zero_are_no_device():
    assert _found("mac ff:ff:ff:ff:ff:ff 00:00:00:00:00:00 00:1A:2B:3C:4D:5E") == [
        ("00:1A:2B:3C:4D:5E", "MAC_ADDRESS")]


def test_uatp_card_and_card_hash():
    assert _found("my credit card: 122000000000003") == [("122000000000003", "CREDIT_CARD")]
    assert _found("card #4111 1111 1111 1111") == [("4111 1111 1111 1111", "CREDIT_CARD")]
    assert _found("ref #4111111111111111") == []


@pytest.mark.parametrize(("text", "value"), [
    ("Ship to 221B Baker Street, London", "221B Baker Street"),
    ("1600 Pennsylvania Ave NW, Washington, DC 20500", "1600 Pennsylvania Ave NW, Washington, DC 20500"),
    ("an Hauptstraße 5a, 10115 Berlin bitte", "Hauptstraße 5a, 10115 Berlin"),
    ("au 12 rue de la Paix, 75002 Paris", "12 rue de la Paix, 75002 Paris"),
    ("en Calle de Alcalá 42, 28014 Madrid", "Calle de Alcalá 42, 28014 Madrid"),
])
def test_street_addresses(text, value):
    assert (value, "STREET_ADDRESS") in _found(text)


def test_no_phone_inside_an_address_iban_or_postcode():
    assert _found("Musterstraße 12 80331 München") == [("Musterstraße 12 80331 München", "STREET_ADDRESS")]
    assert _found("IBAN DE89 3704 0044 0532 0130 00") == [("DE89 3704 0044 0532 0130 00", "IBAN_CODE")]


@pytest.mark.parametrize(("text", "value"), [
    ("the patient, aged 34, was", "34"), ("a 5-year-old boy", "5"), ("age: 71", "71"), ("er ist 34 Jahre alt", "34"),
    ("il a 40 ans", "40"), ("tiene 25 años", "25"),
])
def test_age_with_context(text, value):
    assert (value, "AGE") in _found(text)
    assert _found("34 apples and 120 pears") == []


@pytest.mark.parametrize(("text", "value", "region"), [  # national forms, valid with the national prefix
    ("ruf an: 030 1234567", "030 1234567", "DE"), ("appel au 01 42 68 53 00", "01 42 68 53 00", "FR"),
    ("chiamare 06 678 4343", "06 678 4343", "IT"), ("llamar al 912 345 678", "912 345 678", "ES"),
    ("bel 020 123 4567", "020 123 4567", "NL"), ("My Japanese number is 090-1234-5678", "090-1234-5678", "JP"),
    ("My Israeli number is 09-7625400", "09-7625400", "IL"), ("call (415) 555-0132", "(415) 555-0132", "US"),
])
def test_phones_of_default_regions(text, value, region):
    assert region in DEFAULT_REGIONS
    assert (value, "PHONE_NUMBER") in _found(text)


def test_national_prefix_rule():
    assert _found("tel 30 1234567", regions=["DE"]) == []  # Berlin without its 0 is no national form
    assert _found("tel 030 1234567", regions=["US"]) == []  # not a US number; DE not asked for


@pytest.mark.parametrize(("text", "value"), [
    ("Sehr geehrte Frau Łucja Żak, danke", "Łucja Żak"), ("Bonjour Mme Dupont, merci", "Dupont"),
    ("Estimado Sr. García López:", "García López"), ("Herr Müller ruft an", "Müller"),
    ("Dear Mr Ólafur Ørsted", "Ólafur Ørsted"), ("signé par Zoë Ševčík", "Zoë Ševčík"),
])
def test_names_in_other_languages(text, value):
    assert (value, "PERSON") in _found(text)


def test_added_name_cues_apply_from_the_next_call(monkeypatch):
    monkeypatch.setattr(_recognizers, "NAME_CUES", {k: {kk: list(vv) for kk, vv in v.items()}
                                                    for k, v in _recognizers.NAME_CUES.items()})
    assert _found("Geachte heer Jan de Vries") == []
    add_name_cues("nl", honorifics=["heer", "mevrouw"], cues=["geachte"])
    assert ("Jan", "PERSON") in _found("Geachte heer Jan de Vries") or \
        ("Jan de Vries", "PERSON") in _found("Geachte heer Jan de Vries")
    monkeypatch.undo()
    _recognizers.GENERATION += 1  # the next call rebuilds without the Dutch cues
    assert _found("Geachte heer Jan de Vries") == []
