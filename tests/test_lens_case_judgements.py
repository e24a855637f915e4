"""Issue 22: the reader's prior and source reliabilities reach the case ``add-lens`` writes.

The prior and reliabilities the reader sets in the appendix.

They belong to the case, not to a lens: the lens file carries them under ``case_judgements``,
``add_lens`` applies them (as :func:`motives.interactive.edited_posterior` does), ``motives
add-lens`` writes them into the extending folder and says so. The reader's lens then gives the
posterior the reader saw, and the pool of the lenses is what Python gives for the same judgements
(1e-12) -- in Python, through the CLI, and end to end in Chromium.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import motives as mv
from _browser import needs_browser
from motives.cli import app
from motives.interactive import appendix, edited_posterior, lens_file_from_edits
from motives.lensfile import LensFile, add_lens, read_lens_file, with_case_judgements
from test_appendix_truth import TOL, _open, _pooled, _worst, lab_case, runner


def _edits(case: mv.Case, rng: random.Random) -> dict[str, Any]:
    """A prior weight, a reliability and an item's weight: a lens file holds all three now."""
    lik = [e for e in case.evidence if e.kind == "likelihood"]
    srcs = sorted({e.reported_by for e in case.evidence if e.reported_by})
    return {
        "prior": {case.hypothesis_ids[-1]: rng.uniform(0.05, 2.0)},
        "reliability": {s: rng.uniform(0.3, 0.99) for s in srcs},
        "weights": {lik[0].id: rng.uniform(0.3, 1.5)},
    }


@pytest.mark.parametrize("which", ["witness", "lab", "burglary"])
def test_the_readers_lens_gives_the_readers_posterior(which: str) -> None:
    case = lab_case() if which == "lab" else mv.examples.load(which)
    rng = random.Random(1)
    for _ in range(3):
        edits = _edits(case, rng)
        lf = lens_file_from_edits(case, edits, name="Ann")
        assert set(lf["case_judgements"]) == {"prior", "reliability"} - (
            {"reliability"} if not edits["reliability"] else set()
        )
        added = add_lens(case, LensFile.model_validate(lf))
        got = edited_posterior(added, {"lens": lf["lens"]["id"]})["hypotheses"]
        want = edited_posterior(case, edits)["hypotheses"]
        assert _worst(got, want) <= TOL
        # and it moved: without the prior and reliabilities the lens alone gives another answer
        alone = {k: v for k, v in lf.items() if k != "case_judgements"}
        plain = edited_posterior(
            add_lens(case, LensFile.model_validate(alone)), {"lens": lf["lens"]["id"]}
        )
        assert _worst(plain["hypotheses"], want) > 1e-9


def test_the_prior_is_the_readers_weights_normalised() -> None:
    case = mv.examples.load("witness")
    lf = LensFile(
        motives="lens file",
        case="witness",
        based_on="default",
        case_judgements={"prior": {"blue": 0.5}, "reliability": {"witness": 0.95}},
    )
    new = with_case_judgements(case, lf)
    assert new.prior_vector() == pytest.approx([0.5 / 1.35, 0.85 / 1.35], abs=1e-15)
    assert new.source("witness").reliability.mean == 0.95
    assert new.source("witness").reliability.concentration is None


def _write(tmp_path: Path, lf: dict[str, Any]) -> Path:
    f = tmp_path / "ann.yaml"
    f.write_text(yaml.safe_dump(lf))
    return f


def test_add_lens_writes_the_prior_and_reliabilities_and_says_so(tmp_path: Path) -> None:
    shutil.copytree(mv.examples.path("witness"), tmp_path / "witness")
    case = mv.load_case(tmp_path / "witness")
    edits = {"prior": {"blue": 0.5}, "reliability": {"witness": 0.9}}
    lf = lens_file_from_edits(case, edits, name="Ann")
    f = _write(tmp_path, lf)
    r = runner.invoke(
        app, ["add-lens", str(tmp_path / "witness"), str(f), "--out", str(tmp_path / "with_ann")]
    )
    assert r.exit_code == 0, r.output
    assert (
        "applied to the case: the reader's prior (blue 0.37037, green 0.62963; was blue 0.15, "
        "green 0.85)" in r.output
    )
    assert (
        "applied to the case: the reader's reliability of source witness, 0.9 (was 0.6)" in r.output
    )
    assert "not applied" not in r.output
    written = mv.load_case(tmp_path / "with_ann")
    want = add_lens(case, read_lens_file(f, case))
    assert written.prior_vector() == want.prior_vector()
    assert written.source("witness") == want.source("witness")
    lenses = ["default", lf["lens"]["id"]]
    assert _worst(_pooled(written, lenses), _pooled(want, lenses)) <= TOL
    assert (
        _worst(
            edited_posterior(written, {"lens": lf["lens"]["id"]})["hypotheses"],
            edited_posterior(case, edits)["hypotheses"],
        )
        <= TOL
    )
    # the parent folder is untouched
    assert mv.load_case(tmp_path / "witness").source("witness").reliability.mean == 0.6


