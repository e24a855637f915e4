"""The interactive appendix in a real browser.

Chromium from Debian's packages, driven by Playwright.

The page's own engine (``engine.js``) must equal the Python engine
(:func:`motives.interactive.edited_posterior`, which applies the same edits to the
exact engine's arrays) to 1e-12 on random edit sets; both are exact
computations in double precision and differ only in summation order.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

import motives as mv
from _browser import CHROMIUM, needs_browser  # noqa: F401  (CHROMIUM: other test files import it here)
from _structured_cases import random_structured_case
from motives.interactive import appendix, check_edits, edited_posterior

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-12


def _random_edits(case: mv.Case, rng: random.Random) -> dict[str, Any]:
    e: dict[str, Any] = {}
    if rng.random() < 0.6:
        e["lens"] = rng.choice(case.lens_ids)
    if rng.random() < 0.5:
        e["prior"] = {
            h: round(rng.uniform(0, 1), 4) + 0.001
            for h in case.hypothesis_ids
            if rng.random() < 0.7
        }
    items = [x.id for x in case.evidence]
    if rng.random() < 0.7:
        e["weights"] = {
            i: round(rng.uniform(0, 2), 3) for i in rng.sample(items, min(6, len(items)))
        }
    if rng.random() < 0.4:
        e["drop"] = rng.sample(items, min(3, len(items)))
    if rng.random() < 0.4:
        e["discount"] = round(rng.random(), 3)
    if case.sources and rng.random() < 0.5:
        e["reliability"] = {
            s.key: round(rng.random(), 3) for s in case.sources if rng.random() < 0.6
        }
    if case.propositions and rng.random() < 0.7:
        tables = {}
        for p in case.propositions:
            if rng.random() < 0.6:
                pv = case.parent_values(p.bears_on)
                tables[p.id] = {
                    v: [round(rng.random(), 3) + 0.01 for _ in p.states]
                    for v in rng.sample(pv, max(1, len(pv) // 2))
                }
        e["tables"] = tables
    return e


@pytest.fixture(scope="module")
def pages(
    tmp_path_factory: pytest.TempPathFactory, bundled_case: mv.Case, example_case: Any
) -> dict[str, tuple[mv.Case, Path]]:
    cases = {
        "bundled": bundled_case,
        "burglary": example_case("burglary"),
        "random": random_structured_case(7, depth=3, lenses=("a", "b")),
    }
    out = {}
    for name, case in cases.items():
        out[name] = (case, appendix(case, tmp_path_factory.mktemp(name)))
    return out


def _open(browser: Any, path: Path, width: int = 1280) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    return page, requests, errors


# --------------------------------------------------------------------------- the file itself


def test_page_is_one_small_self_contained_file(pages: dict[str, tuple[mv.Case, Path]]) -> None:
    case, path = pages["bundled"]
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size <= 2_000_000
    assert list(path.parent.iterdir()) == [path]
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#|data:)""", html), "no external resource"
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert "default-src 'none'" in html  # the Content-Security-Policy forbids any request


def test_user_text_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    data = mv.examples.load("burglary").model_dump()
    data["title"] = "</script><script>window.pwned = 1</script><!--"
    data["evidence"][0]["title"] = "<img src=x onerror=alert(1)>"
    path = appendix(mv.Case.model_validate(data), tmp_path)
    html = path.read_text(encoding="utf-8")
    assert "<script>window.pwned" not in html and "<img src=x" not in html


@needs_browser
def test_no_request_leaves_the_page(browser: Any, pages: dict[str, tuple[mv.Case, Path]]) -> None:
    for _case, path in pages.values():
        page, requests, errors = _open(browser, path)
        page.select_option("#lens", index=0)
        assert [r for r in requests if not r.startswith("file://")] == []
        assert errors == []
        page.close()


# --------------------------------------------------------------------------- the engine


