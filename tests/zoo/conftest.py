"""The model zoo: the models users bring, trained once per session on the vendored tables.

Keras 3 runs on the torch backend: the variable is set before anything imports keras.
"""
from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")
