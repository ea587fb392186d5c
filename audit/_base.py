"""The Auditor protocol: config in ``__init__``, one verb ``run(subject) -> AuditResult``.

Plugins need not inherit from anything: a class with ``name``, ``version``, ``requires``
and ``run`` is an auditor. :class:`BaseAuditor` adds sklearn-style conveniences
(``get_params``, ``repr``) and declared option constraints (``constraints``, checked by
``validate_params`` before any data is read) for those who want them.
"""
from __future__ import annotations

import dataclasses
import enum
import inspect
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Union, runtime_checkable

from ._exceptions import SpecError
from ._messages import (
    MSG_BAD_OPTION,
)
from ._results import AuditResult

if TYPE_CHECKING:
    from ..subject import Subject

__all__ = ["Requirement", "Auditor", "BaseAuditor", "Interval", "OneOf", "Constraint", "admits", "describe",
           "MSG_BAD_OPTION"]


@dataclasses.dataclass(frozen=True)
class Interval:
    """Numbers of one kind (``int`` or ``float``) between ``low`` and ``high`` (None: unbounded)."""

    kind: type
    low: float | None = None
    high: float | None = None
    closed: str = "both"  # "both" | "left" | "right" | "neither"

    def admits(self, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        wanted = numbers.Integral if self.kind is int else numbers.Real
        if not isinstance(value, wanted) or not math.isfinite(float(value)):
            return False
        v = float(value)
        if self.low is not None and (v < self.low or (v == self.low and self.closed in ("right", "neither"))):
            return False
        return not (self.high is not None
                    and (v > self.high or (v == self.high and self.closed in ("left", "neither"))))

    def describe(self) -> str:
        what = "an integer" if self.kind is int else "a finite number"
        if self.low is not None and self.high is not None:
            left = "[" if self.closed in ("both", "left") else "("
            right = "]" if self.closed in ("both", "right") else ")"
            return f"{what} in {left}{self.low:g}, {self.high:g}{right}"
        if self.low is not None:
            return f"{what} {'>=' if self.closed in ('both', 'left') else '>'} {self.low:g}"
        if self.high is not None:
            return f"{what} {'<=' if self.closed in ('both', 'right') else '<'} {self.high:g}"
        return what


@dataclasses.dataclass(frozen=True)
class OneOf:
    """One of a fixed set of values (compared with ``==``)."""

    values: tuple[Any, ...]

    def admits(self, value: Any) -> bool:
        return any(type(value) is type(v) and value == v for v in self.values)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)


#: One allowed form of an option: an :class:`Interval`, a :class:`OneOf`, a type (``bool``,
#: ``str``, ``Mapping``, ``Sequence``) or None (the value None).
Constraint = Union[Interval, OneOf, type, None]
_TYPE_WORDS = {bool: "True or False", str: "a string", Mapping: "a mapping (a TOML table or dict)",
               Sequence: "a list"}


def admits(constraint: Constraint, value: Any) -> bool:
    """Whether ``value`` has the form ``constraint`` allows."""
    if constraint is None:
        return value is None
    if isinstance(constraint, (Interval, OneOf)):
        return constraint.admits(value)
    if constraint is Sequence:
        return isinstance(value, (list, tuple))
    return isinstance(value, constraint)


def describe(constraints: Sequence[Constraint]) -> str:
    """The allowed forms in words: ``an integer >= 0 or None``."""
    words = []
    for c in constraints:
        if c is None:
            words.append("None")
        elif isinstance(c, (Interval, OneOf)):
            words.append(c.describe())
        else:
            words.append(_TYPE_WORDS.get(c, f"a {getattr(c, '__name__', c)}"))
    return " or ".join(words)


def _shown(value: Any) -> str:
    """An option's bad value for a message: its type, and its repr when short (options are config, not data)."""
    text = repr(value)
    return f"{type(value).__name__} {text}" if len(text) <= 60 else f"a {type(value).__name__}"


class Requirement(str, enum.Enum):
    """What an auditor needs from the subject; unmet needs skip it with a reason."""

    TARGET = "target"
    PREDICTIONS = "predictions"
    SCORES = "scores"
    SENSITIVE_FEATURES = "sensitive_features"
    QUASI_IDENTIFIERS = "quasi_identifiers"
    MODEL = "model"
    TORCH_MODEL = "torch_model"
    TRAIN_DATA = "train_data"

    def __str__(self) -> str:
        return self.value


@runtime_checkable
class Auditor(Protocol):
    """An auditor: keyword-only config in ``__init__``, stored unchanged; ``run`` does the work.

    ``run`` never mutates the subject, is seeded by ``random_state`` (its own or the
    subject's) and returns an :class:`AuditResult`.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    requires: ClassVar[frozenset[Requirement]]

    def run(self, subject: Subject) -> AuditResult: ...


class BaseAuditor:
    """Optional base class: parameters read from the ``__init__`` signature, as scikit-learn does."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    requires: ClassVar[frozenset[Requirement]] = frozenset()
    #: Importable module -> the rai-audit extra that installs it. A module that is not installed
    #: skips the auditor with the install line as its reason (never a pass, never a traceback).
    needs_packages: ClassVar[Mapping[str, str]] = {}
    #: Option name -> the forms it may take (any one will do). Checked by :meth:`validate_params`
    #: when the auditor is built, before any data is read; the conformance kit tests each one.
    constraints: ClassVar[Mapping[str, Sequence[Constraint]]] = {}

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))

    def get_params(self) -> dict[str, Any]:
        """The configuration as given to ``__init__``."""
        return {name: getattr(self, name) for name in self._param_names()}

    def validate_params(self) -> None:
        """Raise :class:`audit.SpecError` (a usage error) naming the first option outside its constraints."""
        params = self.get_params()
        for option, allowed in self.constraints.items():
            value = params.get(option)
            if option in params and not any(admits(c, value) for c in allowed):
                raise SpecError(MSG_BAD_OPTION.format(auditor=self.name, option=option,
                                                       expected=describe(allowed), got=_shown(value)))

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        shown = [f"{k}={v!r}" for k, v in self.get_params().items()
                 if sig.parameters[k].default is inspect.Parameter.empty or sig.parameters[k].default != v]
        return f"{type(self).__name__}({', '.join(shown)})"
