"""The exact engine's refusals raised after compiling are located (issue 23).

A refusal the engine raises about a record once the case is compiled — the tensor grid of the
reliabilities of sources under propositions (one problem per source), an elimination table past its
limit (the fact summed out), the closed form of the mixture model (each source of uncertain
reliability, each node the hypotheses bear on in one part) — names the file and line where that
record is written when the case was read from files, as loading's own problems do; through the CLI,
exit 2 with no traceback. The cases are generated and written to files (several evidence files,
sources declared in case.yaml or in an evidence file); the limits are lowered so that small cases
reach them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from motives.testing import random_network_document

SETTINGS = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _write(root: Path, doc: dict[str, Any], files: int, sources_in_evidence: bool) -> Path:
    """A case folder: ``doc``'s evidence spread over ``files`` files, its sources in case.yaml or in
    the first evidence file."""
    root.mkdir(parents=True)
    doc = dict(doc)
    items = doc.pop("evidence", [])
    sources = doc.pop("sources", []) if sources_in_evidence else None
    (root / "case.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    for f in range(files):
        part: dict[str, Any] = {"evidence": items[f::files]}
        if f == 0 and sources:
            part["sources"] = sources
        (root / f"ev{f}.yaml").write_text(yaml.safe_dump(part, sort_keys=False), encoding="utf-8")
    return root


def _line_of_key(path: Path, record: str, key: str) -> int:
    """The 1-based line of ``key:`` inside the record ``- key: record`` or ``- id: record``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(
        i for i, t in enumerate(lines) if re.fullmatch(rf"\s*- (key|id): {re.escape(record)}", t)
    )
    if key in ("key", "id"):
        return start + 1
    indent = len(lines[start]) - len(lines[start].lstrip()) + 2
    for i in range(start + 1, len(lines)):
        t = lines[i]
        if t.strip() and len(t) - len(t.lstrip()) < indent:
            break
        if t.strip().startswith(f"{key}:"):
            return i + 1
    raise AssertionError(f"no {key} in {record}")


def _declared_in(root: Path, files: int, sources_in_evidence: bool) -> Path:
    return root / ("ev0.yaml" if sources_in_evidence else "case.yaml")


@SETTINGS
@given(st.integers(0, 10_000), st.integers(2, 3), st.integers(1, 3), st.booleans())
def test_the_grid_refusal_names_every_source_where_it_is_declared(
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    n_sources: int,
    files: int,
    sources_in_evidence: bool,
) -> None:
    """Sources of uncertain reliability spanning facts, their grid one node past the (lowered)
    limit: ``posterior`` exits 2 with one problem per source, each at the line of its
    ``reliability`` in the file that declares it."""
    import motives as mv
    import motives.exact.likelihood as lk
    from motives.cli import app
    from motives.exact import compile_case

    doc = random_network_document(seed, n_facts=4, n_items=8, n_sources=n_sources)
    root = _write(tmp_path_factory.mktemp("grid") / "case", doc, files, sources_in_evidence)
    arr = compile_case(mv.load_case(root))
    spanning = [g.key for g in arr.sources_in_structure]
    size = 1
    for g in arr.sources_in_structure:
        size *= len(g.index) // 2 + 1
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lk, "MAX_GRID", size - 1)
        res = CliRunner().invoke(app, ["posterior", str(root)], terminal_width=1000)
    if size - 1 < 1 or not spanning:  # nothing spans the facts: no grid to refuse
        assert res.exit_code == 0, res.output
        return
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    declared = _declared_in(root, files, sources_in_evidence)
    for key in spanning:
        line = _line_of_key(declared, key, "reliability")
        want = f"{declared}:{line}: source '{key}', field 'reliability': reports"
        assert res.output.count(want) == 1, (want, res.output)
    assert f"tensor grid of {size:,} nodes" in res.output
    assert res.output.count("error:") == 1


@SETTINGS
@given(st.integers(0, 10_000), st.integers(3, 6), st.integers(1, 3), st.booleans())
def test_an_elimination_past_its_limit_is_located_at_the_fact_summed_out(
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    n_facts: int,
    files: int,
    sources_in_evidence: bool,
) -> None:
    """A network whose elimination builds a table past the (lowered) limit: exit 2, one problem at
    the line of the fact the message says is summed out."""
    import motives.exact.contract as contract
    from motives.cli import app

    doc = random_network_document(seed, n_facts=n_facts, n_items=6, n_sources=1)
    root = _write(tmp_path_factory.mktemp("ent") / "case", doc, files, sources_in_evidence)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(contract, "MAX_TABLE", 2)
        res = CliRunner().invoke(app, ["posterior", str(root)], terminal_width=1000)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    found = re.search(r"summing out '([a-z0-9_]+)'", res.output)
    assert found, res.output
    fact = found.group(1)
    line = _line_of_key(root / "case.yaml", fact, "id")
    assert f"{root / 'case.yaml'}:{line}: proposition '{fact}': the network is too entangled" in (
        res.output
    ), res.output


