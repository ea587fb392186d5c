"""AuditResult, CheckOutcome and AuditReport: the shapes every auditor and the gate return.

A result is data: a status, a tidy table of metric rows, and findings. Every auditor,
built-in or plugin, returns exactly this shape, so reports, checks and the gate need
no per-auditor code.
"""
from __future__ import annotations

import dataclasses
import enum
import json
import math
import os
import platform
import sys
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._exceptions import UsageError
from ._exit import ExitCode
from ._files import write_files_atomically
from ._messages import (
    MSG_NO_RESULT,
    MSG_NOT_A_REPORT,
    MSG_NOT_ONE_ROW,
    MSG_REPORT_MALFORMED,
    MSG_REPORT_MISSING,
    MSG_REPORT_NOT_JSON,
    MSG_REPORT_SCHEMA,
    MSG_REPORT_UNREADABLE,
)
from ._version import __version__

__all__ = ["Status", "Severity", "Finding", "AuditResult", "CheckOutcome", "AuditReport", "SCHEMA_VERSION",
           "environment", "overall_status", "exit_code_for", "METRIC_COLUMNS", "format_group", "metrics_frame",
           "group_key", "suppressed_groups", "POS_INFINITY", "NEG_INFINITY", "NOT_A_NUMBER", "decode_number"]

#: Columns of every result's ``metrics`` frame, in order. ``group`` maps each sensitive
#: feature to its value (None for an overall or aggregate figure); ``over`` lists the
#: sensitive features an aggregate compares; ``label`` is the class of a one-vs-rest row.
METRIC_COLUMNS = ("metric", "group", "value", "ci_low", "ci_high", "n", "over", "label")

#: How report.json writes the non-finite numbers JSON has no literal for (a NaN is null: undefined).
POS_INFINITY = "Infinity"
NEG_INFINITY = "-Infinity"
#: Read back as NaN (undefined) where a number is expected; rai-audit writes null instead.
NOT_A_NUMBER = "NaN"
_NON_FINITE = {POS_INFINITY: math.inf, NEG_INFINITY: -math.inf, NOT_A_NUMBER: math.nan}


def decode_number(v: Any) -> Any:
    """A number field of report.json as a float.

    ``"Infinity"``, ``"-Infinity"`` and ``"NaN"`` are decoded; anything else is returned as it is.
    """
    return _NON_FINITE.get(v, v) if isinstance(v, str) else v


def _encode_float(f: float) -> float | str | None:
    if math.isnan(f):
        return None
    if math.isinf(f):
        return POS_INFINITY if f > 0 else NEG_INFINITY
    return f


