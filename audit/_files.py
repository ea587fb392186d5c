"""What a data path may be before anything reads it: a regular file, or a folder whose scan is bounded.

A FIFO, a device or a socket as the data path would block or stream forever; a folder
with a symbolic link to itself (or to a folder above it) makes a dataset scan loop; a
link out of the folder reads data the caller did not name. Each is one usage error here,
before pandas, polars, DuckDB or pyarrow open anything.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ._exceptions import UsageError

__all__ = ["check_data_path", "check_csv_header", "check_file_size", "check_depth", "MAX_FOLDER_ENTRIES",
           "MAX_TOML_BYTES", "MAX_REPORT_BYTES", "MAX_DEPTH", "MSG_NOT_REGULAR", "MSG_FOLDER_LINK", "MSG_FOLDER_SIZE",
           "MSG_FOLDER_ENTRY", "MSG_DUPLICATE_HEADER", "MSG_TOO_LARGE", "MSG_TOO_DEEP"]

#: The most entries a data folder may hold (files and folders, at any depth).
MAX_FOLDER_ENTRIES = 100_000
MSG_NOT_REGULAR = ("cannot read {path!s}: expected a regular file or a folder of Parquet files; got {kind}. "
                   "Copy the data to a file and pass its path.")
MSG_FOLDER_LINK = ("cannot read folder {path!s}: {entry!s} is a symbolic link to {target!s}, {why}; expected "
                   "the folder's own files. Replace the link by the files it points to.")
MSG_FOLDER_ENTRY = ("cannot read folder {path!s}: {entry!s} is {kind}; expected regular files and folders only. "
                    "Remove it from the folder.")
MSG_FOLDER_SIZE = ("cannot read folder {path!s}: it holds more than {limit:,} entries; expected a Parquet "
                   "dataset. Pass the dataset's own folder.")
MSG_DUPLICATE_HEADER = ("cannot read {path!s}: the header names column(s) {names} more than once; expected unique "
                        "column names (pandas would silently rename the copies to {renamed}). Rename them in the "
                        "file.")


def _kind(mode: int) -> str | None:
    """What a non-regular, non-folder file is, in words; None for a regular file or a folder."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_data_path(path: str | os.PathLike[str]) -> None:
    """Raise a UsageError unless ``path`` is a regular file, or a folder whose every entry is a regular
    file or folder inside it (links only to files inside the folder), with at most
    :data:`MAX_FOLDER_ENTRIES` entries. A missing path is left to the reader's own message."""
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except OSError:
        return
    kind = _kind(mode)
    if kind:
        raise UsageError(MSG_NOT_REGULAR.format(path=p, kind=kind))
    if not stat.S_ISDIR(mode):
        return
    root = p.resolve()
    seen = 0
    for folder, dirs, files in os.walk(p, followlinks=False):
        for name in list(dirs) + files:
            seen += 1
            if seen > MAX_FOLDER_ENTRIES:
                raise UsageError(MSG_FOLDER_SIZE.format(path=p, limit=MAX_FOLDER_ENTRIES))
            entry = Path(folder) / name
            if entry.is_symlink():
                target = entry.resolve()
                if target.is_dir():
                    why = "a folder (a dataset scan would follow it, and may loop)"
                    raise UsageError(MSG_FOLDER_LINK.format(path=p, entry=entry, target=target, why=why))
                if root != target and root not in target.parents:
                    raise UsageError(MSG_FOLDER_LINK.format(path=p, entry=entry, target=target,
                                                            why="outside the folder"))
            try:
                entry_kind = _kind(os.stat(entry).st_mode)
            except OSError:
                continue  # a dangling link: the reader says what it cannot open
            if entry_kind:
                raise UsageError(MSG_FOLDER_ENTRY.format(path=p, entry=entry, kind=entry_kind))


def check_csv_header(path: str | os.PathLike[str], sep: str = ",") -> None:
    """Raise a UsageError when a CSV file's header row names a column twice (read from the first line only)."""
    import pandas as pd

    try:
        head = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str, keep_default_na=False)
    except Exception:
        return  # empty or unparsable: the reader gives its own message
    names = [str(v) for v in head.iloc[0].tolist()] if len(head) else []
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UsageError(MSG_DUPLICATE_HEADER.format(path=path, names=dupes, renamed=[f"{d}.1" for d in dupes]))


#: The largest spec or policy file read (bytes), and the deepest nesting of its tables and arrays.
MAX_TOML_BYTES = 1024 * 1024
#: The largest report.json read (bytes), and the deepest nesting of its objects and arrays.
MAX_REPORT_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64
MSG_TOO_LARGE = ("cannot read {what} {path!s}: it holds {size:,} bytes; expected at most {limit:,}. "
                 "Pass the {what} file rai-audit wrote or documents.")
MSG_TOO_DEEP = ("cannot read {what} {path!s}: its tables and arrays nest more than {limit} deep; expected a "
                "{what} as documented (a few levels). Check the file.")


def check_file_size(path: str | os.PathLike[str], limit: int, what: str) -> None:
    """Raise a UsageError when ``path`` is not a regular file (a FIFO would block) or larger than ``limit``.
    A missing path is left to the reader's own message."""
    try:
        st = os.stat(path)
    except OSError:
        return
    kind = _kind(st.st_mode)
    if kind:  # a folder is left to the reader's own message
        raise UsageError(MSG_NOT_REGULAR.format(path=path, kind=kind).replace(
            "a regular file or a folder of Parquet files", f"a regular {what} file"))
    if st.st_size > limit:
        raise UsageError(MSG_TOO_LARGE.format(what=what, path=path, size=st.st_size, limit=limit))


def check_depth(doc: object, limit: int, what: str, path: str | os.PathLike[str]) -> None:
    """Raise a UsageError when ``doc`` (parsed TOML or JSON) nests dicts and lists more than ``limit`` deep."""
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            raise UsageError(MSG_TOO_DEEP.format(what=what, path=path, limit=limit))
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
