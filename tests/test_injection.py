"""User text arrives literally and inert in every output (issue 23, injection).

Generated strings hold HTML and Markdown markup, the appendix template's own markers, spreadsheet
formula prefixes, Rich markup and emoji codes. They replace every free-text field of a case
(hypothesis and family labels, titles, descriptions, quotes, rationales, notes, footnotes, units,
source descriptions, BibTeX fields); ids stay ids (the schema allows only ``[a-z][a-z0-9_]*`` there,
so they cannot carry markup). Each value is ``"tN< {hostile} >tN"`` with a tag ``tN`` of its own: in
each output, a value of which any tag shows must show whole, as typed once the output is rendered
(Markdown through markdown-it, HTML through the HTML parser, LaTeX escaped, spreadsheets read back),
and nothing the user typed may become markup: no element, link, formula, emphasis, template marker
replaced, or emoji. The outputs: ``report.md`` and the Markdown tables, ``describe``, the LaTeX
tables, the appendix page (and in Chromium), the ACH matrix as CSV and XLSX, and the terminal.
"""

from __future__ import annotations

import csv
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives as mv
from motives import escape
from motives.casebook import case_markdown
from motives.cli import app
from motives.testing import rich_case

runner = CliRunner()

PIECES = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<iframe src=javascript:alert(1)>",
    "[link](javascript:alert(1))",
    "<a href='http://x'>x</a>",
    "*em*",
    "_u_",
    "**b**",
    "`code`",
    "# head",
    "a | b",
    "$x^2$",
    "\\input{/etc/passwd}",
    "%c",
    "&amp;",
    "&lt;",
    "/*__SCRIPT__*/",
    "__TITLE__",
    "/*__DATA__*/null",
    "<!--__STRUCTURE__-->",
    "</script>",
    "<!--",
    "-->",
    "]]>",
    '=HYPERLINK("http://x"&A1)',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    ":skull:",
    ":x:",
    "[bold red]x[/]",
    "{",
    "}",
    "~",
    "^",
    "\\",
    "'",
    '"',
    "- item",
    "1. one",
    "> q",
    "---",
]
FORMULA_PIECES = ['=HYPERLINK("http://x"&A1)', "+1+1", "-2+3", "@SUM(A1)", "\tx", "'quoted", "=1"]

#: Fields of free text (the rest are ids, numbers, dates or enumerations).
TEXT_KEYS = {
    "title",
    "name",
    "label",
    "description",
    "quote",
    "rationale",
    "note",
    "unit",
    "author",
    "journal",
    "howpublished",
    "institution",
}
#: Fields limited to one short line by the schema (labels).
SHORT_KEYS = {"label"}


def hostile_strings(max_pieces: int = 3) -> st.SearchStrategy[str]:
    return st.lists(
        st.sampled_from(PIECES) | st.text(alphabet="ab ", min_size=1, max_size=3),
        min_size=1,
        max_size=max_pieces,
    ).map(lambda xs: " ".join(x.strip() or "x" for x in xs))


def hostile_case(base: mv.Case, texts: list[str]) -> tuple[mv.Case, dict[str, str]]:
    """``base`` with every free-text field replaced by ``tN< text >tN`` (texts used in turn).

    Returns the values.
    """
    values: dict[str, str] = {}

    def walk(x: Any, key: str | None = None) -> Any:
        if isinstance(x, dict):
            return {k: walk(v, k) for k, v in x.items()}
        if isinstance(x, list):
            if key == "footnotes":
                return [walk(v, "note") for v in x]
            return [walk(v, key) for v in x]
        if isinstance(x, str) and key in TEXT_KEYS:
            n = len(values)
            t = texts[n % len(texts)]
            v = (
                f"t{n}< {t} >t{n}"
                if key not in SHORT_KEYS
                else f"t{n}< {t[:20].strip() or 'x'} >t{n}"
            )
            values[f"t{n}"] = v
            return v
        return x

    data = walk({k: v for k, v in base.model_dump(exclude_none=True).items() if k != "name"})
    data["name"] = base.name  # the case's name is an id
    from motives.citations import bibtex_text

    for ref in (data.get("references") or {}).values():  # BibTeX fields: free text too
        for k in ("title", "author", "journal", "note"):
            if k in ref:
                n = len(values)
                # a BibTeX field is LaTeX text ("--" is an en dash); unbalanced braces cannot come
                # from a .bib file (the loader refuses it), so they are left out here; what a reader
                # must see literally is the field as BibTeX reads it
                raw = f"t{n}< {texts[n % len(texts)].replace('{', '(').replace('}', ')')} >t{n}"
                ref[k] = raw
                values[f"t{n}"] = bibtex_text(raw)
    return mv.Case.model_validate(data), values


