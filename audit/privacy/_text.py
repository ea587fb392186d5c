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
are not also a card; an SSN is not also a phone). The recognizers (patterns, context rules,
checks) live in :mod:`._recognizers`, the pattern rewriting in :mod:`._regex`, the optional
NER in :mod:`._ner`.
"""
from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._exceptions import UsageError
from . import _messages as msg
from . import _recognizers
from ._ner import _pipeline as _ner_pipeline
from ._ner import ner_candidates, parse_ner
from ._recognizers import (
    _SEP,
    DEFAULT_REGIONS,
    ENTITY_TYPES,
    PRIORITY,
    _Candidate,
    _card,
    _Check,
    _date_numeric,
    _ssn,
)
from ._regex import ascii_copy as _ascii_copy
from ._regex import embedded as _embedded
from ._regex import hyperscan_form as _hyperscan_form

__all__ = ["PIISpan", "find_pii", "ENTITY_TYPES", "DEFAULT_REGIONS", "as_texts", "PRIORITY"]


@dataclass(frozen=True, slots=True)
class PIISpan:
    """One entity found in one text: ``text[start:end]`` is of ``entity_type``, with confidence ``score``."""

    start: int
    end: int
    entity_type: str
    score: float


_Spec = tuple[str, str, int, _Check]
_CompiledSpec = tuple[int, str, "re.Pattern[str]", _Check]
# Rebuilt by _build() from the current recognizers (name cues can be added at run time).
_GENERATION: int = -1
_SPECS: tuple[_Spec, ...] = ()
_COMPILED: tuple[_CompiledSpec, ...] = ()
_FINDER: re.Pattern[str] = re.compile("(?!)")
_MARKERS: tuple[int, ...] = ()
_PATTERNS: dict[int, re.Pattern[str]] = {}


def _compiled(specs: tuple[_Spec, ...]) -> tuple[_CompiledSpec, ...]:
    return tuple(sorted(  # strongest type first: pruning by "covered" needs that order
        ((i, etype, re.compile(pattern, flags), check) for i, (etype, pattern, flags, check) in enumerate(specs)),
        key=lambda spec: -PRIORITY[spec[1]]))


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


def _build() -> None:
    """(Re)build the patterns, the start finder and the compiled specs from the current recognizers."""
    global _SPECS, _COMPILED, _FINDER, _MARKERS, _PATTERNS, _GENERATION
    _GENERATION = _recognizers.GENERATION
    _SPECS = _recognizers.specs()
    _COMPILED = _compiled(_SPECS)
    _FINDER, _MARKERS = _start_finder()
    _PATTERNS = {index: pattern for index, _, pattern, _ in _COMPILED}
    _HS_STATE.pop("database", None)


_HS_STATE: dict[str, Any] = {}
_build()


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



def _hs_expression(pattern: str, flags: int) -> bytes:
    """The Hyperscan form of an entity pattern, on the ASCII copy of the texts: a superset reported once per text.

    :func:`._regex.hyperscan_form` keeps what each character atom may match in the copy
    (non-ASCII characters stand in as ``_`` or SUB) and drops look-arounds. The suffix runs
    on to the NUL that ends the text, so Hyperscan reports each text once.
    """
    return f"(?:{_hyperscan_form(pattern, flags)})[^\\x00]*\\x00".encode("ascii")


# Patterns that many texts nearly match (digit runs), spelled out exactly, their one-character
# look-arounds written as consumed characters ("^" or a character before; the NUL or a character
# after), so Hyperscan reports only the texts that hold a real match. They are Python patterns
# over the original text that end at the text's NUL, turned into Hyperscan's form like the others.
_HS_EXACT: dict[_Check, str] = {
    _ssn: r"(?:^|[^\d./\-])\d{3}[\-.\ ]?\d{2}[\-.\ ]?\d{4}"
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
    expressions = [_hyperscan_form(_HS_EXACT[check]).encode("ascii") if check in _HS_EXACT
                   else _hs_expression(pattern, flags) for _, pattern, flags, check in _SPECS]
    database.compile(expressions=expressions, ids=list(range(len(_SPECS))),
                     elements=len(_SPECS), flags=[0] * len(_SPECS))
    return database


def _hs_matches(joined: str, offsets: np.ndarray, lengths: np.ndarray, specs: frozenset[int]) -> _PerSpec:
    """Per entity spec, its matches in ``joined``: Hyperscan names the texts, ``re`` matches in them.

    No pattern crosses the NUL between texts, so ``finditer`` over a run of consecutive
    texts yields what it yields over the whole string there; texts Hyperscan did not report
    hold no match. It scans the ASCII copy (one byte per character: offsets agree).
    """
    hits: list[list[int]] = [[] for _ in _SPECS]
    data = _ascii_copy(joined + _SEP)

    def on_match(spec: int, start: int, end: int, flags: int, context: Any) -> None:
        hits[spec].append(end - 1)

    with _HS_LOCK:  # one scratch space per database: scans must not overlap
        _HS_STATE["database"].scan(data, match_event_handler=on_match)
    ends = offsets + lengths
    out: _PerSpec = {}
    for index in specs:
        found = np.searchsorted(offsets, hits[index], side="right") - 1
        out[index] = _runs(_PATTERNS[index], joined, found, offsets, ends)  # sorted, one hit per text
    return out


def _runs(pattern: re.Pattern[str], joined: str, texts: np.ndarray, offsets: np.ndarray,
          ends: np.ndarray) -> Iterable[re.Match[str]]:
    """``pattern``'s matches in the given texts, one ``finditer`` per run of consecutive texts."""
    if not len(texts):
        return
    breaks = np.flatnonzero(np.diff(texts) != 1) + 1
    firsts = texts[np.concatenate([[0], breaks])].tolist()
    lasts = texts[np.concatenate([breaks - 1, [len(texts) - 1]])].tolist()
    for first, last in zip(firsts, lasts, strict=True):
        yield from pattern.finditer(joined, int(offsets[first]), int(ends[last]))


