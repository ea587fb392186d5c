"""The benchmark's scoring rule: overlap and type, a second fragment of a matched span is not a false positive."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "pii_vs_presidio.py"


def _module():
    spec = importlib.util.spec_from_file_location("pii_vs_presidio", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scoring_rule():
    bench = _module()
    gold = [[(0, 10, "CREDIT_CARD"), (20, 30, "EMAIL_ADDRESS")], [(0, 5, "US_SSN")]]
    pred = [[(0, 4, "CREDIT_CARD"), (5, 10, "CREDIT_CARD"), (12, 15, "CREDIT_CARD"), (20, 30, "URL")],
            [(0, 5, "US_SSN")]]
    s = bench.score(gold, pred)
    assert (s["CREDIT_CARD"]["tp"], s["CREDIT_CARD"]["fp"], s["CREDIT_CARD"]["fn"]) == (1, 1, 0)
    assert (s["EMAIL_ADDRESS"]["tp"], s["EMAIL_ADDRESS"]["fn"]) == (0, 1)
    assert s["US_SSN"]["f1"] == pytest.approx(1.0)
    assert s["CREDIT_CARD"]["precision"] == pytest.approx(0.5)


def test_luhn_helpers_agree_with_the_engine():
    bench = _module()
    import random

    from audit.privacy._validators import luhn_ok

    rng = random.Random(0)  # noqa: S311 - seeded test data
    for _ in range(200):
        d = "".join(str(rng.randint(0, 9)) for _ in range(16))
        assert bench._luhn(d) == luhn_ok(d)
    assert not luhn_ok(bench._luhn_fail(rng))


def test_free_text_scoring_leaves_a_town_inside_an_address_neutral():
    import sys

    sys.path.insert(0, str(PATH.parent))
    spec = importlib.util.spec_from_file_location("pii_free_text", PATH.parent / "pii_free_text.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    gold = [[(0, 30, "STREET_ADDRESS"), (40, 50, "PERSON")]]
    pred = [[(20, 26, "LOCATION"), (40, 50, "PERSON"), (60, 65, "LOCATION")]]
    s = module.score(gold, pred)
    assert (s["LOCATION"]["tp"], s["LOCATION"]["fp"]) == (0, 1)  # the town in the address is not counted
    assert s["STREET_ADDRESS"]["fn"] == 1 and s["PERSON"]["tp"] == 1
