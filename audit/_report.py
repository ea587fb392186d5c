"""AuditReport: every auditor's result, the checks' verdicts, and where they came from."""
from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from ._checks import CheckOutcome
from ._exceptions import UsageError
from ._exit import ExitCode
from ._io import write_files_atomically
from ._result import AuditResult, Status, _jsonable

__all__ = ["AuditReport", "SCHEMA_VERSION", "environment", "overall_status", "exit_code_for"]

SCHEMA_VERSION = "1.0"
_PACKAGES = ("rai-audit", "numpy", "pandas", "scikit-learn", "torch", "fairlearn", "captum")


def environment(random_state: int) -> dict[str, Any]:
    """Versions and platform: what a reviewer needs to reproduce the figures."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"python": platform.python_version(), "implementation": sys.implementation.name,
            "platform": platform.platform(terse=True), "machine": platform.machine(),
            "packages": versions, "random_state": int(random_state)}


def overall_status(results: Sequence[AuditResult], checks: Sequence[CheckOutcome]) -> Status:
    """error > fail > warn > pass; skipped when no auditor ran at all."""
    if any(r.status == Status.ERROR for r in results) or any(c.status == Status.ERROR for c in checks):
        return Status.ERROR
    if any(c.status == Status.FAIL for c in checks):
        return Status.FAIL
    ran = [r for r in results if r.status != Status.SKIPPED]
    if not ran:
        return Status.SKIPPED
    if any(c.status == Status.WARN for c in checks) or any(r.status in (Status.WARN, Status.FAIL) for r in ran):
        return Status.WARN
    return Status.PASS


def exit_code_for(status: Status) -> ExitCode:
    return {Status.PASS: ExitCode.OK, Status.WARN: ExitCode.OK, Status.FAIL: ExitCode.CHECKS_FAILED,
            Status.ERROR: ExitCode.INTERNAL_ERROR, Status.SKIPPED: ExitCode.NO_AUDIT}[Status(status)]


class AuditReport:
    """The results of one audit run: one :class:`AuditResult` per auditor plus check verdicts.

    ``report["fairness"]`` gives one result; ``status`` and ``exit_code`` give the verdict;
    ``save(folder)`` writes report.json and report.html atomically.
    """

    def __init__(self, results: Sequence[AuditResult], *, checks: Sequence[CheckOutcome] | Sequence[dict] = (),
                 subject: Mapping[str, Any] | None = None, environment: Mapping[str, Any] | None = None,
                 title: str = "rai-audit report", model_card: Mapping[str, Any] | None = None,
                 tool_version: str | None = None) -> None:
        self.results = list(results)
        self.checks = list(checks)
        self.subject = dict(subject or {})
        self.environment = dict(environment or {})
        self.title = title
        self.model_card = dict(model_card) if model_card else None
        from . import __version__

        self.tool_version = tool_version or __version__

    # -- verdict -----------------------------------------------------------------------------
    def _check_dicts(self) -> list[dict[str, Any]]:
        return [c.to_dict() if isinstance(c, CheckOutcome) else dict(c) for c in self.checks]

    @property
    def status(self) -> str:
        outcomes = [c if isinstance(c, CheckOutcome) else _StatusOnly(Status(c["status"])) for c in self.checks]
        return str(overall_status(self.results, outcomes))  # type: ignore[arg-type]

    @property
    def exit_code(self) -> ExitCode:
        return exit_code_for(Status(self.status))

    @property
    def failed_checks(self) -> list[dict[str, Any]]:
        """Checks that failed, warned or could not be evaluated (not passed, not skipped)."""
        return [c for c in self._check_dicts() if c["status"] not in ("pass", "skipped")]

    @property
    def skipped_checks(self) -> list[dict[str, Any]]:
        """Checks skipped because their metric is missing and they say ``if_missing = "skip"``."""
        return [c for c in self._check_dicts() if c["status"] == "skipped"]

    # -- access ------------------------------------------------------------------------------
    def __getitem__(self, auditor: str) -> AuditResult:
        for r in self.results:
            if r.auditor == auditor:
                return r
        raise KeyError(f"no result for auditor {auditor!r}; results: {[r.auditor for r in self.results]}")

    def __contains__(self, auditor: object) -> bool:
        return any(r.auditor == auditor for r in self.results)

    # -- serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "rai-audit", "version": self.tool_version},
            "title": self.title,
            "status": self.status,
            "exit_code": int(self.exit_code),
            "subject": _jsonable(self.subject),
            "environment": _jsonable(self.environment),
            "model_card": _jsonable(self.model_card),
            "results": [r.to_dict() for r in self.results],
            "checks": _jsonable(self._check_dicts()),
        }

    def to_json(self, doc: Mapping[str, Any] | None = None) -> str:
        """report.json's text: stable key order, no NaN (null instead), infinities as ``"Infinity"`` /
        ``"-Infinity"``, UTF-8 (a lone surrogate from data written as its ``\\udXXX`` JSON escape)."""
        text = json.dumps(self.to_dict() if doc is None else doc, indent=2, ensure_ascii=False,
                          allow_nan=False) + "\n"
        return text.encode("utf-8", "backslashreplace").decode("utf-8")

    def to_html(self, doc: Mapping[str, Any] | None = None) -> str:
        from .report import render_html

        return render_html(self.to_dict() if doc is None else doc)

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``report.json`` and ``report.html`` into ``folder`` atomically; returns the folder."""
        doc = self.to_dict()  # once for both files
        files = {"report.json": self.to_json(doc), "report.html": self.to_html(doc)}
        write_files_atomically(folder, files)
        return Path(folder)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AuditReport:
        return cls([AuditResult.from_dict(r) for r in d.get("results", [])], checks=list(d.get("checks", [])),
                   subject=d.get("subject"), environment=d.get("environment"),
                   title=d.get("title", "rai-audit report"), model_card=d.get("model_card"),
                   tool_version=(d.get("tool") or {}).get("version"))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> AuditReport:
        """Read a report.json (or a folder holding one); UsageError names the path on failure."""
        p = Path(path)
        if p.is_dir():
            p = p / "report.json"
        from ._files import MAX_DEPTH, MAX_REPORT_BYTES, MSG_TOO_DEEP, check_depth, check_file_size

        check_file_size(p, MAX_REPORT_BYTES, "report")
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except RecursionError:
            raise UsageError(MSG_TOO_DEEP.format(what="report", path=p, limit=MAX_DEPTH)) from None
        except FileNotFoundError:
            raise UsageError(f"cannot read report {p!s}: no such file.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read report {p!s}: {exc}.") from None
        except json.JSONDecodeError as exc:
            raise UsageError(f"report {p!s} is not valid JSON ({exc}); pass a report.json written by rai-audit.") \
                from None
        check_depth(doc, MAX_DEPTH, "report", p)
        if not isinstance(doc, dict) or "schema_version" not in doc or "results" not in doc:
            raise UsageError(f"{p!s} is not a rai-audit report.json (no schema_version/results).")
        major = str(doc["schema_version"]).split(".")[0]
        if major != SCHEMA_VERSION.split(".")[0]:
            raise UsageError(f"report {p!s} has schema_version {doc['schema_version']!r}; this rai-audit reads "
                             f"{SCHEMA_VERSION.split('.')[0]}.x. Re-run the audit with this version.")
        try:
            return cls.from_dict(doc)
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"report {p!s} is malformed: {type(exc).__name__}: {exc}.") from None

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return (f"AuditReport(title={self.title!r}, status={self.status!r}, "
                f"auditors={[f'{r.auditor}:{r.status}' for r in self.results]})")


class _StatusOnly:
    """A check verdict read back from JSON: only its status matters for the overall verdict."""

    def __init__(self, status: Status) -> None:
        self.status = status
