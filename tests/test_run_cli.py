"""``motives run``: outputs, existing folders, bad input and bad fits.

Outputs written atomically, existing folders refused, bad input and bad fits exit non-zero.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import motives as mv
from motives.cli import app

runner = CliRunner()

UNCERTAIN_CASE = """\
name: uncertain
hypotheses:
  - {id: a, prior: 0.5}
  - {id: b, prior: 0.5}
"""

UNCERTAIN_ITEMS = """\
evidence:
  - id: e1
    title: first
    likelihoods: {a: {mean: 0.7, concentration: 10}, b: {mean: 0.4, concentration: 10}}
  - id: e2
    title: second
    likelihoods: {a: {mean: 0.3, concentration: 6}, b: 0.5}
"""


def _spec(tmp_path, case, *, name="t", sampler="{draws: 20, chains: 2}"):
    p = tmp_path / f"{name}.yaml"
    p.write_text(
        f"name: {name}\ncase: {case}\nmodel: exclusive\nprior: uniform\nsampler: {sampler}\n"
    )
    return p


def test_run_writes_outputs_and_refuses_existing(tmp_path):
    spec = _spec(tmp_path, mv.examples.path("cookies"))
    out = tmp_path / "res"
    r = runner.invoke(app, ["run", str(spec), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".motives-output",
        "summary.csv",
        "summary.json",
        "trace.nc",
    ]
    s = json.loads((out / "summary.json").read_text())
    assert s["method"] == "mcmc" and s["interval"]["mass"] == 0.9
    assert s["hypotheses"]["bowl1"]["credence"] == pytest.approx(0.6)
    assert s["diagnostics"]["ok"] is True
    assert s["spec"]["config_hash"] == mv.load_result(out / "trace.nc", spec).config_hash
    assert mv.load_result(out / "trace.nc", spec).model == "exclusive"
    r = runner.invoke(app, ["run", str(spec), "--out", str(out)])
    assert r.exit_code == 2 and "--force" in r.output
    r = runner.invoke(app, ["run", str(spec), "--out", str(out), "--force"])
    assert r.exit_code == 0, r.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".res")]  # no temp folders left


def test_bad_spec_or_case_is_one_clear_message(tmp_path):
    spec = _spec(tmp_path, tmp_path / "no_such_case")
    r = runner.invoke(app, ["run", str(spec), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "Traceback" not in r.output and "no_such_case" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ncase: x\nmodle: exclusive\n")
    r = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "modle" in r.output
    assert not (tmp_path / "o").exists()


def test_failed_diagnostics_exit_3_unless_allowed(tmp_path, mock_sample):
    """What the CLI does with a failed fit.

    The fit fails for sure under ``mock_sample`` (prior draws, marked divergent); a real fit that
    fails is tested in test_reliability.py (a stuck sampler) and in fit's docstring.
    """
    case = tmp_path / "case"
    case.mkdir()
    (case / "case.yaml").write_text(UNCERTAIN_CASE)
    (case / "items.yaml").write_text(UNCERTAIN_ITEMS)
    spec = _spec(tmp_path, case, sampler="{draws: 10, tune: 1, chains: 2}")
    r = runner.invoke(app, ["run", str(spec), "--out", str(tmp_path / "bad")])
    assert r.exit_code == 3, r.output
    assert "DIAGNOSTICS FAILED" in r.output
    assert json.loads((tmp_path / "bad" / "summary.json").read_text())["diagnostics"]["ok"] is False
    r = runner.invoke(
        app,
        ["run", str(spec), "--out", str(tmp_path / "bad"), "--force", "--allow-bad-diagnostics"],
    )
    assert r.exit_code == 0, r.output
    assert "DIAGNOSTICS FAILED" in r.output


@pytest.mark.slow
def test_baseline_spec_runs(tmp_path):
    """``motives run models/baseline.yaml`` on the real case.

    Skipped while evidence/ does not load.
    """
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    try:
        mv.load_case(root / "evidence")
    except mv.MotivesError as exc:
        pytest.skip(f"evidence/ does not load: {exc}")
    r = runner.invoke(
        app, ["run", str(root / "models" / "baseline.yaml"), "--out", str(tmp_path / "baseline")]
    )
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "baseline" / "summary.json").read_text())
    assert (
        s["diagnostics"]["ok"]
        and abs(sum(v["credence"] for v in s["hypotheses"].values()) - 1) < 1e-9
    )
