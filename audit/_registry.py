"""Auditor discovery through the entry-point group ``audit.auditors`` (a contract).

Built-in auditors are registered in rai-audit's own ``pyproject.toml`` exactly as a
third party's would be, and loaded by the same code path. Loading validates the
class against the :class:`Auditor` protocol, as pluggy validates hook implementations,
and a failure names the distribution, the entry point and what is wrong.
Set ``RAI_AUDIT_DISABLE_PLUGIN_AUTOLOAD=1`` to load only rai-audit's own auditors.
"""
from __future__ import annotations

import dataclasses
import os
from importlib import metadata
from typing import Any

from ._exceptions import PluginError, UsageError
from ._messages import (
    MSG_BAD_PLUGIN,
    MSG_NAME_CLASH,
    MSG_PLUGIN_ATTRIBUTE,
    MSG_PLUGIN_NAME,
    MSG_PLUGIN_NOT_CLASS,
    MSG_PLUGIN_REQUIRES,
    MSG_PLUGIN_RUN,
    MSG_UNKNOWN_AUDITOR,
)

__all__ = ["ENTRY_POINT_GROUP", "AuditorInfo", "RegisteredAuditor", "available", "catalogue", "description", "get",
           "names", "register", "unregister",
           "MSG_UNKNOWN_AUDITOR", "MSG_BAD_PLUGIN", "MSG_NAME_CLASH"]

ENTRY_POINT_GROUP = "audit.auditors"
_OWN_DIST = "rai-audit"


@dataclasses.dataclass(frozen=True)
class RegisteredAuditor:
    """An auditor class with where it came from."""

    name: str
    cls: type
    distribution: str
    distribution_version: str


_manual: dict[str, RegisteredAuditor] = {}


def _validate(cls: Any, entry: str, dist: str) -> type:
    from ._base import Requirement

    def bad(problem: str) -> PluginError:
        return PluginError(MSG_BAD_PLUGIN.format(entry=entry, dist=dist, problem=problem))

    if not isinstance(cls, type):
        raise bad(MSG_PLUGIN_NOT_CLASS.format(got=type(cls).__name__))
    klass: Any = cls  # a class of unknown shape: each attribute is checked below
    for attr in ("name", "version", "requires", "run"):
        if not hasattr(klass, attr):
            raise bad(MSG_PLUGIN_ATTRIBUTE.format(attr=attr))
    if not callable(klass.run):
        raise bad(MSG_PLUGIN_RUN)
    if klass.name != entry:
        raise bad(MSG_PLUGIN_NAME.format(name=klass.name, entry=entry))
    try:
        {Requirement(r) for r in klass.requires}
    except (ValueError, TypeError):
        raise bad(MSG_PLUGIN_REQUIRES.format(known=[r.value for r in Requirement])) from None
    return cls


def _entry_points() -> dict[str, metadata.EntryPoint]:
    """Declared auditors by name, not imported yet (importing torch-based ones takes seconds)."""
    only_own = os.environ.get("RAI_AUDIT_DISABLE_PLUGIN_AUTOLOAD", "") not in ("", "0")
    found: dict[str, metadata.EntryPoint] = {}
    dists: dict[str, set[str]] = {}
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = ep.dist.name if ep.dist is not None else "unknown"
        if only_own and dist != _OWN_DIST:
            continue
        found.setdefault(ep.name, ep)  # the same distribution installed twice (e.g. editable + wheel)
        dists.setdefault(ep.name, set()).add(_canonical(dist))
    _clashes.clear()
    _clashes.update({name: sorted(d) for name, d in dists.items() if len(d) > 1})
    return found


def _canonical(dist: str) -> str:
    """A distribution name as the packaging spec compares them (``Rai_Audit`` is ``rai-audit``)."""
    import re

    return re.sub(r"[-_.]+", "-", dist).lower()


#: Entry-point names declared by more than one distribution, found by the last scan: name -> dists.
_clashes: dict[str, list[str]] = {}


def _check_clash(name: str) -> None:
    if name in _clashes:
        raise PluginError(MSG_NAME_CLASH.format(name=name, dists=_clashes[name]))


def _load(ep: metadata.EntryPoint) -> RegisteredAuditor:
    dist = ep.dist.name if ep.dist is not None else "unknown"
    dist_version = ep.dist.version if ep.dist is not None else ""
    try:
        cls = ep.load()
    except Exception as exc:
        raise PluginError(MSG_BAD_PLUGIN.format(entry=ep.name, dist=dist,
                                                problem=f"import failed: {type(exc).__name__}: {exc}")) from exc
    return RegisteredAuditor(ep.name, _validate(cls, ep.name, dist), dist, dist_version)


