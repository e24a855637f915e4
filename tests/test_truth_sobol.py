"""Issue 22: the Sobol analysis covers the reliability of sources reporting facts.

The sources that report facts under propositions.

A lab reports a DNA match twice; the match is a fact (a proposition) under the hypotheses, and the
lab's reliability is a Beta. The Sobol table has the reliability as an input (kind ``source``), each
of its draws is the exact posterior with the reliability fixed at the drawn value (checked here draw
by draw), and on this case tornado, break-even and Sobol all show it as decisive.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

import motives as mv
from motives import sensitivity as S
from motives.exact import exact_posterior
from motives.testing import random_network_case


def structured_lab(reliability=None, prior=0.001, base_rate=None):
    rel = {"mean": 0.999, "concentration": 50} if reliability is None else reliability
    items = [
        {
            "id": f"report_{i}",
            "title": f"The lab reports a match ({i})",
            "bears_on": "dna_match",
            "reported_by": "lab",
            "likelihoods": {"yes": 1.0, "no": 0.0},
        }
        for i in (1, 2)
    ]
    if base_rate is not None:
        for e in items:
            e["base_rate"] = base_rate
    return mv.Case.model_validate(
        {
            "name": "slab",
            "hypotheses": [
                {"id": "source", "prior": prior},
                {"id": "not_source", "prior": 1 - prior},
            ],
            "sources": [{"key": "lab", "reliability": rel}],
            "propositions": [
                {
                    "id": "dna_match",
                    "title": "The DNA matches",
                    "likelihoods": {"source": 1.0, "not_source": 1e-6},
                }
            ],
            "evidence": items,
        }
    )


def log_odds_db(case):
    c = float(exact_posterior(case).loc[("hypothesis", "source"), "credence"])
    return 10 * np.log10(c / (1 - c))


def test_sobol_has_the_reliability_of_a_source_under_a_proposition():
    gs = S.global_sensitivity(structured_lab(), target="source", n=128, n_boot=0)
    assert "source:lab" in gs.index and gs.loc["source:lab", "kind"] == "source"
    assert gs.index[0] == "source:lab" and gs.loc["source:lab", "ST"] > 0.9
    assert "source:lab" not in " ".join(gs.attrs["not_inputs"])
    assert "integrated exactly" not in gs.attrs["warning"]


@pytest.mark.parametrize("base_rate", [None, 0.2])
def test_each_draw_is_the_posterior_at_the_drawn_reliability(base_rate):
    """The only input is the reliability.

    The Sobol variance is the variance, over the estimator's own draws, of the exact log-odds with
    the reliability fixed at each draw (recomputed here case by case).
    """
    n = 8
    case = structured_lab(base_rate=base_rate)
    gs = S.global_sensitivity(case, target="source", n=n, n_boot=0, seed=3)
    u = np.clip(qmc.Sobol(d=2, scramble=True, seed=3).random_base2(3), 1e-12, 1 - 1e-12)
    a, b = 0.999 * 50, 0.001 * 50
    xs = stats.beta.ppf(np.concatenate([u[:, 0], u[:, 1]]), a, b)
    f = [log_odds_db(structured_lab(float(x), base_rate=base_rate)) for x in xs]
    assert gs.attrs["variance"] == pytest.approx(float(np.var(f)), rel=1e-9)


def test_the_reliability_is_decisive_in_tornado_break_even_and_sobol_and_the_report_says_so():
    case = structured_lab()
    t = S.tornado(case, target="source")
    # among the largest bars (the fact's own table, its match probability 1e-6, is the other one),
    # and larger than any item's
    assert "source:lab" in t.index[:3] and t.loc["source:lab", "swing_db"] > 5
    assert t.loc["source:lab", "swing_db"] > t.loc[t["kind"] == "item", "swing_db"].max()
    be = S.break_even(case, target="source")
    reach = be[be["reachable"].astype(bool)]
    assert reach["factor_db"].abs().idxmin() == "source:lab"
    v = float(be.loc["source:lab", "value_needed"])
    fixed = structured_lab({"mean": v, "concentration": 50})
    assert float(exact_posterior(fixed).loc[("hypothesis", "source"), "credence"]) == pytest.approx(
        0.5, abs=1e-6
    )
    tables = S.run_all(case, target="source", sobol_samples=64, sweep_points=5)
    assert tables["sobol"].index[0] == "source:lab"
    from motives.report.document import report_markdown

    md = report_markdown(case, tables, {}, spec={"name": "slab", "target": "source"})
    words = md.split("## In words")[1].split("## ")[0]
    assert "the reliability of source lab would have to be" in words
    glob = md.split("## Global sensitivity")[1].split("## ")[0]
    first = next(
        ln
        for ln in glob.splitlines()
        if ln.startswith("| source:lab")
        or ln.startswith("| ")
        and "input" not in ln
        and "---" not in ln
    )
    assert first.startswith("| source:lab")


@pytest.mark.parametrize("seed", range(3))
def test_networks_with_sources_have_every_beta_reliability_as_an_input(seed):
    case = random_network_case(seed, n_facts=3, n_items=4)
    data = case.model_dump(exclude_none=True)
    for s in data.get("sources", []):
        s["reliability"] = {"mean": 0.7, "concentration": 10}
    data["sources"] = [
        *data.get("sources", []),
        {"key": "src", "reliability": {"mean": 0.8, "concentration": 20}},
    ]
    for e in data["evidence"][:2]:
        e["reported_by"] = "src"
    case = mv.Case.model_validate(data)
    gs = S.global_sensitivity(case, n=32, n_boot=0)
    used = {e.reported_by for e in case.evidence if e.reported_by}
    assert {f"source:{k}" for k in used} <= set(gs.index)
    assert (gs.loc[[f"source:{k}" for k in used], "kind"] == "source").all()
    assert np.isfinite(gs["ST"].astype(float)).all()
