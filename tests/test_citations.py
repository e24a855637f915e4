"""One citation formatter for the report, the case book, the appendix and LaTeX.

The formatter is ``motives.citations``.

The reference list of the bundled case's report is compared with its BibTeX entries
(``evidence/*.bib``), read here independently of the formatter (bibtexparser, then LaTeX accents
decoded by ``latexcodec``), and generated entries check the rule "missing fields are left out": no
"()", no braces, no empty parts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import motives as mv
from motives.citations import STYLES, Bibliography, latex_cite
from motives.report.document import references_markdown, report_markdown
from motives.report.tables import evidence_markdown

ROOT = Path(__file__).resolve().parents[1]


def plain(latex: str) -> str:
    """A BibTeX value as a reader sees it.

    Braces dropped, accents decoded (latexcodec, not pybtex).
    """
    import codecs

    import latexcodec  # noqa: F401 - registers the "ulatex" codec

    return " ".join(codecs.decode(latex, "ulatex").replace("{", "").replace("}", "").split())


def unmarkdown(text: str) -> str:
    """Markdown of the pybtex backend back to text: escapes and emphasis removed."""
    return re.sub(r"\\(.)", r"\1", text).replace("*", "")


def bib_entries() -> dict[str, dict[str, str]]:
    """The bundled case's BibTeX entries, parsed here (not through motives.io)."""
    out = {}
    for path in sorted((ROOT / "evidence").glob("*.bib")):
        for e in bibtexparser.parse_string(path.read_text(encoding="utf-8")).entries:
            out[e.key] = {f.key.lower(): str(f.value) for f in e.fields}
    return out


def cited_keys(case: mv.Case) -> list[str]:
    keys = [k for node in [*case.propositions, *case.evidence] for k in node.sources]
    keys += [e.reported_by for e in case.evidence if getattr(e, "reported_by", None)]
    return list(dict.fromkeys(keys))


def check_reference_list(section: str, case: mv.Case) -> None:
    """Each cited key has exactly one paragraph.

    It holds its authors' family names, year, title and outlet.
    """
    bib = bib_entries()
    paragraphs = [unmarkdown(p) for p in section.strip().split("\n\n")]
    keys = cited_keys(case)
    assert keys, "the bundled case cites nothing"
    assert len(paragraphs) == len(keys), (len(paragraphs), len(keys))
    labels = Bibliography(case.references)
    for key in keys:
        fields = bib[key]
        year = labels.label(key).rsplit(" ", 1)[1].rstrip(".")  # "2023", "2022a", "n.d", "n.d.-b"
        hits = [
            p
            for p in paragraphs
            if p.startswith(_first_words(fields))
            and _has_fields(p, fields)
            and f" {year}. " in f" {p} "
        ]
        assert len(hits) == 1, (key, fields, hits)
    for p in paragraphs:
        assert (
            "()" not in p and "{" not in p and "}" not in p and ". ." not in p and ",," not in p
        ), p


def _first_words(fields: dict[str, str]) -> str:
    """How the entry must begin.

    Its authors as the .bib gives them ("Götz, Elias and Staun, Jørgen"; the bundled case has no
    work with more than two), else its title.
    """
    if fields.get("author"):
        assert fields["author"].count(" and ") <= 1, "three or more authors: extend this check"
        return (
            plain(fields["author"]).rstrip(".") + "."
        )  # "Mearsheimer, John J." ends with its initial's period
    return plain(fields["title"])[:20]


def _has_fields(text: str, fields: dict[str, str]) -> bool:
    """Every family name, the year, title, journal and volume of the entry appear in ``text``."""
    names = [plain(a.split(",")[0]) for a in fields.get("author", "").split(" and ") if a.strip()]
    wanted = names + [
        plain(fields[f]) for f in ("year", "title", "journal", "volume", "doi") if fields.get(f)
    ]
    return all(w in text for w in wanted)


def test_bundled_report_references_match_the_bibtex_entries(bundled_case: mv.Case) -> None:
    """The section "References" of the bundled case's report.

    One entry per cited work, as the .bib has it.
    """
    lines = references_markdown(bundled_case)
    assert lines[:3] == ["", "## References", ""]
    check_reference_list(lines[3], bundled_case)


def test_bundled_evidence_table_cites_in_text(bundled_case: mv.Case) -> None:
    """The evidence table's sources are in-text citations.

    Each one resolves to one reference-list entry.
    """
    md = evidence_markdown(bundled_case, note=False)
    bib = Bibliography(bundled_case.references)
    listed = dict(
        bib.reference_list(cited_keys(bundled_case))
    )  # key -> its entry in the report's list
    cells = re.findall(r"\| \(([^|]*?)\) \|", md)
    assert len(cells) >= len([e for e in bundled_case.evidence if e.sources])
    for cell in cells:
        for label in cell.split("; "):
            keys = [k for k in bundled_case.references if bib.label(k) == label]
            assert len(keys) == 1, label  # an in-text citation names one work
            assert keys[0] in listed, label  # and that work is in the reference list
            who, year = label.rsplit(" ", 1)
            first = who.split(" and ")[0].removesuffix(" et al.")
            assert (
                listed[keys[0]].startswith(first)
                and f" {year.rstrip('.')}. " in f" {listed[keys[0]]} "
            ), label
    assert "{" not in md and "()" not in md


