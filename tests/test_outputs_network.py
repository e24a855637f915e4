"""Every output on a network: root facts, facts and items of several parents, an observed fact.

The exported network (pgmpy's variable elimination, and the network read back
from its BIF, XMLBIF and Hugin NET files) is compared with
:func:`motives.exact_posterior` to 1e-12 on generated networks; the CLI's
``posterior`` and ``export`` print the exact posterior; the casebook, the
report tables, the structure diagram and the explorer run and label a table
row by its parent configuration. Warnings are errors here.

``check``, ``sensitivity``, ``report`` and the standard figures run on a network through the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import motives as mv
from motives import bn
from motives.cli import app

pytestmark = pytest.mark.filterwarnings("error")
TOL = 1e-12
runner = CliRunner()
SENS = (
    "the sensitivity analyses read one parent per proposition (PropArrays.parent); generalised "
    "on branch sens"
)


def network_data(seed: int, hypotheses_in_joint: bool = False) -> dict[str, Any]:
    """A network case as data.

    A root fact, facts of two parents, an observed fact, items of two parents.

    f0 is a root; f2 <- (hypotheses, f0); f3 <- f1 is observed; f4 <- (f2, f0); f5 <- (f3,
    hypotheses); three-state facts alternate with two-state ones; three items share a source of Beta
    reliability.
    """
    rng = np.random.default_rng(seed)
    k = 2 + seed % 2
    hyps = [f"h{i}" for i in range(k)]
    pri = np.round(rng.dirichlet(np.ones(k) * 3), 4)
    pri[-1] = round(1 - pri[:-1].sum(), 4)
    data: dict[str, Any] = {
        "name": f"net{seed}",
        "title": "A generated network",
        "hypotheses": [
            {"id": h, "label": f"Hypothesis {h}", "prior": float(p)}
            for h, p in zip(hyps, pri, strict=True)
        ],
        "sources": [{"key": "witness", "reliability": {"beta": [4.0, 2.0]}}],
        "propositions": [],
        "evidence": [],
    }
    states_of: dict[str, list[str]] = {}

    def nest(parents: list[str], leaf: Any) -> Any:
        axes = [hyps if b == "hypotheses" else states_of[b] for b in parents]

        def rec(i: int) -> Any:
            return leaf() if i == len(axes) else {v: rec(i + 1) for v in axes[i]}

        return rec(0)

    plans = [[], ["hypotheses"], ["hypotheses", "f0"], ["f1"], ["f2", "f0"], ["f3", "hypotheses"]]
    for i, parents in enumerate(plans):
        states = ["yes", "no"] if i % 2 == 0 else ["low", "mid", "high"]
        states_of[f"f{i}"] = states

        def row(states: list[str] = states) -> Any:
            if len(states) == 2:
                return round(float(rng.uniform(0.05, 0.95)), 3)
            p = np.round(rng.dirichlet(np.ones(len(states)) * 2), 3)
            p[-1] = round(1 - p[:-1].sum(), 3)
            return {s: float(v) for s, v in zip(states, p, strict=True)}

        vals = (
            nest(parents, row)
            if parents
            else {"yes": (y := round(float(rng.uniform(0.1, 0.9)), 3)), "no": round(1 - y, 3)}
        )
        d = {
            "id": f"f{i}",
            "title": f"Fact f{i}",
            "states": states,
            "bears_on": parents,
            "likelihoods": {"default": {"values": vals, "rationale": "generated"}},
        }
        if i == 3:
            d["observed"] = "mid"
        data["propositions"].append(d)
    items = [
        ["hypotheses"],
        ["f2"],
        ["f4", "hypotheses" if hypotheses_in_joint else "f1"],
        ["f5"],
        ["f1", "f2"],
        ["f5"],
        ["f0", "f4"],
    ]
    for j, parents in enumerate(items):
        e = {
            "id": f"e{j}",
            "title": f"Item e{j}",
            "bears_on": parents if len(parents) > 1 else parents[0],
            "likelihoods": {
                "default": {
                    "values": nest(parents, lambda: round(float(rng.uniform(0.05, 0.95)), 3))
                }
            },
        }
        if j in (1, 3, 4):
            e["reported_by"] = "witness"
        data["evidence"].append(e)
    return data


def network_case(seed: int, hypotheses_in_joint: bool = False) -> mv.Case:
    return mv.Case.model_validate(network_data(seed, hypotheses_in_joint))


def write_folder(data: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    d = dict(data)
    (folder / "evidence.yaml").write_text(
        yaml.safe_dump({"evidence": d.pop("evidence")}, sort_keys=False)
    )
    (folder / "case.yaml").write_text(yaml.safe_dump(d, sort_keys=False))
    return folder


def exact(case: mv.Case, *, reliability: bool = True) -> np.ndarray:
    t = mv.exact_posterior(case, reliability=reliability)
    return t.xs("hypothesis", level="level")["credence"].reindex(case.hypothesis_ids).to_numpy()


SEEDS = [0, 1, 2, 3]


@pytest.mark.parametrize("joint_h", [False, True], ids=["facts", "with_h"])
@pytest.mark.parametrize("seed", SEEDS)
def test_exported_network_equals_the_exact_posterior(
    tmp_path: Path, seed: int, joint_h: bool
) -> None:
    case = network_case(seed, joint_h)
    for reliability in (True, False):
        net = bn.network(case, reliability=reliability)
        want = exact(case, reliability=reliability)
        assert np.abs(net.posterior() - want).max() <= TOL
        for fmt, ext in bn.FORMATS.items():
            model = bn.read(bn.write(net, tmp_path / f"n{reliability}{ext}"))
            assert np.abs(net.posterior(model) - want).max() <= TOL, fmt


def test_network_layout_and_evidence() -> None:
    """Parents in bears_on order, a root fact a root, the observed fact in the evidence.

    The test is not vacuous.
    """
    case = network_case(1)
    net = bn.network(case)
    m = net.model
    assert m.get_parents("f0") == [] and list(m.get_cpds("f2").variables[1:]) == [
        "hypothesis",
        "f0",
    ]
    assert list(m.get_cpds("f5").variables[1:]) == ["f3", "hypothesis"]
    assert set(m.get_parents("e4")) == {"f1", "f2", "reliability_witness"}
    assert net.evidence["f3"] == "mid" and net.evidence["e6"] == "observed"
    # the CPD of f2 in pgmpy's order: column (h, f0) is the case's row "h.f0"
    cpd = m.get_cpds("f2")
    table = case.proposition_table("f2")
    assert np.allclose(cpd.get_values().T, table.to_numpy(), atol=0)
    data = network_data(1)
    del data["propositions"][3]["observed"]
    unobserved = mv.Case.model_validate(data)
    assert np.abs(exact(unobserved) - exact(case)).max() > 1e-3  # the observed fact matters
    assert np.abs(bn.network(unobserved).posterior() - exact(unobserved)).max() <= TOL


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("netspec")
    write_folder(network_data(1), root / "case")
    s = root / "spec.yaml"
    s.write_text(
        "name: net\ncase: case\nsensitivity: {sobol_samples: 64, sweep_points: 11}\nfigures: "
        "[png]\n"
    )
    return s


def test_cli_posterior_prints_the_exact_posterior(spec: Path) -> None:
    case = mv.load_case(spec.parent / "case")
    res = runner.invoke(app, ["posterior", str(spec.parent / "case"), "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)["hypotheses"]
    want = exact(case)
    assert (
        max(abs(got[h]["credence"] - w) for h, w in zip(case.hypothesis_ids, want, strict=True))
        <= TOL
    )


def test_cli_export_writes_a_network_with_the_exact_posterior(spec: Path, tmp_path: Path) -> None:
    case = mv.load_case(spec.parent / "case")
    for fmt in bn.FORMATS:
        out = tmp_path / f"net{bn.FORMATS[fmt]}"
        res = runner.invoke(app, ["export", str(spec.parent / "case"), "--out", str(out)])
        assert res.exit_code == 0, res.output
        assert "observed 1 fact: f3 to 'mid'" in " ".join(res.output.split())
        net = bn.network(case)
        assert np.abs(net.posterior(bn.read(out)) - exact(case)).max() <= TOL


def test_cli_check(spec: Path) -> None:
    res = runner.invoke(app, ["check", str(spec.parent / "case")])
    assert res.exit_code == 0, res.output


def test_cli_sensitivity_and_report(spec: Path) -> None:
    res = runner.invoke(app, ["sensitivity", str(spec), "--out", str(spec.parent / "sens")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", str(spec), "--out", str(spec.parent / "rep")])
    assert res.exit_code == 0, res.output
    md = (spec.parent / "rep" / "report.md").read_text()
    case = mv.load_case(spec.parent / "case")
    assert f"{exact(case)[1]:.2f}" in md


def test_standard_figures(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from motives.plots import standard_figures
    from motives.sensitivity import run_all

    case = network_case(1)
    names = []
    for name, fig, _ax in standard_figures(case, run_all(case, sweep_points=11, sobol_samples=64)):
        names.append(name)
        plt.close(fig)
    assert names[0] == "structure" and {
        "credences",
        "ledger",
        "tornado",
        "break_even",
        "information",
    } <= set(names)


def test_casebook_labels_rows_by_parent_configuration() -> None:
    from motives.casebook import case_markdown, proposition_frame

    case = network_case(1)
    md = case_markdown(case)
    assert "A root fact (nothing in the case causes it): its one row is its prior" in md
    assert "| default | prior |" in md and "| default | h1, yes |" in md
    assert "observed: `mid`" in md and "Items under f1 and f2 together" in md
    frame = proposition_frame(case, "f2")
    want = case.proposition_table("f2")
    assert list(frame.index.get_level_values("parent")) == list(want.index)
    assert np.array_equal(frame[["yes", "no"]].to_numpy(), want.to_numpy())


def test_report_tables_and_latex_run_and_label_rows() -> None:
    from motives.report import (
        evidence_table,
        posterior_markdown,
        proposition_latex,
        propositions_latex,
    )

    case = network_case(1)
    t = evidence_table(case)
    row = (t if "evidence" not in t.columns else t.set_index("evidence")).loc["e4"]
    assert row["proposition"] == "f1 and f2"
    e4 = case.item("e4").likelihoods["default"].values
    assert row["given_state"].startswith(f"low, yes {e4['low.yes'].mean:.2f}")
    assert "root fact" in proposition_latex(case, "f0") and "Observed: mid" in proposition_latex(
        case, "f3"
    )
    assert "h1, yes" in propositions_latex(case)
    want = exact(case)
    assert f"{want[1]:.3f}"[:4] in posterior_markdown(case)


def test_evidence_table_with_the_hypotheses_among_an_items_parents() -> None:
    """An item whose parents include the hypotheses.

    Its implied P(E | h) alone (the likelihood table) is Σ_u P(u) P(E | h, u) with u its other
    parent summed out by hand.
    """
    from motives.report import evidence_table

    case = network_case(1, True)
    assert len(evidence_table(case)) == 7
    lt = case.likelihood_table()
    for e in case.evidence:
        if len(e.parents) > 1 and "hypotheses" in e.parents:
            (other,) = [b for b in e.parents if b != "hypotheses"]
            pu = case.implied_parents((other,))  # (K, S_u)
            vals = e.likelihoods["default"].values
            for k, h in enumerate(case.hypothesis_ids):
                keys = [
                    ".".join(h if b == "hypotheses" else s for b in e.parents)
                    for s in case.proposition(other).states
                ]
                want = sum(pu[k, i] * vals[key].mean for i, key in enumerate(keys))
                assert lt.loc[e.id, h] == pytest.approx(want, abs=1e-12)
            break
    else:
        pytest.fail("network_case(1, True) has no item whose parents include the hypotheses")


def test_structure_diagram_draws_every_parent(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    from motives.plots import plot_structure

    case = network_case(1)
    fig, ax = plot_structure(case, width="two")
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    edges = sum(len(p.parents) for p in case.propositions) + sum(
        len(e.parents) for e in case.evidence
    )
    assert len(arrows) == edges
    texts = [t.get_text() for t in ax.texts]
    assert "root fact (no parent)" in texts and "observed: mid" in texts
    assert float(fig.get_figwidth()) == 7.2
    fig.savefig(tmp_path / "s.png")
    plt.close(fig)


def test_displays_and_explorer_run() -> None:
    from motives import display
    from motives.interactive.explore import explore

    case = network_case(1)
    html = display.case_html(case)
    assert "hypotheses and f0" in html
    ex = explore(case)
    rows = {p["id"]: p["parent_values"] for p in ex.data["propositions"]}
    assert "*" in rows["f0"] and "h1.yes" in rows["f2"]
    assert ex.edits == {"lens": case.resolve_lens(None)}


def test_pool_of_two_lenses_keeps_flat_keys() -> None:
    from motives.pooling import pool

    data = network_data(1)
    data["lenses"] = [{"id": "default"}, {"id": "b"}]
    for x in data["propositions"] + data["evidence"]:
        x["likelihoods"]["b"] = x["likelihoods"]["default"]
    case = mv.Case.model_validate(data)
    pooled = pool(case)
    lens = [ln for ln in pooled.lens_ids if ln not in case.lens_ids][0]
    got = mv.exact_posterior(pooled, lens).xs("hypothesis", level="level")["credence"].to_numpy()
    assert np.abs(got - exact(case)).max() <= 1e-9  # the pool of two equal lenses is that lens


@pytest.mark.parametrize("seed", range(6))
def test_explanation_never_prints_nan(seed: int) -> None:
    """A fact that is not a cut has no cap of its own (proposition_weight gives NaN).

    The prose says so in words and never prints 'nan' (the bundled case's report once said 'a cap of
    nan dB').
    """
    import re

    from motives.report.explain import explain
    from motives.testing import random_network_case

    cases = [random_network_case(seed)] + (
        [mv.load_case(Path(__file__).resolve().parents[1] / "evidence"), mv.examples.load("alarm")]
        if seed == 0
        else []
    )
    for case in cases:
        for lens in case.lens_ids:
            text = str(explain(case, lens))
            assert not re.search(r"\bnan\b", text, flags=re.I), text
