"""``audit.run``: build a subject, run auditors, apply checks, return one AuditReport."""
from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import _registry
from ._auditor import Requirement
from ._checks import Check, evaluate_checks, load_policy
from ._exceptions import SpecError, UsageError
from ._report import AuditReport, environment
from ._result import AuditResult, Status
from ._subject import AuditSubject

__all__ = ["run", "run_auditors", "build_auditors", "MSG_AUDITOR_OPTION"]

logger = logging.getLogger("audit")

MSG_AUDITOR_OPTION = "auditor {name!r} has no option(s) {unknown}; its options are {known}."
#: Report order of the built-in auditors (a reviewer reads fairness first); plugins follow by name.
BUILTIN_ORDER = ("fairness", "attribution", "privacy", "energy")
_REASON_LIMIT = 500


def build_auditors(auditors: Sequence[Any] | None,
                   options: Mapping[str, Mapping[str, Any]] | None = None) -> list[Any]:
    """Instantiate auditors from names (via the registry) or pass instances through.

    ``options`` maps an auditor name to keyword arguments for its constructor; an
    unknown option is a SpecError listing the valid ones.
    """
    options = dict(options or {})
    if auditors is None:
        names = _registry.names()
        auditors = sorted(names, key=lambda n: (BUILTIN_ORDER.index(n) if n in BUILTIN_ORDER
                                                else len(BUILTIN_ORDER), n))
    if isinstance(auditors, str):
        auditors = [auditors]
    built = []
    for item in auditors:
        if isinstance(item, str):
            cls = _registry.get(item).cls
            kwargs = dict(options.pop(item, {}) or {})
            params = inspect.signature(cls.__init__).parameters
            accepts_any = any(p.kind == p.VAR_KEYWORD for p in params.values())
            unknown = sorted(k for k in kwargs if k not in params or k == "self")
            if unknown and not accepts_any:
                known = sorted(k for k, p in params.items()
                               if k != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
                raise SpecError(MSG_AUDITOR_OPTION.format(name=item, unknown=unknown, known=known))
            try:
                built.append(cls(**kwargs))
            except (TypeError, ValueError) as exc:
                raise SpecError(f"auditor {item!r}: invalid options: {exc}") from None
        elif all(hasattr(item, a) for a in ("name", "run")):
            built.append(item)
        else:
            raise UsageError(f"auditors must be names or Auditor instances; got {type(item).__name__}.")
    if options:
        raise SpecError(f"options were given for auditor(s) {sorted(options)} that are not run; "
                        f"run them too or remove their [auditors.<name>] table.")
    return built


def _run_one(auditor: Any, subject: AuditSubject) -> AuditResult:
    name = getattr(auditor, "name", type(auditor).__name__)
    version = str(getattr(auditor, "version", ""))
    params = auditor.get_params() if hasattr(auditor, "get_params") else {}
    unmet = [str(r) for r in sorted(getattr(auditor, "requires", ()), key=str) if not subject.has(Requirement(r))]
    if unmet:
        return AuditResult(name, version, Status.SKIPPED, params=params,
                           reason=f"the subject lacks what this auditor requires: {', '.join(unmet)}")
    try:
        result = auditor.run(subject)
    except (KeyboardInterrupt, SystemExit, UsageError):
        raise  # bad input is the user's to fix (exit 4), not a crash of the auditor (exit 3)
    except Exception as exc:  # fail closed: the crash becomes an ERROR result and fails the gate
        logger.error("auditor %s crashed", name, exc_info=True)
        reason = f"{type(exc).__name__}: {exc}"
        return AuditResult(name, version, Status.ERROR, params=params, reason=reason[:_REASON_LIMIT])
    if not isinstance(result, AuditResult):
        return AuditResult(name, version, Status.ERROR, params=params,
                           reason=f"run() returned {type(result).__name__}, not an AuditResult")
    return result


def run_auditors(subject: AuditSubject, auditors: Sequence[Any], *, checks: Sequence[Check] = (),
                 title: str | None = None, model_card: Mapping[str, Any] | None = None,
                 progress: Callable[[str], None] | None = None) -> AuditReport:
    """Run built auditors on a subject, apply checks, and assemble the report."""
    from ._checks import validate_names

    validate_names(list(checks), [getattr(a, "name", type(a).__name__) for a in auditors])  # exit 4 before the work
    results = []
    for auditor in auditors:
        name = getattr(auditor, "name", type(auditor).__name__)
        if progress is not None:
            progress(f"auditing {subject.name or 'subject'}: {name}")
        logger.info("running auditor %s", name)
        results.append(_run_one(auditor, subject))
    described = subject.describe()
    outcomes = evaluate_checks(list(checks), {r.auditor: r for r in results}, subject=described)
    return AuditReport(results, checks=outcomes, subject=described,
                       environment=environment(subject.random_state),
                       title=title or (f"Audit of {subject.name}" if subject.name else "rai-audit report"),
                       model_card=model_card)


def run(data: Any, model: Any = None, *, target: str | None = None, prediction: str | None = None,
        score: str | None = None, sensitive_features: str | Sequence[str] | None = None,
        quasi_identifiers: str | Sequence[str] | None = None, features: Sequence[str] | None = None,
        auditors: Sequence[Any] | None = None, auditor_options: Mapping[str, Mapping[str, Any]] | None = None,
        checks: Any = None, task: str | None = None, name: str | None = None, title: str | None = None,
        random_state: int = 0, train_data: Any = None, engine: str | None = None,
        progress: Callable[[str], None] | None = None) -> AuditReport:
    """Audit ``model`` on ``data`` with the given auditors and checks; returns an AuditReport.

    ``data`` is a frame (pandas, polars, Arrow) or a CSV/Parquet path. ``auditors`` are
    registry names or Auditor instances (default: every registered auditor; those whose
    needs the subject cannot meet are skipped with a reason). ``checks`` is a policy TOML
    path or a list of check dicts. ``train_data`` (optional) holds the rows the model was
    trained on, for the auditors that compare them with held-out rows. Bad input raises
    :class:`audit.UsageError`. ``engine`` ("polars", "duckdb", "pandas") scans a file
    path lazily; lazy and remote frames (polars LazyFrame, DuckDB, Dask, Spark) stay in
    their engine without it, and auditors that can bring back only aggregates do so.
    """
    policy = load_policy(checks)
    built = build_auditors(auditors, auditor_options)
    model_card = getattr(model, "card", None) if model is not None and hasattr(model, "encode") else None
    subject = AuditSubject(data, model=model, target=target, prediction=prediction, score=score,
                           sensitive_features=sensitive_features, quasi_identifiers=quasi_identifiers,
                           features=features, task=task, name=name, random_state=random_state,
                           train_data=train_data, engine=engine)
    return run_auditors(subject, built, checks=policy, title=title, model_card=model_card, progress=progress)