@pytest.mark.slow
def test_bundled_report_has_citations_and_references(
    bundled_case: mv.Case, sensitivity_tables
) -> None:
    """The whole report of the bundled case: in-text citations, and a reference list ending it."""
    md = report_markdown(
        bundled_case, sensitivity_tables(bundled_case, sobol_samples=64), {}, spec={"name": "b"}
    )
    head, refs = md.split("\n## References\n")
    assert "(Hughes 2023" in head
    check_reference_list(refs, bundled_case)


def test_report_of_a_small_case_lists_what_it_cites(copy_case) -> None:
    """A case with a .bib file.

    The report cites in text and lists the works cited, and only those.
    """
    folder = copy_case("cookies")
    (folder / "references.bib").write_text(
        "@book{downey2021, author = {Downey, Allen B.}, title = {Think {Bayes}}, year = {2021}, "
        "publisher = {O'Reilly}}\n@misc{unused, author = {Nobody, A.}}\n",
        encoding="utf-8",
    )
    draws = folder / "draws.yaml"
    draws.write_text(
        draws.read_text(encoding="utf-8").replace(
            "    title: A vanilla", "    sources: [downey2021]\n    title: A vanilla"
        ),
        encoding="utf-8",
    )
    case = mv.load_case(folder)
    md = report_markdown(
        case, mv.sensitivity.run_all(case, sobol_samples=16), {}, spec={"name": "c"}
    )
    assert "(Downey 2021)" in md
    refs = md.split("\n## References\n")[1].strip()
    assert unmarkdown(refs) == "Downey, Allen B. 2021. Think Bayes. O'Reilly."
    assert "Nobody" not in md


def test_appendix_and_case_book_use_the_formatter(bundled_case: mv.Case) -> None:
    """The appendix prints each source as its reference; the case book lists every entry once."""
    from motives.casebook import case_markdown
    from motives.interactive import appendix_data

    bib = Bibliography(bundled_case.references)
    data = appendix_data(bundled_case)
    shown = [s for node in data["items"] + data["propositions"] for s in node["sources"]]
    assert shown
    for s in shown:
        assert s["text"] == bib.reference(s["key"])
        assert "()" not in s["text"] and "{" not in s["text"], s
    assert any("Waller, Julian. n.d." in s["text"] for s in shown)
    book = case_markdown(bundled_case).split("\n## References\n")[1]
    listed = re.findall(r"^- .*\(`([^`]+)`\)$", book, flags=re.M)
    assert sorted(listed) == sorted(bib_entries())


def test_latex_cites_keys() -> None:
    assert latex_cite(["a", "b_2"]) == "\\cite{a,b_2}"
    with pytest.raises(ValueError, match="cannot take"):
        latex_cite(["a b"])


def test_styles() -> None:
    refs = {
        "h": {
            "ENTRYTYPE": "article",
            "author": "Hughes, Alex",
            "year": "2023",
            "title": "Plan Z",
            "journal": "JAMS",
        },
        "t": {"ENTRYTYPE": "article", "author": "Trenin, Dmitri", "journal": "Foreign Affairs"},
    }  # no title
    assert Bibliography(refs, "alpha").cite(["h"]) == "[Hug23]"
    assert Bibliography(refs, "plain").cite(["h", "t"]) == "[1, 2]"
    # pybtex's plain style requires an article's title: the sparse entry is printed with what it has
    assert Bibliography(refs, "plain").reference("t") == "Trenin, Dmitri. Foreign Affairs."
    with pytest.raises(ValueError, match="unknown citation style"):
        Bibliography(refs, "apa")


# ------------------------------------------------------------------ generated entries

