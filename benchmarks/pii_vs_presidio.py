"""audit.privacy.find_pii vs Presidio's pattern recognizers, plus a 1M-row table scan and k/l/t on 1M rows.

One run, one machine: a seeded labelled corpus (Faker, seed 42) of short records with
embedded PII and tricky negatives (order numbers, Luhn-failing card-length digit runs,
dates, 4-part version strings, bare 9-digit numbers, amounts) goes through our engine and
through Presidio's ``AnalyzerEngine`` with ``NoOpNlpEngine`` (pattern recognizers only).
Reported: records/second for both and precision/recall/F1 per entity type. A prediction
is a true positive when it overlaps a labelled span of the same type; a second fragment
of an already-matched span is not counted as a false positive; types outside the
evaluated ones are ignored for both engines.

Run with a venv holding presidio-analyzer and faker (the ``bench`` extra)::

    PYTHONPATH=$PWD $BENCH_PY benchmarks/pii_vs_presidio.py   # BENCH_PY: see benchmarks/README.md
    PYTHONPATH=$PWD python benchmarks/pii_vs_presidio.py --quick      # smoke run
    PYTHONPATH=$PWD python benchmarks/pii_vs_presidio.py --cases      # Presidio's public recognizer cases
    PYTHONPATH=$PWD python benchmarks/pii_vs_presidio.py --free-text  # names, places, addresses, 16 regions

``--cases`` runs presidio_cases.py (Presidio's public recognizer test cases, both engines) and
``--free-text`` runs pii_free_text.py (the labelled free-text corpus: ours with and without
spaCy NER, Presidio pattern-only and Presidio + spaCy small), each on its own.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from audit.privacy import anonymity, find_pii, scan_frame  # noqa: E402

TYPES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "PERSON")
REGIONS = ("US", "GB")


# -- corpus ------------------------------------------------------------------------------------------
def _group4(s: str) -> str:
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def _card_groups(d: str, rng: random.Random) -> str:
    if len(d) == 15:
        return rng.choice([" ", "-"]).join([d[:4], d[4:10], d[10:]])
    return rng.choice([" ", "-"]).join(d[i:i + 4] for i in range(0, len(d), 4))


class Corpus:
    """Seeded records with gold spans; Faker supplies the values."""

    def __init__(self, seed: int) -> None:
        import phonenumbers
        from faker import Faker

        self.rng = random.Random(seed)
        Faker.seed(seed)
        self.fake = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
        self.us = self.fake["en_US"]
        self.gb = self.fake["en_GB"]
        self.pn = phonenumbers

    def _phone(self) -> str:
        while True:
            local = self.rng.random() < 0.7
            value = (self.us if local else self.gb).phone_number()
            try:
                ok = self.pn.is_valid_number(self.pn.parse(value, "US" if local else "GB"))
            except self.pn.NumberParseException:
                ok = False
            if ok:
                return value

    def _card(self) -> str:
        kind = self.rng.choice(["visa16", "visa19", "visa13", "mastercard", "amex", "discover", "jcb16",
                                "diners", "maestro"])
        d = self.us.credit_card_number(card_type=kind)
        if kind == "mastercard" and self.rng.random() < 0.5:  # 2-series
            while True:
                body = str(self.rng.randint(2221, 2720)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))
                check = next(c for c in "0123456789" if _luhn(body + c))
                d = body + check
                break
        return d if self.rng.random() < 0.5 else _card_groups(d, self.rng)

    def _iban(self) -> str:
        loc = self.rng.choice(["en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
        v = self.fake[loc].iban()
        return v if self.rng.random() < 0.5 else _group4(v)

    def _ssn(self) -> tuple[str, str]:
        v = self.us.ssn()
        r = self.rng.random()
        if r < 0.7:
            return v, self.rng.choice(["SSN {}", "ssn: {}", "social security number {}", "{} (SSN)", "id {}"])
        if r < 0.85:
            return v.replace("-", " "), self.rng.choice(["SSN {}", "social security {}", "{}"])
        return v.replace("-", ""), self.rng.choice(["SSN {}", "ssn# {}", "social security no. {}"])

    def segment(self) -> tuple[str, list[tuple[int, int, str]]]:
        r = self.rng
        kind = r.choice(TYPES + ("NEG",) * 3)
        if kind == "EMAIL_ADDRESS":
            value, tpl = self.fake.email(), r.choice(["mail {}", "email: {}", "reply to {} today", "<{}>"])
        elif kind == "PHONE_NUMBER":
            value, tpl = self._phone(), r.choice(["call {}", "phone {}", "tel: {}", "reach me at {} after 5",
                                                  "mobile {}."])
        elif kind == "US_SSN":
            value, tpl = self._ssn()
        elif kind == "CREDIT_CARD":
            value, tpl = self._card(), r.choice(["card {}", "paid with {}", "CC: {} exp 04/27", "number {} on file"])
        elif kind == "IBAN_CODE":
            value, tpl = self._iban(), r.choice(["IBAN {}", "transfer to {} confirmed", "account {}.",
                                                 "Beneficiary {} Ltd"])
        elif kind == "IP_ADDRESS":
            value = self.fake.ipv4_public() if r.random() < 0.8 else self.fake.ipv6()
            tpl = r.choice(["login from {}", "server at {}", "client IP {} blocked", "host {}:443"])
        elif kind == "PERSON":
            value = self.fake.name()
            tpl = r.choice(["Customer {} called", "Dear {},", "Contact: {}", "signed by {}", "Meeting with {}",
                            "{} approved the request", "Patient {} was seen"])
        else:
            return self.negative(), []
        start = tpl.index("{}")
        text = tpl.replace("{}", value)
        return text, [(start, start + len(value), kind)]

    def negative(self) -> str:
        r = self.rng
        return r.choice([
            lambda: f"order ORD-{r.randint(2015, 2025)}-{r.randint(100000, 999999)} shipped",
            lambda: f"ref {_luhn_fail(r)} pending",
            lambda: f"on {r.randint(1, 28):02d}.{r.randint(1, 12):02d}.{r.randint(1950, 2024)}",
            lambda: f"updated to version {r.randint(1, 30)}.{r.randint(0, 30)}.{r.randint(0, 30)}.{r.randint(0, 99)}",
            lambda: f"build {r.randint(1, 30)}.{r.randint(0, 30)}.{r.randint(0, 9)}",
            lambda: f"pkg=={r.randint(1, 30)}.{r.randint(0, 30)}.{r.randint(0, 30)}.{r.randint(0, 9)}",
            lambda: f"invoice {r.randint(100000000, 999999999)} paid",
            lambda: f"total ${r.randint(1, 99999):,}.{r.randint(0, 99):02d}",
            lambda: f"batch {r.randint(10**9, 10**10 - 1)} processed",
        ])()

    def records(self, n: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
        out = []
        for _ in range(n):
            parts, spans, pos = [], [], 0
            for _ in range(self.rng.randint(1, 3)):
                text, gold = self.segment()
                spans += [(s + pos, e + pos, t) for s, e, t in gold]
                parts.append(text)
                pos += len(text) + 2
            out.append(("; ".join(parts), spans))
        return out


def _luhn(d: str) -> bool:
    total, parity = 0, len(d) % 2
    for i, ch in enumerate(d):
        x = int(ch)
        if i % 2 == parity:
            x = x * 2 - 9 if x > 4 else x * 2
        total += x
    return total % 10 == 0


def _luhn_fail(r: random.Random) -> str:
    while True:
        d = "4" + "".join(str(r.randint(0, 9)) for _ in range(15))
        if not _luhn(d):
            return d


# -- scoring -----------------------------------------------------------------------------------------
def score(gold: list[list[tuple[int, int, str]]], pred: list[list[tuple[int, int, str]]], types=TYPES,
          neutral=None) -> dict[str, dict]:
    """Per type tp/fp/fn of overlapping spans; ``neutral(span, gold)`` marks a miss that is neither right nor wrong."""
    out = {t: {"tp": 0, "fp": 0, "fn": 0} for t in types}
    for g, p in zip(gold, pred, strict=True):
        matched = set()
        for s, e, t in p:
            if t not in out:
                continue
            hits = [i for i, (gs, ge, gt) in enumerate(g) if gt == t and s < ge and gs < e]
            fresh = [i for i in hits if i not in matched]
            if fresh:
                matched.add(fresh[0])
                out[t]["tp"] += 1
            elif not hits and not (neutral is not None and neutral((s, e, t), g)):
                out[t]["fp"] += 1
        for i, (_, _, t) in enumerate(g):
            if i not in matched and t in out:
                out[t]["fn"] += 1
    for c in out.values():
        c["precision"] = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        c["recall"] = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        pr = c["precision"] + c["recall"]
        c["f1"] = 2 * c["precision"] * c["recall"] / pr if pr else 0.0
    return out


def presidio_engine():
    import tldextract
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    # Offline: never fetch the public-suffix list (presidio#1205); use the bundled snapshot.
    email_recognizer.tldextract = type("T", (), {"extract": staticmethod(tldextract.TLDExtract(suffix_list_urls=()))})
    return AnalyzerEngine(nlp_engine=NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}]),
                          supported_languages=["en"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threshold", type=float, default=0.4, help="Presidio score threshold")
    ap.add_argument("--quick", action="store_true", help="small sizes, no Presidio unless installed")
    ap.add_argument("--cases", action="store_true", help="only Presidio's public recognizer cases")
    ap.add_argument("--free-text", action="store_true", help="only the labelled free-text corpus (with NER)")
    args, rest = ap.parse_known_args()
    if args.cases or args.free_text:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import pii_free_text
        import presidio_cases

        sys.argv = [sys.argv[0], *rest]
        return (presidio_cases if args.cases else pii_free_text).main()
    if args.quick:
        args.records, args.rows, args.repeats = 500, 20_000, 1
    try:
        corpus = Corpus(42).records(args.records)
    except ImportError:
        print("faker is not installed: install the 'bench' extra (pip install faker presidio-analyzer)")
        return 2
    texts = [t for t, _ in corpus]
    gold = [g for _, g in corpus]
    print(f"corpus: {len(texts):,} records, {sum(len(g) for g in gold):,} labelled spans, "
          f"mean {statistics.mean(map(len, texts)):.0f} chars")

    ours_times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        ours = find_pii(texts, regions=REGIONS)
        ours_times.append(time.perf_counter() - t0)
    ours_s = statistics.median(ours_times)
    ours_scores = score(gold, [[(s.start, s.end, s.entity_type) for s in spans] for spans in ours])

    presidio_scores, presidio_s = None, None
    try:
        engine = presidio_engine()
    except ImportError as exc:
        print(f"presidio-analyzer is not installed ({exc}); our figures only")
        engine = None
    if engine is not None:
        entities = [t for t in TYPES if t != "PERSON"]
        engine.analyze(text="warm up a@b.io", language="en", entities=entities)
        t0 = time.perf_counter()
        results = [engine.analyze(text=t, language="en", entities=entities, score_threshold=args.threshold)
                   for t in texts]
        presidio_s = time.perf_counter() - t0
        presidio_scores = score(gold, [[(r.start, r.end, r.entity_type) for r in res] for res in results])

    print(f"\nfirst call (compiles patterns, empty validity caches): {len(texts) / ours_times[0]:,.0f} records/s")
    print(f"throughput (records/s): ours {len(texts) / ours_s:,.0f} (median of {args.repeats})", end="")
    if presidio_s:
        print(f"; Presidio NoOp {len(texts) / presidio_s:,.0f}; ratio {presidio_s / ours_s:,.1f}x")
    else:
        print()
    print("\n| type | ours P | ours R | ours F1 | Presidio P | Presidio R | Presidio F1 |")
    print("|---|---|---|---|---|---|---|")
    for t in TYPES:
        o = ours_scores[t]
        p = presidio_scores[t] if presidio_scores else None
        ptxt = f"{p['precision']:.3f} | {p['recall']:.3f} | {p['f1']:.3f}" if p else "- | - | -"
        print(f"| {t} | {o['precision']:.3f} | {o['recall']:.3f} | {o['f1']:.3f} | {ptxt} |")

    rng = np.random.default_rng(0)
    n = args.rows
    from faker import Faker

    Faker.seed(1)
    fk = Faker("en_US")
    emails = np.array([fk.email() for _ in range(20_000)], dtype=object)
    phone_source = Corpus(7)
    phones = np.array([phone_source._phone() for _ in range(2_000)], dtype=object)
    table = pd.DataFrame({"email": emails[rng.integers(0, len(emails), n)],
                          "phone": phones[rng.integers(0, len(phones), n)],
                          "zip_code": np.array([f"{z:05d}" for z in rng.integers(501, 99950, 300)])[
                              np.minimum(rng.zipf(1.3, n), 300) - 1],
                          "age": rng.integers(18, 91, n),
                          "free_text": np.array(texts, dtype=object)[rng.integers(0, len(texts), n)]})
    for col in ("email", "phone", "zip_code", "free_text"):
        table[col] = table[col].astype("str")
    scan_times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        found = scan_frame(table)
        scan_times.append(time.perf_counter() - t0)
    print(f"\n1M-row table scan ({n:,} rows x 5 columns): {statistics.median(scan_times):.2f} s "
          f"(median of {args.repeats}; first {scan_times[0]:.2f} s)")
    for p in found:
        whole = "" if p.n_matched is None else (f", whole column {p.share_full:.3f} ({p.n_matched:,} pattern "
                                                f"matches, {p.n_checked:,} checked)")
        print(f"  {p.column}: {p.entity_type} ({p.kind}), share {p.share:.3f}{whole}")
    agree = _scan_engines(table, [p.to_dict() for p in found], args.repeats)

    frame = pd.DataFrame({"age": rng.integers(18, 91, n), "zip": table["zip_code"],
                          "sex": rng.choice(["female", "male"], n),
                          "education": rng.choice([f"e{i}" for i in range(8)], n),
                          "diagnosis": rng.choice([f"d{i}" for i in range(12)], n,
                                                  p=np.array([30, 20, 10, 8, 7, 6, 5, 5, 4, 2, 2, 1]) / 100),
                          "cost": rng.gamma(2.0, 500.0, n).round(0)})
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        a = anonymity(frame, ["age", "zip", "sex", "education"], ["diagnosis"])
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    b = anonymity(frame, ["age", "zip", "sex", "education"], ["cost"])
    ordered_s = time.perf_counter() - t0
    d = a.sensitive["diagnosis"]
    print(f"\nk/l/t on {n:,} rows, 4 quasi-identifiers ({a.n_classes:,} classes), categorical sensitive: "
          f"{statistics.median(times):.2f} s (median of {args.repeats}); k={a.k}, l={d.l_distinct}, "
          f"l_entropy={d.l_entropy:.3f}, t={d.t_closeness:.3f}, unique={a.unique_share:.3f}")
    print(f"same with a numeric sensitive attribute (ordered distance, {b.sensitive['cost'].n_values:,} values): "
          f"{ordered_s:.2f} s; t={b.sensitive['cost'].t_closeness:.3f}")
    return 0 if agree else 1


def _scan_engines(table: pd.DataFrame, want: list[dict], repeats: int) -> bool:
    """The same scan with the table in polars and DuckDB (when installed): time, and equality with pandas."""
    from audit.engines import Table

    agree = True
    for engine in ("polars", "duckdb"):
        try:
            import polars as pl

            native = pl.from_pandas(table).lazy()
            if engine == "duckdb":
                import duckdb

                native = duckdb.connect().from_arrow(native.collect().to_arrow())
        except ImportError:
            print(f"  {engine} is not installed: its scan is skipped")
            continue
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            got = [p.to_dict() for p in scan_frame(Table(native, label=engine))]
            times.append(time.perf_counter() - t0)
        agree &= got == want
        print(f"  same table in {engine} (pattern counts and candidates from the engine): "
              f"{statistics.median(times):.2f} s (median of {repeats}); equal to pandas: {got == want}")
    return agree


if __name__ == "__main__":
    sys.exit(main())
