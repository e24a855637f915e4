"""Numeric hypotheses.

Posterior mean, median and credible interval of a grid parameter (issue 13, item 7).
"""

from __future__ import annotations

import json
import re
import warnings
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import motives as mv
from motives.cli import app
from motives.errors import CaseError
from motives.exact import value_summary, value_table

N_MAX, SEEN = 1000, 60


def locomotive() -> mv.Case:
    N = range(1, N_MAX + 1)
    return mv.Case.model_validate(
        {
            "name": "locomotive",
            "hypotheses": [{"id": f"n{n}", "value": n} for n in N],
            "evidence": [
                {
                    "id": "saw_60",
                    "title": "Locomotive number 60",
                    "likelihoods": {f"n{n}": (1 / n if n >= SEEN else 0) for n in N},
                }
            ],
        }
    )


def _discrete_quantile(values: list[int], probs: list[Fraction], q: Fraction) -> int:
    acc = Fraction(0)
    for v, p in zip(values, probs, strict=True):
        acc += p
        if acc >= q:
            return v
    return values[-1]


def test_locomotive_against_exact_rational_arithmetic() -> None:
    # P(N | 60) ∝ 1/N on 60..1000: normaliser H_1000 - H_59; computed here in exact fractions
    ns = list(range(SEEN, N_MAX + 1))
    z = sum(Fraction(1, n) for n in ns)
    probs = [Fraction(1, n) / z for n in ns]
    mean = Fraction(len(ns)) / z
    s = value_summary(locomotive())
    assert s["mean"] == pytest.approx(float(mean), rel=1e-13)
    assert round(s["mean"], 2) == 333.42  # Downey, Think Bayes (uniform prior 1..1000)
    assert s["median"] == _discrete_quantile(ns, probs, Fraction(1, 2))
    assert s["lower"] == _discrete_quantile(ns, probs, Fraction(1, 20)) == 69
    assert s["upper"] == _discrete_quantile(ns, probs, Fraction(19, 20)) == 869
    assert s["mass"] == 0.9


def test_proportion_on_a_grid_against_the_beta_posterior() -> None:
    from scipy import stats

    grid = [i / 200 for i in range(201)]
    k, n = 7, 10
    case = mv.Case.model_validate(
        {
            "name": "proportion",
            "hypotheses": [{"id": f"p{i}", "value": p} for i, p in enumerate(grid)],
            "evidence": [
                {
                    "id": f"trial_{t}",
                    "title": f"Trial {t}",
                    "likelihoods": {f"p{i}": (p if t < k else 1 - p) for i, p in enumerate(grid)},
                }
                for t in range(n)
            ],
        }
    )
    s = value_summary(case)
    post = stats.beta(k + 1, n - k + 1)  # uniform prior
    assert s["mean"] == pytest.approx(
        post.mean(), abs=1e-6
    )  # the grid sum is very accurate for a smooth density
    assert abs(s["median"] - post.median()) <= 1 / 200
    assert (
        abs(s["lower"] - post.ppf(0.05)) <= 1 / 200 and abs(s["upper"] - post.ppf(0.95)) <= 1 / 200
    )


def test_value_table_orders_by_value_and_accepts_credences() -> None:
    case = mv.Case.model_validate(
        {
            "name": "v",
            "hypotheses": [
                {"id": "hi", "value": 3},
                {"id": "lo", "value": 1},
                {"id": "mid", "value": 2},
            ],
        }
    )
    t = value_table(case)
    assert t.index.tolist() == ["lo", "mid", "hi"] and t["cdf"].tolist() == pytest.approx(
        [1 / 3, 2 / 3, 1]
    )
    s = value_summary(case, credence={"hi": 0.1, "lo": 0.6, "mid": 0.3})
    assert s == pytest.approx({"mean": 1.5, "median": 1, "lower": 1, "upper": 3, "mass": 0.9})


def test_values_all_or_none() -> None:
    with pytest.raises(Exception, match="give a value for every hypothesis or for none"):
        mv.Case.model_validate({"name": "v", "hypotheses": [{"id": "a", "value": 1}, {"id": "b"}]})
    with pytest.raises(Exception, match="Input should be a valid number"):
        mv.Case.model_validate(
            {"name": "v", "hypotheses": [{"id": "a", "value": "1"}, {"id": "b", "value": 2}]}
        )
    with pytest.raises(CaseError, match="hypotheses without a value"):
        value_summary(mv.examples.cookie_case())


