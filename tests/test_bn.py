"""motives.bn: a case as a discrete Bayesian network has the exact engine's posterior.

In pgmpy and in its files.

pgmpy's variable elimination on the network (and on the network read back from
its BIF, XMLBIF and Hugin NET files) is compared with
``motives.exact.posterior(compile_case(case, lens), reliability=...)`` to 1e-12:
random structured cases (multi-state propositions, chains three deep, zero
cells, a shared source of Beta reliability, timeline and quantity items, with a
second source and a flat source added), the bundled textbook cases and the
structured ``burglary`` example. The files keep every probability in full
(shortest round-trip digits), so the read-back networks agree to the same 1e-12.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import motives as mv
from _structured_cases import random_structured_case
from motives import bn, exact
from motives.cli import app

TOL = 1e-12


def exact_post(case: mv.Case, lens: str | None = None, *, reliability: bool = True) -> np.ndarray:
    return exact.posterior(exact.compile_case(case, lens), reliability=reliability)


def _dump(case: mv.Case) -> dict[str, Any]:
    """The case as data that validates again.

    A multi-state row dumps as {probs: ...}; it is read as {state: p}.
    """
    data = case.model_dump(exclude_none=True)
    for p in data.get("propositions", []):
        for j in p["likelihoods"].values():
            j["values"] = {
                v: c["probs"] if isinstance(c, dict) and "probs" in c else c
                for v, c in j["values"].items()
            }
    return data


def with_more_sources(case: mv.Case) -> mv.Case:
    """A second source spanning propositions, and a source reporting only direct items.

    The first makes a tensor grid.
    """
    data = _dump(case)
    data["sources"] = data.get("sources", []) + [
        {"key": "Smith:2020a", "reliability": {"beta": [3.0, 2.0]}},  # not an identifier: sanitised
        {"key": "flat", "reliability": {"beta": [2.0, 2.5]}},
    ]
    hyps = [h["id"] for h in data["hypotheses"]]
    for i in range(3):  # direct items of the flat source (3 items: 2 quadrature nodes)
        vals = {h: round(0.2 + 0.6 * ((i + 1) * (k + 2) % 7) / 7, 3) for k, h in enumerate(hyps)}
        data["evidence"].append(
            {
                "id": f"direct{i}",
                "title": "direct",
                "reported_by": "flat",
                "base_rate": 0.3,
                "likelihoods": {lens["id"]: {"values": vals} for lens in data["lenses"]},
            }
        )
    structured = [
        e
        for e in data["evidence"]
        if e.get("kind", "likelihood") == "likelihood"
        and e.get("bears_on") not in (None, "hypotheses")
        and "reported_by" not in e
    ]
    for e in structured[:3]:
        e["reported_by"] = "Smith:2020a"
    return mv.Case.model_validate(data)


def cases() -> list[tuple[str, mv.Case]]:
    out = [
        (f"random{s}", random_structured_case(s, depth=2 + s % 2, n_hyp=3 + s % 2, n_items=9))
        for s in range(4)
    ]
    out += [
        (f"sources{s}", with_more_sources(random_structured_case(10 + s, depth=3, n_items=9)))
        for s in range(2)
    ]
    out += [("no_source", random_structured_case(20, shared_source=False, zero_cell=False))]
    out += [
        (name, mv.examples.load(name))
        for name in ("witness", "two_lenses", "burglary", "cookies", "monty_hall")
    ]
    out += [
        ("real_case", mv.load_case(Path(__file__).resolve().parents[1] / "evidence"))
    ]  # timeline, quantity items
    return out


CASES = cases()


@pytest.mark.parametrize("reliability", [True, False], ids=["rel", "norel"])
@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_pgmpy_equals_exact_engine(name: str, case: mv.Case, reliability: bool) -> None:
    for lens in case.lens_ids:
        net = bn.network(case, lens, reliability=reliability)
        got = net.posterior()
        want = exact_post(case, lens, reliability=reliability)
        assert np.abs(got - want).max() <= TOL, (name, lens, got, want)


def test_the_comparison_is_not_vacuous() -> None:
    """Reliability changes the posterior of these cases, and the structure is not naive Bayes."""
    case = with_more_sources(random_structured_case(10, depth=3, n_items=9))
    assert np.abs(exact_post(case) - exact_post(case, reliability=False)).max() > 1e-3
    net = bn.network(case)
    assert {"reliability_src", "reliability_Smith_2020a", "reliability_flat"} <= set(
        net.reliability
    )
    assert net.names["source:Smith:2020a"] == "reliability_Smith_2020a"
    flat = exact.posterior(exact.compile_case(exact.independent_case(case)))
    assert np.abs(net.posterior() - flat).max() > 1e-3


@pytest.mark.parametrize("fmt", list(bn.FORMATS))
@pytest.mark.parametrize(
    ("name", "case"), [CASES[1], CASES[4], CASES[-3]], ids=[CASES[i][0] for i in (1, 4, -3)]
)
def test_files_read_back_give_the_same_posterior(
    tmp_path: Path, name: str, case: mv.Case, fmt: str
) -> None:
    for reliability in (True, False):
        net = bn.network(case, reliability=reliability)
        path = bn.write(net, tmp_path / f"{name}_{reliability}{bn.FORMATS[fmt]}")
        model = bn.read(path)
        assert set(model.nodes()) == set(net.model.nodes())
        got = net.posterior(model)
        assert np.abs(got - exact_post(case, reliability=reliability)).max() <= TOL, (
            name,
            fmt,
            reliability,
        )


def test_net_file_keeps_full_precision(tmp_path: Path) -> None:
    """pgmpy's own NETWriter rounds to 8 decimals.

    Ours writes shortest round-trip digits, never 1e-05 notation.
    """
    case = mv.examples.load("burglary")
    net = bn.network(case)
    text = bn.network_text(net, "net")
    assert "e-" not in text and "0.19999999999999996" in text
    model = bn.read(bn.write(net, tmp_path / "b.net"))
    for cpd in net.model.get_cpds():
        np.testing.assert_array_equal(model.get_cpds(cpd.variable).get_values(), cpd.get_values())


def test_layout_of_the_network() -> None:
    case = mv.examples.load("burglary")
    net = bn.network(case)
    m = net.model
    assert type(m).__name__ == "DiscreteBayesianNetwork"
    assert net.query == "hypothesis" and net.hypotheses == case.hypothesis_ids
    assert sorted(m.get_children("hypothesis")) == ["at_scene", "had_motive"]
    assert set(net.evidence) == {e.id for e in case.evidence} and set(net.evidence.values()) == {
        "observed"
    }
    cpd = m.get_cpds(
        "fibres_match"
    )  # P(observed | at_scene) is the cell, the complement for not_observed
    j, _ = case.judgement(case.item("fibres_match"))
    np.testing.assert_allclose(
        cpd.get_values()[0], [j.values[s].mean for s in ("yes", "no")], rtol=0, atol=0
    )
    np.testing.assert_allclose(cpd.get_values().sum(axis=0), 1.0)
    # the reliability node: states are the exact engine's quadrature points, probabilities their
    # weights
    g = exact.compile_case(case).sources_in_structure[0]
    x, w = g.nodes()
    assert net.reliability["reliability_neighbour"] == list(x)
    np.testing.assert_array_equal(m.get_cpds("reliability_neighbour").get_values()[:, 0], w)
    assert sorted(m.get_parents("neighbour_saw_suspect")) == ["at_scene", "reliability_neighbour"]
    # reliability off: no reliability node, face-value cells
    m0 = case.to_pgmpy(reliability=False)
    assert "reliability_neighbour" not in m0.nodes()
    assert m0.get_parents("neighbour_saw_suspect") == ["at_scene"]
    # Case.to_pgmpy is network(...).model
    assert sorted(case.to_pgmpy().nodes()) == sorted(m.nodes())


def test_timeline_and_quantity_items_are_rescaled_likelihoods() -> None:
    case = random_structured_case(3)
    net = bn.network(case)
    arr = exact.compile_case(case)
    for pa in arr.propositions:
        for j, e in enumerate(pa.other_items):
            p = net.model.get_cpds(e).get_values()[0]
            assert p.max() == 1.0
            np.testing.assert_allclose(
                np.log(p) - net.log_scale[e], pa.other_loglik[j], rtol=0, atol=1e-12
            )


def test_prior_argument() -> None:
    case = mv.examples.load("two_lenses")
    arr = exact.compile_case(case, "b")
    for prior in ("uniform", [0.9, 0.1]):
        got = bn.network(case, "b", prior=prior).posterior()
        want = exact.posterior(arr, exact.prior_from(case, prior))
        assert np.abs(got - want).max() <= TOL


def test_names_are_identifiers_and_unique() -> None:
    """Reserved words of the formats and non-identifier source keys are renamed.

    The mapping says how.

    (Source keys are BibTeX keys, so only ASCII letters, digits and _:.-+/ can occur.)
    """
    data: dict[str, Any] = {
        "name": "names",
        "hypotheses": [{"id": "network"}, {"id": "h2"}],
        "sources": [{"key": "doe+roe:1999/a", "reliability": {"beta": [2.0, 2.0]}}],
        "evidence": [
            {
                "id": "table",
                "title": "t",
                "reported_by": "doe+roe:1999/a",
                "likelihoods": {"default": {"values": {"network": 0.7, "h2": 0.2}}},
            },
            {
                "id": "hypothesis",
                "title": "h",
                "reported_by": "doe+roe:1999/a",
                "likelihoods": {"default": {"values": {"network": 0.4, "h2": 0.5}}},
            },
            {
                "id": "node",
                "title": "n",
                "likelihoods": {"default": {"values": {"network": 0.4, "h2": 0.9}}},
            },
        ],
    }
    case = mv.Case.model_validate(data)
    net = bn.network(case)
    assert net.names["table"] == "table_" and net.names["hypothesis"] == "hypothesis_2"
    assert (
        net.names["node"] == "node_"
        and net.names["source:doe+roe:1999/a"] == "reliability_doe_roe_1999_a"
    )
    assert net.names_of_states == {"network": "network_", "h2": "h2"}
    for name in net.model.nodes():
        assert name[0].isalpha() and name.replace("_", "").isalnum()
    assert np.abs(net.posterior() - exact_post(case)).max() <= TOL


@pytest.mark.parametrize("fmt", list(bn.FORMATS))
def test_renamed_network_round_trips(tmp_path: Path, fmt: str) -> None:
    data = mv.examples.load("witness").model_dump(exclude_none=True)
    data["sources"][0]["key"] = "tversky+kahneman:1982"
    for e in data["evidence"]:
        e["reported_by"] = "tversky+kahneman:1982"
    case = mv.Case.model_validate(data)
    net = bn.network(case)
    model = bn.read(bn.write(net, tmp_path / f"w{bn.FORMATS[fmt]}"))
    assert abs(net.posterior(model) - exact_post(case)).max() <= TOL


def test_write_refuses_to_overwrite(tmp_path: Path) -> None:
    net = bn.network(mv.examples.load("cookies"))
    path = bn.write(net, tmp_path / "c.xml")
    before = path.read_text()
    with pytest.raises(mv.MotivesError, match="already exists"):
        bn.write(net, path)
    bn.write(net, path, force=True)
    assert path.read_text() == before and "<BIF" in before
    with pytest.raises(mv.MotivesError, match="cannot tell the format"):
        bn.write(net, tmp_path / "c.txt")
    with pytest.raises(mv.MotivesError, match="must be one of"):
        bn.write(net, tmp_path / "c.txt", "json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.xml"]  # no temporary file left behind


# --------------------------------------------------------------------------- the command

runner = CliRunner()


@pytest.mark.parametrize("fmt", list(bn.FORMATS))
def test_cli_export_writes_each_format(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"b.{fmt}"
    r = runner.invoke(
        app, ["export", str(mv.examples.path("burglary")), "--format", fmt, "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert (
        "9 nodes" in r.output and "'observed'" in r.output and "reliability_neighbour" in r.output
    )
    net = bn.network(mv.examples.load("burglary"))
    assert (
        abs(net.posterior(bn.read(out, fmt)) - exact_post(mv.examples.load("burglary"))).max()
        <= TOL
    )


def test_cli_export_errors(tmp_path: Path) -> None:
    case = str(mv.examples.path("two_lenses"))
    out = tmp_path / "x.net"
    r = runner.invoke(app, ["export", case, "--lens", "b", "--out", str(out), "--no-reliability"])
    assert r.exit_code == 0, r.output
    assert "lens b" in r.output
    text = out.read_text()
    for args, msg in [
        (["--out", str(out)], "already exists; pass --force"),
        (["--out", str(tmp_path / "x.txt")], "cannot tell the format"),
        (
            ["--out", str(tmp_path / "y.net"), "--format", "dot"],
            "'xmlbif'",
        ),  # an Enum: its choices listed
        (["--out", str(tmp_path / "y.net"), "--lens", "nobody"], "unknown lens 'nobody'"),
    ]:
        r = runner.invoke(app, ["export", case, *args])
        assert r.exit_code == 2 and msg in r.output, (args, r.output)
        assert "Traceback" not in r.output
    assert out.read_text() == text and sorted(p.name for p in tmp_path.iterdir()) == ["x.net"]
    r = runner.invoke(app, ["export", case, "--out", str(out), "--force"])
    assert r.exit_code == 0 and out.read_text() != text  # now with the default lens a
    r = runner.invoke(app, ["export", str(tmp_path / "missing"), "--out", str(tmp_path / "z.bif")])
    assert r.exit_code == 2 and "no such case" in r.output


def test_rescaling_keeps_tiny_likelihoods() -> None:
    """A quantity far in the tail.

    The rescaled column keeps the ratios (the engine works in logs).
    """
    case = random_structured_case(5)
    data = _dump(case)
    for e in data["evidence"]:
        if e.get("kind") == "quantity":
            e["observed"] = 40.0  # log density ~ -200 under the states
    case = mv.Case.model_validate(data)
    net = bn.network(case)
    assert 100 < net.log_scale["qty"] < math.inf  # exp(-182) underflows nothing once rescaled
    assert np.abs(net.posterior() - exact_post(case)).max() <= TOL