@needs_browser
@pytest.mark.parametrize("name,n", [("bundled", 200), ("burglary", 60), ("random", 150)])
def test_page_engine_equals_python_on_random_edits(
    browser: Any, pages: dict[str, tuple[mv.Case, Path]], name: str, n: int
) -> None:
    case, path = pages[name]
    page, _, _ = _open(browser, path)
    rng = random.Random(
        zlib.crc32(name.encode())
    )  # the same edits in every process (str hashes are salted)
    edit_sets = [_random_edits(case, rng) for _ in range(n)]
    got = page.evaluate("sets => sets.map(e => window.motives.posterior(e))", edit_sets)
    worst = 0.0
    for e, js in zip(edit_sets, got, strict=True):
        py = edited_posterior(case, e)
        for level in ("hypotheses", "families"):
            for k, v in py[level].items():
                worst = max(worst, abs(js[level][k] - v))
    assert worst <= TOL, f"largest difference {worst:.2e}"
    page.close()


def test_python_reference_against_the_engine_and_known_edits() -> None:
    case = mv.examples.load("burglary")
    assert edited_posterior(case)["hypotheses"]["suspect"] == pytest.approx(
        float(mv.exact_posterior(case).loc[("hypothesis", "suspect"), "credence"]), abs=1e-15
    )
    nothing = edited_posterior(case, {"discount": 0})["hypotheses"]
    assert nothing["suspect"] == pytest.approx(0.1, abs=1e-15)  # no evidence counts: the prior
    dropped = edited_posterior(case, {"drop": [e.id for e in case.evidence]})["hypotheses"]
    assert dropped["suspect"] == pytest.approx(0.1, abs=1e-15)
    flat = edited_posterior(
        case,
        {
            "tables": {
                "at_scene": {"suspect": [1, 1], "someone_else": [1, 1]},
                "had_motive": {"suspect": [1, 1], "someone_else": [1, 1]},
            },
            "reliability": {"neighbour": 1.0},
        },
    )["hypotheses"]
    assert flat["suspect"] == pytest.approx(0.1, abs=1e-15)  # non-diagnostic tables
    with pytest.raises(mv.CaseError, match="weights"):
        check_edits(case, {"weights": {"fibres_match": 3}})
    with pytest.raises(mv.CaseError, match="unknown edit"):
        check_edits(case, {"lenz": "x"})


# --------------------------------------------------------------------------- as a person uses it


def _fmt(p: float) -> str:
    """The page's number format (ui.js fmt)."""
    if p == 0:
        return "0"
    if p < 0.001:
        return f"{p:.1e}".replace("e-0", "e-").replace("e+0", "e+")
    if 0.999 < p < 1:
        return "1 − " + f"{1 - p:.1e}".replace("e-0", "e-")
    return f"{100 * p:.1f}%"


def _credence_text(page: Any, label: str) -> str:
    return page.locator(f"td[data-credence={json.dumps(label)}]").inner_text()


@needs_browser
def test_controls_work_as_a_person_uses_them(
    browser: Any, pages: dict[str, tuple[mv.Case, Path]]
) -> None:
    case, path = pages["bundled"]
    page, requests, errors = _open(browser, path)
    # switch the lens
    other = next(lens for lens in case.lens_ids if lens != case.default_lens)
    page.select_option("#lens", other)
    assert page.evaluate("window.motives.edits()") == {"lens": other}
    # lower an item's weight with the keyboard: four steps of 0.05
    item = case.evidence[0].id
    page.focus(f"input[data-weight={json.dumps(item)}]")
    for _ in range(4):
        page.keyboard.press("ArrowLeft")
    assert page.evaluate("window.motives.edits()")["weights"] == {item: pytest.approx(0.8)}
    # leave another item out by clicking its box
    dropped = case.evidence[1].id
    page.click(f"input[data-include={json.dumps(dropped)}]")
    edits = page.evaluate("window.motives.edits()")
    assert edits["drop"] == [dropped]
    # set a proposition row, if the case has propositions
    if case.propositions:
        p = case.propositions[0]
        v = case.parent_values(p.bears_on)[0]
        box = page.locator(
            f"input[data-prop={json.dumps(p.id)}][data-parent={json.dumps(v)}]"
        ).first
        box.fill("0.5")
        box.press("Tab")
    edits = page.evaluate("window.motives.edits()")
    shown = page.evaluate("window.motives.last")
    py = edited_posterior(case, edits)
    for h, x in py["hypotheses"].items():
        assert shown["hypotheses"][h] == pytest.approx(x, abs=TOL)
    for h in case.hypotheses:  # the numbers on screen are the engine's
        assert _credence_text(page, h.name) == _fmt(py["hypotheses"][h.id])
    # the edits are in the address: a reload restores them, reset clears them
    assert "#" in page.url
    page.reload()
    assert page.evaluate("window.motives.edits()") == edits
    assert page.input_value(f"input[data-weight={json.dumps(item)}]") == "0.8"
    page.click("#reset")
    assert page.evaluate("window.motives.edits()") == {}
    assert "#" not in page.url
    assert [r for r in requests if not r.startswith("file://")] == [] and errors == []
    page.close()


