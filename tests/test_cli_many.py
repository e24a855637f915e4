"""``motives sbc`` and the many-fit options of the CLI: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from motives.cli import app

runner = CliRunner()


def _spec(case_dir: Path, text: str) -> Path:
    spec = case_dir.parent / "spec.yaml"
    spec.write_text(f"name: s\ncase: {case_dir.name}\n{text}")
    return spec


def test_sbc_writes_its_tables(copy_case, tmp_path: Path):
    spec = _spec(copy_case("witness"), "sampler: {draws: 20, tune: 0, chains: 1}\n")
    out = tmp_path / "sbc"
    r = runner.invoke(
        app,
        [
            "sbc",
            str(spec),
            "--out",
            str(out),
            "--simulations",
            "3",
            "--keep",
            "10",
            "--bins",
            "2",
            "--scheduler",
            "serial",
            "--fits",
            str(tmp_path / "fits"),
        ],
    )
    assert r.exit_code in (0, 3), r.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".motives-output",
        "ranks.csv",
        "sbc.json",
        "tests.csv",
    ]
    doc = json.loads((out / "sbc.json").read_text())
    assert (
        doc["simulations"] == 3 and doc["finished"] == 3 and doc["where"] == "serial (this process)"
    )
    assert list(doc["tests"]) == [
        "h"
    ]  # witness: point cells and a fixed reliability, only h is random
    assert "3 of 3 simulations fitted" in r.output
    assert (r.exit_code == 0) == doc["ok"]
    assert len(list((tmp_path / "fits").glob("*.nc"))) == 3
    again = runner.invoke(
        app,
        [
            "sbc",
            str(spec),
            "--out",
            str(out),
            "--force",
            "--simulations",
            "3",
            "--keep",
            "10",
            "--bins",
            "2",
            "--scheduler",
            "serial",
            "--fits",
            str(tmp_path / "fits"),
        ],
    )
    assert "3 read back from earlier runs" in again.output, again.output


def test_sbc_refuses_what_it_cannot_calibrate(copy_case, tmp_path: Path):
    spec = _spec(copy_case("witness"), "model: mixture\nsampler: {draws: 20, tune: 0, chains: 1}\n")
    r = runner.invoke(
        app, ["sbc", str(spec), "--out", str(tmp_path / "o"), "--scheduler", "serial"]
    )
    assert (
        r.exit_code == 2 and "only the exclusive model" in r.output and "Traceback" not in r.output
    )
    assert not (tmp_path / "o").exists()
    spec = _spec(copy_case("witness"), "sampler: {draws: 20, tune: 0, chains: 1}\n")
    r = runner.invoke(
        app,
        ["sbc", str(spec), "--out", str(tmp_path / "o"), "--keep", "500", "--scheduler", "serial"],
    )
    assert r.exit_code == 2 and "keep must be between 1 and chains x draws = 20" in r.output
    r = runner.invoke(
        app,
        ["sbc", str(spec), "--out", str(tmp_path / "o"), "--keep", "10", "--scheduler", "nowhere"],
    )
    assert r.exit_code == 2 and "scheduler must be" in r.output and not (tmp_path / "o").exists()
