"""Every user-facing message has one home: no raise of a rai-audit error builds its own text.

The texts live as constants in ``audit/_messages.py`` (the core) or ``<package>/_messages.py``,
so tests can compare them verbatim (the review's section 6, point 7; fairlearn's habit).
"""
from __future__ import annotations

import ast
from pathlib import Path

import audit

ROOT = Path(audit.__file__).parent
#: The error classes a user sees (audit._exceptions) and KeyError from the result accessors.
USER_FACING = {"UsageError", "SpecError", "DataError", "PluginError", "AuditError", "KeyError"}


def _inline_raises(source: str, path: str) -> list[str]:
    """``path:line`` of each raise of a user-facing error whose message is a literal or f-string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in USER_FACING:
            continue
        if _builds_text(node.exc.args[0]):
            found.append(f"{path}:{node.lineno}")
    return found


def _builds_text(text: ast.expr) -> bool:
    """A literal, an f-string, a ``+`` of them, or a conditional whose either branch is one."""
    if isinstance(text, ast.IfExp):
        return _builds_text(text.body) or _builds_text(text.orelse)
    return isinstance(text, (ast.JoinedStr, ast.Constant)) or (
        isinstance(text, ast.BinOp) and any(isinstance(n, (ast.JoinedStr, ast.Constant)) for n in ast.walk(text)))


def test_no_user_facing_raise_builds_its_own_text():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        offenders += _inline_raises(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert offenders == [], "move these messages into a _messages.py constant:\n" + "\n".join(offenders)


def test_the_finder_sees_an_inline_message():
    source = ('def f(x):\n    raise UsageError(f"bad {x}")\n'
              'def g(x):\n    raise UsageError(MSG_BAD.format(x=x))\n'
              'def h():\n    raise SpecError("no " + "way")\n'
              'def k(x):\n    raise UsageError(MSG_BAD.format(x=x) if x else f"bad {x}")\n')
    assert _inline_raises(source, "m.py") == ["m.py:2", "m.py:6", "m.py:8"]
