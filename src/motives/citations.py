r"""Citations: in-text citations and reference lists from a case's BibTeX entries.

They are formatted by pybtex.

One formatter, :class:`Bibliography`, serves every output that names a source: the Markdown report
(in-text citations and a reference list), the case book, the interactive appendix; the LaTeX tables
cite with
:func:`latex_cite` (``\cite{key}``) and leave the formatting to the paper's own BibTeX or biblatex
style.

Styles (``style=``):

- ``"author-year"`` (the default): in-text "(Hughes 2023; Putin 2015a)", a reference list sorted by
  author and year, "Hughes, Alex. 2023. Plan Z: … *Journal of Advanced Military Studies* 14(2).
  doi:…". Works by the same author in the same year (or undated, "n.d.", as author–date styles print
  them) get a, b, … so that each in-text citation points at one entry.
- ``"plain"``, ``"unsrt"``, ``"alpha"``, ``"unsrtalpha"``: pybtex's versions of the BibTeX styles of
  the same name (numeric or alphabetic labels, "[1]", "[Hug23]").

Missing fields are left out, never printed empty ("()", "{}"), and BibTeX markup is read as LaTeX
(braces protect case, ``{\"o}`` is "ö"), all by pybtex's rich text. pybtex's own BibTeX styles
require some fields (a title for an article); an entry lacking one is formatted with the author–year
template instead, so that a sparse entry is printed with what it has rather than refused.

The parsing of the ``.bib`` file stays in :func:`motives.bibtex.read_bibtex` (bibtexparser, with
located errors); this module takes its output, key -> fields.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Literal

from motives import escape

__all__ = ["STYLES", "Bibliography", "latex_cite"]

#: The citation styles :class:`Bibliography` takes.
STYLES = ("author-year", "plain", "unsrt", "alpha", "unsrtalpha")

Backend = Literal["text", "markdown", "html", "latex"]

#: BibTeX fields holding people (pybtex keeps them apart from the other fields).
_PERSON_FIELDS = ("author", "editor")
_CITE_KEY = re.compile(r"^[A-Za-z0-9_:.\-+/]+$")


def latex_cite(keys: Iterable[str]) -> str:
    r"""``\cite{a,b}`` for BibTeX keys; "" for none.

    The keys are not escaped: BibTeX needs them verbatim.

    The paper's BibTeX (or biblatex) style formats these citations, from the case's own ``.bib``
    file.

    Examples
    --------
    >>> latex_cite(["hughes_2024", "rusi2022"])
    '\\cite{hughes_2024,rusi2022}'
    >>> latex_cite([])
    ''
    """
    keys = list(keys)
    bad = [k for k in keys if not _CITE_KEY.match(k)]
    if bad:
        raise ValueError(
            f"BibTeX keys {bad} have characters \\cite cannot take (use letters, digits, _:.-+/)"
        )
    return "\\cite{" + ",".join(keys) + "}" if keys else ""


def _entry(key: str, fields: Mapping[str, str]):  # noqa: ANN202 - a pybtex Entry (pybtex is imported lazily)
    """A pybtex ``Entry`` from one ``read_bibtex`` record.

    People are split into pybtex ``Person`` objects.
    """
    from pybtex.database import Entry, Person
    from pybtex.utils import OrderedCaseInsensitiveDict

    persons: dict[str, list[Person]] = {}
    plain = OrderedCaseInsensitiveDict()
    for name, value in fields.items():
        if name == "ENTRYTYPE":
            continue
        if name in _PERSON_FIELDS:
            from pybtex.bibtex.utils import split_name_list

            persons[name] = [Person(p) for p in split_name_list(value)]
        elif str(value).strip():
            plain[name] = str(value)
    entry = Entry(fields.get("ENTRYTYPE", "misc"), fields=plain, persons=persons)
    entry.key = key  # pybtex's alphabetic labels fall back on the key
    return entry


@functools.cache
def _plugin(group: str, name: str):  # noqa: ANN202 - a pybtex plugin class
    """The plugin pybtex's ``find_plugin`` finds, looked up once.

    pybtex looks a plugin up on every call (``render_as`` included) by scanning every installed
    distribution's entry points, about 65 ms each on this project's environment: the bundled case
    book took 140 s, nearly all of it there.
    """
    from pybtex.plugin import find_plugin

    return find_plugin(group, name)


def _render(text, backend: str) -> str:  # noqa: ANN001 - a pybtex rich text
    """``text.render_as(backend)`` without pybtex's plugin lookup on every call."""
    return text.render(_plugin("pybtex.backends", backend)())


