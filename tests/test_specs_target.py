"""Issue 13 item 4: analysis specs, did-you-mean, targets, --prior, named groupings.

Analysis specs documented, did-you-mean over every key, targets, --prior, named groupings.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives as mv
from motives.cli import app
from motives.errors import CaseError, close_matches
from motives.io import validate
from motives.schema import CaseFile, EvidenceFile, Hypothesis, LikelihoodItem, TimelineItem
from motives.spec import AnalysisSpec, SamplerSettings, SensitivitySettings

runner = CliRunner()

# --------------------------------------------------------------------------- did you mean

LETTERS = "abcdefghijklmnopqrstuvwxyz_"

#: (model whose keys are typed wrong, a valid document, where the wrong key goes in it)
LEVELS = {
    "spec": (AnalysisSpec, {"name": "x", "case": "c"}, ()),
    "spec.sampler": (SamplerSettings, {"name": "x", "case": "c", "sampler": {}}, ("sampler",)),
    "spec.sensitivity": (
        SensitivitySettings,
        {"name": "x", "case": "c", "sensitivity": {}},
        ("sensitivity",),
    ),
    "case": (CaseFile, {"name": "x", "hypotheses": [{"id": "a"}, {"id": "b"}]}, ()),
    "case.hypothesis": (
        Hypothesis,
        {"name": "x", "hypotheses": [{"id": "a"}, {"id": "b"}]},
        ("hypotheses", 0),
    ),
    "evidence": (EvidenceFile, {"evidence": []}, ()),
    "evidence.likelihood": (
        LikelihoodItem,
        {
            "evidence": [
                {"id": "e", "title": "t", "likelihoods": {"me": {"values": {"a": 0.5, "b": 0.4}}}}
            ]
        },
        ("evidence", 0),
    ),
    "evidence.timeline": (
        TimelineItem,
        {
            "evidence": [
                {
                    "id": "e",
                    "kind": "timeline",
                    "title": "t",
                    "origin": 2000,
                    "sigma": 1.0,
                    "observations": [{"date": 2001, "value": 1}],
                    "trends": {"a": {"slope": 0}},
                }
            ]
        },
        ("evidence", 0),
    ),
}
TOP = {"spec": AnalysisSpec, "case": CaseFile, "evidence": EvidenceFile}


@st.composite
def typos(draw: st.DrawFn) -> tuple[str, str, str]:
    """A level, one of its keys, and the key with one random edit.

    The edited key is never itself a key of that level.
    """
    level = draw(st.sampled_from(sorted(LEVELS)))
    keys = list(LEVELS[level][0].model_fields)
    key = draw(st.sampled_from(keys))
    op = draw(
        st.sampled_from(["delete", "insert", "substitute", "swap"] if len(key) > 1 else ["insert"])
    )
    i = draw(st.integers(0, len(key) - 1))
    c = draw(st.sampled_from(LETTERS))
    typo = {
        "delete": key[:i] + key[i + 1 :],
        "insert": key[:i] + c + key[i:],
        "substitute": key[:i] + c + key[i + 1 :],
        "swap": key[:i] + key[i + 1 : i + 2] + key[i : i + 1] + key[i + 2 :],
    }[op]
    from hypothesis import assume

    assume(typo and typo not in keys and typo != key)
    return level, key, typo


def _error(level: str, typo: str) -> str:
    model, doc, where = LEVELS[level]
    import copy

    doc = copy.deepcopy(doc)
    node = doc
    for part in where:
        node = node[part]
    node[typo] = 1
    with pytest.raises(CaseError) as exc:
        validate(TOP[level.split(".")[0]], doc, "f.yaml", {})
    found = [p.message for p in exc.value.problems if f"unknown key '{typo}'" in p.message]
    assert len(found) == 1, [p.message for p in exc.value.problems]
    return found[0]


def _suggested(message: str) -> list[str]:
    m = re.search(r"Did you mean (.*?)\?", message)
    return re.findall(r"'([^']*)'", m.group(1)) if m else []


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(t=typos())
def test_a_one_edit_typo_suggests_the_key_and_every_key_as_close(t: tuple[str, str, str]) -> None:
    level, key, typo = t
    msg = _error(level, typo)
    suggested = _suggested(msg)
    assert key in suggested, msg
    keys = list(LEVELS[level][0].model_fields)
    # every other key one edit away (or differing only in letter case) is suggested too
    one_edit = {k for k in keys if k != typo and _osa(typo, k) <= 1}
    assert one_edit <= set(suggested), msg
    assert "Valid keys: " + ", ".join(keys) in msg


def _osa(a: str, b: str) -> int:
    """Independent reference.

    Edit distance with adjacent swaps, by brute-force recursion on short words.
    """
    import functools

    @functools.cache
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        best = min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))
        if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
            best = min(best, d(i - 2, j - 2) + 1)
        return best

    return d(len(a), len(b))


@pytest.mark.parametrize(
    ("level", "typo", "expected"),
    [
        ("spec", "lense", {"lens", "lenses"}),
        ("spec", "Lens", {"lens"}),
        ("spec.sampler", "draw", {"draws"}),
        ("spec.sensitivity", "seeds", {"seed"}),
        ("case.hypothesis", "priro", {"prior"}),
        ("evidence.timeline", "observationz", {"observations"}),
        ("evidence.likelihood", "footnote", {"footnotes"}),
    ],
)
def test_named_typos(level: str, typo: str, expected: set[str]) -> None:
    assert expected <= set(_suggested(_error(level, typo)))


def test_nothing_close_suggests_nothing() -> None:
    msg = _error("spec.sampler", "zzzzzz")
    assert "Did you mean" not in msg and "Valid keys: draws" in msg
    assert close_matches("qqq", ["lens", "lenses"]) == []


# --------------------------------------------------------------------------- the spec, documented

ROOT = Path(__file__).resolve().parents[1]


def test_every_spec_key_is_on_the_api_page_with_type_default_and_description() -> None:
    """docs/api.md holds spec_markdown()'s table row for row.

    Regenerate it with motives.spec.spec_markdown().
    """
    from motives.spec import spec_fields, spec_markdown

    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for line in spec_markdown().splitlines():
        assert line in page, f"docs/api.md lacks or has an outdated row: {line}"
    keys = {r["key"] for r in spec_fields()}
    walk = (
        {k for k in AnalysisSpec.model_fields}
        | {f"sampler.{k}" for k in SamplerSettings.model_fields}
        | {f"sensitivity.{k}" for k in SensitivitySettings.model_fields}
    )
    assert keys == walk
    assert all(r["description"] for r in spec_fields()), "every spec key has a description"


def test_schema_spec_lists_every_key() -> None:
    r = runner.invoke(app, ["schema", "spec"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    defs = data["$defs"] | {"AnalysisSpec": data}  # the root is the spec itself
    for model in (AnalysisSpec, SamplerSettings, SensitivitySettings):
        props = defs[model.__name__]["properties"]
        assert set(props) == set(model.model_fields)
        assert all(p.get("description") for p in props.values()), model.__name__
    whole = json.loads(runner.invoke(app, ["schema"]).output)
    assert {"AnalysisSpec", "CaseFile", "EvidenceFile", "Grouping", "Group"} <= set(whole["$defs"])
    bad = runner.invoke(app, ["schema", "specs"])
    assert (
        bad.exit_code == 2 and "Traceback" not in bad.output
    )  # the choices are listed (an Enum argument)
    assert all(f"'{part}'" in bad.output for part in ("all", "case", "evidence", "spec")), (
        bad.output
    )


# --------------------------------------------------------------------------- groupings

DICE_GROUPINGS = """\
groupings:
  - id: size
    label: Size
    groups:
      - {id: small, hypotheses: [d4, d6, d8]}
      - {id: large, label: Large dice, hypotheses: [d12, d20]}
  - id: faces
    groups:
      - {id: triangles, hypotheses: [d4, d8, d20]}
      - {id: squares, hypotheses: [d6]}
      - {id: pentagons, hypotheses: [d12]}
