"""Tables for papers and notebooks.

Markdown, LaTeX (checked structurally and, when an engine exists, compiled), HTML.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import motives as mv
from _sens_cases import rich_case
from motives import report as R

LATEX = shutil.which("pdflatex") or shutil.which("lualatex")


@pytest.fixture(scope="module")
def case(synthetic_case):
    return synthetic_case  # tests/conftest.py: rich_case(), built once per session


def test_summary_dict_unchanged_shape():
    case = mv.examples.cookie_case()
    d = R.summary_dict(mv.exact_posterior(case), method="exact", lens="default")
    assert d["hypotheses"]["bowl1"] == {
        "prior": 0.5,
        "credence": pytest.approx(0.6),
        "lower": pytest.approx(0.6),
        "upper": pytest.approx(0.6),
    }
    assert d["interval"]["mass"] == R.INTERVAL_MASS


def test_evidence_table_columns_and_decibans(case):
    t = R.evidence_table(case)
    assert t.index.name == "evidence" and list(t.index) == [e.id for e in case.evidence]
    assert t.loc["orders", "nat"] == 0.3 and np.isnan(t.loc["rhetoric", "nat"])
    assert t.loc["orders", "sources"] == ["doc1"]
    assert t.attrs["target"] == "nonsecurity"
    assert t.loc["neutral", "decibans"] == pytest.approx(0.0, abs=1e-12)
    tb = R.evidence_table(case, "b")
    assert tb.loc["talks", "fallback"] and not tb.loc["orders", "fallback"]


def test_markdown_tables(case):
    md = R.evidence_markdown(case, "b")
    lines = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert len(lines) == 2 + len(case.evidence)
    assert len({ln.count(" | ") for ln in lines}) == 1  # same number of cells in every row
    assert "use the default lens: talks" in md
    assert "-0.00" not in md
    pm = R.posterior_markdown(case)
    assert "has no interval" in pm and "| family | nonsecurity | Non-security |" in pm


def test_markdown_escapes_pipes():
    import pandas as pd

    md = R.to_markdown(pd.DataFrame({"a": ["x | y"]}, index=pd.Index(["r"], name="evidence")))
    assert "x \\| y" in md


@pytest.mark.parametrize(
    "text,want",
    [
        ("R&D", r"R\&D"),
        ("50%", r"50\%"),
        ("a_b", r"a\_b"),
        ("#1", r"\#1"),
        ("$x$", r"\$x\$"),
        ("{}", r"\{\}"),
        ("~", r"\textasciitilde{}"),
        ("^", r"\textasciicircum{}"),
        ("\\", r"\textbackslash{}"),
        ("a\u2013b", "a--b"),
        ("\u201cq\u201d", "``q''"),
    ],
)
def test_latex_escape(text, want):
    assert R.latex_escape(text) == want


def test_cite_refuses_keys_latex_cannot_take():
    assert R.cite(["a_b", "c:d"]) == r"\cite{a_b,c:d}"
    assert R.cite([]) == ""
    with pytest.raises(ValueError, match="cannot take"):
        R.cite(["bad key"])


def _special_case():
    """Titles and labels full of LaTeX specials."""
    return rich_case(
        hypotheses=[
            {"id": "nat", "label": "Security & 100% threat", "family": "security", "prior": 0.4},
            {"id": "reg", "label": "Regime_security", "family": "nonsecurity", "prior": 0.2},
            {"id": "ide", "label": "Ideology #1", "family": "nonsecurity", "prior": 0.2},
            {"id": "lea", "label": "Leader {image} ~ $", "family": "nonsecurity", "prior": 0.2},
        ]
    )


def test_latex_tables_are_well_formed_without_latex(case):
    for text in (
        R.evidence_latex(case),
        R.evidence_latex(case, "b"),
        R.posterior_latex(case),
        R.evidence_latex(case, env="longtable"),
        R.evidence_latex(_special_case()),
        R.posterior_latex(_special_case()),
    ):
        assert R.check_latex(text) == [], text
        assert text.count(r"\toprule") == text.count(r"\midrule") == text.count(r"\bottomrule") == 1
    ev = R.evidence_latex(case)
    assert r"\cite{doc_2}" in ev and r"\cite{wire}" in ev
    assert r"Security \& 100\% threat" in R.evidence_latex(_special_case())
    assert r"$^{\dagger}$" in R.evidence_latex(case, "b")  # borrowed judgements are marked


def test_check_latex_catches_what_it_should():
    good = R.posterior_latex(mv.examples.cookie_case())
    assert R.check_latex(good) == []
    assert any(
        "unescaped '%'" in p
        for p in R.check_latex(good.replace(r"Credence \\", r"Credence 90% \\"))
    )
    assert any(
        "cells" in p for p in R.check_latex(good.replace(r"0.500 & 0.600", r"0.500 & 0.600 & 1"))
    )
    assert any("unclosed" in p for p in R.check_latex(good.replace(r"\caption{", r"\caption{{")))
    assert any(r"\midrule" in p for p in R.check_latex(good.replace(r"\midrule", "")))


@pytest.mark.skipif(LATEX is None, reason="no LaTeX engine (pdflatex or lualatex) installed")
def test_latex_tables_compile(case, tmp_path):
    special = _special_case()
    body = "\n".join(
        [
            R.evidence_latex(case),
            R.posterior_latex(case),
            R.evidence_latex(special, label="tab:s"),
            R.evidence_latex(case, env="longtable", label="tab:long"),
            R.posterior_latex(special, label="tab:sp"),
        ]
    )
    bib = "\n".join(f"@misc{{{k},\n  title = {{{k}}}\n}}" for k in ("doc1", "doc_2", "wire"))
    (tmp_path / "refs.bib").write_text(bib)
    doc = "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage[T1]{fontenc}",
            r"\usepackage{booktabs}",
            r"\usepackage{array}",
            r"\usepackage{longtable}",
            r"\begin{document}",
            body,
            r"\bibliographystyle{plain}",
            r"\bibliography{refs}",
            r"\end{document}",
        ]
    )
    (tmp_path / "t.tex").write_text(doc)
    run = subprocess.run(
        [LATEX, "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "t.pdf").exists()
    assert "Undefined control sequence" not in run.stdout


def test_html_reprs(case):
    h = R.item_html(case.item("orders"), case)
    assert "liquidate the executive &amp; more" in h and "National security: 0.30" in h
    assert "&kappa;=20" in h
    assert "<td>b</td>" in h
    t = R.item_html(case.item("rhetoric"), case)
    assert "intercept" in t
    r = R.result_html(mv.exact_posterior(case))
    assert "Credences (exact, lens a)" in r and "<td>nonsecurity</td>" in r


@given(st.lists(st.booleans(), min_size=1, max_size=6))
def test_booleans_print_in_markdown_and_html(flags):
    # break-even's `reachable` printed False as a blank cell
    import pandas as pd

    from motives.display import _html_table

    df = pd.DataFrame({"reachable": flags, "factor": [1.5] * len(flags)})
    rows = R.to_markdown(df, index=False).splitlines()[2:]
    assert [r.split(" | ")[0].lstrip("| ") for r in rows] == ["yes" if f else "no" for f in flags]
    html = _html_table(df)
    assert html.count(">no<") == flags.count(False) and html.count(">yes<") == flags.count(True)


@pytest.mark.parametrize("name", ["cookies", "two_lenses", "dice", "burglary"])
def test_report_names_hypotheses_where_families_are_single_hypotheses(name, example_case):
    """A case whose families are one hypothesis each: the headline, every caption and table speak of
    hypotheses ("The leading family is bowl1" named a hypothesis a family); no family row or column
    repeats a
    hypothesis's."""
    import re

    from motives.conventions import one_per_family
    from motives.plots.figures import FIGURES, caption
    from motives.report.document import report_markdown

    case = example_case(name)
    assert one_per_family(case)
    md = report_markdown(
        case,
        mv.sensitivity.run_all(case, sobol_samples=16),
        {n: f"{n}.png" for n in FIGURES},
        spec={"name": name},
    )
    assert "The leading hypothesis is **" in md
    md = re.sub(r"\]\([^)]*\)", "]", md)  # figure file names (lenses_family.png) are not sentences
    assert not re.search(r"leading family|each family|\| family \||_family", md), re.search(
        r".{80}(leading family|each family|\| family \||_family).{40}", md
    )
    for n in FIGURES:  # every caption, drawn or not
        assert "family" not in caption(n, case), (n, caption(n, case))


def test_report_names_families_where_they_group(example_case):
    """The other side: a case whose families group hypotheses keeps "family" where it means one."""
    from motives.conventions import one_per_family
    from motives.report.document import report_markdown

    case = mv.Case.model_validate(
        {
            **example_case("dice").model_dump(),
            "hypotheses": [
                {**h.model_dump(), "family": "small" if h.id in ("d4", "d6") else "large"}
                for h in example_case("dice").hypotheses
            ],
        }
    )
    assert not one_per_family(case)
    md = report_markdown(
        case, mv.sensitivity.run_all(case, sobol_samples=16), {}, spec={"name": "dice"}
    )
    assert "The leading family is **" in md
