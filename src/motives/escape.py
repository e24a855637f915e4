r"""User text made literal and inert for each medium it reaches: one function per output format.

Every writer calls the function of its format at the point of output, on each piece of user text
(labels, titles, descriptions, quotes, rationales, source names, BibTeX fields), never on text it
composed itself:

- :func:`markdown` for ``report.md``, ``describe`` and the Markdown tables (no HTML, links,
emphasis, code,
  math or new blocks; one line);
- :func:`html` for HTML text and attribute values, :func:`json_script` for data inlined in a
``<script>``;
- :func:`latex` for LaTeX tables and captions;
- :func:`cell` for spreadsheet cells (CSV and XLSX), after OWASP's advice on CSV injection: a cell
that a
  spreadsheet would read as a formula gets a leading apostrophe, which :func:`uncell` removes on
  import;
- :func:`terminal` for a Rich markup string (control characters shown as ``\\xNN``, markup escaped;
the
  consoles are made with ``emoji=False`` so that ``:skull:`` in user text prints as typed).

The escapers are written here rather than taken from a library because each format's rules are a few
lines and the libraries that have them (``html``, ``rich.markup``) are used where they exist.
"""

from __future__ import annotations

import html as _html
import json
import re
from typing import Any

__all__ = [
    "cell",
    "html",
    "json_script",
    "latex",
    "markdown",
    "markdown_inline",
    "markdown_line_start",
    "plain",
    "terminal",
    "uncell",
]

# -----------------------------------------------------------------------------------------------
# Markdown

_MD_SPECIAL = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "[": "\\[",
    "]": "\\]",
    "|": "\\|",
    "~": "\\~",
    "$": "\\$",
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}
_MD_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def markdown(text: Any) -> str:
    r"""User text as inline Markdown that renders as typed.

    No HTML, links, emphasis, code, math or new blocks.

    HTML's ``& < >`` become entities, Markdown's active characters are backslash-escaped
    (``_`` only where it could open emphasis, so ``door_a`` stays as it is), a leading
    ``#``, ``>``, ``-``, ``+``, ``=`` or list number cannot start a block, and line breaks
    become spaces (a table cell or heading stays one line); control characters (ANSI escapes,
    bidi overrides) become U+FFFD.

    Examples
    --------
    >>> markdown("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> print(markdown("# Heading [link](http://x) *em* a|b door_a _x_"))
    \# Heading \[link\](http://x) \*em\* a\|b door_a \_x\_
    """
    return markdown_line_start(markdown_inline(text))


def markdown_inline(text: Any) -> str:
    r"""User text as a piece of a Markdown line: :func:`markdown` without the guard at the start of a line.

    For text put together from pieces (a reference rendered by pybtex, one string at a time): each
    piece is escaped here, and the whole line once by :func:`markdown_line_start`. A period is never
    escaped: only a number at the start of a line could make one a list marker.

    Examples
    --------
    >>> print(markdown_inline("Smith, J. 2018. *Title*"))
    Smith, J. 2018. \*Title\*
    """
    s = " ".join(str(text).split("\n")).replace("\r", " ")
    s = _MD_CONTROL.sub("\ufffd", s)  # no terminal escapes
    s = "".join(_MD_SPECIAL.get(c, c) for c in s)
    return re.sub(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])", r"\_", s)


def markdown_line_start(s: str) -> str:
    r"""A Markdown line (escaped by :func:`markdown_inline`) that cannot start a block.

    A leading ``#``, ``+``, ``=``, ``-`` or list number is escaped.

    Examples
    --------
    >>> print(markdown_line_start("2018. A year"))
    2018\. A year
    """
    return re.sub(
        r"^(\s*)([#+=-]|\d+[.)])",
        lambda m: (
            m.group(1) + "\\" + m.group(2)
            if not m.group(2)[0].isdigit()
            else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1]
        ),
        s,
    )


# -----------------------------------------------------------------------------------------------
# HTML


