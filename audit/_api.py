"""``audit.run``: build a subject, run auditors, apply checks, return one AuditReport."""
from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import _registry
from ._base import Requirement
from ._exceptions import DataError, PluginError, SpecError, UsageError
from ._messages import (
    MSG_AUDITOR_OPTION,
    MSG_AUDITOR_TYPE,
    MSG_DUPLICATE_AUDITOR,
    MSG_IMAGE_ROLE,
    MSG_INVALID_OPTIONS,
    MSG_MISSING_PACKAGES,
    MSG_MODALITY,
    MSG_OPTIONS_NOT_RUN,
    MSG_SPEC_IMAGE_KEY,
    MSG_VALIDATE_PARAMS_CRASHED,
)
from ._results import METRIC_COLUMNS, AuditReport, AuditResult, Finding, Severity, Status, environment
from .gate._checks import Check, load_policy
from .subject import AuditSubject, is_image_data

if TYPE_CHECKING:
    from ._spec import Spec
    from .subject import Subject

__all__ = ["run", "run_spec", "run_auditors", "build_auditors", "image_auditors", "auditor_modalities",
           "MSG_AUDITOR_OPTION", "MSG_MODALITY", "MSG_MISSING_PACKAGES"]

logger = logging.getLogger("audit")

#: Report order of the built-in auditors (a reviewer reads fairness first); plugins follow by name.
BUILTIN_ORDER = ("fairness", "counterfactual", "attribution", "privacy", "energy", "mitigation")
_REASON_LIMIT = 500


