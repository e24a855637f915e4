"""``motives check`` stays readable for large cases: zero likelihoods one item a line, capped."""

from __future__ import annotations

import random

import pytest
from typer.testing import CliRunner

from motives.cli import ZERO_CELL_LINES, app


def _write_case(root, n_hyp: int, n_items: int, seed: int):
    rng = random.Random(seed)
    lines = ["name: many", "title: Many zero cells", "hypotheses:"]
    lines += [f"  - {{id: h{i}, prior: {1 / n_hyp!r}}}" for i in range(n_hyp)]
    lines.append("prior_normalise: true")
    (root / "case.yaml").write_text("\n".join(lines) + "\n")
    lines = ["evidence:"]
    zeros = 0
    for j in range(n_items):
        vals = {
            f"h{i}": (0 if rng.random() < 0.4 else round(rng.uniform(0.1, 0.9), 3))
            for i in range(n_hyp)
        }
        vals["h0"] = 0.5  # some hypothesis survives
        if j == 0:
            vals["h1"] = 0  # at least one zero cell
        zeros += sum(v == 0 for v in vals.values())
        lines.append(
            f"  - id: e{j}\n    title: item {j}\n    likelihoods: "
            f"{{{', '.join(f'{k}: {v}' for k, v in vals.items())}}}"
        )
    (root / "items.yaml").write_text("\n".join(lines) + "\n")
    return zeros


@pytest.mark.parametrize(("n_hyp", "n_items", "seed"), [(3, 2, 0), (30, 40, 1), (60, 8, 2)])
def test_zero_cells_one_item_a_line_capped(tmp_path, n_hyp, n_items, seed):
    zeros = _write_case(tmp_path, n_hyp, n_items, seed)
    res = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    head = [ln for ln in lines if ln.startswith("zero likelihoods under")]
    assert len(head) == 1
    assert f": {zeros} cell" in head[0]
    listed = [ln for ln in lines if ln.startswith("  e") and " -> " in ln]
    items_with_zero = len({ln.split(" -> ")[0] for ln in listed})
    assert len(listed) == items_with_zero <= ZERO_CELL_LINES
    for ln in listed:  # at most eight hypotheses a line, then a count
        names = ln.split(" -> ")[1].split(" and ")[0].split(", ")
        assert len(names) <= 8
        assert ("more" in ln) == (len(names) == 8 and ln.endswith("more"))
    if "more item" in res.output:
        assert len(listed) == ZERO_CELL_LINES


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        (
            "likelihoods: {suspect: 0.7, someone_else: 0.2}",
            "likelihoods: {suspect: 1.7, someone_else: 0.2}",
            "case.yaml:22: proposition 'had_motive', field 'likelihoods.suspect'",
        ),
        (
            "likelihoods: {suspect: 0.7, someone_else: 0.2}",
            "likelihoods: {suspect: 0.7, someone_els: 0.2}",
            "case.yaml:22: proposition 'had_motive'",
        ),
        (
            "{id: suspect, label: The suspect did it, prior: 0.1}",
            "{id: suspect, label: The suspect did it, prior: 1.1}",
            "case.yaml:11: hypothesis 'suspect', field 'prior'",
        ),
    ],
)
def test_problems_name_the_kind_of_record(tmp_path, old, new, expect):
    """A problem in a proposition or hypothesis says so (it used to say "item 'had_motive'")."""
    import shutil

    import motives as mv

    folder = tmp_path / "b"
    shutil.copytree(mv.examples.path("burglary"), folder)
    text = (folder / "case.yaml").read_text()
    assert old in text
    (folder / "case.yaml").write_text(text.replace(old, new))
    res = CliRunner().invoke(app, ["check", str(folder)])
    assert res.exit_code == 2
    assert expect in res.output
    assert "item 'had_motive'" not in res.output and "item 'suspect'" not in res.output


@pytest.mark.parametrize(("n_hyp", "seed"), [(5, 3), (41, 4), (300, 5)])
def test_posterior_shows_the_most_credible_rows_of_a_large_case(tmp_path, n_hyp, seed):
    from motives.cli import MANY_ROWS, SHOWN_ROWS
    from motives.exact import exact_posterior
    from motives.io import load_case

    _write_case(tmp_path, n_hyp, 6, seed)
    runner = CliRunner()
    res = runner.invoke(app, ["posterior", str(tmp_path)])
    assert res.exit_code == 0, res.output
    rows = [
        ln.split("│")[2].strip() for ln in res.output.splitlines() if ln.startswith("│ hypothesis")
    ]
    post = exact_posterior(load_case(tmp_path)).xs("hypothesis")["credence"]
    if n_hyp <= MANY_ROWS:
        assert rows == list(post.index) and "not shown" not in res.output
    else:
        assert len(rows) == SHOWN_ROWS
        assert set(rows) == set(post.sort_values(ascending=False, kind="stable").index[:SHOWN_ROWS])
        assert rows == [h for h in post.index if h in set(rows)]  # in case order
        assert f"{n_hyp - SHOWN_ROWS} hypotheses with lower credence not shown" in res.output
    every = runner.invoke(app, ["posterior", str(tmp_path), "--all"])
    assert [
        ln.split("│")[2].strip()
        for ln in every.output.splitlines()
        if ln.startswith("│ hypothesis")
    ] == list(post.index)


