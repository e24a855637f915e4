"""Validation reports every problem in a case at once, across files and stages.

They are sorted by file and line.

Files come in the order a case is read: case.yaml, then the evidence files by name.

Per-file schema problems (a bad id, a probability above 1, an unknown key) no longer hide the
cross-file checks (priors, unknown hypotheses, lenses, items): the records that failed are left out
and everything else is checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives as mv
from motives.cli import app

CASE = """\
name: many
hypotheses:
  - {{id: a, prior: 0.5}}
  - {{id: b, prior: {pb}}}
lenses:
  - {{id: me}}
"""


def _item(i: int, fault: str | None) -> str:
    ident = f"E{i} bad!" if fault == "bad_id" else f"e{i}"
    values = {"prob": "{a: 1.5, b: 0.3}", "unknown_h": "{a: 0.5, b: 0.3, z: 0.2}"}.get(
        fault or "", "{a: 0.6, b: 0.3}"
    )
    lines = [f"  - id: {ident}", f"    title: item {i}"]
    if fault == "given":
        lines.append(f"    given: [nope{i}]")
    if fault == "extra_key":
        lines.append("    colour: red")
    lines += ["    likelihoods:", "      me:", f"        values: {values}"]
    if fault == "unknown_lens":
        lines += ["      ghost:", "        values: {a: 0.5, b: 0.5}"]
    return "\n".join(lines) + "\n"


def _write(
    folder: Path, faults: list[str | None], priors_bad: bool, n_files: int
) -> tuple[dict[int, str], dict[int, range]]:
    """A case whose item i carries ``faults[i]``.

    Returns item index -> file name, and -> its lines there.
    """
    folder.mkdir(parents=True)
    (folder / "case.yaml").write_text(CASE.format(pb="0.6" if priors_bad else "0.5"))
    where = {i: f"f{i % n_files}.yaml" for i in range(len(faults))}
    span: dict[int, range] = {}
    for f in sorted(set(where.values())):
        body, at = "", 2
        for i in (i for i in range(len(faults)) if where[i] == f):
            text = _item(i, faults[i])
            span[i] = range(at, at + text.count("\n"))
            body, at = body + text, at + text.count("\n")
        (folder / f).write_text("evidence:\n" + body)
    return where, span


# what each fault is reported as: (a word of the message, the field it names)
EXPECT = {
    "bad_id": ("id", "id"),
    "prob": ("[0, 1]", "likelihoods.me.values.a"),
    "unknown_h": ("unknown hypothesis 'z'", "likelihoods.me.values.z"),
    "given": ("unknown item", "given"),
    "extra_key": ("unknown key 'colour'", None),
    "unknown_lens": ("unknown lens 'ghost'", "likelihoods.ghost"),
}


def test_errors_in_three_files_and_two_stages_are_all_reported_sorted(tmp_path: Path) -> None:
    """A bad id, a bad probability, an unknown hypothesis, priors not summing.

    A bad id (a.yaml), a bad probability and an unknown hypothesis (b.yaml), priors not summing
    (case.yaml).
    """
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(CASE.format(pb="0.6"))
    (folder / "a.yaml").write_text("evidence:\n" + _item(0, None) + _item(1, "bad_id"))
    # the bad probability comes first in b.yaml: the unknown hypothesis after it must still get its
    # own line
    (folder / "b.yaml").write_text(
        "evidence:\n" + _item(3, "prob") + _item(2, "unknown_h") + _item(4, None)
    )
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(folder)
    probs = info.value.problems
    got = [(Path(p.file).name, p.line) for p in probs]
    assert got == [("case.yaml", 2), ("a.yaml", 7), ("b.yaml", 6), ("b.yaml", 11)], str(info.value)
    assert "sum to 1" in probs[0].message
    assert probs[1].field == "id" and "E1 bad!" in str(probs[1])
    assert "[0, 1]" in probs[2].message and probs[2].item == "e3"
    assert "unknown hypothesis 'z'" in probs[3].message and probs[3].item == "e2"
    # the CLI prints them all, in that order
    r = CliRunner().invoke(app, ["check", str(folder)], terminal_width=200)
    assert r.exit_code == 2 and "Traceback" not in r.output
    at = [r.output.find(f"{f}:{ln}") for f, ln in got]
    assert all(i >= 0 for i in at) and at == sorted(at), r.output


def test_records_depending_on_a_failed_record_are_not_reported_again(tmp_path: Path) -> None:
    """An item given a record that failed, or amending it, is not called unknown.

    It is not reported as naming an unknown item.
    """
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(CASE.format(pb="0.5"))
    (folder / "a.yaml").write_text(
        "evidence:\n"
        + _item(0, "prob")
        + _item(1, None).replace("    title: item 1\n", "    title: item 1\n    given: [e0]\n")
    )
    (folder / "b.yaml").write_text(
        "amend:\n  - id: e0\n    likelihoods:\n      me:\n        values: {c: 0.2}\n"
    )
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(folder)
    assert len(info.value.problems) == 1 and "[0, 1]" in str(info.value), str(info.value)


def test_a_whole_file_failing_does_not_hide_the_others(tmp_path: Path) -> None:
    """Malformed YAML in one file.

    The cross-file checks still run on the rest (but do not call references to ids that file might
    define unknown).
    """
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(CASE.format(pb="0.6"))
    (folder / "a.yaml").write_text("evidence:\n  - id: [unclosed\n")
    (folder / "b.yaml").write_text("evidence:\n" + _item(2, "unknown_h") + _item(3, "given"))
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(folder)
    names = [Path(p.file).name for p in info.value.problems]
    assert names == ["case.yaml", "a.yaml", "b.yaml"], str(info.value)
    assert "unknown hypothesis 'z'" in info.value.problems[2].message


def test_broken_hypotheses_still_report_every_file(tmp_path: Path) -> None:
    """When case.yaml's hypotheses fail, each evidence file is still checked.

    No cross-file check can run then.
    """
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(
        CASE.format(pb="0.5").replace("{id: a, prior: 0.5}", "{id: a, prior: 2}")
    )
    (folder / "a.yaml").write_text("evidence:\n" + _item(0, "prob"))
    (folder / "b.yaml").write_text("evidence:\n" + _item(1, "extra_key"))
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(folder)
    assert [Path(p.file).name for p in info.value.problems] == ["case.yaml", "a.yaml", "b.yaml"], (
        str(info.value)
    )


FAULTS = st.lists(st.sampled_from(sorted(EXPECT)), min_size=0, max_size=6)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    faults=FAULTS,
    priors_bad=st.booleans(),
    clean=st.integers(1, 3),
    n_files=st.integers(1, 3),
    seed=st.randoms(use_true_random=False),
)
def test_k_independent_faults_give_k_located_problems(
    tmp_path_factory, faults, priors_bad, clean, n_files, seed
):
    k = len(faults) + priors_bad
    if k == 0:
        faults = ["prob"]
        k = 1
    items: list[str | None] = [*faults, *([None] * clean)]
    seed.shuffle(items)
    folder = tmp_path_factory.mktemp("k") / "case"
    where, span = _write(folder, items, priors_bad, n_files)
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(folder)
    probs = info.value.problems
    msg = str(info.value)
    assert len(probs) == k, msg
    assert all(p.file and p.line for p in probs), msg
    assert [(p.file, p.line) for p in probs] == sorted((p.file, p.line) for p in probs), msg
    if priors_bad:
        assert any(Path(p.file).name == "case.yaml" and "sum to 1" in p.message for p in probs), msg
    for i, fault in enumerate(items):
        if fault is None:
            continue
        word, field = EXPECT[fault]
        ident = f"E{i} bad!" if fault == "bad_id" else f"e{i}"
        hits = [
            p
            for p in probs
            if Path(p.file).name == where[i]
            and p.item == ident
            and word in str(p)
            and (field is None or p.field == field)
        ]
        assert len(hits) == 1, f"{fault} in item {i} ({where[i]}): {msg}"
        assert hits[0].line in span[i], (
            f"{fault} in item {i} at line {hits[0].line}, not in {span[i]}: {msg}"
        )
