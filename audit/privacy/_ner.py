"""Optional statistical NER for :func:`find_pii`: a spaCy pipeline's named entities, merged with the rules.

``ner="spacy:<pipeline>"`` names an *installed* spaCy pipeline package (or a pipeline directory);
nothing is ever downloaded. The pipeline is loaded once per process with every component but
``tok2vec`` and ``ner`` excluded (``tok2vec`` too when the NER does not listen to it, as in the
small English model, whose NER embeds its own), and texts go through ``nlp.pipe`` in batches. Its PERSON,
GPE/LOC, NORP and ORG entities become PERSON, LOCATION, NRP and ORGANIZATION candidates;
:mod:`._text` then resolves them with the rules (a validated pattern match wins over an NER
span it overlaps; rule names extend NER names). Known false positives of small NER models are
dropped here: spans with digits or code characters, lower-case spans, single-word headings
and form words ("Card", "Meeting", "Invoice").
"""
from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Any

from .._exceptions import UsageError
from . import _messages as msg

__all__ = ["parse_ner", "check_installed", "describe", "ner_candidates", "LABELS"]

log = logging.getLogger(__name__)

#: spaCy (OntoNotes) labels -> Presidio's entity names.
LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "NORP": "NRP",
          "ORG": "ORGANIZATION"}
_KEEP = ("tok2vec", "ner")
_EXCLUDE = ("tagger", "parser", "attribute_ruler", "lemmatizer", "trainable_lemmatizer", "senter", "morphologizer",
            "entity_ruler", "span_finder", "spancat", "textcat", "textcat_multilabel", "entity_linker")
_SCORE = 0.85
_BATCH = 1_000
_CHUNK = 5_000  # long texts go in pieces: spaCy refuses texts over nlp.max_length, and memory grows with length
_BATCH_CHARS = 200_000  # at most this many characters in one nlp.pipe batch
_LOCK = threading.Lock()
_PIPELINES: dict[str, Any] = {}

# Words small models tag as names in forms, logs and headings; a span made only of them is dropped,
# and they are trimmed from either end of a span ("Dear John Smith" -> "John Smith").
_FORM_WORDS = frozenset({
    "Dear", "Hi", "Hello", "Hey", "Thanks", "Thank", "Regards", "Best", "Sincerely", "Cheers", "Card", "Meeting",
    "Invoice", "Order", "Customer", "Client", "Patient", "Contact", "Beneficiary", "Cardholder", "Account", "Ref",
    "Reference", "Ticket", "Call", "Phone", "Email", "Mail", "Tel", "Fax", "Mobile", "Name", "Sir", "Madam",
    "Mr", "Mrs", "Ms", "Mx", "Miss", "Dr", "Prof", "Herr", "Frau", "Mme", "Monsieur", "Madame", "Sr", "Sra",
    "Team", "Support", "Service", "Admin", "User", "Manager", "Department", "Office", "Note", "Notes", "Subject",
    "Re", "Fwd", "Attn", "Signed", "Date", "Total", "Amount", "Balance", "Payment", "Transfer", "IBAN", "SSN",
    "Login", "Server", "Host", "Build", "Version", "Update", "Updated", "Approved", "Pending",
})
def _NO_CAPITAL(text: str) -> bool:
    return text.islower() or not any(ch.isupper() for ch in text)


_CODE = re.compile(r"[\d_=(){}\[\]<>/\\@#$%^&*|~`+]|::")


def parse_ner(spec: Any) -> str | None:
    """The pipeline named by ``"spacy:<pipeline>"`` (None for no NER); a usage error for anything else."""
    if spec is None or spec is False or spec == "":
        return None
    if isinstance(spec, str) and spec.startswith("spacy:") and len(spec) > len("spacy:"):
        return spec[len("spacy:"):]
    raise UsageError(msg.BAD_NER.format(value=spec if isinstance(spec, str) else type(spec).__name__))


def check_installed(name: str) -> None:
    """One usage error unless spaCy and the pipeline ``name`` are installed (nothing is loaded or downloaded)."""
    try:
        import spacy
    except ImportError:
        raise UsageError(msg.NER_NO_SPACY.format(name=name)) from None
    if not (spacy.util.is_package(name) or Path(name).is_dir()):
        raise UsageError(msg.NER_NOT_INSTALLED.format(name=name))


