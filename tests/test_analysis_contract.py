"""Every registered analysis meets the contract on a flat, a structured and a network case.

The contract is :func:`motives.testing.check_analysis`. An analysis registered from outside the
package (entry point group ``motives.analyses``) appears in ``motives sensitivity``'s output and in
the report.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import motives as mv  # noqa: E402
from motives import testing  # noqa: E402
from motives.cli import app  # noqa: E402
from motives.sensitivity.registry import ANALYSES, reset_plugins  # noqa: E402


def _params() -> list[object]:
    return [
        pytest.param(name, kind, id=f"{name}-{kind}") for name, kind in testing.analysis_checks()
    ]


@pytest.mark.parametrize(("name", "kind"), _params())
def test_contract(name: str, kind: str) -> None:
    """Typed result, save/load equality, figure at both widths, target honoured.

    The figure is drawn with warnings as errors.
    """
    found = testing.check_analysis(
        name, testing.contract_case(kind), checks=("typed", "saved", "figure", "target")
    )
    assert set(found) == {"typed", "saved", "figure", "target"}


@pytest.mark.parametrize(("name", "kind"), _params())
def test_contract_report(name: str, kind: str) -> None:
    """A registered report section reports every analysis and is in the report where it applies."""
    found = testing.check_analysis(name, testing.contract_case(kind), checks=("report",))
    assert found["report"].startswith(("ok", "n/a"))


def test_the_contract_finds_a_broken_analysis() -> None:
    """An analysis ignoring the target, or that no report section reports, fails the contract."""
    from motives.sensitivity import prior_sweep
    from motives.sensitivity.registry import analysis, unregister
    from motives.sensitivity.results import PriorSweepMeta

    @analysis("broken_target", meta=PriorSweepMeta, description="ignores the target")
    def _broken(case: mv.Case, s: object) -> object:
        return prior_sweep(case, points=5)  # the leading family, whatever the settings say

    try:
        case = testing.contract_case("flat")
        with pytest.raises(
            AssertionError, match="run for target 'security' \\(family\\) it is about 'nonsecurity'"
        ):
            testing.check_analysis("broken_target", case, checks=("target",))
        with pytest.raises(AssertionError, match="no report section reports it"):
            testing.check_analysis("broken_target", case, checks=("report",))
    finally:
        unregister("broken_target")
    assert "broken_target" not in ANALYSES


PLUGIN = '''
"""A user's own analysis: the number of items and their mean weight, with a figure and a report section."""
import pandas as pd

from motives.plots.figures import figure
from motives.report.document import section
from motives.sensitivity.registry import analysis
from motives.sensitivity.results import LensMeta


class ToyMeta(LensMeta):
    """The lens."""


@analysis("toy_items", meta=ToyMeta, description="items per lens (a toy)")
def toy_items(case, settings):
    lens = case.resolve_lens(settings.lens)
    df = pd.DataFrame({"items": [len(case.evidence)]}, index=pd.Index([lens], name="lens"))
    df.attrs = {"lens": lens}
    return df


@figure("toy_items", caption="Toy: the number of items.", needs=("toy_items",))
def toy_figure(ctx):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.5 if ctx.width in (None, "one") else 7.2, 2))
    ax.bar([0], ctx.frame("toy_items")["items"].to_numpy())
    return fig, ax