def test_posterior_cli_prints_and_reports_the_value(tmp_path: Path) -> None:
    case = locomotive()
    (tmp_path / "case.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "locomotive",
                "hypotheses": [{"id": h.id, "value": int(h.value)} for h in case.hypotheses],
            }
        )
    )
    (tmp_path / "ev.yaml").write_text(
        yaml.safe_dump(
            {
                "evidence": [
                    {
                        "id": "saw_60",
                        "title": "Locomotive number 60",
                        "likelihoods": {
                            h: v.mean
                            for h, v in case.item("saw_60").likelihoods["default"].values.items()
                        },
                    }
                ]
            }
        )
    )
    res = CliRunner().invoke(app, ["posterior", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "value: mean 333.42, median 244, 90% credible interval [69, 869]" in res.output
    res = CliRunner().invoke(app, ["posterior", str(tmp_path), "--json"])
    v = json.loads(res.output)["value"]
    assert (
        v["median"] == 244
        and v["lower"] == 69
        and v["upper"] == 869
        and v["mean"] == pytest.approx(333.42, abs=5e-3)
    )


def test_value_figure_among_the_standard_figures(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from motives.plots import save_figure, standard_figures
    from motives.sensitivity import run_all

    case = mv.Case.model_validate(
        {
            "name": "grid",
            "hypotheses": [{"id": f"p{i}", "value": i / 10} for i in range(11)],
            "evidence": [
                {"id": "hit", "title": "A hit", "likelihoods": {f"p{i}": i / 10 for i in range(11)}}
            ],
        }
    )
    tables = run_all(case, sweep_points=11, sobol_samples=64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figs = {name: fig for name, fig, _ in standard_figures(case, tables)}
        assert "value_posterior" in figs
        fig = figs["value_posterior"]
        assert (float(fig.get_figwidth()), float(fig.get_figheight())) == (3.5, 2.4)
        save_figure(fig, tmp_path / "value_posterior", ["pdf"])
    for f in figs.values():
        plt.close(f)
    assert (tmp_path / "value_posterior.pdf").stat().st_size > 1000
    cookies = mv.examples.cookie_case()
    names = []
    for name, f, _ in standard_figures(
        cookies, run_all(cookies, sweep_points=11, sobol_samples=64)
    ):
        names.append(name)
        plt.close(f)
    assert "value_posterior" not in names


def _grid_spec(tmp_path: Path, n: int = 60) -> Path:
    """A numeric grid of ``n`` hypotheses (a proportion), as a spec folder.

    It has three successes and one failure.
    """
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "case.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "grid",
                "hypotheses": [{"id": f"p{i}", "value": i / (n - 1)} for i in range(n)],
            }
        )
    )
    (tmp_path / "case" / "ev.yaml").write_text(
        yaml.safe_dump(
            {
                "evidence": [
                    {
                        "id": f"t{t}",
                        "title": f"Trial {t}",
                        "likelihoods": {
                            f"p{i}": round(
                                min(max(i / (n - 1) if t < 3 else 1 - i / (n - 1), 0.001), 0.999), 4
                            )
                            for i in range(n)
                        },
                    }
                    for t in range(4)
                ]
            }
        )
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: g\ncase: case\nsensitivity: {sobol_samples: 64, sweep_points: 11}\nfigures: [png]\n"
    )
    return spec


def test_report_of_a_grid_shows_the_value_and_the_most_credible_rows(tmp_path: Path) -> None:
    from motives.conventions import SHOWN_ROWS

    spec = _grid_spec(tmp_path)
    res = CliRunner().invoke(app, ["report", str(spec), "--out", str(tmp_path / "rep")])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "rep" / "report.md").read_text()
    want = json.loads(
        CliRunner().invoke(app, ["posterior", str(tmp_path / "case"), "--json"]).output
    )["value"]
    assert json.loads((tmp_path / "rep" / "summary.json").read_text())["value"] == pytest.approx(
        want
    )
    assert "](figures/value_posterior.png)" in md
    assert (
        f"posterior mean is {want['mean']:.6g}, its median {want['median']:.6g}, and its 90% "
        "credible "
        f"interval [{want['lower']:.6g}, {want['upper']:.6g}]"
    ) in md
    posterior = md.split("## Posterior")[1].split("\n## ")[0]
    assert sum(line.startswith("| hypothesis |") for line in posterior.splitlines()) == SHOWN_ROWS
    assert (
        f"Only the {SHOWN_ROWS} most credible of 60 hypotheses are shown; the other 40" in posterior
    )
    for section in ("## Prior", "## Conflict"):  # the other tables with a row per hypothesis
        text = md.split(section)[1].split("\n## ")[0]
        assert len(re.findall(r"^\| (?:hypothesis \| )?p\d+ \|", text, flags=re.M)) == SHOWN_ROWS
        assert "most credible of 60 hypotheses are shown" in text
    res = CliRunner().invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "sens")])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "sens" / "summary.json").read_text())["value"] == pytest.approx(
        want
    )


def test_posterior_of_a_grid_prints_no_ach_score(tmp_path: Path) -> None:
    _grid_spec(tmp_path, n=5)
    res = CliRunner().invoke(app, ["posterior", str(tmp_path / "case")])
    assert res.exit_code == 0, res.output
    assert "value: mean" in res.output and "ACH" not in res.output
    assert "ach_inconsistency" not in json.loads(
        CliRunner().invoke(app, ["posterior", str(tmp_path / "case"), "--json"]).output
    )