@functools.lru_cache(maxsize=4096)
def _latex_text(value: str) -> str:
    """A BibTeX field value as plain text (braces dropped, LaTeX accents decoded)."""
    from pybtex.richtext import Text

    try:
        return _render(Text.from_latex(value), "text")
    except Exception:  # noqa: BLE001 - pybtex's syntax errors (unbalanced braces): the text as written
        return value


def bibtex_text(value: str) -> str:
    """A BibTeX field value as a reader sees it.

    LaTeX read (``--`` an en dash, accents decoded), braces dropped.

    Examples
    --------
    >>> bibtex_text("1991 -- {NATO}")
    '1991 – NATO'
    """
    return _latex_text(value)


def _who(entry) -> str:  # noqa: ANN001 - a pybtex Entry
    """The in-text name.

    Last names of the authors (editors, else the organisation, else the title).
    """
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [" ".join(_latex_text(" ".join(p.prelast_names + p.last_names)).split()) for p in people]
    last = [n for n in last if n]
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    if last:
        return f"{last[0]} et al."
    for name in ("organization", "institution", "publisher", "journal", "title"):
        if entry.fields.get(name):
            return " ".join(_latex_text(entry.fields[name]).split())
    return ""


def _author_year_template(entry, year: str):  # noqa: ANN001, ANN202 - pybtex Entry and template
    """The pybtex template of one reference in the author–year style.

    Every part is optional, so missing fields are left out (no empty brackets).
    """
    from pybtex.style.formatting import toplevel
    from pybtex.style.template import field, first_of, join, names, optional, sentence, tag, words

    italic_title = entry.type in {
        "book",
        "techreport",
        "phdthesis",
        "mastersthesis",
        "manual",
        "proceedings",
    }
    title = tag("em")[field("title")] if italic_title else field("title")
    # A work with nobody named is listed under its title, as author-date styles do (the in-text
    # label too).
    anonymous = not (
        entry.persons.get("author")
        or entry.persons.get("editor")
        or entry.fields.get("organization")
    )
    return toplevel[
        optional[sentence[title]] if anonymous else "",
        optional[
            sentence[
                first_of[
                    optional[names("author", sep=", ", sep2=" and ", last_sep=", and ")],
                    optional[
                        words[names("editor", sep=", ", sep2=" and ", last_sep=", and "), "(ed.)"]
                    ],
                    optional[field("organization")],
                ]
            ]
        ],
        sentence[year] if year else "",
        "" if anonymous else optional[sentence[title]],
        optional[
            sentence[
                words[
                    optional[words["In", tag("em")[field("booktitle")]]],
                    optional[tag("em")[field("journal")]],
                    optional[join[field("volume"), optional[join["(", field("number"), ")"]]]],
                ]
            ]
        ],
        optional[sentence[join[optional[field("pages")]]]],
        optional[sentence[first_of[optional[field("howpublished")], optional[field("type")]]]],
        optional[
            sentence[
                join(sep=": ")[
                    optional[field("address")],
                    first_of[
                        optional[field("publisher")],
                        optional[field("institution")],
                        optional[field("school")],
                    ],
                ]
            ]
        ],
        optional[sentence[join["doi:", field("doi", raw=True)]]],
        optional[sentence[field("url", raw=True)]],
        optional[sentence[field("note")]],
    ]