def description(cls: type) -> str:
    """An auditor's one-line description: the first line of its class docstring ("" when it has none)."""
    doc = cls.__doc__ or ""
    return next((line.strip() for line in doc.splitlines() if line.strip()), "")


@dataclasses.dataclass(frozen=True)
class AuditorInfo:
    """What `rai-audit list` shows of an auditor: read from its source when it can be, so nothing is imported."""

    name: str
    description: str
    distribution: str
    distribution_version: str
    target: str  # "module:Class", the entry point's value


def _source_docstring(target: str, depth: int = 0) -> str | None:
    """The class docstring of ``module:Class``, read from source.

    Read without running the module; None when it cannot be read that way (a dynamic class, a
    compiled module, an unresolvable re-export).
    """
    import ast
    import importlib.machinery
    import sys

    module, _, qualname = target.partition(":")
    if not module or not qualname or "." in qualname or depth > 3:
        return None
    head = module.rpartition(".")[0]
    try:
        if head:
            parent = sys.modules.get(head)
            if parent is None:  # find the parent's folder without running its __init__
                spec = importlib.machinery.PathFinder.find_spec(head.partition(".")[0])
                for part in head.split(".")[1:]:
                    if spec is None or not spec.submodule_search_locations:
                        return None
                    spec = importlib.machinery.PathFinder.find_spec(f"{spec.name}.{part}",
                                                                    list(spec.submodule_search_locations))
                locations = None if spec is None else spec.submodule_search_locations
            else:
                locations = getattr(parent, "__path__", None)
            if not locations:
                return None
            spec = importlib.machinery.PathFinder.find_spec(module, list(locations))
        else:
            spec = importlib.machinery.PathFinder.find_spec(module)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return None
        with open(spec.origin, encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=spec.origin)
    except (OSError, SyntaxError, ValueError, ImportError):
        return None
    package = module if spec.submodule_search_locations else head
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == qualname:
            return ast.get_docstring(node) or ""
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == qualname for a in node.names):
            name = next(a.name for a in node.names if (a.asname or a.name) == qualname)
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            source = ".".join([*base, *([node.module] if node.module else [])])
            return _source_docstring(f"{source}:{name}", depth + 1)
    return None


def catalogue() -> list[AuditorInfo]:
    """Every auditor with its one-line description, for listing.

    Installed auditors are described from their source where possible (no import: listing must
    not load torch); the rest are imported.
    """
    declared = _entry_points()
    out = []
    for name, ep in declared.items():
        _check_clash(name)
        target = str(getattr(ep, "value", "")).split("[")[0].strip()
        doc = _source_docstring(target)
        if doc is None:
            reg = _load(ep)
            text, dist, version = description(reg.cls), reg.distribution, reg.distribution_version
        else:
            text = next((line.strip() for line in doc.splitlines() if line.strip()), "")
            dist = ep.dist.name if ep.dist is not None else "unknown"
            version = ep.dist.version if ep.dist is not None else ""
        out.append(AuditorInfo(name, text, dist, version, target))
    for name, reg in _manual.items():
        out.append(AuditorInfo(name, description(reg.cls), reg.distribution, reg.distribution_version,
                               f"{reg.cls.__module__}:{reg.cls.__qualname__}"))
    return sorted(out, key=lambda i: i.name)


def names() -> list[str]:
    """Names of every auditor, installed or registered in-process, without importing any."""
    return sorted(set(_entry_points()) | set(_manual))


def available() -> dict[str, RegisteredAuditor]:
    """Every auditor: installed entry points (each imported and validated), then in-process ones."""
    declared = _entry_points()
    for name in declared:
        _check_clash(name)
    found = {name: _load(ep) for name, ep in declared.items()}
    found.update(_manual)
    return dict(sorted(found.items()))


def get(name: str) -> RegisteredAuditor:
    """The auditor called ``name``, importing only it; UsageError listing the known names otherwise."""
    if name in _manual:
        return _manual[name]
    declared = _entry_points()
    if name not in declared:
        raise UsageError(MSG_UNKNOWN_AUDITOR.format(name=name, available=names()))
    _check_clash(name)
    return _load(declared[name])


def register(cls: Any, *, distribution: str = "<in-process>") -> type:
    """Register an auditor class in this process (tests, notebooks). Returns the class."""
    validated = _validate(cls, getattr(cls, "name", "?"), distribution)
    _manual[cls.name] = RegisteredAuditor(cls.name, validated, distribution, "")
    return cls


def unregister(name: str) -> None:
    """Remove an auditor registered with :func:`register`."""
    _manual.pop(name, None)