@pytest.mark.parametrize(
    ("block", "msg"),
    [
        ({"prior": {"bleu": 1}}, "no hypothesis 'bleu'"),
        ({"prior": {"blue": -1}}, "the prior weight of 'blue' must be a number >= 0"),
        ({"prior": {"blue": 0, "green": 0}}, "gives every hypothesis weight 0"),
        ({"reliability": {"witnes": 0.5}}, "no source 'witnes'"),
        (
            {"reliability": {"witness": 1.5}},
            "the reliability of 'witness' must be a number in [0, 1]",
        ),
    ],
)
def test_bad_case_judgements_get_one_located_message(
    tmp_path: Path, block: dict[str, Any], msg: str
) -> None:
    shutil.copytree(mv.examples.path("witness"), tmp_path / "witness")
    lf = {
        "motives": "lens file",
        "case": "witness",
        "based_on": "default",
        "lens": {"id": "ann"},
        "case_judgements": block,
    }
    r = runner.invoke(app, ["add-lens", str(tmp_path / "witness"), str(_write(tmp_path, lf))])
    assert r.exit_code == 2, r.output
    assert msg in r.output and "ann.yaml" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "witness_ann").exists()


@needs_browser
def test_edit_prior_and_reliability_download_add_pool(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    """In Chromium, a prior weight and a reliability set in the page reach the reader's lens.

    A prior weight and a reliability set in the page, downloaded, added with `motives add-lens`: the
    reader's lens gives what the page showed, and the pool is Python's for the same judgements.
    """
    shutil.copytree(mv.examples.path("witness"), tmp_path / "witness")
    case = mv.load_case(tmp_path / "witness")
    page, errors = _open(browser, appendix(case, tmp_path / "page"))
    box = page.locator("input[data-h='blue']")
    box.fill("0.4")
    box.press("Tab")
    rel = page.locator("input[data-source='witness']")
    page.locator("details").filter(has=rel).first.evaluate("d => d.open = true")
    rel.fill("0.75")
    rel.press("Tab")
    page.locator("#reader-name").fill("Ann Reader")
    with page.expect_download() as dl:
        page.locator("#download").click()
    f = tmp_path / dl.value.suggested_filename
    dl.value.save_as(f)
    edits = page.evaluate("window.motives.edits()")
    shown = page.evaluate("window.motives.last")["hypotheses"]
    errs = list(errors)
    page.close()
    assert edits["prior"] == {"blue": 0.4} and edits["reliability"] == {"witness": 0.75}
    got = yaml.safe_load(f.read_text())
    assert got["case_judgements"] == {"prior": {"blue": 0.4}, "reliability": {"witness": 0.75}}
    assert got == json.loads(json.dumps(lens_file_from_edits(case, edits, name="Ann Reader")))
    r = runner.invoke(
        app, ["add-lens", str(tmp_path / "witness"), str(f), "--out", str(tmp_path / "with_ann")]
    )
    assert r.exit_code == 0, r.output
    added = mv.load_case(tmp_path / "with_ann")
    lens = "reader_ann_reader"
    assert _worst(edited_posterior(added, {"lens": lens})["hypotheses"], shown) <= TOL
    assert _worst(shown, edited_posterior(case, edits)["hypotheses"]) <= TOL
    py = add_lens(case, LensFile.model_validate(got))
    assert _worst(_pooled(added, ["default", lens]), _pooled(py, ["default", lens])) <= TOL
    assert (
        _worst(shown, edited_posterior(case)["hypotheses"]) > 1e-3
    )  # the reader's judgements moved it
    assert errs == []