class Status(str, enum.Enum):
    """Outcome of an auditor or a whole report, worst last."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"
    ERROR = "error"

    def __str__(self) -> str:  # so f-strings show "pass", not "Status.PASS"
        return self.value


class Severity(str, enum.Enum):
    """How much a finding matters."""

    INFO = "info"
    WARNING = "warning"
    HIGH = "high"

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class Finding:
    """Something an auditor wants a reviewer to read: a code, a sentence, its evidence."""

    severity: Severity
    code: str
    message: str
    evidence: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"severity": str(Severity(self.severity)), "code": self.code,
                "message": self.message, "evidence": _jsonable(dict(self.evidence))}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Finding:
        return cls(Severity(d["severity"]), d["code"], d["message"], dict(d.get("evidence") or {}))


def metrics_frame(rows: Sequence[Mapping[str, Any]] | pd.DataFrame | None = None) -> pd.DataFrame:
    """Return a metrics frame with exactly :data:`METRIC_COLUMNS`, filling absent columns with None."""
    frame = pd.DataFrame(list(rows) if rows is not None and not isinstance(rows, pd.DataFrame) else rows)
    for col in METRIC_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame = frame.loc[:, list(METRIC_COLUMNS)].reset_index(drop=True)
    for col in ("group", "over", "label"):  # rows that lacked the key come in as NaN: make them None
        frame[col] = pd.Series([None if isinstance(v, float) and math.isnan(v) else v for v in frame[col]],
                               dtype=object, index=frame.index)
    for col in ("value", "ci_low", "ci_high"):  # "Infinity" / "-Infinity" read back; anything not a number is NaN
        frame[col] = pd.to_numeric(frame[col].map(_number_or_nan), errors="coerce").astype("float64")
    frame["n"] = pd.array(pd.to_numeric(frame["n"], errors="coerce"), dtype="Int64")
    return frame


@dataclasses.dataclass(frozen=True)
class AuditResult:
    """What one auditor found about one subject.

    Attributes
    ----------
    auditor, version : the auditor's registry name and version.
    status : PASS/WARN/FAIL from the auditor's own findings, SKIPPED when its needs are
        unmet (``reason`` says which), ERROR when it raised (``reason`` holds the error).
    metrics : tidy frame with :data:`METRIC_COLUMNS`.
    findings : what a reviewer should read, most severe first.
    params : the auditor's configuration, as given.
    reason : why the auditor was skipped or failed.
    details : JSON-able extra material for the report section (e.g. calibration bins).
        ``details["suppressed_groups"]`` (a list of group dicts) names small cells: their
        per-group rows are written by :meth:`to_dict` (so report.json and report.html)
        with ``value``, ``ci_low``, ``ci_high`` and ``n`` null and ``"suppressed": true``,
        while ``metrics`` keeps their figures for aggregates and checks.
    """

    auditor: str
    version: str
    status: Status
    metrics: pd.DataFrame = dataclasses.field(default_factory=metrics_frame)
    findings: tuple[Finding, ...] = ()
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    reason: str | None = None
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def build(cls, auditor: Any, rows: Sequence[Mapping[str, Any]] | pd.DataFrame = (),
              findings: Iterable[Finding] = (), *, details: Mapping[str, Any] | None = None,
              status: Status | None = None) -> AuditResult:
        """The result of a finished run, assembled the one way every auditor needs.

        ``auditor`` gives ``name``, ``version`` and ``get_params()`` (its configuration, as
        given); ``rows`` are padded to :data:`METRIC_COLUMNS`; findings are ordered most
        severe first (stable within a severity); the status is WARN when a finding is a
        warning or high, else PASS, unless ``status`` says otherwise.
        """
        order = list(Severity)
        ordered = sorted(findings, key=lambda f: -order.index(Severity(f.severity)))
        if status is None:
            warned = any(f.severity in (Severity.WARNING, Severity.HIGH) for f in ordered)
            status = Status.WARN if warned else Status.PASS
        params = auditor.get_params() if hasattr(auditor, "get_params") else {}
        return cls(str(auditor.name), str(auditor.version), status, metrics=metrics_frame(rows),
                   findings=tuple(ordered), params=params, details=dict(details or {}))

    # -- accessors: one shape in, one shape out -------------------------------------------
    def value(self, metric: str, group: Mapping[str, Any] | None = None, *,
              over: Sequence[str] | None = None, label: Any = None) -> float:
        """The value of one metric row; raises KeyError naming the metric when absent.

        Without ``group``, the overall row (or, with ``over``, that aggregate row); with
        ``group``, that group's row.
        """
        rows = self.rows(metric, group=group, over=over, label=label)
        if group is None:
            rows = rows[rows["group"].isna()]
            if over is None:
                rows = rows[rows["over"].isna()]
        if len(rows) != 1:
            raise KeyError(MSG_NOT_ONE_ROW.format(metric=metric, group=group, over=over, found=len(rows),
                                                  known=sorted(set(self.metrics["metric"]))))
        return float(rows["value"].iloc[0])

    def rows(self, metric: str, *, group: Mapping[str, Any] | None = None,
             over: Sequence[str] | None = None, label: Any = None) -> pd.DataFrame:
        """Rows of one metric, optionally for one group, one ``over`` set or one class label."""
        m = self.metrics
        sel = m["metric"] == metric
        if group is not None:
            want = {k: _group_value(v) for k, v in group.items()}
            sel &= m["group"].map(lambda g: g == want)
        if over is not None:
            sel &= m["over"].map(lambda o: o is not None and list(o) == list(over))
        if label is not None:
            sel &= m["label"].map(lambda x: x == str(label))
        return m.loc[sel]

    def by_group(self, metric: str, *, label: Any = None) -> pd.DataFrame:
        """One metric for every group, as a frame with one column per sensitive feature."""
        rows = self.rows(metric, label=label)
        rows = rows[rows["group"].map(lambda g: g is not None)]
        keys = pd.DataFrame(list(rows["group"]), index=rows.index)
        return pd.concat([keys, rows[["value", "ci_low", "ci_high", "n"]]], axis=1).reset_index(drop=True)

    # -- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        suppressed = suppressed_groups(self.details)  # once, not per row
        return {
            "auditor": self.auditor,
            "version": self.version,
            "status": str(Status(self.status)),
            "reason": self.reason,
            "params": _jsonable(dict(self.params)),
            "metrics": [_row_to_dict(r, suppressed) for r in self.metrics.itertuples(index=False)],
            "findings": [f.to_dict() for f in self.findings],
            "details": _jsonable(dict(self.details)),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AuditResult:
        return cls(
            auditor=d["auditor"], version=d.get("version", ""), status=Status(d["status"]),
            metrics=metrics_frame(d.get("metrics") or []),
            findings=tuple(Finding.from_dict(f) for f in d.get("findings") or ()),
            params=dict(d.get("params") or {}), reason=d.get("reason"),
            details=dict(d.get("details") or {}),
        )

    def _repr_html_(self) -> str:
        from .report import render_result_html

        return render_result_html(self.to_dict())


def format_group(group: Mapping[str, Any]) -> str:
    """A group as people read it: ``sex=Female, race=Black`` (a missing value shown as ``<missing>``)."""
    return ", ".join(f"{_cut_value(k)}={'<missing>' if v is None else _cut_value(v)}" for k, v in group.items())


def _group_value(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def group_key(group: Mapping[str, Any]) -> frozenset:
    """A group as a hashable key (values as report.json writes them)."""
    return frozenset((str(k), _group_value(v)) for k, v in group.items())


def suppressed_groups(details: Mapping[str, Any]) -> frozenset:
    """The keys of the groups a result's ``details["suppressed_groups"]`` withholds (small cells)."""
    groups = details.get("suppressed_groups") if isinstance(details, Mapping) else None
    if not isinstance(groups, Sequence) or isinstance(groups, str):
        return frozenset()
    return frozenset(group_key(g) for g in groups if isinstance(g, Mapping))


