"""Bayesian networks in: ``mv.from_bn`` and ``motives import-bn`` (issue 20, item 5).

The networks in tests/data/bn were written by pyAgrum (tests/data/bn/make_files.py), read here by
pgmpy.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import motives as mv
from motives.bn_import import read_bn
from motives.cli import app
from motives.errors import MotivesError

DATA = Path(__file__).parent / "data" / "bn"
ALARM_EVIDENCE = "JohnCalls=True,MaryCalls=True"
STUDENT_EVIDENCE = {"Letter": "l1", "SAT": "s1"}
PEARL = 0.2841718353643931  # P(burglary | John and Mary call), by enumeration


def _credence(case: mv.Case) -> np.ndarray:
    return np.asarray(mv.exact_posterior(case).loc["hypothesis", "credence"], dtype=float)


def _pyagrum(name: str, query: str, evidence: dict[str, str], tmp_path: Path) -> np.ndarray:
    """pyAgrum's LazyPropagation on the XMLBIF file.

    pyAgrum reads XMLBIF in double precision, BIF in single.
    """
    gum = _gum()
    path = tmp_path / f"{name}.bifxml"
    shutil.copy(DATA / f"{name}.xml", path)
    with (
        warnings.catch_warnings()
    ):  # pyAgrum's toarray sets an array's shape (deprecated in NumPy 2.5)
        warnings.simplefilter("ignore", DeprecationWarning)
        bn = gum.loadBN(str(path))
        ie = gum.LazyPropagation(bn)
        ie.setEvidence(evidence)
        ie.makeInference()
        return np.asarray(ie.posterior(query).toarray(), dtype=float)


def _gum():  # noqa: ANN202
    """pyAgrum, imported with warnings ignored.

    pyAgrum 3.3 segfaults on import under ``-W error`` (our pytest).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pyagrum
        except ImportError:
            pytest.skip("pyagrum is not installed")
    return pyagrum


# --------------------------------------------------------------------------- the layout


@pytest.mark.parametrize("name", ["alarm", "student"])
def test_every_format_gives_the_same_case(name: str) -> None:
    hyp, ev = (
        ("Burglary", ALARM_EVIDENCE) if name == "alarm" else ("Intelligence", STUDENT_EVIDENCE)
    )
    datas = [read_bn(DATA / f"{name}.{ext}", hyp, ev).data for ext in ("bif", "xml", "net")]
    strip = [
        {k: v for k, v in d.items() if k not in ("title", "description", "lenses")} for d in datas
    ]
    assert strip[0] == strip[1] == strip[2]


def test_alarm_layout_follows_the_contract() -> None:
    imp = read_bn(DATA / "alarm.bif", "Burglary", ALARM_EVIDENCE)
    alarm = next(p for p in imp.data["propositions"] if p["id"] == "alarm")
    assert alarm["bears_on"] == ["hypotheses", "earthquake"]
    assert alarm["likelihoods"] == {
        "true": {"true": 0.95, "false": 0.94},
        "false": {"true": 0.29, "false": 0.001},
    }
    quake = next(p for p in imp.data["propositions"] if p["id"] == "earthquake")
    assert quake["bears_on"] == [] and quake["likelihoods"] == {"true": 0.002, "false": 0.998}
    assert [(e["id"], e["bears_on"]) for e in imp.data["evidence"]] == [
        ("john_calls", "alarm"),
        ("mary_calls", "alarm"),
    ]
    assert imp.node_ids["JohnCalls"] == "john_calls" and imp.node_ids["Burglary"] == "hypotheses"
    assert "JohnCalls -> john_calls; states True -> true, False -> false" in imp.renames()
    text = imp.files()["case.yaml"]
    assert "0.050000000000000044" not in text and "'true': {'true': 0.95, 'false': 0.94}" in text


def test_student_grade_nested_in_the_tables_order() -> None:
    imp = read_bn(DATA / "student.bif", "Intelligence", {"Grade": "g2", "Letter": "l1"})
    grade = next(p for p in imp.data["propositions"] if p["id"] == "grade")
    assert grade["bears_on"] == ["hypotheses", "difficulty"] and grade["observed"] == "g2"
    assert grade["likelihoods"]["i1"]["d0"] == {"g1": 0.9, "g2": 0.08, "g3": 0.02}
    assert grade["states"] == ["g1", "g2", "g3"]


def test_pyagrum_single_precision_is_recovered() -> None:
    imp = read_bn(
        DATA / "student.net", "Intelligence", STUDENT_EVIDENCE
    )  # pgmpy cannot parse pyAgrum's NET
    assert imp.reader == "pyAgrum loadBN" and any("single precision" in n for n in imp.notes)
    grade = next(p for p in imp.data["propositions"] if p["id"] == "grade")
    assert grade["likelihoods"]["i0"]["d1"]["g3"] == 0.7