#: Use Hyperscan when it is importable (tests switch it off to compare both paths).
_ACCELERATE = True
#: Hyperscan's database is compiled on the first call at least this large (and then used for every
#: call after). The compile is a one-off cost per process: 0.76 CPU s before the ASCII-copy forms,
#: 0.9-1.2 s with them (2026-12-02, benchmarks/README.md); this threshold predates both figures.
_HS_MIN_CHARS = 250_000
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


def _merged_names(cands: list[_Candidate]) -> list[_Candidate]:
    """PERSON candidates that overlap become one: a rule's "Dr. Ana Lima" extends the NER's "Lima"."""
    names = sorted(c for c in cands if c[2] == "PERSON")
    if len(names) < 2:
        return cands
    merged: list[list[Any]] = []
    for s, e, t, score in names:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][3] = max(merged[-1][3], score)
        else:
            merged.append([s, e, t, score])
    return [c for c in cands if c[2] != "PERSON"] + [tuple(m) for m in merged]


_NER_TOP = max(PRIORITY[t] for t in ("PERSON", *_recognizers.NER_TYPES))


def _claimed(found: list[_Candidate], offsets: np.ndarray) -> dict[int, list[tuple[int, int]]]:
    """Per text, the rule spans stronger than any NER type that overlap resolution keeps (text coordinates).

    They are resolved among themselves exactly as in the final resolution (every NER
    candidate is weaker), so a NER span overlapping one of them is sure to lose.
    """
    strong = [c for c in found if PRIORITY[c[2]] > _NER_TOP]
    if not strong:
        return {}
    owner = np.searchsorted(offsets, [c[0] for c in strong], side="right") - 1
    per_text: dict[int, list[_Candidate]] = {}
    for cand, idx in zip(strong, owner.tolist(), strict=True):
        per_text.setdefault(idx, []).append(cand)
    out: dict[int, list[tuple[int, int]]] = {}
    for idx, cands in per_text.items():
        cands.sort(key=_strength)
        kept: list[_Candidate] = []
        for c in cands:
            if all(c[1] <= k[0] or c[0] >= k[1] for k in kept):
                kept.append(c)
        base = int(offsets[idx])
        out[idx] = sorted((s - base, e - base) for s, e, _, _ in kept)
    return out


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
             regions: Sequence[str] = DEFAULT_REGIONS, score_threshold: float = 0.5,
             ner: str | None = None) -> list[list[PIISpan]]:
    """For each text, the PII spans found in it (sorted by start), Presidio-style.

    ``entities`` limits the types (default: all of :data:`ENTITY_TYPES`); ``regions`` are
    the ISO country codes whose national phone formats count; spans scoring below
    ``score_threshold`` (e.g. nine bare digits with no "SSN" word near) are dropped.
    ``ner="spacy:<pipeline>"`` adds an installed spaCy pipeline's named entities (PERSON,
    LOCATION, NRP, ORGANIZATION) to the rules; without it names are found by rules only
    (honorifics and cue words) and LOCATION, NRP and ORGANIZATION are not looked for.
    """
    pipeline = parse_ner(ner)
    items = as_texts(texts)
    wanted = _entities(entities)
    if pipeline is not None:
        _ner_pipeline(pipeline)  # a pipeline that is not installed is one usage error, even for no texts
    if _recognizers.GENERATION != _GENERATION:
        _build()
    region_tuple = tuple(str(r).upper() for r in regions)
    if not items:
        return []
    # Tens of thousands of short-lived match objects and tuples would trigger the cyclic
    # garbage collector over and over (~15% of the run); none of them forms a cycle.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _find(items, wanted, region_tuple, score_threshold, pipeline)
    finally:
        if paused:
            gc.enable()


def _find(items: list[str], wanted: frozenset[str], region_tuple: tuple[str, ...],
          score_threshold: float, pipeline: str | None = None) -> list[list[PIISpan]]:
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
    for index, etype, _pattern, check in _COMPILED:
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
    if pipeline is not None:
        claimed = _claimed(found, offsets)
        found += [c for c in ner_candidates(items, offsets, pipeline, wanted, claimed) if c[3] >= score_threshold]
    out: list[list[PIISpan]] = [[] for _ in items]
    if not found:
        return out
    starts = np.fromiter((c[0] for c in found), dtype=np.int64, count=len(found))
    owner = np.searchsorted(offsets, starts, side="right") - 1
    per_text: dict[int, list[_Candidate]] = {}
    for cand, idx in zip(found, owner.tolist(), strict=True):
        per_text.setdefault(idx, []).append(cand)
    for idx, cands in per_text.items():
        base = int(offsets[idx])
        if len(cands) == 1:
            kept = cands
        else:
            if pipeline is not None:
                cands = _merged_names(cands)
            cands.sort(key=_strength)
            kept = []
            for c in cands:
                if all(c[1] <= k[0] or c[0] >= k[1] for k in kept):
                    kept.append(c)
            kept.sort()
        out[idx] = [PIISpan(s - base, e - base, t, score) for s, e, t, score in kept]
    return out