@section("toy_items", uses=("toy_items",))
def toy_section(ctx):
    n = int(ctx.tables["toy_items"]["items"].iloc[0])
    return ["## Toy items", "", f"The case has {n} items (a toy section).", "", *ctx.fig("toy_items")]
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A module declared in the entry point group motives.analyses of an installed distribution."""
    from motives.plots.figures import FIGURES, unregister_figure
    from motives.report.document import SECTIONS, unregister_section
    from motives.sensitivity.registry import unregister

    (tmp_path / "toy_motives_plugin.py").write_text(textwrap.dedent(PLUGIN))
    dist = tmp_path / "toy_motives_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: toy-motives-plugin\nVersion: 0.1\n"
    )
    (dist / "entry_points.txt").write_text("[motives.analyses]\ntoy = toy_motives_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reset_plugins()
    try:
        yield tmp_path
    finally:
        for name, registry, drop in (
            ("toy_items", ANALYSES, unregister),
            ("toy_items", FIGURES, unregister_figure),
            ("toy_items", SECTIONS, unregister_section),
        ):
            if name in registry:
                drop(name)
        sys.modules.pop("toy_motives_plugin", None)
        reset_plugins()


def _spec(folder: Path) -> Path:
    spec = folder / "toy.yaml"
    spec.write_text(
        f"name: toy\ncase: {mv.examples.path('dice')}\n"
        "sensitivity: {sweep_points: 5, sobol_samples: 16}\nfigures: [png]\n"
    )
    return spec


def test_a_plugin_analysis_appears_in_sensitivity_and_report(plugin: Path) -> None:
    """Registered from outside the package: computed, saved, drawn, reported.

    The contract holds for it.
    """
    runner = CliRunner()
    r = runner.invoke(app, ["sensitivity", str(_spec(plugin)), "--out", str(plugin / "sens")])
    assert r.exit_code == 0, r.output
    assert "toy_items" in r.output  # the figure's name in the list of figures written
    assert (plugin / "sens" / "toy_items.csv").read_text().splitlines()[1].split(",") == [
        "default",
        "2",
    ]
    assert (plugin / "sens" / "figures" / "toy_items.png").exists()
    back = mv.sensitivity.load_results(plugin / "sens")["toy_items"]
    assert type(back.meta).__name__ == "ToyMeta" and back.meta.lens == "default"

    r = runner.invoke(app, ["report", str(_spec(plugin)), "--out", str(plugin / "rep")])
    assert r.exit_code == 0, r.output
    md = (plugin / "rep" / "report.md").read_text()
    assert "## Toy items" in md and "The case has 2 items (a toy section)." in md
    assert "![Toy: the number of items.](figures/toy_items.png)" in md

    assert ("toy_items", "flat") in testing.analysis_checks()
    for kind in testing.CONTRACT_CASES:
        found = testing.check_analysis("toy_items", testing.contract_case(kind))
        assert found["report"] == "ok (toy_items)" and found["figure"] == "ok (toy_items)"


def test_a_plugin_that_fails_to_import_is_one_clear_error(plugin: Path) -> None:
    """A broken plugin module: exit 2 and one line naming the entry point, never a traceback."""
    (plugin / "toy_motives_plugin.py").write_text("raise RuntimeError('half-written plugin')\n")
    r = CliRunner().invoke(app, ["sensitivity", str(_spec(plugin)), "--out", str(plugin / "sens")])
    assert r.exit_code == 2, r.output
    assert "entry point toy = toy_motives_plugin" in r.output and "half-written plugin" in r.output
    assert "Traceback" not in r.output and not (plugin / "sens").exists()


def test_a_module_of_the_package_registers_its_analysis_without_an_import_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module of ``motives.sensitivity`` that nothing imports is found by ``run_all``.

    ``load_plugins`` imports it: the package's ``__init__`` need not name it (ARCHITECTURE.md,
    "Adding an analysis").
    """
    import motives.sensitivity as package
    from motives.sensitivity.registry import unregister

    (tmp_path / "zz_probe_analysis.py").write_text(
        textwrap.dedent("""
        import pandas as pd
        from motives.sensitivity.registry import analysis
        from motives.sensitivity.results import NoMeta

        @analysis("zz_probe", meta=NoMeta, description="the number of items")
        def zz_probe(case, settings):
            return pd.DataFrame({"items": [len(case.evidence)]}, index=pd.Index(["all"], name="what"))
        """),
        encoding="utf-8",
    )
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    assert "zz_probe" not in ANALYSES
    try:
        tables = mv.sensitivity.run_all(mv.examples.load("dice"), sweep_points=5, sobol_samples=16)
        assert tables["zz_probe"]["items"].tolist() == [2]
    finally:
        if "zz_probe" in ANALYSES:
            unregister("zz_probe")
        sys.modules.pop("motives.sensitivity.zz_probe_analysis", None)
