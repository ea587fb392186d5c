"""What the engine tests share: a spy on the columns a Table loads into memory."""
from __future__ import annotations

import contextlib

import dask

from audit.engines import Table


@contextlib.contextmanager
def recorded_loads(monkeypatch, keep=lambda columns: True):
    """Record the ``columns`` of every ``Table.to_pandas`` call ``keep`` selects (None = the whole table).

    Dask runs on its synchronous scheduler meanwhile, so calls made inside tasks are seen too.
    """
    seen: list = []
    original = Table.to_pandas

    def spy(self, columns=None):
        if keep(columns):
            seen.append(columns)
        return original(self, columns)

    monkeypatch.setattr(Table, "to_pandas", spy)
    with dask.config.set(scheduler="sync"):
        yield seen