def _two_bearers(seed: int, n_bearers: int, uncertain: bool) -> dict[str, Any]:
    """Facts ``b0``... each bearing on the hypotheses, joined by ``j`` (all of them its parents);
    items on random facts, reported by a source of uncertain (or fixed) reliability."""
    import numpy as np

    rng = np.random.default_rng(seed)
    hyp = ["h0", "h1"]
    props: list[dict[str, Any]] = [
        {
            "id": f"b{i}",
            "title": f"B{i}",
            "bears_on": "hypotheses",
            "likelihoods": {h: round(float(rng.uniform(0.1, 0.9)), 3) for h in hyp},
        }
        for i in range(n_bearers)
    ]

    def nest(depth: int) -> Any:
        if depth == n_bearers:
            return round(float(rng.uniform(0.1, 0.9)), 3)
        return {s: nest(depth + 1) for s in ("yes", "no")}

    props.append(
        {
            "id": "j",
            "title": "J",
            "bears_on": [f"b{i}" for i in range(n_bearers)],
            "likelihoods": nest(0),
        }
    )
    rel: Any = {"mean": 0.7, "concentration": 10.0} if uncertain else 0.8
    items = [
        {
            "id": f"e{i}",
            "title": "x",
            "bears_on": str(rng.choice([p["id"] for p in props])),
            "reported_by": "s",
            "likelihoods": {"yes": 0.7, "no": 0.2},
        }
        for i in range(4)
    ]
    return {
        "name": "parts",
        "hypotheses": [{"id": h} for h in hyp],
        "sources": [{"key": "s", "reliability": rel}],
        "propositions": props,
        "evidence": items,
    }


@SETTINGS
@given(st.integers(0, 10_000), st.integers(2, 3), st.booleans(), st.integers(1, 3), st.booleans())
def test_the_mixture_closed_form_refusals_are_located(
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    n_bearers: int,
    uncertain: bool,
    files: int,
    sources_in_evidence: bool,
) -> None:
    """``exact_mixture`` (raised outside ``compile_case``): a source of uncertain reliability is
    located at its ``reliability``; with a fixed one, each fact the hypotheses bear on in the one
    part is located at its ``bears_on`` — every problem with a file and line. A fit's summary says
    the same in ``exact_check`` (its reason is the first problem)."""
    import motives as mv
    from motives.exact_mixture import exact_mixture
    from motives.models.api import exact_reference

    doc = _two_bearers(seed, n_bearers, uncertain)
    root = _write(tmp_path_factory.mktemp("mix") / "case", doc, files, sources_in_evidence)
    case = mv.load_case(root)
    with pytest.raises(mv.CaseError) as err:
        exact_mixture(case)
    probs = err.value.problems
    if uncertain:
        declared = _declared_in(root, files, sources_in_evidence)
        assert [(p.file, p.line, p.item, p.kind) for p in probs] == [
            (str(declared), _line_of_key(declared, "s", "reliability"), "s", "source")
        ]
    else:
        assert [p.item for p in probs] == [f"b{i}" for i in range(n_bearers)]
        for p in probs:
            assert (p.file, p.line, p.kind, p.field) == (
                str(root / "case.yaml"),
                _line_of_key(root / "case.yaml", str(p.item), "bears_on"),
                "proposition",
                "bears_on",
            )
    ref = exact_reference(
        case, {"model": "mixture", "lens": None, "prior": None, "reliability": True}
    )
    assert ref["available"] is False and f"{probs[0].file}:{probs[0].line}:" in ref["reason"]


@SETTINGS
@given(st.integers(0, 4), st.integers(1, 3), st.integers(0, 2))
def test_the_independent_reading_locates_an_item_it_refuses(
    tmp_path_factory: pytest.TempPathFactory, before: int, files: int, where: int
) -> None:
    """``independent_case`` (outside ``compile_case``: the structure's independence figure and
    ``exact_posterior(structure=False)``) refuses an item whose likelihoods times P(state | h)
    underflow to 0: the message names the evidence file and the line of its likelihoods (items
    before it, several files, the item in any of them)."""
    import motives as mv

    doc: dict[str, Any] = {
        "name": "ind",
        "hypotheses": [{"id": "a"}, {"id": "b"}],
        "propositions": [
            {
                "id": "p",
                "title": "P",
                "states": ["low", "mid", "high"],
                "likelihoods": {
                    "a": {"low": 0.34, "mid": 0.33, "high": 0.33},
                    "b": {"low": 0.2, "mid": 0.3, "high": 0.5},
                },
            }
        ],
    }
    items = [
        {"id": f"e{i}", "title": "x", "likelihoods": {"a": 0.6, "b": 0.4}} for i in range(before)
    ]
    tiny = {
        "id": "tiny",
        "title": "x",
        "bears_on": "p",
        "likelihoods": {s: 5e-324 for s in ("low", "mid", "high")},
    }
    at = where % files
    root = tmp_path_factory.mktemp("ind") / "case"
    _write(root, {**doc, "evidence": []}, files, False)
    for f in range(files):
        part = {"evidence": items[f::files] + ([tiny] if f == at else [])}
        (root / f"ev{f}.yaml").write_text(yaml.safe_dump(part, sort_keys=False), encoding="utf-8")
    case = mv.load_case(root)
    mv.exact_posterior(case)  # the structured reading takes it (log space)
    with pytest.raises(mv.CaseError) as err:
        mv.exact_posterior(case, structure=False)
    (p,) = err.value.problems
    path = root / f"ev{at}.yaml"
    assert (p.file, p.line, p.item) == (
        str(path),
        _line_of_key(path, "tiny", "likelihoods"),
        "tiny",
    )