def describe(name: str) -> dict[str, Any]:
    """What report.json records of the NER that ran: backend, pipeline name and its version (or None).

    Read from the package metadata or the directory's ``meta.json``; the pipeline is not loaded.
    """
    version = None
    try:
        import spacy

        if Path(name).is_dir():
            version = spacy.util.load_meta(Path(name) / "meta.json").get("version")
        else:
            version = spacy.util.get_package_version(name)
    except Exception:  # noqa: BLE001 - a version we cannot read is recorded as unknown, never fatal
        version = None
    return {"backend": "spacy", "pipeline": name, "version": None if version is None else str(version)}


def _pipeline(name: str) -> Any:
    """The loaded pipeline (once per process), or one usage error that names it and how to install it."""
    with _LOCK:
        if name in _PIPELINES:
            return _PIPELINES[name]
        check_installed(name)  # never spacy.cli.download
        import spacy

        nlp = spacy.load(name, exclude=list(_EXCLUDE))
        extra = [p for p in nlp.pipe_names if p not in _KEEP]
        if extra:
            nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in _KEEP])
        if "ner" not in nlp.pipe_names:
            raise UsageError(msg.NER_NO_NER.format(name=name))
        if "tok2vec" in nlp.pipe_names and not getattr(nlp.get_pipe("tok2vec"), "listeners", True):
            nlp.remove_pipe("tok2vec")  # nothing listens to it (the small models' NER embeds its own): half the time
        _numpy_matmul(nlp.get_pipe("ner"))
        log.info("NER pipeline %s loaded (components: %s)", name, ", ".join(nlp.pipe_names))
        _PIPELINES[name] = nlp
        return nlp


def _numpy_matmul(component: Any) -> None:
    """Let the NER's layers multiply matrices with numpy's BLAS instead of thinc's bundled BLIS.

    Same products, same entities (checked on the free-text corpus: no document differs), and
    its convolutional layers' matrix products, a third of the NER's time, run 3x faster where
    numpy's BLAS beats the bundled BLIS (benchmarks/README.md, issue 15).
    """
    try:
        from thinc.api import NumpyOps
    except ImportError:  # pragma: no cover - spaCy always brings thinc
        return
    model = getattr(component, "model", None)
    if model is None or not hasattr(model, "walk"):
        return
    ops = None
    for node in model.walk():
        if type(node.ops) is NumpyOps and getattr(node.ops, "use_blis", False):
            ops = ops or NumpyOps(use_blis=False)
            node.ops = ops


def _clean(text: str, start: int, end: int, etype: str) -> tuple[int, int] | None:
    """The span without form words at its ends, or None when it is a known false positive."""
    span = text[start:end]
    if _CODE.search(span) or not any(ch.isupper() for ch in span) or "\n" in span:
        return None
    words = span.split(" ")
    while words and words[0].rstrip(".,:") in _FORM_WORDS:
        start += len(words[0]) + 1
        words.pop(0)
    while words and words[-1].rstrip(".,:") in _FORM_WORDS:
        end -= len(words[-1]) + 1
        words.pop()
    if not words or not words[0][:1].isupper():
        return None
    if len(words) == 1 and (words[0].isupper() and len(words[0]) > 3 and etype == "PERSON"):
        return None  # a heading or an acronym in capitals ("INTRODUCTORY")
    if etype == "PERSON" and len(words[0]) < 2:
        return None
    return start, end


