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
    ("probability above 1", {"case.yaml": CASE, "x.yaml": item("{a: 1.2, b: 0.3}")},
     ("x.yaml", 6, ["e1", "likelihoods.me.values.a", "[0, 1]"])),
    ("probability below 0", {"case.yaml": CASE, "x.yaml": item("{a: -0.1, b: 0.3}")},
     ("x.yaml", 6, ["e1", "values.a", "[0, 1]"])),
    ("row of zeros", {"case.yaml": CASE, "x.yaml": item("{a: 0, b: 0.0}")},
     ("x.yaml", 6, ["e1", "likelihoods.me.values", "every likelihood is 0"])),
    ("priors not summing to 1", {"case.yaml": CASE.replace("prior: 0.5}\n  - {id: b, prior: 0.5}",
                                                          "prior: 0.5}\n  - {id: b, prior: 0.6}"),
                                 "x.yaml": ITEMS},
     ("case.yaml", 2, ["hypotheses.prior", "sum to 1", "1.1"])),
    ("some priors missing", {"case.yaml": CASE.replace("{id: b, prior: 0.5}", "{id: b}"), "x.yaml": ITEMS},
     ("case.yaml", 4, ["item 'b'", "field 'prior'", "every hypothesis or for none"])),
    ("unknown hypothesis in likelihoods", {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.3, c: 0.2}")},
     ("x.yaml", 6, ["e1", "values.c", "unknown hypothesis 'c'", "Valid: a, b"])),
    ("missing hypothesis", {"case.yaml": CASE, "x.yaml": item("{a: 0.5}")},
     ("x.yaml", 6, ["e1", "likelihoods.me.values", "missing hypothesis 'b'"])),
    ("duplicate evidence ids", {"case.yaml": CASE, "x.yaml": ITEMS, "y.yaml": ITEMS},
     ("x.yaml", 2, ["duplicate evidence id 'e1'"])),
    ("duplicate hypothesis ids", {"case.yaml": CASE.replace("{id: b, prior: 0.5}", "{id: a, prior: 0.5}"),
                                  "x.yaml": ITEMS},
     ("case.yaml", None, ["duplicate hypothesis id 'a'"])),
    ("unknown lens", {"case.yaml": CASE, "x.yaml": ITEMS + item("{a: 0.5, b: 0.5}", lens="him", ident="e2")[10:]},
     ("x.yaml", 11, ["e2", "likelihoods.him", "unknown lens 'him'", "Valid: me, you"])),
    ("unknown source key", {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    reported_by: nyt")},
     ("x.yaml", 4, ["e1", "reported_by", "unknown source 'nyt'"])),
    ("source not in references.bib", {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    sources: [smith2020]"),
                                      "references.bib": "@article{smyth2020, title={T}, author={S}, year={2020}}\n"},
     ("x.yaml", 4, ["e1", "sources.0", "unknown BibTeX key 'smith2020'", "Did you mean 'smyth2020'"])),
    ("given names a missing item", {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    given: [e9]")},
     ("x.yaml", 4, ["e1", "given", "unknown item 'e9'"])),
    ("given forms a cycle", {"case.yaml": CASE,
                             "x.yaml": item("{a: 0.5, b: 0.4}", "\n    given: [e2]") +
                             item("{a: 0.5, b: 0.4}", "\n    given: [e1]", ident="e2")[10:]},
     ("x.yaml", 4, ["given", "cycle", "e1 -> e2 -> e1"])),
    ("interval lo > hi", {"case.yaml": CASE, "x.yaml": item("{a: {interval: [0.9, 0.5]}, b: 0.3}")},
     ("x.yaml", 6, ["e1", "values.a", "lo < hi"])),
    ("unknown verbal phrase", {"case.yaml": CASE, "x.yaml": item("{a: very likley, b: 0.3}")},
     ("x.yaml", 6, ["e1", "values.a", "unknown likelihood phrase 'very likley'", "Did you mean 'very likely'"])),
    ("python object tag", {"case.yaml": CASE, "x.yaml": "evidence: !!python/object/apply:os.system ['echo hi']\n"},
     ("x.yaml", 1, ["python/object", "loaded safely"])),
    ("empty file", {"case.yaml": CASE, "x.yaml": "   \n"},
     ("x.yaml", None, ["file is empty"])),
    ("non-UTF-8 file", {"case.yaml": CASE, "x.yaml": "evidence:\n  - id: e1\n    title: caf\xe9\n".encode("latin-1")},
     ("x.yaml", 3, ["not UTF-8", "0xe9"])),
    ("typo'd key", {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    footnote: [3]")},
     ("x.yaml", 4, ["e1", "footnote", "unknown key 'footnote'", "Did you mean 'footnotes'"])),
    ("duplicate YAML key", {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    title: again")},
     ("x.yaml", 4, ["duplicate key 'title'", "first on line 3"])),
    ("impossible date", {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}", "\n    date: 2022-02-30")},
     ("x.yaml", 4, ["e1", "date"])),
    ("YAML syntax error", {"case.yaml": CASE, "x.yaml": "evidence:\n  - id: e1\n    title: [unclosed\n"},
     ("x.yaml", None, ["expected"])),
    ("bad confidence", {"case.yaml": CASE, "x.yaml": item("{a: 0.5, b: 0.4}\n        confidence: certain")},
     ("x.yaml", 7, ["e1", "confidence", "low", "high"])),
    ("unknown default lens", {"case.yaml": CASE + "default_lens: them\n", "x.yaml": ITEMS},
     ("case.yaml", 8, ["default_lens", "'them'"])),
    ("anchors and aliases", {"case.yaml": CASE,
                             "x.yaml": "evidence:\n  - &x {id: e1, title: t, likelihoods: {a: 1, b: 1}}\n  - *x\n"},
     ("x.yaml", 3, ["aliases are not supported", "evidence.1", "value on line 2"])),
    ("missing case.yaml", {"x.yaml": ITEMS}, ("case.yaml", None, ["no case.yaml"])),
]


@pytest.mark.parametrize(("name", "files", "expect"), CASES, ids=[c[0] for c in CASES])
def test_load_case_reports_file_line_item_field(tmp_path: Path, name: str, files: dict, expect: tuple) -> None:
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
def test_cli_check_exits_nonzero_without_traceback(tmp_path: Path, name: str, files: dict, expect: tuple) -> None:
    folder = write(tmp_path, files)
    result = CliRunner().invoke(app, ["check", str(folder)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert expect[0] in result.output


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    folder = write(tmp_path, {"case.yaml": CASE,
                              "x.yaml": item("{a: 0.5, b: 0.4, c: 0.1}", "\n    given: [nope]")})
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