def _cut_value(v: Any) -> Any:
    """A group value, feature name or label as report.json writes it: cut at :data:`audit._format.VALUE_LIMIT`."""
    if v is None or (type(v) is str and len(v) <= _VALUE_LIMIT):  # the common case: nothing to cut
        return v
    from ._format import cut

    return cut(v)


def _row_to_dict(row: Any, suppressed: frozenset = frozenset()) -> dict[str, Any]:
    d = row._asdict()
    group = d["group"]
    if suppressed and group is not None and group_key(group) in suppressed:
        d = {**d, "value": None, "ci_low": None, "ci_high": None, "n": None}
        withheld = _row_to_dict(type(row)(**d))
        withheld["suppressed"] = True
        return withheld
    out: dict[str, Any] = {}
    for key in METRIC_COLUMNS:
        v = d[key]
        if key == "group":
            v = None if v is None else {_cut_value(str(k)): _cut_value(_group_value(x)) for k, x in dict(v).items()}
        elif key == "over":
            v = None if v is None else [_cut_value(str(x)) for x in v]
        elif key == "label":
            v = None if v is None or (isinstance(v, float) and math.isnan(v)) else _cut_value(str(v))
        else:
            v = _jsonable(v)
        out[key] = v
    return out


def _number_or_nan(v: Any) -> Any:
    v = decode_number(v)
    if v is None or v is pd.NA or isinstance(v, bool) or isinstance(v, (np.bool_,)):
        return math.nan if v is None or v is pd.NA else float(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return v
    if isinstance(v, str):
        return v  # a number as text is read as that number; other text is NaN below
    return math.nan  # a list or object is not a metric value: undefined, never a pass


_TEXT_LIMIT = 100_000  # audit._format.TEXT_LIMIT (kept here so _result imports no module at import time)
_VALUE_LIMIT = 200  # audit._format.VALUE_LIMIT, likewise


def _jsonable(v: Any) -> Any:
    """Convert numpy/pandas scalars and containers into plain JSON values.

    NaN becomes None, an infinity :data:`POS_INFINITY` / :data:`NEG_INFINITY`.
    """
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return _encode_float(float(v))
    if isinstance(v, str):
        if len(v) > _TEXT_LIMIT:
            from ._format import cut

            return cut(v, _TEXT_LIMIT)
        return v
    if isinstance(v, enum.Enum):
        return _jsonable(v.value)
    if isinstance(v, Mapping):
        return {_jsonable(str(k)): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        items = list(v)
        if isinstance(v, (set, frozenset)):
            items = sorted(items, key=str)
        return [_jsonable(x) for x in items]
    if callable(v) and not isinstance(v, type):  # a function option (a swap, a mask): its name, never its
        name = getattr(v, "__qualname__", None) or type(v).__qualname__  # repr, which holds a memory address
        return f"<function {name}>"
    return str(v)


@dataclasses.dataclass(frozen=True)
class CheckOutcome:
    """The verdict on one check: the fields of report.json's ``checks[]``, built by the gate or read back.

    ``over`` is the check's own ``over`` (None, ``"each"`` or the features); ``row_over`` is the
    features of the row that decided it (not written to report.json, so None once read back).
    """

    metric: str
    op: str
    threshold: float | None
    bound: str
    severity: str
    status: Status
    message: str
    over: str | tuple[str, ...] | None = None
    if_missing: str = "fail"
    value: float | None = None
    group: Mapping[str, Any] | None = None
    label: str | None = None
    name: str | None = None
    row_over: tuple[str, ...] | None = None

    @property
    def auditor(self) -> str:
        return self.metric.split(".", 1)[0]

    @property
    def metric_name(self) -> str:
        return self.metric.split(".", 1)[1] if "." in self.metric else self.metric

    def to_dict(self) -> dict[str, Any]:
        over: Any = self.over if isinstance(self.over, str) or self.over is None else list(self.over)
        return {"metric": self.metric, "op": self.op, "threshold": self.threshold, "bound": self.bound,
                "severity": self.severity, "over": over, "if_missing": self.if_missing,
                "value": self.value,
                "group": ({_cut_value(str(k)): _cut_value(v) for k, v in self.group.items()}
                          if self.group is not None else None),
                "label": self.label, "status": str(self.status), "message": self.message,
                **({"name": self.name} if self.name else {})}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CheckOutcome:
        over = d.get("over")
        return cls(metric=str(d.get("metric", "")), op=str(d.get("op", "max")), threshold=d.get("threshold"),
                   bound=str(d.get("bound", "estimate")), severity=str(d.get("severity", "fail")),
                   status=Status(d["status"]), message=str(d.get("message", "")),
                   over=over if isinstance(over, str) or over is None else tuple(over),
                   if_missing=str(d.get("if_missing", "fail")), value=d.get("value"), group=d.get("group"),
                   label=d.get("label"), name=d.get("name"))


SCHEMA_VERSION = "1.0"
_PACKAGES = ("rai-audit", "numpy", "pandas", "scikit-learn", "torch", "fairlearn", "captum")


def environment(random_state: int) -> dict[str, Any]:
    """Versions and platform: what a reviewer needs to reproduce the figures."""
    versions: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"python": platform.python_version(), "implementation": sys.implementation.name,
            "platform": platform.platform(terse=True), "machine": platform.machine(),
            "packages": versions, "random_state": int(random_state)}


def overall_status(results: Sequence[AuditResult], checks: Sequence[CheckOutcome]) -> Status:
    """Error > fail > warn > pass; skipped when no auditor ran at all."""
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

    def __init__(self, results: Sequence[AuditResult], *, checks: Sequence[CheckOutcome | Mapping[str, Any]] = (),
                 subject: Mapping[str, Any] | None = None, environment: Mapping[str, Any] | None = None,
                 title: str = "rai-audit report", model_card: Mapping[str, Any] | None = None,
                 tool_version: str | None = None) -> None:
        self.results = list(results)
        self.checks = [c if isinstance(c, CheckOutcome) else CheckOutcome.from_dict(c) for c in checks]
        self.subject = dict(subject or {})
        self.environment = dict(environment or {})
        self.title = title
        self.model_card = dict(model_card) if model_card else None
        self.tool_version = tool_version or __version__

    # -- verdict -----------------------------------------------------------------------------
    def _check_dicts(self) -> list[dict[str, Any]]:
        return [c.to_dict() for c in self.checks]

    @property
    def status(self) -> str:
        return str(overall_status(self.results, self.checks))

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
        raise KeyError(MSG_NO_RESULT.format(auditor=auditor, known=[r.auditor for r in self.results]))

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
        r"""report.json's text, byte for byte the same for the same report.

        Stable key order, no NaN (null instead), infinities as ``"Infinity"`` / ``"-Infinity"``,
        UTF-8 (a lone surrogate from data written as its ``\udXXX`` JSON escape).
        """
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
            raise UsageError(MSG_REPORT_MISSING.format(path=p)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(MSG_REPORT_UNREADABLE.format(path=p, error=exc)) from None
        except json.JSONDecodeError as exc:
            raise UsageError(MSG_REPORT_NOT_JSON.format(path=p, error=exc)) \
                from None
        check_depth(doc, MAX_DEPTH, "report", p)
        if not isinstance(doc, dict) or "schema_version" not in doc or "results" not in doc:
            raise UsageError(MSG_NOT_A_REPORT.format(path=p))
        major = str(doc["schema_version"]).split(".")[0]
        if major != SCHEMA_VERSION.split(".")[0]:
            raise UsageError(MSG_REPORT_SCHEMA.format(path=p, got=doc["schema_version"],
                                                      major=SCHEMA_VERSION.split(".")[0]))
        try:
            return cls.from_dict(doc)
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(MSG_REPORT_MALFORMED.format(path=p, error_type=type(exc).__name__, error=exc)) from None

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return (f"AuditReport(title={self.title!r}, status={self.status!r}, "
                f"auditors={[f'{r.auditor}:{r.status}' for r in self.results]})")