@needs_browser
def test_page_lens_switch_follows_the_rule(
    browser: Any, pages: dict[str, tuple[mv.Case, Path]]
) -> None:
    """The lens menu (the rule of :func:`motives.interactive.switch_lens`, the widget's too): a table edit goes,
    the prior stays, the tables show the new lens's values, the status line says what was dropped,
    and the credences are the new lens's exact ones under the reader's prior
    (``tests/test_explore.py`` runs the same
    scenario in the widget's page)."""
    case, path = pages["bundled"]
    page, requests, errors = _open(browser, path)
    first = case.resolve_lens(None)
    other = next(lens for lens in case.lens_ids if lens != first)
    h0 = case.hypothesis_ids[0]
    page.fill(f"input[data-h={json.dumps(h0)}]", "0.5")
    page.dispatch_event(f"input[data-h={json.dumps(h0)}]", "change")
    prop = next(p for p in case.propositions if len(p.states) == 2)
    row = case.parent_values(prop.bears_on)[0]
    cell = f"input[data-prop={json.dumps(prop.id)}][data-parent={json.dumps(row)}][data-state={json.dumps(prop.states[0])}]"
    page.fill(cell, "0.125")
    page.dispatch_event(cell, "change")
    assert page.evaluate("window.motives.edits()")["tables"] == {prop.id: {row: [0.125, 0.875]}}
    page.select_option("#lens", other)
    assert page.evaluate("window.motives.edits()") == {"lens": other, "prior": {h0: 0.5}}
    pri = dict(zip(case.hypothesis_ids, case.prior_vector(), strict=True)) | {h0: 0.5}
    want = mv.exact_posterior(case, other, {k: v / sum(pri.values()) for k, v in pri.items()})
    shown = page.evaluate("window.motives.last")
    for h in case.hypothesis_ids:
        assert shown["hypotheses"][h] == pytest.approx(
            float(want.loc[("hypothesis", h), "credence"]), abs=TOL
        )
    table = page.evaluate(
        "(a) => window.motives.data.engine[a[0]].props.find(p => p.id === a[1]).table[0][0]",
        [other, prop.id],
    )
    assert float(page.input_value(cell)) == table  # the new lens's own value, at full precision
    assert page.inner_text("#status") == (
        "Lens switched: your 1 edited table row was dropped (table values belong "
        "to the lens they were set under); the tables show this lens's values."
    )
    page.select_option(
        "#lens", first
    )  # no table edit to drop: nothing said, the prior still stands
    assert page.evaluate("window.motives.edits()") == {"prior": {h0: 0.5}}
    assert page.inner_text("#status") == ""
    assert errors == [] and [r for r in requests if not r.startswith("file://")] == []
    page.close()


@needs_browser
def test_page_switch_lens_equals_python(
    browser: Any, pages: dict[str, tuple[mv.Case, Path]]
) -> None:
    """``switchLens`` (engine.js) and :func:`motives.interactive.switch_lens` give the same edit set on generated
    edit sets and lenses (the page leaves the default lens implicit: compared with it filled in)."""
    from motives.interactive import switch_lens

    for name in ("bundled", "random"):
        case, path = pages[name]
        page, _, _ = _open(browser, path)
        rng = random.Random(zlib.crc32(b"switch" + name.encode()))
        sets = [(_random_edits(case, rng), rng.choice(case.lens_ids)) for _ in range(60)]
        got = page.evaluate(
            "s => s.map(([e, l]) => window.motivesEngine.switchLens(window.motives.data, e, l))",
            sets,
        )
        for (e, lens), js in zip(sets, got, strict=True):
            assert js == switch_lens(case, e, lens), (e, lens)
        assert (
            sum(
                "tables" in e and e.get("lens", case.resolve_lens(None)) != lens for e, lens in sets
            )
            >= 5
        )
        page.close()


