"""The core CLI: check, posterior, schema, describe."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import motives as mv
from motives.cli import app

runner = CliRunner()


def test_check_example_reports_zero_cells() -> None:
    r = runner.invoke(app, ["check", str(mv.examples.path("monty_hall"))])
    assert r.exit_code == 0
    assert "monty_opens_b -> door_b" in r.output


def test_posterior_json_for_textbook_case() -> None:
    r = runner.invoke(app, ["posterior", str(mv.examples.path("diagnostic_test")), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["method"] == "exact"
    assert abs(data["hypotheses"]["condition"]["credence"] - 0.009 / 0.0981) < 1e-12
    assert data["interval"] == {"kind": "central", "mass": 0.9}
    assert set(data["diagnostics"]) >= {"r_hat_max", "ess_bulk_min", "divergences"}


def test_posterior_rejects_unknown_method() -> None:
    r = runner.invoke(app, ["posterior", str(mv.examples.path("cookies")), "--method", "magic"])
    assert r.exit_code == 2 and "exact" in r.output


def test_schema_is_valid_json_schema() -> None:
    r = runner.invoke(app, ["schema"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert "CaseFile" in data["$defs"] and "EvidenceFile" in data["$defs"]
    assert "LikelihoodItem" in data["$defs"]


def test_schema_validates_a_real_file() -> None:
    """The exported JSON Schema accepts the bundled example.

    Checked with the jsonschema package if present.
    """
    import pytest

    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = mv.json_schema()
    defs = {"$defs": schema["$defs"]}
    case = yaml.safe_load((mv.examples.path("cookies") / "case.yaml").read_text())
    jsonschema.validate(case, {**defs, "$ref": "#/$defs/CaseFile"})


def test_schema_parts_validate_their_files_and_refuse_typos() -> None:
    """`motives schema case|evidence|spec` is a root schema usable as it is.

    A validator (or an editor) can use it as it is.
    """
    import pytest

    jsonschema = pytest.importorskip("jsonschema")

    root = Path(__file__).resolve().parents[1]
    from motives.io import read_yaml

    cases = [
        root / "evidence",
        root / "evidence_extended",
        *(mv.examples.path(n) for n in mv.examples.NAMES),
    ]
    files = {
        "case": [c / "case.yaml" for c in cases],
        "spec": sorted((root / "models").glob("*.yaml")),
        "evidence": [f for c in cases for f in sorted(c.glob("*.yaml")) if f.name != "case.yaml"],
    }
    for part, paths in files.items():
        r = runner.invoke(app, ["schema", part])
        assert r.exit_code == 0, r.output
        validator = jsonschema.Draft202012Validator(json.loads(r.output))
        for path in paths:  # read as motives reads them (YAML 1.2 core: dates stay text)
            data = read_yaml(path)[0]
            assert not list(validator.iter_errors(data)), (part, path)
        typo = dict(data) | {"titel" if part != "spec" else "targte": "x"}
        assert list(validator.iter_errors(typo)), (
            part
        )  # an unknown key is an error, as in motives check
        if part == "evidence":  # also inside an item
            item = dict(data["evidence"][0]) | {"likelihods": {}}
            assert list(validator.iter_errors({"evidence": [item]}))


def test_describe_writes_markdown(tmp_path: Path) -> None:
    out = tmp_path / "case.md"
    r = runner.invoke(app, ["describe", str(mv.examples.path("witness")), "--out", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "| `says_blue` |" in text and "reliability 0.60" in text


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    """End to end through a real process: a bad case exits 2 with the message on stderr."""
    (tmp_path / "case.yaml").write_text("name: x\nhypotheses: [{id: a}, {id: b}]\n")
    (tmp_path / "e.yaml").write_text(
        "evidence:\n  - {id: e1, title: t, likelihoods: {a: 2, b: 0.5}}\n"
    )
    exe = Path(sys.executable).with_name("motives")
    p = subprocess.run([str(exe), "check", str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 2
    assert "e.yaml:2" in p.stderr and "Traceback" not in p.stderr + p.stdout