"""


def _dice(tmp: Path, extra: str = DICE_GROUPINGS) -> Path:
    folder = tmp / "dice"
    shutil.copytree(mv.examples.path("dice"), folder)
    with (folder / "case.yaml").open("a") as fh:
        fh.write(extra)
    return folder


HYPS = [f"h{i}" for i in range(6)]


@st.composite
def partitions(draw: st.DrawFn) -> list[list[str]]:
    labels = draw(st.lists(st.integers(0, 3), min_size=len(HYPS), max_size=len(HYPS)))
    groups: dict[int, list[str]] = {}
    for h, g in zip(HYPS, labels, strict=True):
        groups.setdefault(g, []).append(h)
    return list(groups.values())


def _case(groupings: list[dict]) -> mv.Case:
    return validate(
        mv.schema.Case,
        {"name": "x", "hypotheses": [{"id": h} for h in HYPS], "groupings": groupings},
        "case.yaml",
        {},
    )


@settings(max_examples=60, deadline=None)
@given(
    parts=partitions(), credence=st.lists(st.floats(0, 1), min_size=len(HYPS), max_size=len(HYPS))
)
def test_a_partition_is_accepted_and_its_marginal_sums_the_hypotheses(
    parts: list[list[str]], credence: list[float]
) -> None:
    from motives.report.groupings import grouping_summary

    case = _case(
        [{"id": "g", "groups": [{"id": f"k{i}", "hypotheses": p} for i, p in enumerate(parts)]}]
    )
    c = dict(zip(HYPS, credence, strict=True))
    s = grouping_summary(case, c)["g"]
    assert sum(v["credence"] for v in s.values()) == pytest.approx(sum(credence))
    for i, p in enumerate(parts):
        assert s[f"k{i}"]["credence"] == pytest.approx(sum(c[h] for h in p))
    assert case.regrouped("g").family_ids == [f"k{i}" for i in range(len(parts))]


@settings(max_examples=80, deadline=None)
@given(
    parts=partitions(), how=st.sampled_from(["drop", "twice", "typo", "unknown"]), data=st.data()
)
def test_a_broken_partition_is_one_clear_problem(
    parts: list[list[str]], how: str, data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(parts) - 1))
    h = data.draw(st.sampled_from(parts[i]))
    groups = [list(p) for p in parts]
    if how == "drop":
        groups[i].remove(h)
        if not groups[i]:
            groups.pop(i)
        expect = f"hypotheses in no group: {h}"
    elif how == "twice":
        groups.append([h])
        expect = f"hypothesis '{h}' is in two groups"
    elif how == "typo":
        groups[i] = [x if x != h else h + "x" for x in groups[i]]
        expect = f"unknown hypothesis '{h}x'. Did you mean '{h}'"
    else:
        groups[i].append("zz")
        expect = "unknown hypothesis 'zz'"
    with pytest.raises(mv.CaseError) as exc:
        _case(
            [
                {
                    "id": "g",
                    "groups": [{"id": f"k{j}", "hypotheses": p} for j, p in enumerate(groups)],
                }
            ]
        )
    msgs = [p.message for p in exc.value.problems]
    assert any(expect in m for m in msgs), msgs
    assert all(p.field and p.field.startswith("groupings.0") for p in exc.value.problems), (
        exc.value.problems
    )


def test_grouping_problems_in_a_file_carry_file_and_line(tmp_path: Path) -> None:
    folder = _dice(tmp_path, DICE_GROUPINGS.replace("[d12, d20]", "[d12, d02]"))
    r = runner.invoke(app, ["check", str(folder)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert (
        "case.yaml:17" in r.output
        and "unknown hypothesis 'd02'. Did you mean 'd12' or 'd20'?" in r.output
    )
    assert "hypotheses in no group: d20" in r.output


def test_duplicate_grouping_and_group_ids() -> None:
    g = {
        "id": "g",
        "groups": [{"id": "a", "hypotheses": HYPS[:3]}, {"id": "a", "hypotheses": HYPS[3:]}],
    }
    with pytest.raises(mv.CaseError) as exc:
        _case([g, g])
    msgs = " | ".join(p.message for p in exc.value.problems)
    assert "duplicate grouping id 'g'" in msgs and "duplicate group id 'a'" in msgs


def test_posterior_shows_each_grouping_and_keeps_the_families(tmp_path: Path) -> None:
    folder = _dice(tmp_path)
    r = runner.invoke(app, ["posterior", str(folder), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    h = {k: v["credence"] for k, v in d["hypotheses"].items()}
    assert set(d["families"]) == set(h)  # families unchanged: each hypothesis its own
    assert d["groupings"]["size"]["large"]["credence"] == pytest.approx(h["d12"] + h["d20"])
    assert d["groupings"]["faces"]["triangles"]["credence"] == pytest.approx(
        h["d4"] + h["d8"] + h["d20"]
    )
    assert d["groupings"]["size"]["small"]["prior"] == pytest.approx(0.6)
    text = runner.invoke(app, ["posterior", str(folder)]).output
    assert "grouping size" in text and "pentagons" in text


def test_extended_case_inherits_and_overrides_groupings(tmp_path: Path) -> None:
    _dice(tmp_path)
    child = tmp_path / "child"
    child.mkdir()
    (child / "case.yaml").write_text(
        "name: child\nextends: ../dice\nhypotheses: [{id: d4}, {id: d6}, {id: d8}, {id: d12}, {id: "
        "d20}]\ngroupings:\n  - id: size\n    groups:\n      - {id: tiny, hypotheses: [d4]}\n      "
        "- {id: rest, hypotheses: [d6, d8, d12, d20]}\n"
    )
    case = mv.load_case(child)
    grouping = {g.id: g for g in case.groupings}
    assert set(grouping) == {"size", "faces"}
    assert [grp.id for grp in grouping["size"].groups] == ["tiny", "rest"]


# --------------------------------------------------------------------------- targets


def test_resolve_target_every_form(tmp_path: Path) -> None:
    case = mv.load_case(_dice(tmp_path))
    assert case.resolve_target("d6").level == "hypothesis"
    t = case.resolve_target("large")
    assert (t.level, t.grouping, t.hypotheses) == ("group", "size", ("d12", "d20"))
    assert case.resolve_target("faces.squares").hypotheses == ("d6",)
    fam = mv.schema.Case.model_validate(
        {"name": "x", "hypotheses": [{"id": "a", "family": "f"}, {"id": "b"}]}
    )
    assert fam.resolve_target("f").level == "family"
    for bad, hint in (("larg", "'large'"), ("size.larg", "'size.large'"), ("d7", "'d4'")):
        with pytest.raises(mv.CaseError) as exc:
            case.resolve_target(bad)
        msg = exc.value.problems[0].message
        assert (
            f"unknown target '{bad}'" in msg
            and hint in msg
            and "size.small" in msg
            and "d20" in msg
        )


def test_a_group_id_in_two_groupings_must_be_qualified() -> None:
    case = _case(
        [
            {
                "id": "g1",
                "groups": [
                    {"id": "a", "hypotheses": HYPS[:3]},
                    {"id": "b", "hypotheses": HYPS[3:]},
                ],
            },
            {
                "id": "g2",
                "groups": [
                    {"id": "a", "hypotheses": HYPS[:1]},
                    {"id": "c", "hypotheses": HYPS[1:]},
                ],
            },
        ]
    )
    with pytest.raises(mv.CaseError, match="'g1.a', 'g2.a'"):
        case.resolve_target("a")
    assert case.resolve_target("g2.a").hypotheses == ("h0",)


def test_run_all_follows_the_target() -> None:
    case = mv.examples.load("dice")
    centred = (
        "prior_sweep",
        "tornado",
        "evidence_discount",
        "break_even",
    )  # sobol: empty, nothing uncertain
    default = mv.sensitivity.run_all(case, sweep_points=5, sobol_samples=16)
    assert {default[n].attrs["target"] for n in centred} == {"d8"}  # the leading family
    tables = mv.sensitivity.run_all(case, sweep_points=5, sobol_samples=16, target="d12")
    for name in centred:
        assert tables[name].attrs["target"] == "d12", name
    post = float(tables["posterior"].loc[("hypothesis", "d12"), "credence"])
    assert tables["tornado"]["credence"].astype(float).to_numpy() == pytest.approx(post)


def test_posterior_target_and_prior_on_a_bundled_example() -> None:
    path = str(mv.examples.path("cookies"))
    r = runner.invoke(
        app, ["posterior", path, "--target", "bowl2", "--prior", "bowl1=0.2,bowl2=0.8", "--json"]
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    # P(bowl2 | vanilla) = 0.8 * 0.5 / (0.8 * 0.5 + 0.2 * 0.75)
    assert d["hypotheses"]["bowl2"]["credence"] == pytest.approx(0.4 / 0.55)
    assert d["target"]["credence"] == pytest.approx(0.4 / 0.55) and d["target"][
        "prior"
    ] == pytest.approx(0.8)
    assert d["target"]["bayes_factor"] == pytest.approx(0.5 / 0.75)
    assert d["prior"] == {"bowl1": 0.2, "bowl2": 0.8}
    u = json.loads(runner.invoke(app, ["posterior", path, "--prior", "uniform", "--json"]).output)
    assert u["hypotheses"]["bowl1"]["credence"] == pytest.approx(0.6)
    text = runner.invoke(app, ["posterior", path, "--target", "bowl2"]).output
    assert "target hypothesis bowl2: credence 0.4" in text


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--target", "bowl3"], "unknown target 'bowl3'. Did you mean 'bowl1' or 'bowl2'?"),
        (["--prior", "bowl1=0.5"], "--prior 'bowl1=0.5': prior must name every hypothesis exactly"),
        (["--prior", "bowl1=0.5,bowl2=0.6"], "prior must sum to 1"),
        (["--prior", "bowl1=half,bowl2=0.5"], "'half' is not a number"),
        (["--prior", "bowl1:0.5"], "is not id=probability; write 'uniform'"),
        (["--prior", "bowl1=1.5,bowl2=0"], "a probability is a number in [0, 1]"),
        (["--prior", "{bowl1: 0.5}"], "is not id=probability"),
    ],
)
def test_bad_target_or_prior_is_one_message(args: list[str], needle: str) -> None:
    r = runner.invoke(app, ["posterior", str(mv.examples.path("cookies")), *args])
    assert r.exit_code == 2, r.output
    assert needle in r.output and "Traceback" not in r.output and "1 problem" in r.output


def _spec(tmp: Path, case: Path, extra: str = "") -> Path:
    (tmp / "models").mkdir(exist_ok=True)
    f = tmp / "models" / "a.yaml"
    f.write_text(
        f"name: a\ncase: {os.path.relpath(case, tmp / 'models')}\n"
        "sensitivity: {sweep_points: 5, sobol_samples: 16}\nfigures: [png]\n" + extra
    )
    return f


def test_sensitivity_with_target_on_a_bundled_example(tmp_path: Path) -> None:
    spec = _spec(tmp_path, mv.examples.path("dice"))
    r = runner.invoke(
        app, ["sensitivity", str(spec), "--out", str(tmp_path / "o"), "--target", "d20"]
    )
    assert r.exit_code == 0, r.output
    meta = {
        n: json.loads((tmp_path / "o" / f"{n}.json").read_text())["meta"]
        for n in ("prior_sweep", "tornado", "break_even")
    }
    assert (
        meta["prior_sweep"]["target"]
        == meta["tornado"]["target"]
        == meta["break_even"]["target"]
        == "d20"
    )
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["target"]["id"] == "d20" and "leading_family" not in summary


def test_bad_target_on_the_command_line_or_in_the_spec(tmp_path: Path) -> None:
    spec = _spec(tmp_path, mv.examples.path("dice"))
    r = runner.invoke(app, ["report", str(spec), "--out", str(tmp_path / "o"), "--target", "d21"])
    assert (
        r.exit_code == 2
        and "--target: unknown target 'd21'. Did you mean 'd12' or 'd20'?" in r.output
    )
    assert "Traceback" not in r.output and not (tmp_path / "o").exists()
    spec = _spec(tmp_path, mv.examples.path("dice"), "target: d21\n")
    r = runner.invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and f"{spec}:5" in r.output and "unknown target 'd21'" in r.output
    assert not (tmp_path / "o").exists()
    spec.write_text(spec.read_text().replace("target: d21", "target: D21"))
    r = runner.invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "target" in r.output and "Traceback" not in r.output


def test_report_for_a_group_target_with_grouping_sections(tmp_path: Path) -> None:
    spec = _spec(tmp_path, _dice(tmp_path), "target: size.large\n")
    r = runner.invoke(app, ["report", str(spec), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    md = (tmp_path / "o" / "report.md").read_text()
    assert (
        "## Groupings" in md and "### Grouping `size`: Size" in md and "### Grouping `faces`" in md
    )
    assert "Target `size.large`: group **Large dice** has credence 0.3767" in md
    assert "ties the target group **Large dice** with small" in md
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert set(summary["families"]) == {
        "d4",
        "d6",
        "d8",
        "d12",
        "d20",
    }  # the case's families, not the groups
    assert summary["target"]["name"] == "size.large"
    assert summary["groupings"]["size"]["large"]["credence"] == pytest.approx(
        summary["target"]["credence"]
    )
    # --target overrides the spec's target
    r = runner.invoke(app, ["report", str(spec), "--out", str(tmp_path / "o2"), "--target", "d8"])
    assert r.exit_code == 0, r.output
    assert "Target `d8`: hypothesis **d8**" in (tmp_path / "o2" / "report.md").read_text()


def test_mcmc_posterior_gives_each_group_the_interval_of_its_summed_draws(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "case.yaml").write_text(
        "name: c\nhypotheses: [{id: a}, {id: b}, {id: c}]\ngroupings:\n  - id: g\n    groups:\n    "
        "  - {id: ab, hypotheses: [a, b]}\n      - {id: rest, hypotheses: [c]}\n"
    )
    (folder / "items.yaml").write_text(
        "evidence:\n  - id: e\n    title: e\n    likelihoods:\n      a: {mean: 0.6, concentration: "
        "8}\n      b: {mean: 0.5, concentration: 8}\n      c: {mean: 0.3, concentration: 8}\n"
    )
    r = runner.invoke(
        app,
        [
            "posterior",
            str(folder),
            "--method",
            "mcmc",
            "--draws",
            "200",
            "--json",
            "--target",
            "ab",
        ],
    )
    assert r.exit_code in (0, 3), r.output
    d = json.loads(r.output)
    g = d["groupings"]["g"]["ab"]
    assert g["credence"] == pytest.approx(
        d["hypotheses"]["a"]["credence"] + d["hypotheses"]["b"]["credence"]
    )
    assert g["lower"] < g["credence"] < g["upper"]  # uncertain likelihoods: a real interval
    assert d["target"]["credence"] == pytest.approx(g["credence"])
    assert (d["target"]["lower"], d["target"]["upper"]) == pytest.approx((g["lower"], g["upper"]))


@pytest.mark.parametrize(
    ("form", "needle"),
    [
        (
            {"mean": 0.5, "concentraton": 10},
            "Unknown key 'concentraton'. Did you mean 'concentration'?",
        ),
        ({"intervl": [0.2, 0.4]}, "Unknown key 'intervl'. Did you mean 'interval'?"),
        (
            {"van_evera": {"tset": "hoop", "for": "a"}},
            "unknown key(s) ['tset']. Did you mean 'test'?",
        ),
    ],
)
def test_likelihood_form_keys_get_a_suggestion_too(form: dict, needle: str) -> None:
    doc = {"evidence": [{"id": "e", "title": "t", "likelihoods": {"a": form, "b": 0.5}}]}
    with pytest.raises(CaseError) as exc:
        validate(EvidenceFile, doc, "f.yaml", {})
    assert any(needle in p.message for p in exc.value.problems), exc.value.problems


def test_check_lists_the_groupings(tmp_path: Path) -> None:
    r = runner.invoke(app, ["check", str(_dice(tmp_path))])
    assert r.exit_code == 0, r.output
    assert "grouping size: small (d4, d6, d8); large (d12, d20)" in r.output
    assert "grouping faces: triangles (d4, d8, d20); squares (d6); pentagons (d12)" in r.output


def test_run_refuses_a_spec_whose_target_the_case_lacks(tmp_path: Path) -> None:
    spec = _spec(tmp_path, mv.examples.path("cookies"), "target: bowl3\n")
    r = runner.invoke(app, ["run", str(spec), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and f"{spec}:5" in r.output and "unknown target 'bowl3'" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "o").exists()


def test_the_ledger_follows_the_target() -> None:
    """The ledger figure, like other target-centred figures, is drawn for the analyses' target."""
    import matplotlib.pyplot as plt

    from motives.plots import standard_figures
    from motives.plots.figures import FIGURES
    from motives.sensitivity import run_all

    case = mv.examples.load("dice")
    assert FIGURES["ledger"].target
    for tgt, shown in ((None, "d8"), ("d20", "d20"), ("d4", "d4")):
        tables = run_all(case, sweep_points=5, sobol_samples=16, target=tgt)
        for name, fig, ax in standard_figures(case, tables):
            if name == "ledger":
                assert (
                    f"Weight of evidence for {shown} against the rest"
                    in ax.get_xlabel().replace("\n", " ")
                )
            plt.close(fig)


@pytest.mark.parametrize("name", ["dice", "monty_hall", "burglary", "witness", "two_lenses"])
def test_every_target_runs_every_analysis_and_draws_every_figure(name) -> None:
    """Any hypothesis or family may be the target, even one the evidence rules out.

    Warnings are errors here.
    """
    import matplotlib.pyplot as plt

    from motives.exact import exact_posterior
    from motives.plots import standard_figures
    from motives.sensitivity import run_all

    case = mv.examples.load(name)
    post = exact_posterior(case)["credence"]
    for target in dict.fromkeys([*case.hypothesis_ids, *case.family_ids]):
        tables = run_all(case, sweep_points=5, sobol_samples=16, target=target)
        be = tables["break_even"]
        level = "hypothesis" if target in case.hypothesis_ids else "family"
        if post[(level, target)] == 0:  # ruled out: nothing brings it back
            assert not be["reachable"].any() and (be["method"] == "ruled out").all()
        for _name, fig, _ax in standard_figures(case, tables):
            plt.close(fig)