def build_auditors(auditors: Sequence[Any] | None,
                   options: Mapping[str, Mapping[str, Any]] | None = None) -> list[Any]:
    """Instantiate auditors from names (via the registry) or pass instances through.

    ``options`` maps an auditor name to keyword arguments for its constructor; an
    unknown option is a SpecError listing the valid ones. An auditor named explicitly also
    gets its class's ``on_request`` options (the user's own win): ``mitigation`` then builds
    candidates whatever the checks say, where a default run builds them only for a failure.
    """
    options = dict(options or {})
    named = auditors is not None
    if auditors is None:
        names = _registry.names()
        auditors = sorted(names, key=lambda n: (BUILTIN_ORDER.index(n) if n in BUILTIN_ORDER
                                                else len(BUILTIN_ORDER), n))
    if isinstance(auditors, str):
        auditors = [auditors]
    built = []
    for item in auditors:
        if isinstance(item, str):
            try:
                cls = _registry.get(item).cls
            except PluginError as exc:  # a plugin that cannot load is its own error; the others still run
                options.pop(item, None)
                built.append(BrokenPlugin(item, str(exc)))
                continue
            kwargs = dict(options.pop(item, {}) or {})
            if named:  # what an auditor takes when a user asks for it, unless the user set it
                kwargs = {**dict(getattr(cls, "on_request", None) or {}), **kwargs}
            params = inspect.signature(cls.__init__).parameters  # type: ignore[misc]  # the class, not an instance
            accepts_any = any(p.kind == p.VAR_KEYWORD for p in params.values())
            unknown = sorted(k for k in kwargs if k not in params or k == "self")
            if unknown and not accepts_any:
                known = sorted(k for k, p in params.items()
                               if k != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
                raise SpecError(MSG_AUDITOR_OPTION.format(name=item, unknown=unknown, known=known))
            try:
                built.append(cls(**kwargs))
            except (TypeError, ValueError) as exc:
                raise SpecError(MSG_INVALID_OPTIONS.format(name=item, error=exc)) from None
        elif all(hasattr(item, a) for a in ("name", "run")):
            built.append(item)
        else:
            raise UsageError(MSG_AUDITOR_TYPE.format(got=type(item).__name__))
    if options:
        raise SpecError(MSG_OPTIONS_NOT_RUN.format(names=sorted(options)))
    for auditor in built:  # declared option constraints: a bad option is a usage error before data is read
        _validate_params(auditor)
    return built


def _validate_params(auditor: Any) -> None:
    validate = getattr(auditor, "validate_params", None)
    if not callable(validate):
        return
    try:
        validate()
    except UsageError:
        raise
    except Exception as exc:  # the plugin's own check is broken: say so, naming it
        name = getattr(auditor, "name", type(auditor).__name__)
        raise PluginError(MSG_VALIDATE_PARAMS_CRASHED.format(name=name, error_type=type(exc).__name__,
                                                             error=exc)) from None


class BrokenPlugin:
    """Stands in for an auditor plugin that could not be loaded: running it gives its error result."""

    version = ""
    requires: frozenset = frozenset()

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem

    def run(self, subject: Subject) -> AuditResult:
        raise PluginError(self.problem)


def _missing_packages(auditor: Any) -> dict[str, str]:
    """The auditor's declared modules that are not installed, with the extra that brings each."""
    import importlib.util

    needs = getattr(auditor, "needs_packages", None) or {}
    missing = {}
    for module, extra in needs.items():
        try:
            found = importlib.util.find_spec(str(module)) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing[str(module)] = str(extra)
    return missing


def _run_one(auditor: Any, subject: AuditSubject, tainted: str | None = None) -> tuple[AuditResult, bool]:
    """Run one auditor on an isolated view of the subject; anything but a valid result is its error.

    Returns the result and whether the auditor changed the model's weights (later auditors
    would audit another model).
    """
    result = _run_isolated(auditor, subject, tainted)
    return result, isinstance(result, _ModelChanged)


class _ModelChanged(AuditResult):
    """An error result of an auditor that changed the model's weights."""


def _run_isolated(auditor: Any, subject: AuditSubject, tainted: str | None) -> AuditResult:
    name = getattr(auditor, "name", type(auditor).__name__)
    version = str(getattr(auditor, "version", ""))
    params = auditor.get_params() if hasattr(auditor, "get_params") else {}

    def error(reason: str) -> AuditResult:
        return AuditResult(name, version, Status.ERROR, params=params, reason=reason[:_REASON_LIMIT])

    if isinstance(auditor, BrokenPlugin):
        return error(auditor.problem)
    if tainted is not None:
        return error(f"not run: {tainted}, so this auditor would audit something else")
    modality = getattr(subject, "modality", "table")
    if modality not in auditor_modalities(auditor):
        return AuditResult(name, version, Status.SKIPPED, params=params,
                           reason=MSG_MODALITY.format(name=name, modality=modality,
                                                      modalities=sorted(auditor_modalities(auditor))))
    unmet = [str(r) for r in sorted(getattr(auditor, "requires", ()), key=str) if not subject.has(Requirement(r))]
    if unmet:
        return AuditResult(name, version, Status.SKIPPED, params=params,
                           reason=f"the subject lacks what this auditor requires: {', '.join(unmet)}")
    missing = _missing_packages(auditor)
    if missing:
        extras = ",".join(sorted(set(missing.values())))
        return AuditResult(name, version, Status.SKIPPED, params=params,
                           reason=MSG_MISSING_PACKAGES.format(modules=", ".join(sorted(missing)), extras=extras,
                                                              verb="is" if len(missing) == 1 else "are"))
    view = subject.isolated()
    weights = subject.model.fingerprint() if subject.model is not None else None
    try:
        result = auditor.run(view)
    except KeyboardInterrupt:
        raise
    except SystemExit as exc:  # a plugin cannot end the run (and pass the gate) by exiting
        logger.error("auditor %s called sys.exit(%r)", name, exc.code)
        return error(f"the auditor called sys.exit({exc.code!r}) instead of returning a result")
    except DataError as exc:  # this auditor cannot use the data: its result says why, the others stand
        logger.warning("auditor %s could not audit the data: %s", name, exc)
        return error(f"{type(exc).__name__}: {exc}")
    except UsageError as exc:
        if _is_builtin(auditor):
            raise  # a bad option of ours is the user's to fix (exit 4), not a crash of the auditor (exit 3)
        logger.error("auditor %s raised a usage error", name, exc_info=True)
        return error(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # fail closed: the crash becomes an ERROR result and fails the gate
        logger.error("auditor %s crashed", name, exc_info=True)
        return error(f"{type(exc).__name__}: {exc}")
    changed = subject.modified_in(view)
    model_changed = weights is not None and subject.model is not None and subject.model.fingerprint() != weights
    if model_changed:
        changed.append("the model's weights")
    if changed:
        reason = (f"the auditor modified the subject ({', '.join(changed)}); auditors must not write "
                  "to what they audit")[:_REASON_LIMIT]
        if model_changed:
            return _ModelChanged(name, version, Status.ERROR, params=params, reason=reason)
        return error(reason)
    problem = result_problem(result, name)
    if problem is not None:
        return error(problem)
    subject.adopt(view)
    return result


def auditor_modalities(auditor: Any) -> frozenset[str]:
    """The kinds of subject an auditor audits: its ``modalities`` attribute, ``{"table"}`` without one."""
    declared = getattr(auditor, "modalities", None)
    if declared is None or isinstance(declared, str):
        return frozenset({declared}) if isinstance(declared, str) else frozenset({"table"})
    return frozenset(str(m) for m in declared)


def _is_builtin(auditor: Any) -> bool:
    return type(auditor).__module__.split(".")[0] == "audit"


def result_problem(result: Any, name: str) -> str | None:
    """Why ``result`` is not a valid AuditResult of auditor ``name`` (None when it is)."""
    if not isinstance(result, AuditResult):
        return f"run() returned {type(result).__name__}, not an AuditResult"
    if result.auditor != name:
        return f"run() returned a result named {str(result.auditor)[:80]!r}, not {name!r}"
    try:
        Status(result.status)
    except ValueError:
        return (f"run() returned an unknown status {str(result.status)[:40]!r}; "
                f"expected one of {[s.value for s in Status]}")
    metrics = result.metrics
    if not isinstance(metrics, pd.DataFrame) or tuple(metrics.columns) != METRIC_COLUMNS:
        return f"run() returned metrics that are not a frame with the columns {list(METRIC_COLUMNS)}"
    if len(metrics) and not pd.api.types.is_float_dtype(metrics["value"].dtype):
        return "run() returned metric values that are not numbers (build metrics with audit.metrics_frame)"
    if len(metrics) and not all(isinstance(m, str) and m for m in metrics["metric"]):
        return "run() returned metric rows without a metric name"
    for f in result.findings:
        if not isinstance(f, Finding):
            return f"run() returned a finding of type {type(f).__name__}, not a Finding"
        try:
            Severity(f.severity)
        except ValueError:
            return f"run() returned a finding with an unknown severity {str(f.severity)[:40]!r}"
        if not isinstance(f.code, str) or not isinstance(f.message, str):
            return "run() returned a finding whose code or message is not text"
    return None


def run_auditors(subject: AuditSubject, auditors: Sequence[Any], *, checks: Sequence[Check] = (),
                 title: str | None = None, model_card: Mapping[str, Any] | None = None,
                 progress: Callable[[str], None] | None = None) -> AuditReport:
    """Run built auditors on a subject, apply checks, and assemble the report."""
    from .gate._checks import validate_names

    results: list[AuditResult] = []
    tainted: str | None = None
    names = [getattr(a, "name", type(a).__name__) for a in auditors]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise PluginError(MSG_DUPLICATE_AUDITOR.format(clash=clash))
    validate_names(list(checks), names)  # exit 4 before the work
    subject.policy = tuple(checks)  # read-only context: what the audit gates, and what ran before
    for auditor in auditors:
        subject.earlier_results = MappingProxyType({r.auditor: r for r in results})
        name = getattr(auditor, "name", type(auditor).__name__)
        if progress is not None:
            progress(f"auditing {subject.name or 'subject'}: {name}")
        logger.info("running auditor %s", name)
        result, model_changed = _run_one(auditor, subject, tainted)
        if model_changed:
            tainted = f"auditor {name!r} modified the model"
        results.append(result)
    from .gate import apply

    report = AuditReport(results, subject=subject.describe(), environment=environment(subject.random_state),
                         title=title or (f"Audit of {subject.name}" if subject.name else "rai-audit report"),
                         model_card=model_card)
    report.checks = list(apply(report, list(checks)).outcomes)
    return report


def run(data: Any, model: Any = None, *, target: str | None = None, prediction: str | None = None,
        score: str | None = None, sensitive_features: str | Sequence[str] | None = None,
        quasi_identifiers: str | Sequence[str] | None = None, features: Sequence[str] | None = None,
        auditors: Sequence[Any] | None = None, auditor_options: Mapping[str, Mapping[str, Any]] | None = None,
        checks: Any = None, task: str | None = None, name: str | None = None, title: str | None = None,
        random_state: int = 0, train_data: Any = None, engine: str | None = None,
        pos_label: Any = None, sample_weight: str | None = None,
        metadata: Any = None, path_column: str | None = None, train_metadata: Any = None,
        progress: Callable[[str], None] | None = None) -> AuditReport:
    """Audit ``model`` on ``data`` with the given auditors and checks; returns an AuditReport.

    ``data`` is a frame (pandas, polars, Arrow) or a CSV/Parquet path. ``model`` is an
    :class:`audit.Model` or a bare model (torch module, Keras 3 on torch, scikit-learn estimator
    or Pipeline, callable), wrapped for you. ``pos_label`` names the positive class when the
    labels are not 0/1 or booleans; ``sample_weight`` names a column of weights. ``auditors`` are
    registry names or Auditor instances (default: every registered auditor; those whose
    needs the subject cannot meet are skipped with a reason). ``checks`` is a policy TOML
    path or a list of check dicts. ``train_data`` (optional) holds the rows the model was
    trained on, for the auditors that compare them with held-out rows. Bad input raises
    :class:`audit.UsageError`. ``engine`` ("polars", "duckdb", "pandas") scans a file
    path lazily; lazy and remote frames (polars LazyFrame, DuckDB, Dask, Spark) stay in
    their engine without it, and auditors that can bring back only aggregates do so.

    Images: ``data`` is an array or tensor ``(N, C, H, W)`` / ``(N, H, W)``, a torch ``Dataset``
    or a folder of image files, and ``metadata`` a frame with one row per image (target,
    sensitive features, ids; with a folder, ``path_column`` names each image's file). The
    report's ``subject.modality`` is then ``"image"``; auditors that audit tables only are skipped.
    ``train_data`` then holds the training images and ``train_metadata`` their rows (membership
    inference compares the model's loss on them with the held-out images').
    """
    policy = load_policy(checks)
    built = build_auditors(auditors, auditor_options)
    image = metadata is not None or path_column is not None or is_image_data(data)
    if image:
        for given, role in ((prediction, "prediction"), (score, "score"), (features, "features"),
                            (engine, "engine")):
            if given is not None:
                raise UsageError(MSG_IMAGE_ROLE.format(role=role))
    subject = _subject(data, model, image=image, target=target, sensitive_features=sensitive_features,
                       quasi_identifiers=quasi_identifiers, task=task, name=name, random_state=random_state,
                       pos_label=pos_label, sample_weight=sample_weight, train_data=train_data,
                       metadata=metadata, path_column=path_column, train_metadata=train_metadata,
                       prediction=prediction, score=score, features=features, engine=engine)
    model_card = subject.model.card if subject.model is not None else None
    return run_auditors(subject, built, checks=policy, title=title, model_card=model_card, progress=progress)


#: Roles only a table has (an image subject's caller has refused them before).
_TABLE_ROLES = ("prediction", "score", "features", "engine")
#: Roles only images have.
_IMAGE_ROLES = ("metadata", "path_column", "train_metadata")


def _subject(data: Any, model: Any, *, image: bool, train_data: Any = None, **roles: Any) -> Subject:
    """The subject :func:`run` and :func:`run_spec` audit: images with their metadata, or a table."""
    if image:
        from .subject import ImageSubject

        kept = {k: v for k, v in roles.items() if k not in _TABLE_ROLES}
        return ImageSubject(data, model=model, train_images=train_data, **kept)
    return AuditSubject(data, model=model, train_data=train_data,
                        **{k: v for k, v in roles.items() if k not in _IMAGE_ROLES})


def image_auditors() -> list[Any]:
    """Every registered auditor, with the counterfactual one built in even where the install predates it."""
    from .counterfactual import CounterfactualAuditor

    names = [n for n in _registry.names() if n != "counterfactual"]
    ordered = sorted(names, key=lambda n: (BUILTIN_ORDER.index(n) if n in BUILTIN_ORDER else len(BUILTIN_ORDER), n))
    return [ordered[0], CounterfactualAuditor(), *ordered[1:]] if ordered[:1] == ["fairness"] else \
        [CounterfactualAuditor(), *ordered]


def run_spec(spec: Spec, *, models_dir: str | os.PathLike[str] | None = None,
             progress: Callable[[str], None] | None = None) -> AuditReport:
    """Audit what a spec file describes (``rai-audit run``): its data or images, model, auditors and checks.

    The subject is built as :func:`run` builds it, from the spec's ``[data]`` and ``[model]``
    tables; an image spec with no ``[auditors]`` gets :func:`image_auditors`.
    """
    def step(message: str) -> None:
        if progress is not None:
            progress(message)

    d = spec.data
    roles = {"target": d.get("target"), "sensitive_features": d.get("sensitive_features"),
             "quasi_identifiers": d.get("quasi_identifiers"), "task": d.get("task"),
             "name": spec.name or spec.path.stem, "random_state": spec.random_state,
             "pos_label": d.get("pos_label"), "sample_weight": d.get("sample_weight")}
    if spec.is_image:
        loaded = spec.load_images_and_model(models_dir)
        for key in ("prediction", "score", "features", "train_path", "engine"):
            if key in d:
                raise UsageError(MSG_SPEC_IMAGE_KEY.format(path=spec.path, key=key))
        step("reading the images")
        subject = _subject(loaded["images"], loaded["model"], image=True, train_data=loaded.get("train_images"),
                           metadata=loaded["metadata"], path_column=d.get("path_column"),
                           train_metadata=loaded.get("train_metadata"), **roles)
        card = loaded["card"]
        given = spec.auditors is not None or spec.auditor_options
        auditors = build_auditors(spec.auditors, spec.auditor_options) if given else image_auditors()
    else:
        data, train, model, card = spec.load_data_and_model(models_dir)
        step("validating the data")
        subject = _subject(data, model, image=False, train_data=train, prediction=d.get("prediction"),
                           score=d.get("score"), features=d.get("features"), engine=d.get("engine"), **roles)
        auditors = build_auditors(spec.auditors, spec.auditor_options)
    return run_auditors(subject, auditors, checks=spec.checks, title=spec.title, model_card=card,
                        progress=progress)