def test_dsl_through_pyagrum_keeps_the_files_parent_order() -> None:
    _gum()
    imp = read_bn(DATA / "alarm.dsl", "Burglary", ALARM_EVIDENCE)
    alarm = next(p for p in imp.data["propositions"] if p["id"] == "alarm")
    assert alarm["bears_on"] == [
        "earthquake",
        "hypotheses",
    ]  # the DSL file lists PARENTS = (Earthquake, Burglary)
    assert alarm["likelihoods"] == {
        "true": {"true": 0.95, "false": 0.29},
        "false": {"true": 0.94, "false": 0.001},
    }


def test_invalid_and_duplicate_names_are_renamed_and_reported() -> None:
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    m = DiscreteBayesianNetwork(
        [("Who", "At-Scene"), ("Who", "at scene"), ("At-Scene", "2nd report")]
    )
    m.add_cpds(
        TabularCPD("Who", 2, [[0.3], [0.7]], state_names={"Who": ["The Suspect", "default"]}),
        TabularCPD(
            "At-Scene",
            2,
            [[0.8, 0.1], [0.2, 0.9]],
            evidence=["Who"],
            evidence_card=[2],
            state_names={"At-Scene": ["Yes", "No"], "Who": ["The Suspect", "default"]},
        ),
        TabularCPD(
            "at scene",
            2,
            [[0.5, 0.4], [0.5, 0.6]],
            evidence=["Who"],
            evidence_card=[2],
            state_names={"at scene": ["1", "p"], "Who": ["The Suspect", "default"]},
        ),
        TabularCPD(
            "2nd report",
            2,
            [[0.9, 0.2], [0.1, 0.8]],
            evidence=["At-Scene"],
            evidence_card=[2],
            state_names={"2nd report": ["y", "n"], "At-Scene": ["Yes", "No"]},
        ),
    )
    imp = read_bn(m, "Who", "2nd report=y")
    assert imp.node_ids == {
        "Who": "hypotheses",
        "At-Scene": "at_scene",
        "at scene": "at_scene_2",
        "2nd report": "n_2nd_report",
    }
    assert [h["id"] for h in imp.data["hypotheses"]] == ["the_suspect", "default_2"]
    assert imp.state_ids["at scene"] == {"1": "s_1", "p": "p_2"}
    assert "at scene -> at_scene_2; states 1 -> s_1, p -> p_2" in imp.renames()
    case = mv.from_bn(m, "Who", "2nd report=y")
    p = 0.3 * (0.8 * 0.9 + 0.2 * 0.2)
    q = 0.7 * (0.1 * 0.9 + 0.9 * 0.2)
    assert np.allclose(_credence(case), [p / (p + q), q / (p + q)], rtol=0, atol=1e-14)


# --------------------------------------------------------------------------- known answers


@pytest.mark.parametrize("ext", ["bif", "xml", "net"])
def test_pearl_alarm_posterior(ext: str, tmp_path: Path) -> None:
    case = mv.from_bn(DATA / f"alarm.{ext}", "Burglary", ALARM_EVIDENCE, out=tmp_path / "alarm")
    assert case.hypothesis_ids == ["true", "false"]
    assert abs(_credence(case)[0] - PEARL) < 1e-12
    assert (
        (tmp_path / "alarm" / "case.yaml").read_text().startswith("# Imported by motives import-bn")
    )


@pytest.mark.parametrize(
    "evidence",
    [
        STUDENT_EVIDENCE,
        {"Grade": "g3", "Letter": "l1"},
        {"Grade": "g1", "Difficulty": "d1", "SAT": "s0"},
        {},
    ],
)
def test_student_posterior_equals_pyagrum(evidence: dict[str, str], tmp_path: Path) -> None:
    case = mv.from_bn(DATA / "student.bif", "Intelligence", evidence)
    ref = _pyagrum("student", "Intelligence", evidence, tmp_path)
    assert np.abs(_credence(case) - ref).max() < 1e-12


@pytest.mark.parametrize(
    "evidence",
    [
        {"Alarm": "True", "Earthquake": "False"},
        {"Alarm": "False"},
        {"Earthquake": "True", "MaryCalls": "True"},
    ],
)
def test_observed_nodes_with_children_and_roots_are_exact(
    evidence: dict[str, str], tmp_path: Path
) -> None:
    case = mv.from_bn(DATA / "alarm.bif", "Burglary", evidence)
    ref = _pyagrum("alarm", "Burglary", evidence, tmp_path)
    assert np.abs(_credence(case) - ref).max() < 1e-12


