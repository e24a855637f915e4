"""ACH matrices to and from cases (CSV and XLSX) and Heuer's inconsistency score.

See issue 13, item 3.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives as mv
from motives import likelihood as _lk
from motives.ach import export_matrix, import_matrix, inconsistency, parse_cell, read_matrix
from motives.cli import app
from motives.errors import CaseError, MotivesError

MATRIX = (
    "id,title,National security,Regime "
    "security,Ideology,source,date,quote,credibility,confidence,rationale\n#label,,National "
    "security,Regime security,Ideology,,,,,,\n#prior,,0.5,0.25,0.25,,,,,,\n"
    'kozak,Kozak deal rejected,I,C,C,reuters,2022-02,"a deal, then no deal",0.75,,Deception fits '
    "it\ntroops,Troops massed,CC,C,0.45,,,,,medium,\nnato,NATO rhetoric,C,N,II,tass,2021,,0.5,,\n"
)


def _write(tmp_path: Path, text: str, name: str = "m.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_import_gives_a_case_check_accepts(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["import-matrix", str(_write(tmp_path, MATRIX)), "--out", str(tmp_path / "c")]
    )
    assert res.exit_code == 0, res.output
    assert (
        (tmp_path / "c" / "case.yaml")
        .read_text()
        .startswith("# Written by motives import-matrix from m.csv")
    )
    assert CliRunner().invoke(app, ["check", str(tmp_path / "c")]).exit_code == 0
    case = mv.load_case(tmp_path / "c")
    t = case.likelihood_table()
    assert t.loc["kozak", ["national_security", "regime_security", "ideology"]].tolist() == [
        0.3,
        0.7,
        0.7,
    ]
    assert case.prior_vector() == [0.5, 0.25, 0.25]
    assert (
        case.item("kozak").reported_by == "reuters"
        and case.source("reuters").reliability.mean == 0.75
    )
    assert (
        str(case.item("kozak").date) == "2022-02"
        and case.item("kozak").quote == "a deal, then no deal"
    )
    assert case.item("troops").likelihoods["default"].values["ideology"].concentration == 20.0
    assert [h.label for h in case.hypotheses] == [
        "National security",
        "Regime security",
        "Ideology",
    ]


def test_symbols_na_and_ids_from_titles(tmp_path: Path) -> None:
    p = _write(tmp_path, "Evidence,H one,H two,H three\nTroops massed,++,0,--\nTalks held,+,NA,-\n")
    case = mv.load_case(import_matrix(p, tmp_path / "c"))
    assert case.hypothesis_ids == ["h_one", "h_two", "h_three"]
    t = case.likelihood_table()
    assert t.loc["troops_massed"].tolist()[:3] == [
        0.9,
        0.5,
        0.1,
    ]  # 0 is ACH neutral in a matrix written in symbols
    assert t.loc["talks_held"].tolist()[:3] == pytest.approx(
        [0.7, 0.5, 0.3]
    )  # NA: mean of the others
    # without symbols, 0 is the number 0
    p2 = _write(tmp_path, "title,a,b\nSeen,0,0.5\n", "n.csv")
    assert (
        mv.load_case(import_matrix(p2, tmp_path / "d")).likelihood_table().loc["seen", "a"] == 0.0
    )


def test_bad_cells_are_one_located_message(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "title,a,b,date,credibility\nOne,likley,C,2022,\nTwo,C,,2022-13,\nThree,C,I,,sometimes\n",
    )
    with pytest.raises(CaseError) as info:
        import_matrix(p, tmp_path / "c")
    msgs = [str(x) for x in info.value.problems]
    assert len(msgs) == 4
    assert msgs[0].startswith(
        f"{p}:2: item 'one', field 'a': unknown likelihood phrase 'likley'. Did you mean 'likely'?"
    )
    assert msgs[1].startswith(f"{p}:3: item 'two', field 'b': empty cell")
    assert (
        msgs[2] == f"{p}:3: item 'two', field 'date': month must be in 1..12, got '2022-13' (YYYY, "
        "YYYY-MM or YYYY-MM-DD)"
    )
    assert msgs[3].startswith(
        f"{p}:4: item 'three', field 'credibility': credibility must be high, medium, low or a "
        "probability"
    )
    assert not (tmp_path / "c").exists()
    res = CliRunner().invoke(app, ["import-matrix", str(p), "--out", str(tmp_path / "c")])
    assert res.exit_code == 2 and "4 problems" in res.output


_BAD_OR_ODD = st.one_of(
    st.sampled_from(
        [
            "2025-13-01",
            "2025-02-30",
            "13/01/2025",
            "{icd203: likely}",
            "1e400",
            "nan",
            "-1",
            "2",
            "NA",
            "beta(0, 0)",
            "reuters 2022",
            "über",
            "#x",
            "true",
            "null",
            "~",
            "0o17",
            "0x1f",
            "- a",
            "a: b",
            "'q'",
            "30 %",
            "highly probable",
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    col=st.sampled_from(
        ["source", "date", "quote", "credibility", "confidence", "rationale", "title", "b"]
    ),
    value=_BAD_OR_ODD,
)
def test_any_cell_of_any_column_is_accepted_or_one_clean_located_line(
    tmp_path: Path, col: str, value: str
) -> None:
    """Every optional column's value is imported as written or refused in one line.

    A hypothesis column too. The line names the matrix file, its row and the column, never
    pydantic's text or the temporary folder's file.
    """
    import csv
    import io
    import shutil

    d = Path(tempfile.mkdtemp(dir=tmp_path))
    header = ["id", "title", "a", "b"] + ([col] if col not in ("title", "b") else [])
    row = {"id": "one", "title": "One", "a": "C", "b": "I", col: value}
    buf = io.StringIO()
    csv.writer(buf).writerows([header, [row[h] for h in header]])
    p = _write(d, buf.getvalue())
    try:
        case = mv.load_case(import_matrix(p, d / "out"))
    except CaseError as exc:
        assert not (d / "out").exists() and not [
            q for q in d.iterdir() if q.name.startswith(".out")
        ]
        (problem,) = exc.problems
        text = str(problem)
        assert text.startswith(f"{p}:2: item 'one', field '{col}': "), text
        assert "\n" not in text and "pydantic" not in text and "validation error" not in text, text
        assert text.count(f"'{col}'") == 1 or value.strip() == col, text  # the column is named once
    else:
        stripped = " ".join(value.split())
        if col in ("quote", "rationale", "title") and stripped:
            item = case.item("one")
            got = {
                "quote": item.quote,
                "title": item.title,
                "rationale": item.likelihoods["default"].rationale,
            }[col]
            assert got == value.strip(), (
                got,
                value,
            )  # text stays text (1e400, true, null are not numbers)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_matrix_shape_problems(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="at least two hypothesis columns"):
        import_matrix(_write(tmp_path, "title,a\nx,C\n"), tmp_path / "c")
    with pytest.raises(CaseError, match="appears twice"):
        read_matrix(_write(tmp_path, "title,a,A\nx,C,C\n", "d.csv"))
    with pytest.raises(CaseError, match="same source, one reliability|one source, one reliability"):
        import_matrix(
            _write(tmp_path, "title,a,b,source,credibility\nx,C,I,s,high\ny,C,I,s,low\n", "e.csv"),
            tmp_path / "c",
        )
    with pytest.raises(CaseError, match=r"\.csv or \.xlsx"):
        read_matrix(_write(tmp_path, "x", "m.txt"))


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    p = _write(tmp_path, MATRIX)
    import_matrix(p, tmp_path / "c")
    with pytest.raises(MotivesError, match="already exists; pass --force"):
        import_matrix(p, tmp_path / "c")
    import_matrix(p, tmp_path / "c", force=True)  # a folder it wrote: replaced
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "case.yaml").write_text("name: mine\n")
    with pytest.raises(MotivesError, match="did not write; not replacing it"):
        import_matrix(p, mine, force=True)
    assert (mine / "case.yaml").read_text() == "name: mine\n"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("name", ["two_lenses", "dice", "monty_hall", "diagnostic_test", "witness"])
def test_import_of_export_gives_the_same_likelihood_table(
    tmp_path: Path, name: str, suffix: str
) -> None:
    case = mv.examples.load(name)
    for lens in case.lens_ids:
        f = tmp_path / f"{lens}{suffix}"
        export_matrix(case, f, lens)
        back = mv.load_case(import_matrix(f, tmp_path / f"case_{lens}", lens=lens))
        a, b = case.likelihood_table(lens), back.likelihood_table(lens)
        assert list(b.index) == list(a.index) and back.hypothesis_ids == case.hypothesis_ids
        # cells are written with 15 significant digits (what a spreadsheet shows; float noise such
        # as 0.7400000000000001 becomes 0.74): a value moves by at most 5e-15 of itself
        assert np.allclose(
            a[case.hypothesis_ids].to_numpy(), b[case.hypothesis_ids].to_numpy(), rtol=5e-15, atol=0
        )
        sa, sb = case.likelihood_table(lens, stat="sd"), back.likelihood_table(lens, stat="sd")
        assert np.allclose(
            sa[case.hypothesis_ids].to_numpy(), sb[case.hypothesis_ids].to_numpy(), rtol=1e-12
        )
        assert mv.exact_posterior(back, lens)["credence"].to_numpy() == pytest.approx(
            mv.exact_posterior(case, lens)["credence"].to_numpy(), abs=1e-12
        )


def test_export_of_import_gives_the_same_cells(tmp_path: Path) -> None:
    p = _write(tmp_path, MATRIX)
    case = mv.load_case(import_matrix(p, tmp_path / "c"))
    export_matrix(case, tmp_path / "back.csv")
    original = [r for _, r in read_matrix(p)]
    back = [r for _, r in read_matrix(tmp_path / "back.csv")]
    ids = {
        "National security": "national_security",
        "Regime security": "regime_security",
        "Ideology": "ideology",
    }
    assert [{ids.get(k, k): v for k, v in r.items()} for r in original] == back
    export_matrix(case, tmp_path / "back.xlsx")
    xl = [
        {
            k: (
                ""
                if v is None
                else v
                if isinstance(v, str)
                else repr(v)
                if not float(v).is_integer()
                else str(int(v))
            )
            for k, v in r.items()
        }
        for _, r in read_matrix(tmp_path / "back.xlsx")
    ]
    assert [{k: v for k, v in r.items()} for r in xl] == back


def test_export_notes_what_a_matrix_cannot_hold(tmp_path: Path) -> None:
    notes = export_matrix(mv.examples.load("burglary"), tmp_path / "b.csv")
    assert any("items under propositions" in n for n in notes)
    res = CliRunner().invoke(
        app, ["export-matrix", str(mv.examples.path("burglary")), "--out", str(tmp_path / "x.csv")]
    )
    assert res.exit_code == 0 and "note: items under propositions" in res.output


def test_inconsistency_known_answers() -> None:
    case = mv.Case.model_validate(
        {
            "name": "ach",
            "hypotheses": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "evidence": [
                {"id": "e1", "title": "E1", "likelihoods": {"a": "C", "b": "I", "c": "II"}},
                {"id": "e2", "title": "E2", "likelihoods": {"a": "--", "b": "N", "c": "+"}},
                {"id": "e3", "title": "E3", "likelihoods": {"a": "I", "b": "I", "c": "I"}},
                {"id": "e4", "title": "E4", "likelihoods": {"a": 0.8, "b": 0.4, "c": 0.16}},
            ],
        }
    )
    s = inconsistency(case)
    assert s.to_dict("index") == {
        "a": {"I": 1, "II": 1, "score": 3},
        "b": {"I": 3, "II": 0, "score": 3},
        "c": {"I": 1, "II": 2, "score": 5},
    }


def test_posterior_reports_the_inconsistency(tmp_path: Path) -> None:
    import_matrix(_write(tmp_path, MATRIX), tmp_path / "c")
    res = CliRunner().invoke(app, ["posterior", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    assert (
        "ACH inconsistency (Heuer; I = 1, II = 2; lower is better): regime_security 0, "
        "national_security 1, ideology 3"
    ) in res.output  # troops: 0.45 is half of CC (a ratio row): I
    res = CliRunner().invoke(app, ["posterior", str(tmp_path / "c"), "--json"])
    assert json.loads(res.output)["ach_inconsistency"] == {
        "national_security": 1,
        "regime_security": 0,
        "ideology": 3,
    }


def test_xlsx_with_typed_cells(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Evidence", "Hypothesis A", "Hypothesis B", "Date", "Credibility", "Source"])
    ws.append(["Ships sighted", 0.8, "I", dt.datetime(2021, 3, 4), "High", "navy"])
    ws.append(["Radio silence", "++", "NA", None, None, None])
    ws.append([None, None, None, None, None, None])  # blank rows are skipped
    wb.save(tmp_path / "m.xlsx")
    case = mv.load_case(import_matrix(tmp_path / "m.xlsx", tmp_path / "c"))
    assert case.hypothesis_ids == ["hypothesis_a", "hypothesis_b"]
    t = case.likelihood_table()
    assert (
        t.loc["ships_sighted", "hypothesis_a"] == 0.8
        and t.loc["radio_silence", "hypothesis_b"] == 0.9
    )
    assert str(case.item("ships_sighted").date) == "2021-03-04"
    assert case.source("navy").reliability.mean == 0.9


def test_export_matrix_never_overwrites_without_force(tmp_path: Path) -> None:
    """An existing file (the analyst's own matrix, say) is kept unless --force is given."""
    mine = tmp_path / "mine.csv"
    mine.write_text("my own matrix\n", encoding="utf-8")
    case_dir = str(mv.examples.path("cookies"))
    r = CliRunner().invoke(app, ["export-matrix", case_dir, "--out", str(mine)])
    assert r.exit_code == 2 and "already exists; pass --force" in r.output
    assert mine.read_text(encoding="utf-8") == "my own matrix\n"
    r = CliRunner().invoke(app, ["export-matrix", case_dir, "--out", str(mine), "--force"])
    assert r.exit_code == 0, r.output
    assert mine.read_text(encoding="utf-8").startswith("id,")
    r = CliRunner().invoke(app, ["export-matrix", case_dir, "--out", str(tmp_path)])  # a folder
    assert r.exit_code == 2 and "is a folder" in r.output


def test_exported_numbers_carry_no_float_noise(tmp_path: Path) -> None:
    """A cell stored as 0.30000000000000004 (arithmetic on judgements) is written 0.3."""
    case = mv.Case.model_validate(
        {
            "name": "noise",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "evidence": [{"id": "e", "title": "E", "likelihoods": {"a": 0.1 + 0.2, "b": 0.45}}],
        }
    )
    assert case.evidence[0].judgements()["default"].values["a"].mean == 0.30000000000000004
    export_matrix(case, tmp_path / "m.csv", cells="numbers")
    text = (tmp_path / "m.csv").read_text(encoding="utf-8")
    assert "0.3," in text and "0.45" in text and "0000000" not in text and "9999999" not in text


_ICD_ONLY = [t for t in [*_lk.ICD203_RANGES, *_lk.ICD203_SYNONYMS] if t not in _lk.VERBAL_SCALE]


@pytest.mark.parametrize("term", _ICD_ONLY)
def test_a_plain_icd203_term_in_a_cell_says_how_to_write_it(term: str) -> None:
    """An ICD 203 term is a range, never silently read as a point phrase.

    The message gives the cell form.
    """
    with pytest.raises(ValueError, match=f"^'{term}' is an ICD 203 term .*: write icd203: {term}$"):
        parse_cell(term)
    assert parse_cell(f"icd203: {term}") == {
        "icd203": term
    }  # the form the message names is accepted


@settings(max_examples=200, deadline=None)
@given(word=st.sampled_from([*_lk.VERBAL_SCALE, *_ICD_ONLY]), data=st.data())
def test_every_hint_of_a_cell_error_is_a_cell_that_parses(word: str, data: st.DataObject) -> None:
    """The forms a cell's error message suggests are matrix cells, not YAML mappings.

    The forms are "Did you mean ...", "ICD 203 terms as ..."; {icd203: likely} is rejected in a
    cell.
    """
    i = data.draw(st.integers(0, len(word) - 1))
    typo = word[:i] + word[i + 1 :]  # one letter dropped
    try:
        parse_cell(typo)
    except ValueError as exc:
        msg = str(exc)
        assert "{icd203" not in msg, msg
        for hint in re.findall(
            r"Did you mean '([^']+)'\?|ICD 203 terms as (icd203: \w+)|write (icd203: .+)$", msg
        ):
            for h in hint:
                if h:
                    parse_cell(h)


@given(n=st.integers(0, 100))
def test_a_space_before_percent_is_accepted(n: int) -> None:
    assert parse_cell(f"{n} %") == parse_cell(f"{n}%") == n / 100


def test_a_yaml_mapping_in_a_cell_names_the_cell_form() -> None:
    with pytest.raises(ValueError, match=r"without braces: icd203: likely, beta\(7, 3\)"):
        parse_cell("{icd203: likely}")


def _two_lens_case(tmp_path: Path) -> Path:
    d = tmp_path / "case"
    d.mkdir()
    (d / "case.yaml").write_text(
        "name: lenses\ndefault_lens: default\nlenses: [{id: default}, {id: skeptic}]\n"
        "hypotheses: [{id: a}, {id: b}]\n"
    )
    (d / "evidence.yaml").write_text(
        "evidence:\n  - {id: rated, title: Rated by both, likelihoods: {default: {values: {a: C, "
        "b: I}}, skeptic: {values: {a: N, b: N}}}}\n  - {id: unrated, title: Default only, "
        "likelihoods: {default: {values: {a: CC, b: II}}}}\n"
    )
    return d


def test_export_under_a_lens_notes_the_items_it_does_not_rate(tmp_path: Path) -> None:
    d = _two_lens_case(tmp_path)
    res = CliRunner().invoke(
        app, ["export-matrix", str(d), "--lens", "skeptic", "--out", str(tmp_path / "s.csv")]
    )
    assert res.exit_code == 0, res.output
    assert (
        "note: lens 'skeptic' does not rate unrated: their cells are the default lens 'default''s "
        "judgements" in " ".join(res.output.split())
    )
    assert "rated," not in res.output.split("does not rate", 1)[1]  # only the item it does not rate
    res = CliRunner().invoke(app, ["export-matrix", str(d), "--out", str(tmp_path / "d.csv")])
    assert (
        res.exit_code == 0 and "does not rate" not in res.output
    )  # the default lens rates everything


def test_export_that_cannot_write_prints_no_notes_and_leaves_nothing(
    tmp_path: Path, monkeypatch
) -> None:
    import motives.ach

    def full(*a: object, **k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(motives.ach.csv, "writer", full)
    d = _two_lens_case(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    res = CliRunner().invoke(
        app, ["export-matrix", str(d), "--lens", "skeptic", "--out", str(out / "s.csv")]
    )
    assert res.exit_code == 2, res.output
    assert "cannot write" in res.output and "No space left on device" in res.output
    assert "note:" not in res.output and "Traceback" not in res.output
    assert list(out.iterdir()) == []  # no matrix, no temporary file


@given(st.lists(st.text("abcdefghij", min_size=1, max_size=25), min_size=1, max_size=12))
def test_a_long_header_is_cut_at_a_word_boundary(words: list[str]) -> None:
    from motives.ach import SLUG_LENGTH, slug

    full = "_".join(words)
    s = slug(" ".join(words))
    assert len(s) <= SLUG_LENGTH and full.startswith(s)
    if len(full) <= SLUG_LENGTH:
        assert s == full
    elif (
        len(words[0]) <= SLUG_LENGTH
    ):  # whole words only: the next character of the full id is a boundary
        assert full[len(s)] == "_" and s.split("_") == words[: len(s.split("_"))]


def test_headers_that_give_one_id_suggest_short_headers_and_a_label_row(tmp_path: Path) -> None:
    long = "The regime was acting against a perceived threat to its own survival"
    p = _write(tmp_path, f"title,{long} in power,{long} abroad,other\nx,C,I,N\n")
    with pytest.raises(CaseError) as info:
        import_matrix(p, tmp_path / "c")
    (msg,) = [str(x) for x in info.value.problems]
    assert (
        "give the same hypothesis id 'the_regime_was_acting_against_a_perceived_threat_to_its_own'"
        in msg
    )
    assert "short distinct headers" in msg and "#label row" in msg
    # the way out it names works
    p2 = _write(
        tmp_path,
        f"id,title,h1,h2,other\n#label,,{long} in power,{long} abroad,\ne1,x,C,I,N\n",
        "n.csv",
    )
    case = mv.load_case(import_matrix(p2, tmp_path / "c"))
    assert [h.label for h in case.hypotheses][:2] == [f"{long} in power", f"{long} abroad"]
