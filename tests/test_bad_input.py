"""Malformed cases: one clear message naming file, line (where YAML has one), item and field;
non-zero exit from the CLI; no traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import motives as mv
from motives.cli import app

CASE = """\
name: tiny
hypotheses:
  - {id: a, prior: 0.5}
  - {id: b, prior: 0.5}
lenses:
  - {id: me}
  - {id: you}
"""

ITEMS = """\
evidence:
  - id: e1
    title: first
    likelihoods:
      me:
        values: {a: 0.7, b: 0.3}
        rationale: because
"""


def write(tmp: Path, files: dict[str, str | bytes]) -> Path:
    d = tmp / "case"
    d.mkdir()
    for name, text in files.items():
        p = d / name
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(textwrap.dedent(text), encoding="utf-8")
    return d


def item(values: str, extra: str = "", lens: str = "me", ident: str = "e1") -> str:
    return f"""\
evidence:
  - id: {ident}
    title: an item{extra}
    likelihoods:
      {lens}:
        values: {values}
        rationale: because
"""


# (name, files, (file, line or None, must-appear substrings))
CASES = [
    (
        "probability above 1",
        {"case.yaml": CASE, "x.yaml": item("{a: 1.2, b: 0.3}")},
        ("x.yaml", 6, ["e1", "likelihoods.me.values.a", "[0, 1]"]),
    ),
    (
        "probability below 0",
        {"case.yaml": CASE, "x.yaml": item("{a: -0.1, b: 0.3}")},
        ("x.yaml", 6, ["e1", "values.a", "[0, 1]"]),
    ),
    (
        "row of zeros",
        {"case.yaml": CASE, "x.yaml": item("{a: 0, b: 0.0}")},
        ("x.yaml", 6, ["e1", "likelihoods.me.values", "every likelihood is 0"]),
    ),
    (
        "priors not summing to 1",
        {
            "case.yaml": CASE.replace(
                "prior: 0.5}\n  - {id: b, prior: 0.5}", "prior: 0.5}\n  - {id: b, prior: 0.6}"
            ),
            "x.yaml": ITEMS,
        },
        ("case.yaml", 2, ["hypotheses.prior", "sum to 1", "1.1"]),
    ),
    (
        "some priors missing",
        {"case.yaml": CASE.replace("{id: b, prior: 0.5}", "{id: b}"), "x.yaml": ITEMS},
        ("case.yaml", 4, ["hypothesis 'b'", "field 'prior'", "every hypothesis or for none"]),
    ),
    (
        "unknown hypothesis in likelihoods",
        {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.3, c: 0.2}")},
        ("x.yaml", 6, ["e1", "values.c", "unknown hypothesis 'c'", "Valid: a, b"]),
    ),
    (
        "missing hypothesis",
        {"case.yaml": CASE, "x.yaml": item("{a: 0.5}")},
        ("x.yaml", 6, ["e1", "likelihoods.me.values", "missing hypothesis 'b'"]),
    ),
    (
        "duplicate evidence ids",
        {"case.yaml": CASE, "x.yaml": ITEMS, "y.yaml": ITEMS},
        ("y.yaml", 2, ["duplicate evidence id 'e1'", "(first used at ", "x.yaml:2)"]),
    ),
    (
        "duplicate hypothesis ids",
        {"case.yaml": CASE.replace("{id: b, prior: 0.5}", "{id: a, prior: 0.5}"), "x.yaml": ITEMS},
        ("case.yaml", None, ["duplicate hypothesis id 'a'"]),
    ),
    (
        "unknown lens",
        {
            "case.yaml": CASE,
            "x.yaml": ITEMS + item("{a: 0.5, b: 0.5}", lens="him", ident="e2")[10:],
        },
        ("x.yaml", 11, ["e2", "likelihoods.him", "unknown lens 'him'", "Valid: me, you"]),
    ),
    (
        "unknown source key",
        {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    reported_by: nyt")},
        ("x.yaml", 4, ["e1", "reported_by", "unknown source 'nyt'"]),
    ),
    (
        "source not in references.bib",
        {
            "case.yaml": CASE,
            "x.yaml": item("{a: 0.5, b: 0.4}", "\n    sources: [smith2020]"),
            "references.bib": "@article{smyth2020, title={T}, author={S}, year={2020}}\n",
        },
        (
            "x.yaml",
            4,
            ["e1", "sources.0", "unknown BibTeX key 'smith2020'", "Did you mean 'smyth2020'"],
        ),
    ),
    (
        "given names a missing item",
        {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    given: [e9]")},
        ("x.yaml", 4, ["e1", "given", "unknown item 'e9'"]),
    ),
    (
        "given forms a cycle",
        {
            "case.yaml": CASE,
            "x.yaml": item("{a: 0.5, b: 0.4}", "\n    given: [e2]")
            + item("{a: 0.5, b: 0.4}", "\n    given: [e1]", ident="e2")[10:],
        },
        ("x.yaml", 4, ["given", "cycle", "e1 -> e2 -> e1"]),
    ),
    (
        "interval lo > hi",
        {"case.yaml": CASE, "x.yaml": item("{a: {interval: [0.9, 0.5]}, b: 0.3}")},
        ("x.yaml", 6, ["e1", "values.a", "lo < hi"]),
    ),
    (
        "unknown verbal phrase",
        {"case.yaml": CASE, "x.yaml": item("{a: very likley, b: 0.3}")},
        (
            "x.yaml",
            6,
            [
                "e1",
                "values.a",
                "unknown likelihood phrase 'very likley'",
                "Did you mean 'very likely'",
            ],
        ),
    ),
    (
        "python object tag",
        {"case.yaml": CASE, "x.yaml": "evidence: !!python/object/apply:os.system ['echo hi']\n"},
        ("x.yaml", 1, ["python/object", "loaded safely"]),
    ),
    ("empty file", {"case.yaml": CASE, "x.yaml": "   \n"}, ("x.yaml", None, ["file is empty"])),
    (
        "non-UTF-8 file",
        {
            "case.yaml": CASE,
            "x.yaml": "evidence:\n  - id: e1\n    title: caf\xe9\n".encode("latin-1"),
        },
        ("x.yaml", 3, ["not UTF-8", "0xe9"]),
    ),
    (
        "typo'd key",
        {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    footnote: [3]")},
        ("x.yaml", 4, ["e1", "footnote", "unknown key 'footnote'", "Did you mean 'footnotes'"]),
    ),
    (
        "duplicate YAML key",
        {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    title: again")},
        ("x.yaml", 4, ["duplicate key 'title'", "first on line 3"]),
    ),
    (
        "impossible date",
        {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    date: 2022-02-30")},
        ("x.yaml", 4, ["e1", "date"]),
    ),
    (
        "YAML syntax error",
        {"case.yaml": CASE, "x.yaml": "evidence:\n  - id: e1\n    title: [unclosed\n"},
        ("x.yaml", None, ["expected"]),
    ),
    (
        "bad confidence",
        {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}\n        confidence: certain")},
        ("x.yaml", 7, ["e1", "confidence", "low", "high"]),
    ),
    (
        "unknown default lens",
        {"case.yaml": CASE + "default_lens: them\n", "x.yaml": ITEMS},
        ("case.yaml", 8, ["default_lens", "'them'"]),
    ),
    (
        "anchors and aliases",
        {
            "case.yaml": CASE,
            "x.yaml": "evidence:\n  - &x {id: e1, title: t, likelihoods: {a: 1, b: 1}}\n  - *x\n",
        },
        ("x.yaml", 3, ["aliases are not supported", "evidence.1", "value on line 2"]),
    ),
    ("missing case.yaml", {"x.yaml": ITEMS}, ("case.yaml", None, ["no case.yaml"])),
]


# ------------------------------------------------------------------ structured cases (propositions)


def prop(
    ident: str = "p1", values: str = "{a: 0.8, b: 0.3}", extra: str = "", lens: str = "me"
) -> str:
    """A proposition entry of 7 lines, with ``extra`` on one line after the title.

    The lines: id, title, extra, likelihoods...
    """
    return f"""\
  - id: {ident}
    title: a fact{extra}
    likelihoods:
      {lens}:
        values: {values}
        rationale: because