@needs_browser
def test_every_control_has_a_label(browser: Any, pages: dict[str, tuple[mv.Case, Path]]) -> None:
    page, _, _ = _open(browser, pages["burglary"][1])
    unlabelled = page.evaluate("""() => Array.from(document.querySelectorAll('input, select, button'))
        .filter(e => !(e.getAttribute('aria-label') || (e.id && document.querySelector('label[for="' + e.id + '"]'))
                       || e.closest('label') || (e.tagName === 'BUTTON' && e.textContent.trim())))
        .map(e => e.outerHTML)""")
    assert unlabelled == []
    page.close()


@needs_browser
@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_at_desktop_and_phone_widths(
    browser: Any, pages: dict[str, tuple[mv.Case, Path]], width: int, tmp_path: Path
) -> None:
    page, _, errors = _open(browser, pages["bundled"][1], width=width)
    shot = tmp_path / f"appendix_{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000 and errors == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a {width}px screen"
    page.close()


def test_cli_writes_the_appendix(tmp_path: Path) -> None:
    out = tmp_path / "appendix"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "motives.cli",
            "appendix",
            str(ROOT / "models" / "baseline.yaml"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr
    assert (out / "index.html").is_file() and "wrote" in res.stdout
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "motives.cli",
            "appendix",
            str(ROOT / "models" / "baseline.yaml"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert again.returncode != 0 and "--force" in again.stderr and "Traceback" not in again.stderr


# --------------------------------------------------------------------------- the Jupyter widget


def test_explore_widget_follows_the_engine() -> None:
    """Set the widget's state as its controls do.

    The credences are the engine's under the same edits.
    """
    pytest.importorskip("anywidget")
    case = mv.examples.load("burglary")
    ex = mv.explore(case)
    assert ex.result == edited_posterior(case, {})
    ex.set_weight("fibres_match", 0.0)
    ex.set_reliability("neighbour", 0.3)
    ex.set_table("had_motive", "suspect", [0.5, 0.5])
    ex.set_prior("suspect", 0.5)
    want = edited_posterior(
        case,
        {
            "weights": {"fibres_match": 0.0},
            "reliability": {"neighbour": 0.3},
            "tables": {"had_motive": {"suspect": [0.5, 0.5]}},
            "prior": {"suspect": 0.5},
        },
    )
    for h, x in want["hypotheses"].items():
        assert ex.result["hypotheses"][h] == pytest.approx(x, abs=1e-15)
    assert ex.edits["weights"] == {"fibres_match": 0.0}
    case2 = mv.examples.load("two_lenses")
    ex2 = mv.explore(case2)
    ex2.set_lens("b")
    assert ex2.result["hypotheses"]["h1"] == pytest.approx(0.5, abs=1e-15)


@needs_browser
def test_credence_note_names_family_bars_only_when_drawn(
    browser: Any, pages: dict[str, tuple[mv.Case, Path]]
) -> None:
    """The note under the bars spoke of hatched family bars on a page that drew none (each family one hypothesis)."""
    for name in ("bundled", "burglary"):
        case, path = pages[name]
        page, _, errors = _open(browser, path)
        page.wait_for_function("document.querySelectorAll('#credences tr').length > 0")
        drawn = page.evaluate("document.querySelectorAll('#credences tr').length") > len(
            case.hypotheses
        )
        note = page.inner_text("#cred-note")
        page.close()
        assert not errors, errors
        assert drawn == (len(case.family_ids) < len(case.hypotheses)), name
        assert ("hatched bars: families" in note) == drawn, (name, note)
