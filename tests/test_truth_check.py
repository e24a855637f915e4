"""Issue 22, in ``motives check``: zeros under an unreliable source rule nothing out.

Defaulted base rates are named.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

import motives as mv
from motives.cli import app

EXAMPLES = Path(mv.__file__).parent / "data" / "examples"


def test_a_zero_under_an_unreliable_source_is_not_said_to_rule_out():
    """The taxicab witness (reliability 0.6) says P(blue report | green) = 0.

    Green is not ruled out.
    """
    assert (
        mv.exact_posterior(mv.examples.load("witness")).loc[("hypothesis", "green"), "credence"]
        > 0.5
    )
    res = CliRunner().invoke(app, ["check", str(EXAMPLES / "witness")])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "rule a hypothesis out" not in text and "rules out" not in text
    assert "nothing is ruled out" in text and "says_blue" in text


def test_a_defaulted_base_rate_is_named_with_its_value(tmp_path):
    case = tmp_path / "lab"
    case.mkdir()
    (case / "case.yaml").write_text(
        "name: lab\nhypotheses:\n  - {id: source, prior: 0.001}\n  - {id: not_source, prior: "
        "0.999}\nsources:\n  - key: lab\n    reliability: {mean: 0.999, concentration: 50}\n"
    )
    (case / "evidence.yaml").write_text(
        "evidence:\n  - id: match\n    title: The lab reports a match\n    reported_by: lab\n"
        "    likelihoods: {source: 1.0, not_source: 0.000001}\n"
    )
    res = CliRunner().invoke(app, ["check", str(case)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "base rates defaulted under default" in text and "match = 0.5" in text
    # given, it is not named
    (case / "evidence.yaml").write_text(
        (case / "evidence.yaml").read_text() + "    base_rate: 0.0001\n"
    )
    res = CliRunner().invoke(app, ["check", str(case)])
    assert res.exit_code == 0 and "base rates defaulted" not in res.output
    shutil.rmtree(case)
