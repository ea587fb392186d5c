"""An example rai-audit plugin: each group's share of the audited rows, with its interval."""
from __future__ import annotations

from ._auditor import RepresentationAuditor, wilson

__all__ = ["RepresentationAuditor", "wilson"]