# --------------------------------------------------------------------------- checkers per format


class _Text(HTMLParser):
    """The visible text of an HTML fragment, and every element and attribute in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _squash(s: str) -> str:
    return " ".join(s.split())


def _shown_whole(visible: str, values: dict[str, str], must: set[str]) -> int:
    """Every value one of whose tags is visible is visible whole.

    The values of ``must`` are visible. Returns how many values were seen (so a test can require
    that some were).
    """
    visible = _squash(visible)
    seen = 0
    for tag, v in values.items():
        if re.search(rf"\b{tag}(<|>|\b)", visible) or tag in must:
            assert _squash(v) in visible, (tag, v)
            seen += 1
    return seen


def check_markdown(md: str, values: dict[str, str], must: set[str]) -> int:
    """Rendered as CommonMark with tables.

    User text is text (no element, link or emphasis from it).
    """
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(md)
    p = _Text()
    p.feed(rendered)
    for (
        tag,
        attrs,
    ) in p.tags:  # (emphasis, code or a link made of user text fails _shown_whole: not as typed)
        assert tag not in ("script", "iframe", "object", "embed", "svg"), (tag, attrs)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript"), (tag, attrs)
        if tag == "img":  # only the report's own figures
            assert (attrs.get("src") or "").startswith("figures/") and set(attrs) <= {
                "src",
                "alt",
            }, attrs
    return _shown_whole("".join(p.text), values, must)


def check_html_page(page: str, values: dict[str, str], data: dict[str, Any]) -> None:
    p = _Text()
    p.feed(page)
    scripts = [t for t, _ in p.tags if t == "script"]
    assert len(scripts) == 2  # the data block and the page's code: no more, none cut short
    assert not any(t in ("img", "iframe", "a") for t, _ in p.tags if t != "svg")
    m = re.search(r'<script id="motives-data" type="application/json">(.*?)</script>', page, re.S)
    assert m is not None
    assert json.loads(m.group(1)) == json.loads(
        json.dumps(data)
    )  # the data block holds the data, whole
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert (
        title is not None
        and html.unescape(title.group(1)) == f"{data['case']['title']} — interactive appendix"
    )
    code = page[m.end() :]  # the page's code follows the data block, intact
    assert "function checkEdits(" in code and "/*__SCRIPT__*/" not in code


# --------------------------------------------------------------------------- the outputs


def _with_grouping(case: mv.Case) -> mv.Case:
    """``case`` with a named grouping (labels and a description of free text) of its hypotheses."""
    h = case.hypothesis_ids
    data = case.model_dump(exclude_none=True)
    data["groupings"] = [
        {
            "id": "size",
            "label": "Size",
            "description": "By size.",
            "groups": [
                {"id": "first", "label": "First", "hypotheses": h[:1]},
                {"id": "others", "label": "Others", "hypotheses": h[1:]},
            ],
        }
    ]
    return mv.Case.model_validate(data)


BASES = {"burglary": mv.examples.load("burglary"), "rich": _with_grouping(rich_case())}


def _hyp_tags(case: mv.Case, values: dict[str, str]) -> set[str]:
    names = {h.name for h in case.hypotheses} | {e.title for e in case.evidence}
    return {t for t, v in values.items() if v in names}


@settings(max_examples=12, deadline=None)
@given(
    texts=st.lists(hostile_strings(), min_size=1, max_size=5), which=st.sampled_from(sorted(BASES))
)
def test_describe_markdown_shows_user_text_literally(texts: list[str], which: str) -> None:
    case, values = hostile_case(BASES[which], texts)
    md = case_markdown(case)
    assert check_markdown(md, values, _hyp_tags(case, values)) >= len(case.hypotheses)
    assert md.count("\n# ") == 0 and md.startswith("# ")  # one heading of level 1: the case's title


@settings(max_examples=12, deadline=None)
@given(
    texts=st.lists(hostile_strings(), min_size=1, max_size=5), which=st.sampled_from(sorted(BASES))
)
def test_markdown_and_latex_tables_show_user_text_literally(texts: list[str], which: str) -> None:
    from motives import report as R

    case, values = hostile_case(BASES[which], texts)
    for md in (R.evidence_markdown(case), R.posterior_markdown(case)):
        check_markdown(md, values, set())
    tables = [R.evidence_latex(case), R.posterior_latex(case)]
    tables += [R.proposition_latex(case, p.id) for p in case.propositions]
    for t in tables:
        assert R.check_latex(t) == [], t
    tex = "\n".join(tables)
    assert "\\input{" not in tex and "<" not in tex  # the user's \\input and tags are escaped text
    seen = 0
    for tag, v in values.items():
        if re.search(rf"\b{tag}\\textless", tex):
            assert escape.latex(v) in tex, (tag, v)
            seen += 1
    assert seen >= len(case.hypotheses)  # the labels at least are in the tables


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    texts=st.lists(hostile_strings(), min_size=2, max_size=4), which=st.sampled_from(sorted(BASES))
)
def test_report_shows_user_text_literally(texts: list[str], which: str) -> None:
    from motives.report import report_markdown

    case, values = hostile_case(BASES[which], texts)
    tables = mv.sensitivity.run_all(case, sobol_samples=32, sweep_points=11)
    md = report_markdown(
        case, tables, {"posterior": "figures/posterior.png"}, spec={"name": "hostile"}
    )
    assert check_markdown(md, values, _hyp_tags(case, values)) >= len(case.hypotheses)
    assert "against the rest" in md


@settings(max_examples=12, deadline=None)
@given(texts=st.lists(hostile_strings(), min_size=1, max_size=4))
def test_groupings_table_shows_user_text_literally(texts: list[str]) -> None:
    from motives.report.groupings import groupings_markdown

    case, values = hostile_case(BASES["rich"], texts)
    share = {h: 1 / len(case.hypothesis_ids) for h in case.hypothesis_ids}
    md = groupings_markdown(case, share, share)
    labels = {g.label for gg in case.groupings for g in gg.groups} | {
        gg.label for gg in case.groupings
    }
    assert check_markdown(md, values, {t for t, v in values.items() if v in labels}) >= 3


@settings(max_examples=10, deadline=None)
@given(
    texts=st.lists(hostile_strings(), min_size=1, max_size=5), which=st.sampled_from(sorted(BASES))
)
def test_appendix_page_keeps_user_text_in_its_data(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], which: str
) -> None:
    from motives.interactive import appendix_data, render

    case, values = hostile_case(BASES[which], texts)
    data = appendix_data(case)
    check_html_page(render(data), values, data)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    titles=st.lists(st.sampled_from(FORMULA_PIECES + PIECES), min_size=5, max_size=5),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_matrix_cells_are_never_formulas_and_read_back_as_written(
    tmp_path_factory: pytest.TempPathFactory, titles: list[str], suffix: str
) -> None:
    from motives.ach import export_matrix, read_matrix

    base = mv.examples.load("burglary")
    data = base.model_dump(exclude_none=True)
    for e, t in zip(data["evidence"], titles, strict=False):
        e["title"] = t
        for j in e.get("likelihoods", {}).values():
            if isinstance(j, dict):
                j["rationale"] = t
    case = mv.Case.model_validate(data)
    path = tmp_path_factory.mktemp("m") / f"m{suffix}"
    export_matrix(case, path)
    if suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
    else:
        import openpyxl

        wb = openpyxl.load_workbook(path)  # formulas as written, not their cached values
        cells = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
        assert not [c for row in wb.worksheets[0].iter_rows() for c in row if c.data_type == "f"]
    for c in cells:
        if isinstance(c, str) and c and not re.fullmatch(r"[-+]?\d+(\.\d*)?(e[-+]?\d+)?", c):
            assert not c.startswith(("=", "+", "-", "@", "\t", "\r")), c
    read = {r["id"]: r for _, r in read_matrix(path)}
    for e in case.evidence:
        if e.id in read:
            assert read[e.id]["title"] == e.title.strip() or read[e.id]["title"] == e.title


def _write_folder(case: mv.Case, folder: Path) -> Path:
    d = json.loads(case.model_dump_json(exclude_none=True))
    ev = d.pop("evidence")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    (folder / "evidence.yaml").write_text(
        yaml.safe_dump({"evidence": ev}, allow_unicode=True), encoding="utf-8"
    )
    assert mv.load_case(folder).model_dump() == case.model_dump()
    return folder


def test_describe_command_escapes_a_hostile_description(tmp_path: Path) -> None:
    texts = [
        "<script>alert(1)</script> <iframe src=javascript:alert(1)>",
        "# not a heading [x](javascript:y)",
    ]
    case, values = hostile_case(BASES["burglary"], texts)
    folder = _write_folder(case, tmp_path / "case")
    r = runner.invoke(app, ["describe", str(folder)])
    assert r.exit_code == 0, r.output
    assert "<script" not in r.stdout and "<iframe" not in r.stdout
    assert check_markdown(r.stdout, values, {"t0"} if "t0" in values else set()) > 0
    desc = next(t for t, v in values.items() if v == case.description)
    assert _squash(case.description) in _squash(_Text_of(r.stdout)), desc


def _Text_of(md: str) -> str:  # noqa: N802 - reads as a noun
    from markdown_it import MarkdownIt

    p = _Text()
    p.feed(MarkdownIt("commonmark").enable("table").render(md))
    return "".join(p.text)


@pytest.mark.parametrize("command", [["check"], ["posterior"]])
def test_terminal_prints_user_text_as_typed(tmp_path: Path, command: list[str]) -> None:
    texts = [":skull: [bold red]x[/] \x1b[31m red", ":x:"]
    base = BASES["burglary"]
    data = base.model_dump(exclude_none=True)
    data["hypotheses"][0]["label"] = ":skull: [bold]h[/bold]"
    case, _ = hostile_case(mv.Case.model_validate(data), texts)
    folder = _write_folder(case, tmp_path / "case")
    r = runner.invoke(app, [*command, str(folder)], color=True)
    assert r.exit_code == 0, r.output
    assert "💀" not in r.output and "❌" not in r.output  # no emoji made from the user's text
    assert "\x1b[31m red" not in r.output  # the user's escape sequence is shown, not obeyed
    if command == [
        "check"
    ]:  # check prints the case's title: as typed, the escape sequence shown as \\x1b
        assert escape.plain(case.title) in r.output, r.output


def test_hostile_appendix_in_chromium(tmp_path: Path, browser: Any) -> None:
    """The page of a case whose every text field is hostile opens and runs its code.

    It shows the text as typed.
    """
    from motives.interactive import appendix

    texts = [
        "/*__SCRIPT__*/ __TITLE__ <script>window.pwned = 1</script>",
        "<img src=x onerror=window.pwned=2>",
        "</script><!-- <!--__STRUCTURE__--> /*__DATA__*/null",
        ':skull: =HYPERLINK("http://x")',
    ]
    case, values = hostile_case(BASES["burglary"], texts)
    path = appendix(case, tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    assert errors == [] and dialogs == []
    assert page.evaluate("window.pwned") is None
    assert page.title() == f"{case.title} — interactive appendix"
    assert page.locator("#title").inner_text() == case.title
    assert _squash(page.locator("#description").inner_text()) == _squash(case.description)
    body = page.locator("body").inner_text()
    for e in case.evidence:  # every item's title in the ledger, as typed
        assert _squash(e.title) in _squash(body), e.title
    assert page.evaluate("window.motives.last") is not None  # the engine ran: credences are shown
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    page.close()