def test_cli_import_then_posterior_json(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "alarm"
    res = runner.invoke(
        app,
        [
            "import-bn",
            str(DATA / "alarm.bif"),
            "--hypothesis",
            "Burglary",
            "--evidence",
            ALARM_EVIDENCE,
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "JohnCalls -> john_calls" in res.output and "2 items" in res.output
    res = runner.invoke(app, ["posterior", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert abs(summary["hypotheses"]["true"]["credence"] - PEARL) < 1e-12


# --------------------------------------------------------------------------- bad input


def _bif(tmp_path: Path, text: str, name: str = "net.bif") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


BAD = {
    "unreadable": (
        lambda t: _bif(t, "network x {\n", "bad.bif"),
        "Burglary",
        None,
        "bad.bif:2: cannot read it as BIF",
    ),
    "empty": (lambda t: _bif(t, "", "empty.net"), "Burglary", None, "the file is empty"),
    "missing": (lambda t: t / "nope.bif", "Burglary", None, "nope.bif: no such file"),
    "broken xml": (
        lambda t: _bif(t, "<BIF><NETWORK>", "x.xml"),
        "B",
        None,
        "x.xml:1: cannot read it as XMLBIF",
    ),
    "unknown extension": (
        lambda t: _bif(t, "x", "x.txt"),
        "B",
        None,
        "cannot tell the network format",
    ),
    "hypothesis with parents": (
        lambda t: DATA / "alarm.bif",
        "Alarm",
        None,
        "hypothesis node 'Alarm' has parents (Burglary -> Alarm, Earthquake -> Alarm)",
    ),
    "unknown hypothesis": (
        lambda t: DATA / "alarm.bif",
        "Burglry",
        None,
        "Did you mean 'Burglary'?",
    ),
    "unknown evidence node": (
        lambda t: DATA / "alarm.bif",
        "Burglary",
        "JohnCall=True",
        "no node 'JohnCall' in",
    ),
    "unknown state": (
        lambda t: DATA / "alarm.bif",
        "Burglary",
        "JohnCalls=Yes",
        "node 'JohnCalls' has no state 'Yes'; its states: True, False",
    ),
    "malformed pair": (lambda t: DATA / "alarm.bif", "Burglary", "JohnCalls", "write NODE=STATE"),
    "evidence on the hypothesis": (
        lambda t: DATA / "alarm.bif",
        "Burglary",
        "Burglary=True",
        "is the hypothesis node",
    ),
    "row not summing to 1": (
        lambda t: _bif(
            t,
            "network x {}\nvariable A {\n type discrete[2] {a, b};\n}\n"
            "probability (A) {\n table 0.5 0.6;\n}\n",
        ),
        "A",
        None,
        "node 'A': its table sums to 1.1, not 1",
    ),
    "node observed twice": (
        lambda t: DATA / "alarm.bif",
        "Burglary",
        "JohnCalls=True,johncalls=False",
        "names node",
    ),
}


@pytest.mark.parametrize("key", list(BAD))
def test_bad_input_is_one_message(key: str, tmp_path: Path) -> None:
    make, hyp, ev, expected = BAD[key]
    args = ["import-bn", str(make(tmp_path)), "--hypothesis", hyp, "--out", str(tmp_path / "out")]
    if ev is not None:
        args += ["--evidence", ev]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    assert (
        "Traceback" not in res.output
        and res.exception is None
        or isinstance(res.exception, SystemExit)
    )
    assert "error: 1 problem" in res.output and expected in res.output, res.output
    assert not (tmp_path / "out").exists()
    with pytest.raises(MotivesError):  # the Python API raises the same
        read_bn(make(tmp_path), hyp, ev)


def test_existing_folder_needs_force(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "alarm"
    args = [
        "import-bn",
        str(DATA / "alarm.bif"),
        "--hypothesis",
        "Burglary",
        "--evidence",
        ALARM_EVIDENCE,
        "--out",
        str(out),
    ]
    assert runner.invoke(app, args).exit_code == 0
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "already exists and is not empty; pass --force" in res.output
    assert runner.invoke(app, args + ["--force"]).exit_code == 0
    (out / "notes.txt").write_text("mine")
    res = runner.invoke(app, args + ["--force"])
    assert res.exit_code == 2 and "holds files import-bn did not write" in res.output
    assert (out / "notes.txt").read_text() == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, args[:-1] + [str(empty)]).exit_code == 0


def test_from_bn_is_exported_lazily() -> None:
    assert mv.from_bn is __import__("motives.bn_import", fromlist=["from_bn"]).from_bn
