r"""Text for the outside world: one neutralising function per sink (a leaf: imports nothing of ours).

Everything the package writes that came from data (column names, group values, class
labels, plugin messages, exception text) goes through the function for its sink before
it reaches a terminal, a CI system or a browser:

==========================  ==============================================================
sink                        function
==========================  ==============================================================
terminal, logs (one line)   :func:`for_terminal`
terminal, tracebacks        :func:`for_terminal_block` (lines kept, each neutralised)
GitHub workflow commands    :func:`for_annotation` (message), :func:`for_annotation_property`
GitLab / plain CI logs      :func:`for_terminal` (the same rules as a terminal)
JUnit XML                   :func:`for_xml_text`, :func:`for_xml_attr`
Markdown (job summary)      :func:`for_markdown`
HTML                        :func:`for_html`
==========================  ==============================================================

What each does to data, and why:

* control characters (C0, C1, DEL), ANSI escape sequences and Unicode format characters
  (bidi overrides and isolates, zero-width joiners) are shown as ``\x1b`` / ``\u202e``
  instead of acting on the reader's terminal or reordering the text around them;
* newlines and other whitespace runs in a single-line field are folded to one space, so a
  value cannot start a line of its own;
* a line that would start with ``::`` (a GitHub Actions workflow command such as
  ``::stop-commands::`` or ``::add-mask::``) gets a backslash in front, so the runner does
  not read it as a command;
* in Markdown, the characters that make links, images, autolinks, code spans, table
  cells and HTML (``[ ] < > ` | \ &``) are escaped, so a value renders as the text it is;
* in XML, characters XML 1.0 forbids are shown as escapes, so the document always parses.
"""
from __future__ import annotations

import html
import unicodedata
from typing import Any

__all__ = ["BIDI_CONTROLS", "VALUE_LIMIT", "TEXT_LIMIT", "escape_char", "visible", "one_line", "cut", "for_terminal",
           "for_terminal_block", "for_annotation", "for_annotation_property", "for_xml_text", "for_xml_attr",
           "for_markdown", "for_html", "CUT_MARK"]

#: Unicode bidi embeddings, overrides, isolates and marks (shown, never obeyed).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: The longest group value, class label or column name any output shows; longer ones are cut.
VALUE_LIMIT = 200
#: What marks a value that was cut at :data:`VALUE_LIMIT` (the hash keeps two cut values apart).
CUT_MARK = "\u2026[{n} more characters, sha256 {digest}]"
#: The longest text of any other kind (a message, a reason, a detail) written to report.json.
TEXT_LIMIT = 100_000


def escape_char(ch: str) -> str:
    r"""``\x1b`` for a character below 256, ``\u202e`` (or ``\U0001f600``) above."""
    o = ord(ch)
    return f"\\x{o:02x}" if o < 256 else (f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")


def _is_hidden(ch: str) -> bool:
    """Control (Cc), format (Cf: bidi, zero-width), surrogate, private-use or unassigned characters."""
    return ch in BIDI_CONTROLS or unicodedata.category(ch)[0] == "C"


def visible(text: Any, *, keep: str = "") -> str:
    """``text`` with every hidden character (see :func:`_is_hidden`) but those in ``keep`` shown as an escape."""
    s = "" if text is None else str(text)
    if s.isprintable() and not (BIDI_CONTROLS & set(s)):
        return s
    return "".join(ch if ch in keep or not _is_hidden(ch) else escape_char(ch) for ch in s)


def one_line(text: Any) -> str:
    """Whitespace runs (newlines included) folded to one space, ends stripped."""
    return " ".join(("" if text is None else str(text)).split())


def cut(text: Any, limit: int = VALUE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how many were left out."""
    s = "" if text is None else str(text)
    if len(s) <= limit:
        return s
    import hashlib

    digest = hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return s[:limit] + CUT_MARK.format(n=len(s) - limit, digest=digest)


def _no_command(line: str) -> str:
    """A backslash before a leading ``::``, so CI runners do not read the line as a workflow command."""
    stripped = line.lstrip()
    if stripped.startswith("::"):
        return line[: len(line) - len(stripped)] + "\\" + stripped
    return line


def for_terminal(text: Any) -> str:
    """One line of printable text for a terminal or a CI log."""
    return _no_command(visible(one_line(text)))


def for_terminal_block(text: Any) -> str:
    """Several lines (a traceback) for a terminal or CI log: line breaks kept, each line neutralised."""
    lines = ("" if text is None else str(text)).replace("\r\n", "\n").split("\n")
    return "\n".join(_no_command(visible(line.replace("\r", "\n"), keep="\t").replace("\n", "\\r"))
                     for line in lines)


def for_annotation(text: Any) -> str:
    """A GitHub workflow command's message, kept on one line.

    The text is made visible, then escaped as GitHub's toolkit does (``%``, CR and LF as ``%25``,
    ``%0D``, ``%0A``), so the command stays on one line whatever the data holds.
    """
    return visible(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def for_annotation_property(text: Any) -> str:
    """A workflow command's property value (``title=``): as a message, and ``:`` and ``,`` escaped too."""
    return for_annotation(text).replace(":", "%3A").replace(",", "%2C")


def _xml_safe(text: Any) -> str:
    # XML 1.0 allows only \t \n \r below U+0020, no surrogates and no U+FFFE/U+FFFF; show all
    # hidden characters (not only the forbidden ones) so a CI viewer cannot be fooled either.
    return visible(text, keep="\n\t")


def for_xml_text(text: Any) -> str:
    """Character data for an XML element: one line, always well-formed."""
    return html.escape(_no_command(_xml_safe(one_line(text))), quote=False)


def for_xml_attr(text: Any) -> str:
    """A double-quoted XML attribute value (quotes included): one line, always well-formed."""
    return '"' + html.escape(visible(one_line(text)), quote=True) + '"'


_MD = {"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "`": "\\`", "<": "&lt;", ">": "&gt;", "&": "&amp;"}


def for_markdown(text: Any) -> str:
    """A Markdown table cell or line: one line, visible, no live links, images, HTML or code spans."""
    s = visible(one_line(text))
    return _no_command("".join(_MD.get(ch, ch) for ch in s))


def for_html(text: Any) -> str:
    """HTML text or a quoted attribute value: escaped, and control and bidi characters shown, not obeyed."""
    return html.escape(visible("" if text is None else str(text), keep="\n\t"), quote=True)