def _pieces(text: str) -> list[tuple[int, str]]:
    if len(text) <= _CHUNK:
        return [(0, text)]
    out, pos = [], 0
    while pos < len(text):
        cut = len(text) if pos + _CHUNK >= len(text) else text.rfind(" ", pos + _CHUNK // 2, pos + _CHUNK)
        if cut <= pos:
            cut = min(len(text), pos + _CHUNK)
        out.append((pos, text[pos:cut]))
        pos = cut
    return out


def _docs(nlp: Any, pieces: list[str]) -> Any:
    """``nlp.pipe`` over the pieces in batches of at most ``_BATCH`` texts and ``_BATCH_CHARS`` characters."""
    batch: list[str] = []
    chars = 0
    for piece in pieces:
        if batch and (len(batch) >= _BATCH or chars + len(piece) > _BATCH_CHARS):
            yield from nlp.pipe(batch, batch_size=len(batch))
            batch, chars = [], 0
        batch.append(piece)
        chars += len(piece)
    if batch:
        yield from nlp.pipe(batch, batch_size=len(batch))


#: Function words that start a sentence with a capital and are never a name ("Will", "May", "Mark" are
#: not here); a text whose only capital is one of them as its first word holds nothing the NER keeps.
_COMMON_FIRST = frozenset(
    "the a an this that these those it its we i you he she they our my your his her their please there here "
    "what when where why how if no yes not all some any each every in on at for from to of with by after before "
    "and but or so then as is are was were has have had do does did can could should would must also "
    "der die das ein eine le la les un une el los las una".split())
#: Send the NER only the texts that could hold an entity it would keep (tests switch it off to compare).
_SELECT = True


def _open_capitals(piece: str, claimed: list[tuple[int, int]], at: int, common: frozenset[str]) -> bool:
    """Whether ``piece`` has a capital letter that could start a kept NER span.

    A kept span starts with a capital (``_clean``) and loses to any rule span it overlaps, so
    capitals inside the rule spans already won (``claimed``, text coordinates) do not count,
    nor the first word when it is a common word ("The", "Meeting") and the only capital.
    """
    if _NO_CAPITAL(piece):
        return False
    caps = [i for i, ch in enumerate(piece) if ch.isupper()]
    if claimed:
        caps = [i for i in caps if not any(s <= at + i < e for s, e in claimed)]
    if not caps:
        return False
    if len(caps) > 1 or at > 0:
        return True
    first = piece.lstrip()
    word = first.split(" ", 1)[0].rstrip(".,:;!?")
    return not (caps[0] == len(piece) - len(first) and word.lower() in common)


def _selected(text: str, claimed: list[tuple[int, int]], common: frozenset[str]) -> list[tuple[int, str]]:
    """The pieces of ``text`` (all of it, or a long text's chunks) that could hold an entity."""
    return [(at, piece) for at, piece in _pieces(text)
            if (_open_capitals(piece, claimed, at, common) if _SELECT else not _NO_CAPITAL(piece))]


def ner_candidates(items: list[str], offsets: Any, name: str, wanted: frozenset[str],
                   claimed: dict[int, list[tuple[int, int]]] | None = None) -> list[tuple]:
    """NER candidates ``(start, end, type, score)`` in joined-text coordinates, for the wanted types.

    ``claimed`` maps a text's index to the rule spans (text coordinates) that win over any NER
    span overlapping them; only texts with a capital outside them go through the model.
    """
    nlp = _pipeline(name)
    labels = {label: etype for label, etype in LABELS.items() if etype in wanted}
    if not labels:
        return []
    claimed = claimed or {}
    common = _COMMON_FIRST | frozenset(w.lower() for w in _FORM_WORDS)
    # A text that repeats (a column of notes often does) goes through the model once.
    same: dict[str, list[int]] = {}
    for i, text in enumerate(items):
        if not _NO_CAPITAL(text):  # no capital: no name, place or organisation to find
            same.setdefault(text, []).append(i)
    jobs: list[tuple[str, int, str]] = []  # (text, offset in text, piece)
    for text, where in same.items():
        for at, piece in _selected(text, claimed.get(where[0], []), common):
            jobs.append((text, at, piece))
    out: list[tuple] = []
    for (text, at, piece), doc in zip(jobs, _docs(nlp, [piece for _, _, piece in jobs]), strict=True):
        found = []
        for ent in doc.ents:
            etype = labels.get(ent.label_)
            if etype is None:
                continue
            kept = _clean(piece, ent.start_char, ent.end_char, etype)
            if kept is not None:
                found.append((at + kept[0], at + kept[1], etype))
        for i in same[text]:
            base = int(offsets[i])
            out += [(base + s, base + e, etype, _SCORE) for s, e, etype in found]
    return out