_word = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=8)
_person = st.builds(lambda last, first: f"{last}, {first}", _word, _word)
_entry = st.fixed_dictionaries(
    {"ENTRYTYPE": st.sampled_from(["article", "book", "misc", "techreport", "inproceedings"])},
    optional={
        "author": st.lists(_person, min_size=1, max_size=4).map(" and ".join),
        "year": st.integers(1900, 2030).map(str),
        "title": st.lists(_word, min_size=1, max_size=5).map(" ".join),
        "journal": _word,
        "volume": st.integers(1, 99).map(str),
        "number": st.integers(1, 9).map(str),
        "publisher": _word,
        "booktitle": _word,
        "pages": st.just("1--9"),
    },
)


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), _entry, min_size=1, max_size=6
    ),
    st.sampled_from(STYLES),
)
def test_missing_fields_are_left_out(refs: dict[str, dict[str, str]], style: str) -> None:
    """References of entries lacking fields.

    Whatever fields an entry lacks: no empty brackets or braces, every present field printed, and
    each in-text label names one entry.
    """
    bib = Bibliography(refs, style)
    labels = [bib.label(k) for k in refs]
    assert len(set(labels)) == len(labels), labels
    for key, fields in refs.items():
        text = bib.reference(key)
        assert text, key
        assert "()" not in text and "{" not in text and "}" not in text and ". ." not in text, text
        shown = ("year", "volume", "journal", "title") if style == "author-year" else ("year",)
        for name in shown:  # the BibTeX styles print some fields for some entry types only
            if fields.get(name) and (name != "volume" or fields.get("journal")):
                assert fields[name] in text, (name, text)
        if fields.get("author") and style == "author-year":
            assert text.startswith(fields["author"].split(",")[0]), text
        assert "()" not in bib.cite([key])


# ---------------------------------------------------------- the Markdown a reader of report.md sees


def rendered(md: str) -> str:
    """Markdown as a reader of the rendered report sees it (CommonMark by markdown-it-py).

    Tags dropped.
    """
    import html

    from markdown_it import MarkdownIt

    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", "", MarkdownIt("commonmark").render(md))).split()
    )


def test_bundled_reference_list_source_is_readable(bundled_case: mv.Case) -> None:
    """The reference list as written in report.md.

    No escaped period, hyphen or parenthesis (pybtex's own
    Markdown backend wrote "Hughes, Alex\\. 2023\\."); with the title's emphasis removed, each entry
    holds its
    BibTeX fields verbatim; rendered, it is the text an entry prints in the terminal."""
    section = references_markdown(bundled_case)[3]
    for bad in ("\\.", "\\-", "\\(", "\\)", "&ndash;"):
        assert bad not in section, bad
    bib = bib_entries()
    labels = Bibliography(bundled_case.references)
    paragraphs = section.strip().split("\n\n")
    listed = labels.reference_list(
        cited_keys(bundled_case)
    )  # the list's order (check_reference_list: its content)
    assert len(paragraphs) == len(listed)
    for p, (key, text) in zip(paragraphs, listed, strict=True):
        assert p.startswith(_first_words(bib[key])) and _has_fields(
            re.sub(r"(?<!\\)\*", "", p), bib[key]
        ), key
        assert rendered(p) == text, key


_risky = st.text(alphabet=st.sampled_from(list("ab. -()*_[]<>&#+1|`~$")), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(
    title=_risky, note=_risky, year=st.integers(1900, 2030).map(str), style=st.sampled_from(STYLES)
)
def test_markdown_reference_renders_as_its_text(
    title: str, note: str, year: str, style: str
) -> None:
    """Any title or note, Markdown's active characters included.

    The Markdown entry, rendered, reads as the
    text entry (nothing emphasised, linked or turned into a list by the user's text), and a period
    is never
    escaped except a list number's at the start of a line."""
    if not title.strip(" .") or not note.strip(" ."):
        return
    refs = {"k": {"ENTRYTYPE": "misc", "title": title, "note": note, "year": year}}
    bib = Bibliography(refs, style)
    md = bib.reference("k", backend="markdown")
    assert rendered(md) == " ".join(bib.reference("k").split()), md
    assert "\\." not in re.sub(r"^\s*\d+\\\.", "", md), md


def test_plugin_lookups_do_not_grow_with_the_bibliography(monkeypatch: pytest.MonkeyPatch) -> None:
    """pybtex scans every installed distribution per plugin lookup (about 65 ms each here).

    Rendering calls it once per string unless looked up once: the bundled case book took 140 s.
    The number of scans must not depend on how many entries are rendered.
    """
    import pybtex.plugin

    from motives import citations

    calls = []
    real = pybtex.plugin.entry_points

    def counted(*a: Any, **k: Any) -> Any:
        calls.append(k.get("group"))
        return real(*a, **k)

    monkeypatch.setattr(pybtex.plugin, "entry_points", counted)

    def scans(n: int, style: str) -> int:
        citations._plugin.cache_clear()
        citations._latex_text.cache_clear()
        calls.clear()
        refs = {
            f"k{i}": {
                "ENTRYTYPE": "article",
                "author": f'Sm{chr(97 + i % 26)}th, J{i} and Do\\"e, A.',
                "title": f"On {{NATO}} -- part {i}",
                "journal": "Journal",
                "year": str(1990 + i),
            }
            for i in range(n)
        }
        bib = Bibliography(refs, style=style)
        for backend in ("text", "markdown", "html", "latex"):
            bib.reference_list(backend=backend)
        bib.markdown()
        return len(calls)

    for style in ("author-year", "plain"):
        few, many = scans(3, style), scans(40, style)
        assert few == many and many <= 12, (style, few, many)
