"""A prior in any accepted form is checked against the case.

A bad one is one clear problem, never a KeyError.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import motives as mv
from motives.cli import app
from motives.exact import prior_from


@pytest.mark.parametrize(
    ("prior", "needle"),
    [
        ({"dirichlet": {"condition": 1}}, "missing 'healthy'"),
        ({"dirichlet": {"condition": 1, "healthy": 2, "other": 1}}, "unknown 'other'"),
        ({"dirichlet": {"condition": 1, "healthy": 0}}, "positive concentrations"),
        ({"dirichlet": [1.0]}, "2 positive concentrations"),
        ({"condition": 0.5}, "missing 'healthy'"),
    ],
)
def test_bad_priors_are_case_errors(prior, needle):
    case = mv.examples.load("diagnostic_test")
    with pytest.raises(mv.CaseError) as info:
        prior_from(case, prior)
    assert needle in str(info.value)
    assert info.value.problems[0].field.startswith("prior")


def test_a_spec_with_a_partial_dirichlet_prior_is_refused_cleanly(tmp_path):
    import shutil

    shutil.copytree(mv.examples.path("diagnostic_test"), tmp_path / "case")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: s\ncase: case\nprior: {dirichlet: {condition: 1}}\nsensitivity: {sweep_points: 5}\n"
    )
    r = CliRunner().invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2, r.output
    assert "missing 'healthy'" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_a_spec_s_lens_and_prior_are_reported_together_in_the_spec_file(tmp_path):
    import shutil

    shutil.copytree(mv.examples.path("diagnostic_test"), tmp_path / "case")
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: s\ncase: case\nlens: skeptic\nprior: {condition: 0.5}\n")
    r = CliRunner().invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2, r.output
    assert "error: 2 problems" in r.output
    assert f"{spec}:3: field 'lens': unknown lens 'skeptic'" in " ".join(r.output.split())
    assert (
        f"{spec}:4: field 'prior': prior must name every hypothesis exactly: missing 'healthy'"
        in " ".join(r.output.split())
    )
    assert "unknown []" not in r.output
