"""The Auditor protocol: config in ``__init__``, one verb ``run(subject) -> AuditResult``.

Plugins need not inherit from anything: a class with ``name``, ``version``, ``requires``
and ``run`` is an auditor. :class:`BaseAuditor` adds sklearn-style conveniences
(``get_params``, ``repr``) for those who want them.
"""
from __future__ import annotations

import enum
import inspect
from typing import Any, ClassVar, Protocol, runtime_checkable

from ._results import AuditResult

__all__ = ["Requirement", "Auditor", "BaseAuditor"]


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

    def run(self, subject: Any) -> AuditResult: ...


class BaseAuditor:
    """Optional base class: parameters read from the ``__init__`` signature, as scikit-learn does."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    requires: ClassVar[frozenset[Requirement]] = frozenset()

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))

    def get_params(self) -> dict[str, Any]:
        """The configuration as given to ``__init__``."""
        return {name: getattr(self, name) for name in self._param_names()}

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        shown = [f"{k}={v!r}" for k, v in self.get_params().items()
                 if sig.parameters[k].default is inspect.Parameter.empty or sig.parameters[k].default != v]
        return f"{type(self).__name__}({', '.join(shown)})"