"""


def sitem(
    ident: str = "e1", bears: str = "p1", values: str = "{yes: 0.7, no: 0.2}", lens: str = "me"
) -> str:
    """An item bearing on ``bears``, in 7 lines.

    The lines: id, title, bears_on, likelihoods, lens, values, rationale.
    """
    return f"""\
  - id: {ident}
    title: an item
    bears_on: {bears}
    likelihoods:
      {lens}:
        values: {values}
        rationale: because
"""


def sfile(props: list[str], items: list[str]) -> str:
    """An evidence file: ``propositions:`` on line 1, then ``evidence:``."""
    return "propositions:\n" + "".join(props) + "evidence:\n" + "".join(items)


THREE = "\n    states: [hi, mid, lo]"
ROW_A, ROW_B = "{hi: 0.5, mid: 0.3, lo: 0.2}", "{hi: 0.2, mid: 0.3, lo: 0.5}"
ITEM3 = "{hi: 0.5, mid: 0.3, lo: 0.1}"


def rows(a: str, b: str = ROW_B) -> str:
    """A three-state table: hypothesis a's row, hypothesis b's row."""
    return "{a: " + a + ", b: " + b + "}"


STRUCTURED = [
    (
        "proposition bears on an unknown parent",
        {
            "case.yaml": CASE,
            "x.yaml": sfile(
                [prop(), prop("p2", "{yes: 0.6, no: 0.1}", "\n    bears_on: p9")], [sitem()]
            ),
        },
        (
            "x.yaml",
            10,
            [
                "p2",
                "bears_on",
                "unknown proposition 'p9'",
                "'hypotheses' or a declared proposition id",
                "(p1)",
            ],
        ),
    ),
    (
        "item bears on an unknown parent",
        {"case.yaml": CASE, "x.yaml": sfile([prop()], [sitem(bears="pp1")])},
        ("x.yaml", 11, ["e1", "bears_on", "unknown proposition 'pp1'", "Did you mean 'p1'"]),
    ),
    (
        "proposition in case.yaml with an unknown parent",
        {
            "case.yaml": CASE + "propositions:\n" + prop(extra="\n    bears_on: nope"),
            "x.yaml": "evidence:\n" + sitem(),
        },
        ("case.yaml", 11, ["p1", "bears_on", "unknown proposition 'nope'"]),
    ),
    (
        "a cycle of propositions",
        {
            "case.yaml": CASE,
            "x.yaml": sfile(
                [
                    prop("p1", "{yes: 0.8, no: 0.3}", "\n    bears_on: p2"),
                    prop("p2", "{yes: 0.6, no: 0.1}", "\n    bears_on: p1"),
                ],
                [sitem()],
            ),
        },
        ("x.yaml", 4, ["p1", "bears_on", "forms a cycle", "p1 -> p2 -> p1"]),
    ),
    (
        "a proposition bears on itself",
        {"case.yaml": CASE, "x.yaml": sfile([prop(extra="\n    bears_on: p1")], [sitem()])},
        ("x.yaml", 4, ["p1", "bears_on", "cannot bear on itself"]),
    ),
    (
        "a multi-state row not summing to 1",
        {
            "case.yaml": CASE,
            "x.yaml": sfile(
                [prop(values=rows("{hi: 0.5, mid: 0.3, lo: 0.3}"), extra=THREE)],
                [sitem(values=ITEM3)],
            ),
        },
        ("x.yaml", 7, ["p1", "likelihoods.me.values.a", "must sum to 1", "sums to 1.1"]),
    ),
    (
        "a row naming an unknown state",
        {
            "case.yaml": CASE,
            "x.yaml": sfile(
                [prop(values=rows("{hi: 0.5, mid: 0.3, low: 0.2}"), extra=THREE)],
                [sitem(values=ITEM3)],
            ),
        },
        ("x.yaml", 7, ["p1", "likelihoods.me.values.a", "unknown ['low']", "missing ['lo']"]),
    ),
    (
        "a row with a probability above 1",
        {
            "case.yaml": CASE,
            "x.yaml": sfile(
                [prop(values=rows("{hi: 1.5, mid: 0.3, lo: 0.2}"), extra=THREE)],
                [sitem(values=ITEM3)],
            ),
        },
        ("x.yaml", 7, ["p1", "likelihoods.me.values.a", "P(hi)", "[0, 1]", "1.5"]),
    ),
    (
        "a two-state cell above 1 gets one message",
        {"case.yaml": CASE, "x.yaml": sfile([prop(values="{a: 1.3, b: 0.3}")], [sitem()])},
        ("x.yaml", 6, ["p1", "likelihoods.me.values.a", "[0, 1]"]),
    ),
    (
        "an item under a proposition keyed by hypotheses",
        {"case.yaml": CASE, "x.yaml": sfile([prop()], [sitem(values="{a: 0.7, b: 0.2}")])},
        (
            "x.yaml",
            14,
            [
                "e1",
                "likelihoods.me.values",
                "bears on proposition 'p1'",
                "states ['yes', 'no']",
                "not by hypotheses",
            ],
        ),
    ),
    (
        "a proposition under a proposition keyed by hypotheses",
        {
            "case.yaml": CASE,
            "x.yaml": sfile(
                [prop(), prop("p2", "{a: 0.6, b: 0.1}", "\n    bears_on: p1")], [sitem(bears="p2")]
            ),
        },
        (
            "x.yaml",
            13,
            ["p2", "likelihoods.me.values", "bears on proposition 'p1'", "not by hypotheses"],
        ),
    ),
    (
        "an item on the hypotheses keyed by states",
        {
            "case.yaml": CASE,
            "x.yaml": sfile([prop()], [sitem(), sitem("e2", "hypotheses", "{yes: 0.7, no: 0.2}")]),
        },
        (
            "x.yaml",
            21,
            [
                "e2",
                "likelihoods.me.values",
                "keyed by states",
                "bears on the hypotheses",
                "set bears_on: p1",
            ],
        ),
    ),
    (
        "a proposition on the hypotheses keyed by states",
        {"case.yaml": CASE, "x.yaml": sfile([prop(values="{yes: 0.7, no: 0.2}")], [sitem()])},
        (
            "x.yaml",
            6,
            ["p1", "likelihoods.me.values", "keyed by states", "key it by hypothesis ids"],
        ),
    ),
    (
        "a single number for a three-state proposition",
        {
            "case.yaml": CASE,
            "x.yaml": sfile([prop(values=rows("0.5"), extra=THREE)], [sitem(values=ITEM3)]),
        },
        (
            "x.yaml",
            7,
            [
                "p1",
                "likelihoods.me.values.a",
                "3 states",
                "{state: probability, ...}",
                "only for two states",
            ],
        ),
    ),
    (
        "no table for the default lens",
        {"case.yaml": CASE, "x.yaml": sfile([prop(lens="you")], [sitem()])},
        (
            "x.yaml",
            4,
            ["p1", "field 'likelihoods'", "no table for the default lens 'me'", "tables for: you"],
        ),
    ),
    (
        "duplicate proposition id",
        {"case.yaml": CASE, "x.yaml": sfile([prop(), prop()], [sitem()])},
        (
            "x.yaml",
            8,
            ["p1", "field 'id'", "duplicate proposition id 'p1'", "(first used at ", "x.yaml:2)"],
        ),
    ),
    (
        "a proposition and an item share an id",
        {"case.yaml": CASE, "x.yaml": sfile([prop()], [sitem(), sitem("p1")])},
        ("x.yaml", 2, ["p1", "field 'id'", "both a proposition and an evidence item id"]),
    ),
    (
        "duplicate states",
        {
            "case.yaml": CASE,
            "x.yaml": sfile([prop(extra="\n    states: [yes, no, yes]")], [sitem()]),
        },
        ("x.yaml", 4, ["p1", "states", "duplicate state(s) ['yes']"]),
    ),
    (
        "an item keyed by another proposition's states",
        {
            "case.yaml": CASE,
            "x.yaml": sfile(
                [prop(), prop("p2", "{a: 0.6, b: 0.1}", "\n    states: [high, low]")],
                [sitem(), sitem("e2", "p2", "{yes: 0.7, no: 0.2}")],
            ),
        },
        (
            "x.yaml",
            28,
            [
                "e2",
                "likelihoods.me.values",
                "bears on proposition 'p2'",
                "the states of 'p1'",
                "key it by ['high', 'low'], or set bears_on: p1",
            ],
        ),
    ),
    (
        "an item's state value outside [0, 1]",
        {"case.yaml": CASE, "x.yaml": sfile([prop()], [sitem(values="{yes: 7, no: 0.2}")])},
        ("x.yaml", 14, ["e1", "likelihoods.me.values.yes", "[0, 1]"]),
    ),
]
CASES += STRUCTURED


@pytest.mark.parametrize(("name", "files", "expect"), CASES, ids=[c[0] for c in CASES])
def test_load_case_reports_file_line_item_field(
    tmp_path: Path, name: str, files: dict, expect: tuple
) -> None:
    folder = write(tmp_path, files)
    fname, line, needles = expect
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(folder)
    msg = str(info.value)
    first = info.value.problems[0]
    assert first.file is not None and first.file.endswith(fname), msg
    if line is not None:
        assert any(p.line == line for p in info.value.problems), msg
        assert f"{fname}:{line}" in msg
    for needle in needles:
        assert needle in msg, f"{needle!r} not in {msg!r}"


@pytest.mark.parametrize(("name", "files", "expect"), CASES, ids=[c[0] for c in CASES])
def test_cli_check_exits_nonzero_without_traceback(
    tmp_path: Path, name: str, files: dict, expect: tuple
) -> None:
    folder = write(tmp_path, files)
    result = CliRunner().invoke(app, ["check", str(folder)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert expect[0] in result.output


def test_structured_control_loads_and_check_warns_about_unused_propositions(tmp_path: Path) -> None:
    """The scaffolding of the structured cases loads.

    An unused proposition is a warning (exit 0), and check lists propositions, their items and what
    a lens falls back on.
    """
    folder = write(tmp_path, {"case.yaml": CASE, "x.yaml": sfile([prop(), prop("p2")], [sitem()])})
    case = mv.load_case(folder)
    assert case.unused_propositions() == ["p2"] and case.fallbacks("you") == ["p1", "p2", "e1"]
    result = CliRunner().invoke(app, ["check", str(folder)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert (
        "warning" in result.output and "no item bears on" in result.output and "p2" in result.output
    )
    assert "Propositions (parents first)" in result.output
    assert "lens you does not rate 2 propositions; they use me's tables: p1, p2" in result.output
    assert "lens you does not rate 1 item; they use me: e1" in result.output


def test_structured_count() -> None:
    assert len(STRUCTURED) >= 10


@pytest.mark.parametrize(
    "name",
    ["a two-state cell above 1 gets one message", "an item keyed by another proposition's states"],
)
def test_one_defect_one_message(tmp_path: Path, name: str) -> None:
    """A bad cell is not also reported as a bad {state: p} row.

    A table keyed by the wrong proposition's states is one message, not one per key.
    """
    files = next(c[1] for c in STRUCTURED if c[0] == name)
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(write(tmp_path, files))
    assert len(info.value.problems) == 1, str(info.value)


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4, c: 0.1}", "\n    given: [nope]")},
    )
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(folder)
    assert len(info.value.problems) == 2


def test_valid_minimal_case_loads(tmp_path: Path) -> None:
    """The control: the same scaffolding without the defect loads."""
    case = mv.load_case(write(tmp_path, {"case.yaml": CASE, "x.yaml": ITEMS}))
    assert case.hypothesis_ids == ["a", "b"]
    assert case.fallbacks("you") == ["e1"]


def test_unknown_lens_in_api_and_cli(tmp_path: Path) -> None:
    folder = write(tmp_path, {"case.yaml": CASE, "x.yaml": ITEMS})
    with pytest.raises(mv.CaseError, match="unknown lens 'they'"):
        mv.exact_posterior(mv.load_case(folder), lens="they")
    result = CliRunner().invoke(app, ["posterior", str(folder), "--lens", "they"])
    assert result.exit_code == 2 and "unknown lens 'they'" in result.output


def test_a_comma_in_a_braced_label_gets_a_hint_to_quote_it(tmp_path: Path) -> None:
    """{id: a, label: Smith, Jones}: YAML reads 'Jones' as a key with no value.

    The message says to quote the label (issue 22's smaller point), on the line, naming the
    hypothesis.
    """
    folder = write(
        tmp_path,
        {
            "case.yaml": CASE.replace(
                "{id: a, prior: 0.5}", "{id: a, label: Smith, Jones, prior: 0.5}"
            ),
            "x.yaml": ITEMS,
        },
    )
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(folder)
    msg = str(info.value)
    assert (
        "case.yaml:3" in msg
        and "unknown key 'Jones'" in msg
        and 'quote that value (e.g. label: "Smith, Jones")' in msg
    )
    assert len(info.value.problems) == 1
