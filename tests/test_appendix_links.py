"""A shared link cannot fabricate the verdict.

The page applies ``check_edits``'s rules to the edits in its address.

The page's ``checkEdits`` (``engine.js``) must agree with :func:`motives.interactive.check_edits` on
every edit set, valid or not: the same verdict and the same message. A link whose edits break a rule
is refused with a visible message and the page shows the author's numbers (the exact engine's
credences); a valid link is used. Tested in headless Chromium (Playwright), as the other appendix
tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import motives as mv
from _browser import needs_browser
from _structured_cases import random_structured_case
from motives.interactive import appendix, check_edits
from test_appendix import _credence_text, _fmt

pytestmark = needs_browser


@pytest.fixture(scope="module")
def burglary(tmp_path_factory: pytest.TempPathFactory) -> tuple[mv.Case, Path]:
    case = mv.examples.load("burglary")  # sources, propositions, two hypotheses with a stated prior
    return case, appendix(case, tmp_path_factory.mktemp("burglary"))


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> tuple[mv.Case, Path]:
    case = random_structured_case(
        11, depth=3, lenses=("a", "b")
    )  # several lenses, facts of several parents
    return case, appendix(case, tmp_path_factory.mktemp("network"))


def _open(
    browser: Any, path: Path, edits: Any = None, raw: str | None = None
) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    frag = (
        ""
        if edits is None and raw is None
        else "#" + (raw if raw is not None else quote(json.dumps(edits)))
    )
    page.goto(path.as_uri() + frag)
    return page, errors


def _python_verdict(case: mv.Case, edits: Any) -> str | None:
    try:
        check_edits(case, edits)
    except mv.CaseError as exc:
        return exc.problems[0].message
    return None


# --------------------------------------------------------------------------- generated edit sets

NUMBERS = [
    0,
    0.5,
    1,
    2,
    -0.0,
    -3,
    -50,
    2.5,
    1.0000001,
    1e308,
    -1e308,
    5e-324,
    math.inf,
    -math.inf,
    math.nan,
]
ODD = ["1", True, None, [], {}, "x"]


def _edit_sets(case: mv.Case) -> st.SearchStrategy[dict[str, Any]]:
    """Edit sets near and beyond every rule's edges.

    Valid and invalid values, known and unknown keys.
    """
    value = st.sampled_from(NUMBERS) | st.floats(-3, 3) | st.sampled_from(ODD)
    hyps = st.sampled_from([*case.hypothesis_ids, "nobody"])
    items = st.sampled_from([*(e.id for e in case.evidence), "no_item"])
    sources = st.sampled_from([*(s.key for s in case.sources), "no_source"])
    tables: dict[str, Any] = {}
    for p in case.propositions:
        keys = st.sampled_from([*case.parent_values(p.bears_on), "no_row"])
        row = (
            st.lists(
                st.sampled_from(NUMBERS) | st.floats(0, 1),
                min_size=len(p.states),
                max_size=len(p.states),
            )
            | st.lists(st.floats(0, 1), max_size=len(p.states) + 1)
            | st.sampled_from(ODD)
        )
        tables[p.id] = st.dictionaries(keys, row, max_size=2) | st.sampled_from(ODD)
    table_edits = (
        st.fixed_dictionaries({}, optional={**tables, "no_fact": st.just({})})
        if tables
        else st.just({"no_fact": {}})
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "lens": st.sampled_from([*case.lens_ids, "nolens", ""]) | st.sampled_from(ODD),
            "prior": st.dictionaries(hyps, value, max_size=3) | st.sampled_from(ODD),
            "weights": st.dictionaries(items, value, max_size=3) | st.sampled_from(ODD),
            "drop": st.lists(items | st.sampled_from(ODD), max_size=3) | st.sampled_from(ODD),
            "discount": value,
            "reliability": st.dictionaries(sources, value, max_size=2) | st.sampled_from(ODD),
            "tables": table_edits | st.sampled_from(ODD),
            "lenz": st.just("x"),
        },
    )


@pytest.mark.parametrize("which", ["burglary", "network"])
def test_page_checks_edits_exactly_as_python(
    browser: Any, which: str, request: pytest.FixtureRequest
) -> None:
    case, path = request.getfixturevalue(which)
    page, errors = _open(browser, path)
    seen = {"valid": 0, "refused": 0}

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_edit_sets(case))
    def check(edits: dict[str, Any]) -> None:
        py = _python_verdict(case, edits)
        js = page.evaluate("e => window.motivesEngine.checkEdits(window.motives.data, e)", edits)
        assert js == py, edits
        seen["valid" if py is None else "refused"] += 1
        if (
            py is None
        ):  # a valid set computes; an invalid one the engine refuses with the same message
            page.evaluate("e => window.motives.posterior(e)", edits)
        else:
            thrown = page.evaluate(
                "e => { try { window.motives.posterior(e); return null; } "
                "catch (err) { return err.message; } }",
                edits,
            )
            assert thrown == py

    check()
    assert seen["valid"] > 10 and seen["refused"] > 10, (
        seen
    )  # both sides of the rules were exercised
    assert errors == []
    page.close()


# ------------------------------------------------------------------ links as a reader receives them


def _author(case: mv.Case) -> dict[str, float]:
    post = mv.exact_posterior(case)
    return {h.id: float(post.loc[("hypothesis", h.id), "credence"]) for h in case.hypotheses}


@pytest.mark.parametrize(
    "edits, message",
    [
        (
            {"weights": {"fibres_match": -50}},
            "weights: 'fibres_match' must be an item with a factor in [0, 2]",
        ),
        ({"discount": -3}, "discount must be a number in [0, 1]"),
        ({"prior": {"suspect": 0, "someone_else": 0}}, "prior: the weights must not all be 0"),
        (
            {"reliability": {"neighbour": 7}},
            "reliability: 'neighbour' must be a declared source with a value in [0, 1]",
        ),
        (
            {"weights": {"fibres_match": "abc"}},
            "weights: 'fibres_match' must be an item with a factor in [0, 2]",
        ),
        ({"lens": "no_such_lens"}, "lens: no lens 'no_such_lens'; valid: default"),
        (
            {"tables": {"at_scene": {"suspect": [-1, 2]}}},
            "tables: 'at_scene' row 'suspect' must give 2 non-negative",
        ),
        ({"drop": "fibres_match"}, "drop must be a list of item ids"),
        ([1, 2], "the edits must be a mapping"),
    ],
)
def test_a_link_with_invalid_edits_is_refused_and_shows_the_authors_numbers(
    browser: Any, burglary: tuple[mv.Case, Path], edits: Any, message: str
) -> None:
    case, path = burglary
    page, errors = _open(browser, path, edits)
    box = page.locator("#refused")
    assert box.is_visible()
    text = box.inner_text()
    assert "This link's edits were refused" in text and message in text, text
    assert page.evaluate("window.motives.edits()") == {}
    author = _author(case)
    for h in case.hypotheses:  # on screen: the case's own credences, not the link's
        assert _credence_text(page, h.name) == _fmt(author[h.id])
    for h, x in page.evaluate("window.motives.last")["hypotheses"].items():
        assert x == pytest.approx(author[h], abs=1e-12)
    assert "NaN" not in page.locator("body").inner_text()
    assert errors == []
    page.close()


def test_an_unreadable_link_is_refused(browser: Any, burglary: tuple[mv.Case, Path]) -> None:
    case, path = burglary
    page, errors = _open(browser, path, raw="%7Bnot%20json")
    assert page.locator("#refused").is_visible()
    assert "could not be read" in page.locator("#refused").inner_text()
    assert _credence_text(page, case.hypotheses[0].name) == _fmt(
        _author(case)[case.hypotheses[0].id]
    )
    page.close()


def test_a_valid_link_is_used_and_reset_clears_the_refusal(
    browser: Any, burglary: tuple[mv.Case, Path]
) -> None:
    case, path = burglary
    edits = {"weights": {"fibres_match": 0.5}, "discount": 0.8}
    page, errors = _open(browser, path, edits)
    assert not page.locator("#refused").is_visible()
    assert page.evaluate("window.motives.edits()") == edits
    py = mv.interactive.edited_posterior(case, edits)["hypotheses"]
    for h in case.hypotheses:
        assert _credence_text(page, h.name) == _fmt(py[h.id])
    page.close()
    page, errors = _open(browser, path, {"discount": -3})
    assert page.locator("#refused").is_visible()
    page.click("#reset")
    assert not page.locator("#refused").is_visible()
    assert errors == []
    page.close()


def test_python_refuses_what_the_page_refuses() -> None:
    case = mv.examples.load("burglary")
    for edits, field in [
        ({"weights": {"fibres_match": -50}}, "edits.weights"),
        ({"discount": -3}, "edits.discount"),
        ({"lens": "nope"}, "edits.lens"),
        ({"prior": {"suspect": 0, "someone_else": 0}}, "edits.prior"),
        ("x", "edits"),
    ]:
        with pytest.raises(mv.CaseError) as info:
            check_edits(case, edits)  # type: ignore[arg-type]
        assert info.value.problems[0].field == field
    assert (
        check_edits(case, {"discount": None})["discount"] == 1.0
    )  # null is "not given", as in the page