def html(text: Any) -> str:
    """User text for HTML text or a quoted attribute value (``& < > " '`` as entities).

    Examples
    --------
    >>> html('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return _html.escape(str(text), quote=True)


def json_script(data: Any) -> str:
    r"""Data as JSON for a ``<script type="application/json">`` block.

    Nothing in it can end the block.

    ``<``, ``>`` and ``&`` are written as ``\u003c``, ``\u003e``, ``\u0026`` (so no ``</script>`` or
    ``<!--`` can appear), and U+2028/U+2029 escaped; ``JSON.parse`` gives the same strings back. NaN
    and infinities are refused (JSON has none).

    Examples
    --------
    >>> json_script({"label": "</script><!--"})
    '{"label":"\\u003c/script\\u003e\\u003c!--"}'
    """
    blob = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        blob = blob.replace(ch, esc)
    return blob


# -----------------------------------------------------------------------------------------------
# LaTeX

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_LATEX_UNICODE = {
    "\u2013": "--",
    "\u2014": "---",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
    "\u2026": r"\ldots{}",
    "\u00a0": "~",
    "\u2212": "-",
    "\u03ba": r"$\kappa$",
    "\u2192": r"$\to$",
}


def latex(text: Any) -> str:
    r"""Escape text for LaTeX (specials, and common typographic Unicode to ASCII LaTeX).

    Line breaks become spaces (a blank line would end a table cell's paragraph), control characters
    are dropped (TeX reads some as active characters).

    Examples
    --------
    >>> print(latex("50% of R&D_costs ~ $5 {sic}"))
    50\% of R\&D\_costs \textasciitilde{} \$5 \{sic\}
    """
    out = []
    for ch in str(text):
        if ch in "\n\r\t":
            out.append(" ")
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0:
            continue
        else:
            out.append(_LATEX_SPECIAL.get(ch) or _LATEX_UNICODE.get(ch) or ch)
    return "".join(out)


# -----------------------------------------------------------------------------------------------
# spreadsheets

#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"), and
#: the apostrophe itself (so that a text beginning with one comes back unchanged through
#: :func:`uncell`).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "'")


def cell(text: Any) -> str:
    r"""User text for a spreadsheet cell (CSV or XLSX) that no spreadsheet reads as a formula.

    A text beginning with ``= + - @``, a tab, a line break or an apostrophe gets a leading
    apostrophe (the spreadsheet convention for "this is text"); :func:`uncell` takes it off when the
    matrix is read back. Numbers written as text (``-0.5``) are the caller's to leave out: they are
    not formulas.

    Examples
    --------
    >>> cell('=HYPERLINK("http://x"&A1)'), cell("plain"), cell("'tis")
    ('\'=HYPERLINK("http://x"&A1)', 'plain', "''tis")
    >>> uncell(cell("@SUM(A1)")) == "@SUM(A1)"
    True
    """
    s = str(text)
    return "'" + s if s.startswith(FORMULA_START) else s


def uncell(text: Any) -> Any:
    """The text :func:`cell` escaped, as it was (anything else unchanged).

    Only an apostrophe followed by one of :data:`FORMULA_START` is taken off, so a hand-written
    ``'tis`` stays as typed.

    Examples
    --------
    >>> uncell("'=1+1"), uncell("'tis"), uncell(0.5)
    ('=1+1', "'tis", 0.5)
    """
    if (
        isinstance(text, str)
        and len(text) > 1
        and text[0] == "'"
        and text[1:].startswith(FORMULA_START)
    ):
        return text[1:]
    return text


# -----------------------------------------------------------------------------------------------
# terminal

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: Any) -> str:
    r"""User text made safe for a terminal.

    Control characters (ANSI escapes, bidi overrides) shown as ``\xNN``.

    Examples
    --------
    >>> plain("red\x1b[31m")
    'red\\x1b[31m'
    """
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        str(text),
    )


def terminal(text: Any) -> str:
    r"""User text for a Rich markup string.

    Control characters shown, markup (``[bold]``, ``[link=...]``) escaped.

    Emoji codes (``:skull:``) are left as typed: the consoles that print them are made with
    ``emoji=False``.

    Examples
    --------
    >>> print(terminal("[bold]x[/] \x1b[2J :skull:"))
    \[bold]x\[/] \x1b[2J :skull:
    """
    from rich.markup import escape

    return escape(plain(text))