class Bibliography:
    """A case's references, cited and listed in one style.

    Parameters
    ----------
    references
        BibTeX key -> fields (lower-case names and ``ENTRYTYPE``), as
        :func:`motives.bibtex.read_bibtex` reads
        them and :attr:`motives.Case.references` holds them; ``None`` (a case without a ``.bib``
        file) cites every key as itself.
    style
        One of :data:`STYLES`; default ``"author-year"``.

    Examples
    --------
    >>> refs = {
    ...     "hughes": {
    ...         "ENTRYTYPE": "article",
    ...         "author": "Hughes, Alex",
    ...         "year": "2023",
    ...         "title": "Plan Z",
    ...         "journal": "Journal of Advanced Military Studies",
    ...         "volume": "14",
    ...         "number": "2",
    ...     },
    ...     "nyt": {"ENTRYTYPE": "misc", "author": "{The New York Times}"},
    ...     "waller": {"ENTRYTYPE": "misc", "author": "Waller, Julian"},
    ... }
    >>> bib = Bibliography(refs)
    >>> bib.cite(["hughes", "nyt", "waller"])
    '(Hughes 2023; The New York Times n.d.; Waller n.d.)'
    >>> print(bib.reference("hughes"))
    Hughes, Alex. 2023. Plan Z. Journal of Advanced Military Studies 14(2).
    >>> print(bib.reference("nyt"))
    The New York Times. n.d.
    >>> Bibliography(refs, style="unsrt").cite(["waller", "hughes"])
    '[3, 1]'
    """

    def __init__(
        self, references: Mapping[str, Mapping[str, str]] | None, style: str = "author-year"
    ) -> None:
        if style not in STYLES:
            raise ValueError(f"unknown citation style {style!r}; valid: {', '.join(STYLES)}")
        self.style = style
        self.references = dict(references or {})
        self._entries = {k: _entry(k, f) for k, f in self.references.items()}
        self._labels: dict[str, str] = {}
        self._years: dict[str, str] = {}
        self._order: list[str] = []
        if style == "author-year":
            self._author_year_labels()
        else:
            self._bibtex_labels()

    # ------------------------------------------------------------------ labels

    def _author_year_labels(self) -> None:
        """Who + year for each entry, with a, b, … where an author has several entries in a year."""
        who = {k: _who(e) for k, e in self._entries.items()}
        year = {
            k: " ".join(_latex_text(e.fields.get("year", "")).split())
            for k, e in self._entries.items()
        }
        title = {
            k: _latex_text(e.fields.get("title", "")).lower() for k, e in self._entries.items()
        }
        self._order = sorted(
            self._entries, key=lambda k: (who[k].lower() or k.lower(), year[k] or "~", title[k], k)
        )
        groups: dict[tuple[str, str], list[str]] = {}
        for k in self._order:
            groups.setdefault((who[k].lower(), year[k]), []).append(k)
        for (_, _), keys in groups.items():
            for i, k in enumerate(keys):
                y = year[k] or "n.d."
                if len(keys) > 1:
                    suffix = _letters(i)
                    y = f"{y}-{suffix}" if not year[k] else f"{y}{suffix}"
                self._years[k] = y
                self._labels[k] = f"{who[k] or k} {y}"

    def _bibtex_labels(self) -> None:
        """Pybtex's labels of a BibTeX style ("1", "Hug23"), in the style's own order."""
        fmt = _plugin("pybtex.style.formatting", self.style)()
        entries = fmt.sort(list(self._entries.values()))
        keys = {id(e): k for k, e in self._entries.items()}
        self._order = [keys[id(e)] for e in entries]
        self._labels = dict(zip(self._order, fmt.format_labels(entries), strict=True))
        self._bibtex_style = fmt

    def label(self, key: str) -> str:
        r"""The in-text label of one key ("Hughes 2023", "1", "Hug23").

        An unknown key is its own label.

        Examples
        --------
        >>> Bibliography(
        ...     {"k": {"ENTRYTYPE": "book", "author": r"G{\"o}tz, Elias and Staun, J{\o}rgen"}}
        ... ).label("k")
        'Götz and Staun n.d.'
        """
        return self._labels.get(key, key)

    def cite(self, keys: Iterable[str]) -> str:
        """An in-text citation of several keys; "" for none.

        It reads "(Hughes 2023; Putin 2015)" or "[1, 3]".

        Examples
        --------
        >>> Bibliography(None).cite(["a_key"])
        '(a_key)'
        >>> Bibliography(None).cite([])
        ''
        """
        labels = [self.label(k) for k in dict.fromkeys(keys)]
        if not labels:
            return ""
        if self.style == "author-year":
            return "(" + "; ".join(labels) + ")"
        return "[" + ", ".join(labels) + "]"

    # ------------------------------------------------------------------ references

    def reference(self, key: str, *, backend: Backend = "text") -> str:
        r"""One entry of the reference list, rendered by a pybtex backend.

        The backend is ``text``, ``markdown``, ``html`` or ``latex``.

        An unknown key is printed as itself.

        Examples
        --------
        >>> bib = Bibliography(
        ...     {
        ...         "b": {
        ...             "ENTRYTYPE": "book",
        ...             "author": "Snyder, Timothy",
        ...             "title": "The Road",
        ...             "year": "2018",
        ...             "publisher": "Tim Duggan Books",
        ...             "address": "New York",
        ...         }
        ...     }
        ... )
        >>> print(bib.reference("b"))
        Snyder, Timothy. 2018. The Road. New York: Tim Duggan Books.
        >>> print(bib.reference("b", backend="markdown"))
        Snyder, Timothy. 2018. *The Road*. New York: Tim Duggan Books.
        """
        entry = self._entries.get(key)
        if entry is None:
            return key
        text = None
        if self.style != "author-year":
            from pybtex.style.template import FieldIsMissing

            try:
                text = self._bibtex_style.format_entry(self._labels[key], entry).text
            except FieldIsMissing:  # a sparse entry: printed with what it has (module docstring)
                text = None
            if (
                text is not None and not _render(text, "text").strip()
            ):  # the style printed nothing of it
                text = None
        if text is None:
            year = self._years.get(key) or " ".join(
                _latex_text(entry.fields.get("year", "")).split()
            )
            text = _author_year_template(entry, year).format_data(
                {"entry": entry, "style": _AuthorYearNames(), "bib_data": None}
            )
        if backend == "markdown":
            out = escape.markdown_line_start(" ".join(text.render(_markdown_backend()).split()))
        else:
            out = " ".join(_render(text, backend).split())
        return out or key  # an entry with no field at all: its key

    def reference_list(
        self, keys: Iterable[str] | None = None, *, backend: Backend = "text"
    ) -> list[tuple[str, str]]:
        """(key, reference) of the given keys (default every entry), in the style's order.

        By author and year for author–year, the style's own order otherwise. Unknown keys come last,
        as themselves.

        Examples
        --------
        >>> refs = {
        ...     "b": {"ENTRYTYPE": "misc", "author": "Putin, Vladimir", "year": "2018"},
        ...     "a": {"ENTRYTYPE": "misc", "author": "Putin, Vladimir", "year": "2015"},
        ... }
        >>> Bibliography(refs).reference_list()
        [('a', 'Putin, Vladimir. 2015.'), ('b', 'Putin, Vladimir. 2018.')]
        """
        wanted = list(dict.fromkeys(self._order if keys is None else keys))
        rank = {k: i for i, k in enumerate(self._order)}
        known = sorted((k for k in wanted if k in rank), key=rank.__getitem__)
        return [
            (k, self.reference(k, backend=backend))
            for k in known + [k for k in wanted if k not in rank]
        ]

    def markdown(self, keys: Iterable[str] | None = None) -> str:
        r"""The reference list as Markdown.

        One paragraph per entry (author–year), or "[label] entry".

        Examples
        --------
        >>> print(Bibliography({"a": {"ENTRYTYPE": "misc", "author": "Waller, Julian"}}).markdown())
        Waller, Julian. n.d.
        """
        lines = []
        for key, text in self.reference_list(keys, backend="markdown"):
            lines.append(text if self.style == "author-year" else f"\\[{self.label(key)}\\] {text}")
        return "\n\n".join(lines)


def _markdown_backend():  # noqa: ANN202 - a pybtex Backend (pybtex is imported lazily)
    r"""Pybtex's Markdown backend with our escaping of each string.

    The escaping is :func:`motives.escape.markdown_inline`'s.

    Pybtex's own escapes every period, hyphen and parenthesis ("Smith\. 2018\."), which a reader of
    the Markdown source sees; ours escapes only what Markdown would act on (emphasis, links, code,
    HTML), and the start of the line once (:func:`motives.escape.markdown_line_start`), as every
    other writer of the report does. The en dash is printed as itself, not as ``&ndash;``.
    """
    from pybtex.backends.markdown import Backend

    class _Markdown(Backend):
        symbols = {**Backend.symbols, "ndash": "\u2013"}

        def format_str(self, text: str) -> str:
            return escape.markdown_inline(text)

    return _Markdown()


def _letters(i: int) -> str:
    """a, b, …, z, aa, ab, … for the i-th work of one author in one year."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("a") + r) + out
    return out


class _AuthorYearNames:
    """What pybtex's ``names`` template node needs from a style: full names, family name first."""

    abbreviate_names = False

    def __init__(self) -> None:
        self.format_name = _plugin("pybtex.style.names", "lastfirst")().format
