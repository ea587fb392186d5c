"""Presidio's public recognizer test cases, run against ``find_pii`` and against Presidio's own recognizers.

The cases (``benchmarks/data/presidio_public_cases.json``) are the parametrized cases of
presidio-analyzer/tests/test_*_recognizer.py for the types both engines cover, transcribed
as data with the repository, file and commit each was read from. A case passes when the
engine returns, for the recognizer's entity, exactly the expected number of spans at the
expected (start, end) offsets (sorted by start), as Presidio's tests assert; scores are not
compared (the two engines score differently). Presidio's tests call a recognizer with no score
threshold and accept weak results (``::`` at 0.1, ``5/21`` at 0.1, ``078051121`` at 0.3), so
``find_pii`` runs here with ``score_threshold=0`` too; its default (0.5) drops those. Two test
functions check one span only: the impossible-date cases pass when no span equals the date, the
edge-date cases when one does.

    PYTHONPATH=$PWD python benchmarks/presidio_cases.py            # ours, and Presidio's when installed
    PYTHONPATH=$PWD python benchmarks/presidio_cases.py --failures # list the cases ours fails (texts are test data)
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

CASES = Path(__file__).parent / "data" / "presidio_public_cases.json"
#: Our entity types that answer each Presidio recognizer's entity.
OURS_FOR = {"DATE_TIME": {"DATE_TIME", "DATE_OF_BIRTH"}, "URL": {"URL", "DOMAIN_NAME"}}


def load() -> dict:
    return json.loads(CASES.read_text(encoding="utf-8"))


def passes(case: dict, found: list[tuple[int, int]]) -> bool:
    found = sorted(found)
    if "not_span" in case:
        return tuple(case["not_span"]) not in {tuple(f) for f in found}
    if "has_span" in case:
        return tuple(case["has_span"]) in {tuple(f) for f in found}
    if len(found) != case["expected_len"]:
        return False
    if case["expected_spans"] is None:
        return True
    return all(tuple(f) == tuple(e) for f, e in zip(found, case["expected_spans"], strict=False))


def ours(data: dict) -> list[bool]:
    from audit.privacy import DEFAULT_REGIONS, find_pii

    out = []
    for case in data["cases"]:
        entity = data["sources"][case["source"]]["entity"]
        wanted = OURS_FOR.get(entity, {entity})
        regions = tuple(DEFAULT_REGIONS) + tuple(case.get("extra_regions", ()))
        spans = find_pii([case["text"]], regions=regions, score_threshold=0.0)[0]
        out.append(passes(case, [(s.start, s.end) for s in spans if s.entity_type in wanted]))
    return out


def presidio(data: dict) -> list[bool] | None:
    try:
        from presidio_analyzer import predefined_recognizers as pr
    except ImportError:
        return None
    import tldextract
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    # Offline: never fetch the public-suffix list (presidio#1205); use the bundled snapshot.
    email_recognizer.tldextract = type("T", (), {"extract": staticmethod(tldextract.TLDExtract(suffix_list_urls=()))})
    made: dict = {}
    out = []
    for case in data["cases"]:
        src = data["sources"][case["source"]]
        key = (src["recognizer"], tuple(case.get("extra_regions", ())))
        if key not in made:
            cls = getattr(pr, src["recognizer"])
            if case.get("extra_regions"):
                made[key] = cls(supported_regions=cls.DEFAULT_SUPPORTED_REGIONS + tuple(case["extra_regions"]))
            else:
                made[key] = cls()
        results = made[key].analyze(case["text"], [src["entity"]])
        out.append(passes(case, [(r.start, r.end) for r in results if r.entity_type == src["entity"]]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--failures", action="store_true", help="print the cases ours fails and Presidio passes")
    args = ap.parse_args()
    data = load()
    n = len(data["cases"])
    mine = ours(data)
    theirs = presidio(data)
    per = Counter(c["source"] for c in data["cases"])
    print(f"Presidio public recognizer cases: {n}")
    print("| recognizer | cases | ours | Presidio |")
    print("|---|---|---|---|")
    for src in data["sources"]:
        idx = [i for i, c in enumerate(data["cases"]) if c["source"] == src]
        o = sum(mine[i] for i in idx)
        p = "-" if theirs is None else sum(theirs[i] for i in idx)
        print(f"| {data['sources'][src]['recognizer']} | {per[src]} | {o} | {p} |")
    print(f"| **all** | {n} | **{sum(mine)}** | **{'-' if theirs is None else sum(theirs)}** |")
    if theirs is not None:
        both_fail = sum(1 for a, b in zip(mine, theirs, strict=True) if not a and not b)
        only_p = [i for i, (a, b) in enumerate(zip(mine, theirs, strict=True)) if b and not a]
        only_o = [i for i, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a and not b]
        print(f"Presidio passes, ours fails: {len(only_p)}; ours passes, Presidio fails: {len(only_o)}; "
              f"both fail: {both_fail}")
    if args.failures:
        for i, case in enumerate(data["cases"]):
            if not mine[i]:
                tag = "" if theirs is None else (" [Presidio passes]" if theirs[i] else " [Presidio fails too]")
                print(f"FAIL {case['source']}: {case['text'][:90]!r} want {case['expected_len']} "
                      f"{case['expected_spans'] or case.get('not_span') or case.get('has_span')}{tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
