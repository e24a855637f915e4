"""Tables and numbers (issue 13, item 5 and the cosmetic bullet).

What printed tables show and leave out.

- exact results have no interval columns (an MCMC table with intervals keeps them);
- family rows appear only when some family groups two or more hypotheses;
- the JSON summary carries the prior;
- values below the engine's resolution print as 0, the resolution is stated once, and a
  non-diagnostic item has tornado direction 0;
- LaTeX column headers take a ``headers=`` mapping or a ``short`` label;
- counts are pluralised and an empty title is not shown as ``name: ``.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives as mv
from motives import report as R
from motives.cli import app
from motives.conventions import (
    DB_RESOLUTION,
    PROB_RESOLUTION,
    RESOLUTION_NOTE,
    families_group,
    number_text,
    plural,
)
from motives.sensitivity import tornado

runner = CliRunner()
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw: st.DrawFn) -> mv.Case:
    """A flat case.

    2-5 hypotheses with random priors and 2+ families, one diagnostic and one flat item.
    """
    k = draw(st.integers(2, 5))
    raw = draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k))
    priors = [p / sum(raw) for p in raw]
    priors[-1] = 1.0 - sum(priors[:-1])
    fams = draw(
        st.lists(st.sampled_from(["f1", "f2", "f3", "f4", "f5"]), min_size=k, max_size=k).filter(
            lambda f: len(set(f)) > 1
        )
        if draw(st.booleans())
        else st.just([f"h{i}" for i in range(k)])
    )
    flat = draw(st.floats(0.05, 0.95))
    diag = draw(
        st.lists(st.floats(0.05, 0.95), min_size=k, max_size=k).filter(
            lambda v: max(v) - min(v) > 0.1
        )
    )
    hs = [f"h{i}" for i in range(k)]
    return mv.Case.model_validate(
        {
            "name": "gen",
            "hypotheses": [
                {"id": h, "prior": p, "family": f} for h, p, f in zip(hs, priors, fams, strict=True)
            ],
            "evidence": [
                {"id": "flat", "title": "Flat", "likelihoods": dict.fromkeys(hs, flat)},
                {"id": "real", "title": "Real", "likelihoods": dict(zip(hs, diag, strict=True))},
            ],
        }
    )


def _grouped(case: mv.Case) -> bool:
    return len({h.family_id for h in case.hypotheses}) < len(case.hypotheses)


def _rows(tex: str) -> list[str]:
    body = tex[tex.index(r"\midrule") : tex.index(r"\bottomrule")]
    return [ln for ln in body.splitlines() if ln.endswith("\\\\")]


# ----------------------------------------------------------------------------- intervals


@SETTINGS
@given(cases())
def test_exact_tables_have_no_interval_columns(case):
    tex = R.posterior_latex(case)
    assert "interval" not in tex and not re.search(r"\[\d\.\d+, \d\.\d+\]", tex)
    assert R.check_latex(tex) == []
    assert "lower" not in R.posterior_table(case).columns
    md = R.posterior_markdown(case)
    assert "| lower |" not in md and "has no interval" in md


def test_mcmc_tables_keep_their_intervals():
    case = mv.examples.load("diagnostic_test")
    ex = mv.exact_posterior(case)
    fit = ex[["credence"]].assign(
        lower=ex["credence"] - 0.02, upper=ex["credence"] + 0.03, prior=ex["prior"]
    )
    tex = R.posterior_latex(case, method="mcmc", table=fit)
    assert R.check_latex(tex) == [] and r"90\% interval" in tex
    assert "condition & 0.010 & 0.092 & [0.072, 0.122]" in tex
    md = R.posterior_markdown(case, method="mcmc", table=fit)
    assert "| lower | upper |" in md and "90% central interval" in md


# ----------------------------------------------------------------------------- family rows


@SETTINGS
@given(cases())
def test_family_rows_only_when_families_group_hypotheses(case):
    grouped = _grouped(case)
    assert families_group(mv.exact_posterior(case)) is grouped
    rows = _rows(R.posterior_latex(case))
    n_fam = len({h.family_id for h in case.hypotheses})
    assert len(rows) == len(case.hypotheses) + (n_fam if grouped else 0)
    assert any("(family)" in r for r in rows) is grouped
    md = R.posterior_markdown(case)
    assert ("| family |" in md) is grouped
    # forcing them stays possible
    assert "(family)" in R.posterior_latex(case, families=True)


def test_report_leaves_out_family_rows_that_repeat_hypotheses():
    case = mv.examples.load("monty_hall")  # three hypotheses, each its own family
    md = R.report_markdown(
        case, mv.sensitivity.run_all(case, sobol_samples=32), {}, spec={"name": "m"}
    )
    assert not re.search(r"^\| family \|", md, flags=re.M)
    assert md.count(RESOLUTION_NOTE) == 1  # the resolution is stated once in the document


def test_json_keeps_its_shape_and_states_the_prior_and_resolution():
    r = runner.invoke(app, ["posterior", str(mv.examples.path("diagnostic_test")), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["hypotheses"]["condition"]["prior"] == pytest.approx(0.01)
    assert d["hypotheses"]["healthy"]["prior"] == pytest.approx(0.99)
    assert set(d["families"]) == {
        "condition",
        "healthy",
    }  # stable shape for programs (see summary_dict)
    assert d["resolution"] == {
        "probability": PROB_RESOLUTION,
        "decibans": DB_RESOLUTION,
        "note": d["resolution"]["note"],
    }


def test_mcmc_summary_gets_the_prior():
    """An MCMC summary table has credences and intervals only.

    The CLI puts the prior in (posterior, run).
    """
    from motives.app.summary import fill_prior as _fill_prior
    from motives.conventions import summary_dict

    case = mv.examples.load("diagnostic_test")
    ex = mv.exact_posterior(case)
    fit = ex[["credence"]].assign(lower=ex["credence"] - 0.01, upper=ex["credence"] + 0.01)
    d = summary_dict(fit, method="mcmc", lens="default")
    assert d["hypotheses"]["condition"]["prior"] is None
    _fill_prior(d, case, "default")
    assert d["hypotheses"]["condition"]["prior"] == pytest.approx(0.01)
    assert d["families"]["healthy"]["prior"] == pytest.approx(0.99)
    _fill_prior(d, case, "default", {"condition": 0.2, "healthy": 0.8})  # a spec's own prior
    assert d["hypotheses"]["condition"]["prior"] == pytest.approx(0.2)


def test_cli_posterior_table_has_prior_and_no_repeated_rows():
    r = runner.invoke(app, ["posterior", str(mv.examples.path("monty_hall"))])
    assert r.exit_code == 0, r.output
    header = next(ln for ln in r.output.splitlines() if "credence" in ln)
    assert "prior" in header and "lower" not in header and "upper" not in header
    assert "│ family" not in r.output and "interval" not in r.output.splitlines()[0]
    assert r.output.count(RESOLUTION_NOTE) == 1


# ----------------------------------------------------------------------------- resolution


@SETTINGS
@given(cases())
def test_noise_below_resolution_prints_as_zero_and_has_no_direction(case):
    tor = tornado(case)
    assert tor.loc["flat", "direction"] == 0
    assert tor.loc["real", "direction"] != 0
    md = R.to_markdown(tor[["swing_db", "low_db", "high_db"]], digits=4)
    flat_row = next(ln for ln in md.splitlines() if ln.startswith("| flat |"))
    assert flat_row.split(" | ")[1] == "0.0000"
    ev = R.evidence_markdown(case)
    assert next(ln for ln in ev.splitlines() if ln.startswith("| flat |")).endswith("| 0.00 |")
    tex = R.evidence_latex(case).replace(R.latex_escape(RESOLUTION_NOTE), "")
    assert not re.search(r"\de-\d", ev.replace(RESOLUTION_NOTE, "") + tex)  # no 4.8e-16 anywhere


@given(
    st.floats(-1e-9, 1e-9).filter(lambda x: x != 0),
    st.floats(-1e-12, 1e-12).filter(lambda x: x != 0),
)
def test_fmt_resolution(db_noise, p_noise):
    if abs(db_noise) < DB_RESOLUTION:
        assert float(number_text(db_noise, 2, db=True)) == 0 and "-" not in number_text(
            db_noise, 2, db=True
        )
    if abs(p_noise) < PROB_RESOLUTION:
        assert number_text(p_noise, 3) == "0.000"
    assert number_text(2.8e-10, 2) == "2.8e-10"  # above the resolution: still shown


def test_tables_column_kinds_use_their_resolution():
    df = pd.DataFrame(
        {"decibans": [4.8e-16, 5e-9], "credence": [5e-13, 5e-9]},
        index=pd.Index(["a", "b"], name="x"),
    )
    md = R.to_markdown(df, digits=2)
    assert "| a | 0.00 | 0.00 |" in md and "| b | 5e-09 | 5e-09 |" in md


# ----------------------------------------------------------------------------- LaTeX headers


def test_latex_short_headers_by_mapping_and_by_attribute():
    case = mv.examples.load("diagnostic_test")
    tex = R.evidence_latex(case, headers={"condition": "C+", "healthy": "C-"})
    assert "Item & C+ & C- & dB & Sources" in tex and R.check_latex(tex) == []
    with pytest.raises(ValueError, match="unknown hypotheses"):
        R.evidence_latex(case, headers={"nope": "N"})
    h = case.hypotheses[0]
    object.__setattr__(h, "short", "Cond_1")  # a schema with ``short:`` labels: used when present
    tex = R.evidence_latex(case)
    assert r"Item & Cond\_1 & healthy & dB" in tex
    # rows of the posterior table take a labels= mapping
    assert r"has it & 0.010" in R.posterior_latex(case, labels={"condition": "has it"})


# ----------------------------------------------------------------------------- cosmetics


@pytest.mark.parametrize(
    "n,word,many,want",
    [
        (1, "lens", "lenses", "1 lens"),
        (3, "lens", "lenses", "3 lenses"),
        (1, "evidence item", None, "1 evidence item"),
        (0, "reference", None, "0 references"),
    ],
)
def test_plural(n, word, many, want):
    assert plural(n, word, many) == want


def test_check_pluralises_and_hides_an_empty_title(tmp_path: Path):
    d = tmp_path / "case"
    d.mkdir()
    (d / "case.yaml").write_text(
        textwrap.dedent("""\
        name: tiny
        hypotheses:
          - {id: a, prior: 0.5}
          - {id: b, prior: 0.5}
        """)
    )
    (d / "ev.yaml").write_text(
        textwrap.dedent("""\
        evidence:
          - id: e1
            title: first
            likelihoods: {a: 0.7, b: 0.3}
        """)
    )
    r = runner.invoke(app, ["check", str(d)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].rstrip() == "tiny"
    assert "2 hypotheses, 1 lens, 1 evidence item, 0 references" in r.output
    assert not re.search(r"\b1 (lenses|evidence items|items|references|propositions)\b", r.output)
    html = mv.load_case(d)._repr_html_()
    assert "<strong>Case tiny</strong><br>" in html and "1 evidence item (" in html


def test_report_pluralises_one_proposition():
    case = mv.Case.model_validate(
        {
            "name": "one_prop",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "propositions": [
                {
                    "id": "p",
                    "title": "P",
                    "states": ["yes", "no"],
                    "likelihoods": {"a": {"yes": 0.8, "no": 0.2}, "b": {"yes": 0.3, "no": 0.7}},
                }
            ],
            "evidence": [
                {"id": "e", "title": "E", "bears_on": "p", "likelihoods": {"yes": 0.9, "no": 0.2}}
            ],
        }
    )
    md = R.report_markdown(
        case, mv.sensitivity.run_all(case, sobol_samples=32), {}, spec={"name": "x"}
    )
    assert "1 proposition stands between" in md and "1 propositions" not in md


def test_tornado_frame_keeps_raw_noise_but_gives_no_direction():
    # the DataFrame keeps raw numbers (they agree with the engine); only printing applies the
    # resolution
    case = mv.Case.model_validate(
        {
            "name": "nd",
            "hypotheses": [
                {"id": "a", "prior": 0.2},
                {"id": "b", "prior": 0.7},
                {"id": "c", "prior": 0.1},
            ],
            "evidence": [
                {"id": "flat", "title": "Flat", "likelihoods": {"a": 0.3, "b": 0.3, "c": 0.3}},
                {"id": "real", "title": "Real", "likelihoods": {"a": 0.9, "b": 0.2, "c": 0.1}},
            ],
        }
    )
    tor = tornado(case)
    assert (
        abs(tor.loc["flat", "swing_db"]) < DB_RESOLUTION
    )  # float64 noise (1.9e-15 dB here), kept raw
    assert tor.loc["flat", "direction"] == 0 and tor.loc["real", "direction"] == 1
    assert np.isfinite(tor.loc["flat", "swing_db"])
