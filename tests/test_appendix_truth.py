"""The appendix tells the truth (issue 22).

It never moves a judgement the reader did not move, prints small probabilities as they are, honours
the spec's target, and sends the reader's judgements back as a lens.

In Chromium (Debian's package, driven by Playwright, as in tests/test_appendix.py): a source
reliability of 0.999 survives "use my value" untouched; 1e-6 prints as 1e-6; the target is the
spec's; edit → download → ``motives add-lens`` → pool gives the pooled posterior Python gives for
the same judgements (1e-12). In Python: a lens file made from any set of lens-level edits gives, as
a new lens, the posterior of the edits; the case folder ``add-lens`` writes reads back as the same
lens; every bad lens file gets one located message.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import motives as mv
from _browser import CHROMIUM, needs_browser  # noqa: F401
from _structured_cases import random_structured_case
from motives.cli import app
from motives.interactive import appendix, edited_posterior, lens_file_from_edits
from motives.lensfile import LensFile, add_lens, lens_case_files, read_lens_file
from motives.pooling import pool
from motives.testing import random_network_document

TOL = 1e-12
runner = CliRunner()

LAB = {
    "name": "lab_match",
    "title": "A lab that reports twice",
    "hypotheses": [
        {"id": "other", "label": "Someone else left the trace", "prior": 0.999},
        {"id": "suspect", "label": "The suspect left the trace", "prior": 0.001},
    ],
    "sources": [
        {"key": "lab", "reliability": 0.999, "description": "The lab"},
        {"key": "witness", "reliability": {"mean": 0.8, "concentration": 10}},
    ],
    "propositions": [
        {
            "id": "match",
            "title": "The trace matches the suspect",
            "states": ["yes", "no"],
            "bears_on": "hypotheses",
            "likelihoods": {"other": 1e-6, "suspect": 1.0},
        }
    ],
    "evidence": [
        {
            "id": "report1",
            "title": "First lab report: a match",
            "bears_on": "match",
            "reported_by": "lab",
            "base_rate": 0.5,
            "likelihoods": {"yes": 0.99, "no": 1e-6},
        },
        {
            "id": "report2",
            "title": "Second lab report: a match",
            "bears_on": "match",
            "reported_by": "lab",
            "base_rate": 0.5,
            "likelihoods": {"yes": 0.99, "no": 1e-6},
        },
        {
            "id": "seen",
            "title": "A witness saw the suspect nearby",
            "reported_by": "witness",
            "likelihoods": {"other": 0.2, "suspect": 0.6},
        },
        {
            "id": "seen2",
            "title": "A second sighting",
            "reported_by": "witness",
            "likelihoods": {"other": 0.3, "suspect": 0.5},
        },
    ],
}


def lab_case() -> mv.Case:
    return mv.Case.model_validate(LAB)


def _worst(a: dict[str, float], b: dict[str, float]) -> float:
    assert set(a) == set(b)
    return max(abs(a[k] - b[k]) for k in a)


def _pooled(case: mv.Case, lenses: list[str]) -> dict[str, float]:
    return edited_posterior(pool(case, lenses, id="pooled"), {"lens": "pooled"})["hypotheses"]


# --------------------------------------------------------------- Python: edits -> lens -> posterior


def _lens_edits(case: mv.Case, rng: random.Random) -> dict[str, Any]:
    """Random edits a lens can hold.

    Lens, weights, drops, discount, table rows (no prior, no reliability).
    """
    from test_appendix import _random_edits

    e = _random_edits(case, rng)
    e.pop("prior", None)
    e.pop("reliability", None)
    lik = {x.id for x in case.evidence if x.kind == "likelihood"}
    if any(x.kind != "likelihood" for x in case.evidence):
        e.pop("discount", None)  # a discount reaches timeline and quantity items too
    e["weights"] = {i: g for i, g in (e.get("weights") or {}).items() if i in lik}
    e["drop"] = [i for i in e.get("drop") or [] if i in lik]
    return e


def _cases() -> list[mv.Case]:
    out = [mv.examples.load(n) for n in ("student", "alarm", "burglary", "two_lenses", "witness")]
    out += [random_structured_case(s) for s in range(4)]
    out += [mv.Case.model_validate(random_network_document(s, lenses=("a", "b"))) for s in range(3)]
    return [*out, lab_case()]


@pytest.mark.parametrize("k", range(13))
def test_a_lens_made_from_edits_gives_the_posterior_of_the_edits(k: int) -> None:
    case = _cases()[k]
    rng = random.Random(k)
    moved = 0
    for _ in range(6):
        edits = _lens_edits(case, rng)
        lf = lens_file_from_edits(case, edits, name="Ann")
        assert lf["not_applied"] == {}
        moved += (
            _worst(
                edited_posterior(case, edits)["hypotheses"], edited_posterior(case)["hypotheses"]
            )
            > 1e-9
        )
        with_lens = add_lens(case, LensFile.model_validate(lf))
        got = edited_posterior(with_lens, {"lens": lf["lens"]["id"]})["hypotheses"]
        assert _worst(got, edited_posterior(case, edits)["hypotheses"]) <= TOL
        # the lens the edits started from is unchanged, and so is every other
        for lens in case.lens_ids:
            assert edited_posterior(with_lens, {"lens": lens}) == edited_posterior(
                case, {"lens": lens}
            )
    assert moved > 0  # some of the edits moved the answer: the comparison is not of unchanged cases


@pytest.mark.parametrize("k", range(13))
def test_the_folder_add_lens_writes_reads_back_as_the_lens(k: int, tmp_path: Path) -> None:
    """lens_case_files (what `motives add-lens` writes).

    Loaded, every judgement of the new lens equals add_lens's, flat keys of several parents and a
    root's '*' row included; the other lenses are the original's.
    """
    case = _cases()[k]
    rng = random.Random(100 + k)
    edits = _lens_edits(case, rng)
    edits.setdefault("tables", {})
    for p in case.propositions:  # every table changed: every kind of row key goes through the file
        keys = case.parent_values(p.parents)
        edits["tables"].setdefault(p.id, {keys[-1]: [rng.random() + 0.01 for _ in p.states]})
    lf = LensFile.model_validate(lens_file_from_edits(case, edits, name="Ann"))
    src = tmp_path / "case"
    _write_case(case, src)
    out = tmp_path / "with_ann"
    out.mkdir()
    for name, data in lens_case_files(case, lf, "../case").items():
        (out / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    loaded = mv.load_case(out)
    expected = add_lens(case, lf)
    assert loaded.lens_ids == expected.lens_ids
    for e in expected.evidence:
        for lens in expected.lens_ids:
            assert loaded.judgement(loaded.item(e.id), lens)[0] == expected.judgement(e, lens)[0], (
                e.id,
                lens,
            )
    for p in expected.propositions:
        assert loaded.proposition(p.id).likelihoods == p.likelihoods, p.id
    assert loaded.prior_vector() == pytest.approx(case.prior_vector(), abs=1e-15)


def _write_case(case: mv.Case, folder: Path) -> None:
    """A bundled example is copied; a generated case is written as one case.yaml (its document)."""
    if case.name in {"student", "alarm", "burglary", "two_lenses", "witness"}:
        shutil.copytree(mv.examples.path(case.name), folder)
        return
    folder.mkdir()
    doc = case.model_dump(mode="json", exclude_none=True, exclude={"references"})
    (folder / "evidence.yaml").write_text(
        yaml.safe_dump({"evidence": doc.pop("evidence")}, sort_keys=False)
    )
    (folder / "case.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    assert mv.load_case(folder).lens_ids == case.lens_ids


# ----------------------------------------------------------------------- the CLI and bad lens files


def _lens_yaml(**over: Any) -> dict[str, Any]:
    lf = {
        "motives": "lens file",
        "case": "student",
        "based_on": "default",
        "lens": {"id": "reader_ann", "name": "Ann"},
        "changed": {
            "sat_high": {"values": {"high": 0.7, "low": 1e-6}},
            "grade": {
                "values": {
                    "high.easy": {"a": 0.9, "b": 0.08, "c": 0.02},
                    "high.hard": {"a": 0.5, "b": 0.3, "c": 0.2},
                    "low.easy": {"a": 0.3, "b": 0.4, "c": 0.3},
                    "low.hard": {"a": 0.1, "b": 0.2, "c": 0.7},
                }
            },
        },
        "unchanged": ["difficulty"],
    }
    lf.update(over)
    return lf


@pytest.fixture
def student(tmp_path: Path) -> Path:
    shutil.copytree(mv.examples.path("student"), tmp_path / "student")
    return tmp_path / "student"


def test_add_lens_writes_a_case_folder_that_pools(student: Path, tmp_path: Path) -> None:
    f = tmp_path / "ann.yaml"
    f.write_text(yaml.safe_dump(_lens_yaml(not_applied={"prior": {"high": 0.5}})))
    r = runner.invoke(app, ["add-lens", str(student), str(f)])
    assert r.exit_code == 0, r.output
    out = tmp_path / "student_reader_ann"
    assert "2 judgements changed, the rest as lens 'default'" in r.output
    assert "not applied: the reader's prior weights {'high': 0.5}" in r.output
    case = mv.load_case(out)
    assert case.lens_ids == ["default", "reader_ann"]
    # the new lens holds the file's numbers exactly (1e-6 stays 1e-6)
    assert case.item("sat_high").likelihoods["reader_ann"].values["low"].mean == 1e-6
    want = add_lens(mv.examples.load("student"), read_lens_file(f, mv.examples.load("student")))
    assert _pooled(case, ["default", "reader_ann"]) == _pooled(want, ["default", "reader_ann"])
    # cruxes read it as any other lens: the item the reader changed is a crux against the author's
    # lens
    cr = mv.sensitivity.cruxes(case, lens="default").reset_index()
    assert set(cr["lens"]) == {"reader_ann"} and "sat_high" in set(cr["evidence"])
    # never over an existing folder without --force; with --force, replaced
    r2 = runner.invoke(app, ["add-lens", str(student), str(f)])
    assert r2.exit_code == 2 and "already exists; pass --force" in r2.output
    assert runner.invoke(app, ["add-lens", str(student), str(f), "--force"]).exit_code == 0
    # --out inside the case folder is refused (the case's own files are never touched)
    r3 = runner.invoke(app, ["add-lens", str(student), str(f), "--out", str(student / "x")])
    assert r3.exit_code == 2 and not (student / "x").exists()


BAD = {
    "another case": ({"case": "alarm"}, "made for case 'alarm', not 'student'"),
    "unknown lens": (
        {"based_on": "defualt"},
        "no lens 'defualt' in case 'student' (valid: default). Did you mean 'default'?",
    ),
    "lens id taken": ({"lens": {"id": "default"}}, "the case already has a lens 'default'"),
    "unknown item": (
        {"changed": {"sat_hihg": {"values": {"high": 0.5, "low": 0.5}}}},
        "no item or proposition 'sat_hihg' in case 'student'. Did you mean 'sat_high'?",
    ),
    "missing value": (
        {"changed": {"sat_high": {"values": {"high": 0.5}}}},
        "'sat_high' is missing value(s) for ['low']",
    ),
    "value above 1": (
        {"changed": {"sat_high": {"values": {"high": 1.5, "low": 0.5}}}},
        "P(E | high) of 'sat_high' must be a number in [0, 1]",
    ),
    "row off 1": (
        {"changed": {"difficulty": {"values": {"*": {"easy": 0.6, "hard": 0.5}}}}, "unchanged": []},
        "row '*' of 'difficulty' sums to 1.1, not 1",
    ),
    "missing row": (
        {"changed": {"grade": {"values": {"high.easy": {"a": 0.9, "b": 0.08, "c": 0.02}}}}},
        "'grade' is missing row(s) ['high.hard', 'low.easy', 'low.hard']",
    ),
    "unknown row": (
        {
            "changed": {
                "difficulty": {
                    "values": {"*": {"easy": 0.6, "hard": 0.4}, "easy": {"easy": 0.6, "hard": 0.4}}
                }
            },
            "unchanged": [],
        },
        "'difficulty' has no row 'easy'; rows: *",
    ),
    "wrong states": (
        {"changed": {"difficulty": {"values": {"*": {"easy": 0.6, "hrad": 0.4}}}}, "unchanged": []},
        "row '*' of 'difficulty' must give P(state) for each of its states ['easy', 'hard']",
    ),
    "both lists": ({"unchanged": ["sat_high"]}, "'sat_high' is listed as changed and as unchanged"),
    "unknown key": ({"chnaged": {}}, "chnaged"),
    "not a lens file": ({"motives": "case"}, "motives"),
    "unknown hypothesis in the prior": (
        {"not_applied": {"prior": {"hihg": 1}}},
        "no hypothesis 'hihg'",
    ),
}


@pytest.mark.parametrize("what", list(BAD))
def test_a_bad_lens_file_gets_one_located_message(what: str, student: Path, tmp_path: Path) -> None:
    over, msg = BAD[what]
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(_lens_yaml(**over), sort_keys=False))
    r = runner.invoke(app, ["add-lens", str(student), str(f)])
    assert r.exit_code == 2, r.output
    assert "error: 1 problem" in r.output and msg in r.output, r.output
    assert "bad.yaml:" in r.output  # the file and the line
    assert "Traceback" not in r.output
    assert (
        not (tmp_path / "student_reader_ann").exists()
        and not (tmp_path / "student_default").exists()
    )


def test_a_lens_file_that_is_not_yaml_or_not_a_mapping(student: Path, tmp_path: Path) -> None:
    for text, msg in (
        ("- a\n- b\n", "expected a YAML mapping at the top"),
        ("a: [1,\n", "bad.yaml"),
    ):
        f = tmp_path / "bad.yaml"
        f.write_text(text)
        r = runner.invoke(app, ["add-lens", str(student), str(f)])
        assert r.exit_code == 2 and "error: 1 problem" in r.output and msg in r.output, r.output
        assert "Traceback" not in r.output


# --------------------------------------------------------------------------- Chromium


def _open(browser: Any, path: Path) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    return page, errors


@needs_browser
def test_use_my_value_leaves_a_reliability_of_0999_untouched(browser: Any, tmp_path: Path) -> None:
    case = lab_case()
    page, errors = _open(browser, appendix(case, tmp_path))
    py = edited_posterior(case)["hypotheses"]
    # the test can tell: the old page's slider read 0.999 as 1.00, which moves P(other) by far more
    # than 1e-12
    assert _worst(edited_posterior(case, {"reliability": {"lab": 1.0}})["hypotheses"], py) > 1e-5
    page.locator("#sources summary").click()
    assert page.locator("input[data-source='lab']").input_value() == "0.999"
    page.locator("input[data-source-on='lab']").check()
    assert page.evaluate("window.motives.edits()").get("reliability") == {"lab": 0.999}
    assert _worst(page.evaluate("window.motives.last")["hypotheses"], py) <= TOL
    assert page.locator("input[data-source='lab']").input_value() == "0.999"
    # an uncertain source: ticking without a new value keeps the judged Beta, not a point at its
    # mean
    page.locator("input[data-source-on='witness']").check()
    assert "witness" not in page.evaluate("window.motives.edits()").get("reliability", {})
    assert _worst(page.evaluate("window.motives.last")["hypotheses"], py) <= TOL
    # the slider is on the log-odds scale: one step near 1 is a small change, and 0.9999 is
    # reachable
    slider = page.locator("input[data-source-slider='lab']")
    assert float(slider.input_value()) == pytest.approx(6.9068, abs=0.01)  # log(0.999 / 0.001)
    slider.evaluate("(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input')); }", 9.22)
    v = page.evaluate("window.motives.edits()")["reliability"]["lab"]
    assert 0.9999 < v < 0.99991
    assert float(page.locator("input[data-source='lab']").input_value()) == v
    assert (
        _worst(
            page.evaluate("window.motives.last")["hypotheses"],
            edited_posterior(case, {"reliability": {"lab": v}})["hypotheses"],
        )
        <= TOL
    )
    # typed into the number field: taken exactly as typed
    field = page.locator("input[data-source='lab']")
    field.fill("0.99987")
    field.press("Tab")
    assert page.evaluate("window.motives.edits()")["reliability"]["lab"] == 0.99987
    assert errors == []
    page.close()


@needs_browser
def test_small_probabilities_print_in_scientific_notation(browser: Any, tmp_path: Path) -> None:
    case = lab_case()
    page, errors = _open(browser, appendix(case, tmp_path))
    cell = page.locator("input[data-prop='match'][data-parent='other'][data-state='yes']")
    assert cell.input_value() == "1e-6"
    # every table cell holds the lens's number exactly (not rounded to 4 decimals), none a 0 for a
    # nonzero
    for inp in page.locator("input[data-prop]").all():
        pv = case.parent_values(case.proposition(inp.get_attribute("data-prop")).parents)
        row = case.proposition_table(inp.get_attribute("data-prop")).to_numpy()[
            pv.index(inp.get_attribute("data-parent"))
        ]
        si = case.proposition(inp.get_attribute("data-prop")).states.index(
            inp.get_attribute("data-state")
        )
        assert float(inp.input_value()) == row[si]
        assert inp.evaluate(
            "e => e.scrollWidth <= e.clientWidth"
        )  # shown whole, not cut off by the box
    # the credences and their tooltips: P(other) is about 3.6e-4, printed so, never 0
    text = page.locator("td[data-credence='Someone else left the trace']").inner_text()
    assert text == "3.6e-4"
    title = page.locator("#credences .bar.hyp").first.get_attribute("title")
    assert float(title) == pytest.approx(edited_posterior(case)["hypotheses"]["other"], rel=1e-15)
    # a reader's 1e-7 typed into a table stays 1e-7 (the two-state row completed at full precision)
    cell.fill("1e-7")
    cell.press("Tab")
    assert page.evaluate("window.motives.edits()")["tables"]["match"]["other"] == [1e-7, 1 - 1e-7]
    assert page.locator(
        "input[data-prop='match'][data-parent='other'][data-state='no']"
    ).input_value() == repr(1 - 1e-7)
    assert errors == []
    page.close()


@needs_browser
def test_the_target_is_the_specs(browser: Any, tmp_path: Path) -> None:
    """The dice case: the spec's target d20 is not the first family.

    The ledger's weights are for it (positive favours it), as weight_of_evidence gives them for d20.
    """
    import os

    (tmp_path / "models").mkdir()
    spec = tmp_path / "models" / "a.yaml"
    case_dir = mv.examples.path("dice")
    spec.write_text(
        f"name: a\ncase: {os.path.relpath(case_dir, tmp_path / 'models')}\ntarget: d20\n"
    )
    case = mv.load_case(case_dir)
    assert case.family_ids[0] != "d20"
    r = runner.invoke(app, ["appendix", str(spec), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    page, errors = _open(browser, tmp_path / "out" / "index.html")
    assert page.evaluate("window.motives.data.target.name") == "d20"
    assert page.locator("#target-line").get_attribute("data-target") == "d20"
    assert "the analysis spec's" in page.locator("#target-line").inner_text()
    level = page.evaluate("window.motives.data.target.level")
    w = mv.sensitivity.weight_of_evidence(case)
    for row in page.locator("#ledger tr[data-item]").all():
        item = row.get_attribute("data-item")
        want = float(w.loc[(item, level, "d20"), "decibans"])
        shown = row.locator("td.num").inner_text()
        assert shown == f"{'+' if want >= 0 else ''}{want:.1f}"
    # without a spec target: the leading family under the opening lens, as in the report
    page2, _ = _open(browser, appendix(case, tmp_path / "plain"))
    fam = edited_posterior(case)["families"]
    assert page2.evaluate("window.motives.data.target.name") == max(fam, key=lambda f: fam[f])
    assert errors == []
    page.close()
    page2.close()


@needs_browser
@pytest.mark.parametrize("name", ["student", "alarm", "network1", "network2"])
def test_edit_download_add_lens_pool(browser: Any, tmp_path: Path, name: str) -> None:
    """Edits in the page, through the lens file and add-lens, pool to Python's posterior (1e-12).

    Edit in the page (a table row of several parents or a root's prior, an item's weight — of
    several parents in a generated network — and an item left out), download the lens file, `motives
    add-lens`, pool: the pooled posterior equals Python's for the same judgements (1e-12).
    """
    if name.startswith("network"):
        _write_case(
            mv.Case.model_validate(random_network_document(int(name[-1]), lenses=("a", "b"))),
            tmp_path / name,
        )
    else:
        shutil.copytree(mv.examples.path(name), tmp_path / name)
    case = mv.load_case(tmp_path / name)
    page, errors = _open(browser, appendix(case, tmp_path / "page"))
    several = next((p for p in case.propositions if len(p.parents) >= 2), case.propositions[-1])
    root = next(p for p in case.propositions if not p.parents)
    for p in (several, root):
        key = case.parent_values(p.parents)[-1]
        box = page.locator(
            f"input[data-prop={json.dumps(p.id)}][data-parent={json.dumps(key)}]"
        ).first
        box.fill("0.37")
        box.press("Tab")
    lik = [e for e in case.evidence if e.kind == "likelihood"]
    item = next((e.id for e in lik if len(e.parents) >= 2), lik[0].id)
    page.locator(f"input[data-weight={json.dumps(item)}]").evaluate(
        "s => { s.value = '0.55'; s.dispatchEvent(new Event('input')); }"
    )
    dropped = next((e.id for e in reversed(lik) if e.id != item), None)  # the student has one item
    if dropped:
        page.locator(f"input[data-include={json.dumps(dropped)}]").uncheck()
    page.locator("#reader-name").fill("Ann Reader")
    with page.expect_download() as dl:
        page.locator("#download").click()
    f = tmp_path / dl.value.suggested_filename
    dl.value.save_as(f)
    assert f.name == "reader_ann_reader.yaml"
    edits = page.evaluate("window.motives.edits()")
    shown = page.evaluate("window.motives.last")["hypotheses"]
    errs = list(errors)
    page.close()
    # the file is what Python makes of the same edits (numbers to 1e-12), and reads as a lens file
    got = yaml.safe_load(f.read_text())
    want = lens_file_from_edits(case, edits, name="Ann Reader")
    assert {k: v for k, v in got.items() if k != "changed"} == {
        k: v for k, v in want.items() if k != "changed"
    }
    assert (
        set(got["changed"])
        == set(want["changed"])
        == {several.id, root.id, item} | ({dropped} - {None})
    )
    assert got["not_applied"] == {}
    for nid, j in want["changed"].items():
        for key, v in j["values"].items():
            g = got["changed"][nid]["values"][key]
            if isinstance(v, dict):
                assert max(abs(g[s] - v[s]) for s in v) <= TOL
            else:
                assert abs(g - v) <= TOL
    r = runner.invoke(
        app, ["add-lens", str(tmp_path / name), str(f), "--out", str(tmp_path / "with_ann")]
    )
    assert r.exit_code == 0, r.output
    added = mv.load_case(tmp_path / "with_ann")
    # the reader's lens gives what the page showed; pooled with the author's, what Python gives
    assert (
        _worst(edited_posterior(added, {"lens": "reader_ann_reader"})["hypotheses"], shown) <= TOL
    )
    assert _worst(shown, edited_posterior(case, edits)["hypotheses"]) <= TOL
    py = add_lens(case, LensFile.model_validate(want))
    lenses = [case.default_lens, "reader_ann_reader"]
    assert _worst(_pooled(added, lenses), _pooled(py, lenses)) <= TOL
    # and the comparison is not of unchanged cases: the reader's lens moved the answer
    assert _worst(shown, edited_posterior(case)["hypotheses"]) > 1e-9
    assert errs == []


@needs_browser
def test_screenshot_of_the_student_appendix(browser: Any, tmp_path: Path) -> None:
    """The student network's appendix renders.

    It is kept as tests/data/../artifact only when MOTIVES_SCREENSHOT is set.
    """
    import os

    page, errors = _open(browser, appendix(mv.examples.load("student"), tmp_path))
    shot = Path(os.environ.get("MOTIVES_SCREENSHOT", tmp_path / "student.png"))
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    case = mv.examples.load("student")
    assert page.locator("#target-line").inner_text() == (
        "Target (the leading hypothesis before your edits, as in the report): High intelligence, "
        "credence "
        f"{100 * edited_posterior(case)['hypotheses']['high']:.1f}%."
    )
    assert errors == []
    page.close()


@needs_browser
def test_the_target_line_says_which_credence_is_with_the_edits(
    browser: Any, tmp_path: Path
) -> None:
    """After an edit that moves the target, the line gives both credences and says which is which.

    It once read "the leading hypothesis before your edits ...: credence X" with X the edited one.
    """
    case = mv.examples.load("student")
    page, errors = _open(browser, appendix(case, tmp_path))
    target = page.locator("#target-line").get_attribute("data-target")
    item = next(e.id for e in case.evidence if e.kind == "likelihood")
    page.locator(f"input[data-weight={json.dumps(item)}]").evaluate(
        "s => { s.value = '0'; s.dispatchEvent(new Event('input')); }"
    )
    edits = page.evaluate("window.motives.edits()")
    now = edited_posterior(case, edits)["hypotheses"][target]
    before = edited_posterior(case)["hypotheses"][target]
    assert f"{100 * now:.1f}" != f"{100 * before:.1f}"  # the edit moved it: the test can tell
    line = page.locator("#target-line").inner_text()
    assert line.endswith(
        f"credence {100 * now:.1f}% with your edits ({100 * before:.1f}% before them)."
    ), line
    assert errors == []
    page.close()


def test_the_appendix_opens_on_the_specs_prior(tmp_path: Path) -> None:
    """A spec's prior is the page's, as in the report.

    Here uniform, where the student's case says 0.3 / 0.7.
    """
    import os
    import re

    (tmp_path / "models").mkdir()
    spec = tmp_path / "models" / "a.yaml"
    spec.write_text(
        f"name: a\ncase: {os.path.relpath(mv.examples.path('student'), tmp_path / 'models')}\n"
        "prior: uniform\n"
    )
    r = runner.invoke(app, ["appendix", str(spec), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "out" / "index.html").read_text()
    blob = re.search(
        r'<script id="motives-data" type="application/json">(.*?)</script>', html, re.S
    ).group(1)
    assert json.loads(blob)["prior"] == [0.5, 0.5]