@pytest.mark.parametrize("typo", ["titel: x", "default_lense: default", "hypothesis: []"])
def test_an_unknown_top_level_key_does_not_hide_the_other_problems(tmp_path, typo):
    """A typo'd top-level key is reported and left out; the cross-file checks still run."""
    import shutil

    import motives as mv

    folder = tmp_path / "b"
    shutil.copytree(mv.examples.path("burglary"), folder)
    case_yaml = folder / "case.yaml"
    case_yaml.write_text(case_yaml.read_text().replace("prior: 0.1}", "prior: 0.2}") + typo + "\n")
    reports = folder / "reports.yaml"
    reports.write_text(
        reports.read_text().replace("bears_on: had_motive", "bears_on: had_motiv", 1)
    )
    res = CliRunner().invoke(app, ["check", str(folder)])
    assert res.exit_code == 2
    key = typo.split(":")[0]
    assert f"unknown key '{key}'" in res.output
    assert (
        "priors must sum to 1, they sum to 1.1" in res.output
    )  # cross-file and cross-record checks ran
    assert "unknown proposition 'had_motiv'" in res.output


@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        (
            "evidence:\n  - id: fibres_match\n    title: again\n    likelihoods: {suspect: 0.5, "
            "someone_else: 0.5}\n",
            "item",
        ),
        (
            "propositions:\n  - id: at_scene\n    title: again\n    likelihoods: {suspect: 0.5, "
            "someone_else: 0.5}\n",
            "proposition",
        ),
    ],
)
def test_a_duplicate_id_names_both_places(tmp_path, extra, kind):
    import shutil

    import motives as mv

    folder = tmp_path / "b"
    shutil.copytree(mv.examples.path("burglary"), folder)
    (folder / "zz_more.yaml").write_text(extra)  # read after the first use
    res = CliRunner().invoke(app, ["check", str(folder)])
    assert res.exit_code == 2
    line = next(ln for ln in res.output.splitlines() if "duplicate" in ln)
    assert line.strip().startswith("zz_more.yaml:2:") or f"{folder}/zz_more.yaml:2:" in line
    assert f"{kind} '" in line and "(first used at " in line
    first = "reports.yaml:" if kind == "item" else "case.yaml:"
    assert first in line.split("(first used at ")[1]


@pytest.mark.parametrize("bad", ["2nd_item", "Fibres", "fibres match", "fibres-match", "é"])
def test_a_bad_id_says_what_an_id_is_and_suggests_one(tmp_path, bad):
    import re
    import shutil

    import motives as mv

    folder = tmp_path / "b"
    shutil.copytree(mv.examples.path("burglary"), folder)
    reports = folder / "reports.yaml"
    reports.write_text(reports.read_text().replace("- id: fibres_match", f'- id: "{bad}"'))
    res = CliRunner().invoke(app, ["check", str(folder)])
    assert res.exit_code == 2
    line = next(ln for ln in res.output.splitlines() if "field 'id'" in ln)
    assert "lowercase letters, digits and underscores, starting with a letter" in line
    suggested = re.search(r"\(e\.g\. '([^']*)'\)", line).group(1)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", suggested)
    assert "should match pattern" not in res.output


def test_describe_lists_groupings_and_no_empty_lens_description(tmp_path):
    import shutil

    import motives as mv
    from motives.casebook import case_markdown

    d = tmp_path / "dice"
    shutil.copytree(mv.examples.path("dice"), d)
    (d / "case.yaml").write_text(
        (d / "case.yaml").read_text()
        + (
            "groupings:\n  - id: size\n    label: Size\n    groups:\n      - {id: small, "
            "hypotheses: [d4, d6, d8]}\n      - {id: large, label: Large dice, hypotheses: [d12, "
            "d20]}\nlenses:\n  - {id: default, name: Red team}\n"
        )
    )
    md = case_markdown(mv.load_case(d))
    assert "## Groupings" in md and "- `large` Large dice: `d12`, `d20`" in md
    assert "- **default** — Red team\n" in md  # no trailing colon without a description


def test_families_may_label_some_hypotheses_only():
    """`families:` are optional labels: a hypothesis without `family:` is its own family.

    A typo is caught.
    """
    import motives as mv

    base = {
        "name": "x",
        "families": [{"id": "f", "label": "F"}],
        "evidence": [{"id": "e", "title": "E", "likelihoods": {"a": 0.6, "b": 0.3}}],
    }
    case = mv.Case.model_validate(base | {"hypotheses": [{"id": "a", "family": "f"}, {"id": "b"}]})
    assert case.family_ids == ["f", "b"]
    with pytest.raises(
        ValueError, match=r"hypothesis 'a', field 'family': unknown family 'ff'.*Did you mean 'f'"
    ):
        mv.Case.model_validate(base | {"hypotheses": [{"id": "a", "family": "ff"}, {"id": "b"}]})
