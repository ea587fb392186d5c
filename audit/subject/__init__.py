"""The audited subject: a model (as an :class:`audit.Model`), a table and the columns' roles."""
from __future__ import annotations

from ._adapters import Model, as_model, is_keras, require
from ._images import ImageSubject, is_image_data
from ._subject import TASKS, AuditSubject

#: What an auditor's ``run`` receives: a table subject or an image subject (``subject.modality``).
Subject = AuditSubject | ImageSubject

__all__ = ["AuditSubject", "ImageSubject", "Model", "Subject", "TASKS", "as_model", "is_image_data", "is_keras",
           "require"]
