"""Privacy engine and auditor: personal data in tables and text, re-identification and membership risk.

    >>> from audit.privacy import find_pii, anonymity
    >>> spans = find_pii(["mail jane@example.org"])[0]
    >>> [(s.entity_type, s.start, s.end) for s in spans]
    [('EMAIL_ADDRESS', 5, 21)]

Nothing here returns or logs a raw personal value: findings carry counts, column names
and masked examples (:func:`mask`).
"""
from __future__ import annotations

from . import _messages as messages
from ._anonymity import Anonymity, SensitiveDiversity, anonymity, equivalence_classes
from ._auditor import PrivacyAuditor
from ._columns import DIRECT_IDENTIFIERS, ColumnPII, scan_frame, suggest_quasi_identifiers
from ._copy import CopyCheck, check_anonymised_copy
from ._mask import mask
from ._membership import MembershipRisk, membership_inference, per_row_loss
from ._recognizers import NAME_CUES, add_name_cues
from ._text import DEFAULT_REGIONS, ENTITY_TYPES, PIISpan, find_pii

__all__ = [
    "Anonymity", "ColumnPII", "CopyCheck", "DEFAULT_REGIONS", "DIRECT_IDENTIFIERS", "ENTITY_TYPES",
    "MembershipRisk", "NAME_CUES", "PIISpan", "PrivacyAuditor", "SensitiveDiversity", "add_name_cues", "anonymity",
    "check_anonymised_copy",
    "equivalence_classes", "find_pii", "mask", "membership_inference", "messages", "per_row_loss", "scan_frame",
    "suggest_quasi_identifiers",
]
