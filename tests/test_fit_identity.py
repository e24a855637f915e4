"""A fit's identity.

One FitConfig record (case content, settings, version), one hash, checked on load.

The witness and cookies examples have no uncertain cell, so their "fits" are
their exact answers and take no sampling time: the tests below fit for real.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives
import motives as mv
from motives.cli import app
from motives.errors import MotivesError
from motives.models import FitConfig, fit, fit_spec
from motives.models.config import case_hash
from motives.models.testing import random_case
from motives.spec import AnalysisSpec

runner = CliRunner()
SAMPLER = "{draws: 50, tune: 50, chains: 1, backend: pymc}"
FLAT = Path(__file__).parent / "data" / "flat"


def _project(tmp_path: Path, example: str = "witness", extra: str = "") -> tuple[Path, Path]:
    """A copy of an example case and a spec naming it; returns (spec file, case folder)."""
    case_dir = tmp_path / example
    shutil.copytree(mv.examples.path(example), case_dir)
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: {example}\ncase: {example}\nsampler: {SAMPLER}\n{extra}")
    return spec, case_dir


def _fitted(tmp_path: Path, example: str = "witness", extra: str = "") -> tuple[Path, Path, Path]:
    spec, case_dir = _project(tmp_path, example, extra)
    out = tmp_path / "res"
    out.mkdir()
    trace = fit_spec(mv.load_spec(spec), spec).save(out / "trace.nc")
    return spec, case_dir, trace


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


# ----------------------------------------------------------------------------- load_result refuses


def test_editing_evidence_after_a_fit_is_refused_naming_the_item_and_the_refit(tmp_path):
    spec, case_dir, trace = _fitted(tmp_path)
    assert mv.load_result(trace, spec).model == "exclusive"  # unchanged: accepted
    _edit(case_dir / "report.yaml", "base_rate: 0.5", "base_rate: 0.45")
    with pytest.raises(MotivesError) as info:
        mv.load_result(trace, spec)
    msg = str(info.value)
    old, new = (
        FitConfig.from_stored(json.loads(_attrs(trace)["motives_config"])).case_hash,
        case_hash(mv.load_case(case_dir)),
    )
    assert f"case content changed (hash {old} -> {new})" in msg
    assert "evidence item 'says_blue' edited" in msg
    assert f"Refit: motives run {spec} --out {trace.parent} --force" in msg
    assert "sampler." not in msg and "version" not in msg  # only what changed is named
    with pytest.raises(MotivesError, match="case content changed"):  # the case alone is checked too
        mv.load_result(trace, case=mv.load_case(case_dir))


def test_editing_the_case_file_is_refused(tmp_path):
    spec, case_dir, trace = _fitted(tmp_path)
    _edit(case_dir / "case.yaml", "reliability: 0.6", "reliability: 0.65")
    with pytest.raises(MotivesError, match=r"(?s)case content changed.*sources edited"):
        mv.load_result(trace, spec)


@pytest.mark.parametrize(
    "edit",
    [
        {"figures": "figures: [svg]\n"},
        {"sensitivity": "sensitivity: {tornado_factor: 5, sweep_points: 11, seed: 9}\n"},
        {"name and description": "description: another description\n"},
    ],
)
def test_spec_fields_outside_the_fit_do_not_refuse_it(tmp_path, edit):
    spec, _, trace = _fitted(tmp_path)
    before = mv.load_result(trace, spec).config_hash
    ((what, line),) = edit.items()
    text = spec.read_text() + line
    if what.startswith("name"):
        text = text.replace("name: witness", "name: renamed")
    spec.write_text(text)
    assert mv.load_result(trace, spec).config_hash == before


def test_changed_sampler_settings_are_refused_naming_the_field(tmp_path):
    spec, _, trace = _fitted(tmp_path)
    _edit(spec, "draws: 50", "draws: 60")
    with pytest.raises(MotivesError, match=r"- sampler\.draws 50 -> 60\n") as info:
        mv.load_result(trace, spec)
    assert "case content" not in str(info.value)
    _edit(spec, "draws: 60", "draws: 50")
    spec.write_text(spec.read_text() + "prior: uniform\nreliability: false\n")
    with pytest.raises(
        MotivesError, match=r"(?s)prior None -> 'uniform'.*reliability True -> False"
    ):
        mv.load_result(trace, spec)


def test_another_motives_version_is_refused(tmp_path, monkeypatch):
    spec, case_dir, trace = _fitted(tmp_path)
    monkeypatch.setattr(motives, "__version__", "99.0")
    want = f"motives version {mv.load_result(trace).config['motives_version']} -> 99.0"
    with pytest.raises(MotivesError, match=re.escape(want)):
        mv.load_result(trace, spec)
    with pytest.raises(MotivesError, match=re.escape(want)):
        mv.load_result(trace, case=mv.load_case(case_dir))
    assert mv.load_result(trace).model == "exclusive"  # no check asked for: readable


def test_results_of_an_older_motives_are_refused_clearly(tmp_path):
    import xarray as xr

    spec, _, trace = _fitted(tmp_path)
    with xr.open_datatree(trace, engine="h5netcdf") as dt:
        t = dt.load()
    old = {k: v for k, v in json.loads(t.attrs["motives_config"]).items() if k != "motives_version"}
    t.attrs.update(
        motives_config=json.dumps({**old, "spec": {"name": "witness"}}),
        motives_config_hash="0123abcd",
    )
    del t.attrs["motives_case_parts"]
    older = mv.FitResult(t).save(tmp_path / "older.nc")
    with pytest.raises(
        MotivesError, match=r"written by an older motives, from before fits recorded .* refit"
    ) as info:
        mv.load_result(older, spec)
    assert "motives run" in str(info.value) and "KeyError" not in str(info.value)
    assert mv.load_result(older).config_hash == "0123abcd"  # still readable without a check
    newer = {
        **old,
        "motives_version": "99.0",
        "sampler_kind": "future",
    }  # a record this version cannot read
    t.attrs.update(motives_config=json.dumps(newer))
    with pytest.raises(
        MotivesError, match=r"written by motives 99\.0 \(this is .*\), whose fit record"
    ):
        mv.load_result(mv.FitResult(t).save(tmp_path / "newer.nc"), spec)


def test_an_edited_record_is_refused(tmp_path):
    import xarray as xr

    spec, _, trace = _fitted(tmp_path)
    with xr.open_datatree(trace, engine="h5netcdf") as dt:
        t = dt.load()
    t.attrs["motives_config"] = json.dumps({**json.loads(t.attrs["motives_config"]), "seed": 7})
    edited = mv.FitResult(t).save(tmp_path / "edited.nc")
    with pytest.raises(MotivesError, match="does not match its hash"):
        mv.load_result(edited, spec)


def test_a_spec_record_without_its_case_is_refused(tmp_path):
    spec, _, trace = _fitted(tmp_path)
    with pytest.raises(MotivesError, match="pass its case too"):
        mv.load_result(trace, mv.load_spec(spec))


# ----------------------------------------------------------------------------- one record, one hash


def test_fit_and_fit_spec_give_the_same_record_and_hash(tmp_path):
    spec, _, trace = _fitted(tmp_path, extra="prior: uniform\nlens: default\n")
    case = mv.examples.load("witness")
    res = fit(
        case, prior="uniform", draws=50, tune=50, chains=1, backend="pymc"
    )  # lens None: the default
    assert res.config == mv.load_result(trace, spec).config
    assert res.config_hash == mv.load_result(trace, spec).config_hash
    assert res.config_hash == FitConfig.from_stored(res.config).hash()
    assert res.config["motives_version"] == motives.__version__


_priors = st.one_of(
    st.none(),
    st.just("uniform"),
    st.fixed_dictionaries({"blue": st.integers(1, 9), "green": st.integers(1, 9)}),
    st.fixed_dictionaries(
        {
            "dirichlet": st.fixed_dictionaries(
                {"blue": st.integers(1, 5), "green": st.integers(1, 5)}
            )
        }
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.sampled_from(["exclusive", "mixture", "pooled"]),
    lens=st.sampled_from([None, "default"]),
    prior=_priors,
    reliability=st.booleans(),
    draws=st.integers(10, 5000),
    tune=st.integers(0, 5000),
    chains=st.integers(1, 8),
    seed=st.integers(0, 2**31),
    backend=st.sampled_from(["auto", "nutpie", "pymc"]),
    target_accept=st.floats(0.51, 0.99),
    figures=st.lists(st.sampled_from(["pdf", "png", "svg"]), max_size=3),
    tornado=st.floats(1.5, 10),
)
def test_equivalent_fit_and_spec_settings_hash_equally(
    model,
    lens,
    prior,
    reliability,
    draws,
    tune,
    chains,
    seed,
    backend,
    target_accept,
    figures,
    tornado,
):
    case = mv.examples.load("witness")
    sampler = {
        "draws": draws,
        "tune": tune,
        "chains": chains,
        "seed": seed,
        "backend": backend,
        "target_accept": target_accept,
    }
    spec = AnalysisSpec(
        name="any",
        case="witness",
        model=model,
        lens=lens,
        prior=prior,
        reliability=reliability,
        sampler=sampler,
        figures=figures,
        sensitivity={"tornado_factor": tornado},
    )
    from_spec = FitConfig.from_spec(spec, case)
    from_args = FitConfig.build(
        case, model=model, lens=lens, prior=prior, reliability=reliability, **sampler
    )
    assert from_spec == from_args and from_spec.hash() == from_args.hash()
    # and every setting of the record moves the hash
    for field, other in (
        ("draws", draws + 1),
        ("tune", tune + 1),
        ("chains", chains + 1),
        ("seed", seed + 1),
        ("reliability", not reliability),
        ("target_accept", target_accept / 2),
    ):
        assert (
            FitConfig.build(
                case,
                model=model,
                lens=lens,
                prior=prior,
                **{**sampler, "reliability": reliability, field: other},
            ).hash()
            != from_args.hash()
        )


def test_the_default_lens_and_lenses_are_resolved_before_hashing():
    case = mv.examples.load("two_lenses")
    assert FitConfig.build(case).hash() == FitConfig.build(case, lens=case.default_lens).hash()
    assert (
        FitConfig.build(case, model="pooled").hash()
        == FitConfig.build(case, model="pooled", lenses=case.lens_ids).hash()
    )
    other = next(x for x in case.lens_ids if x != case.default_lens)
    assert FitConfig.build(case, lens=other).hash() != FitConfig.build(case).hash()
    with pytest.raises(MotivesError, match="lens"):
        FitConfig.build(case, model="pooled", lenses=["nobody"])


def test_equal_priors_written_differently_hash_equally():
    import numpy as np

    case = mv.examples.load("witness")
    forms = [
        {"blue": 1, "green": 3},
        {"blue": 1.0, "green": 3.0},
        {"green": 3, "blue": np.int64(1)},
    ]
    assert len({FitConfig.build(case, prior=p).hash() for p in forms}) == 1
    assert (
        FitConfig.build(case, prior={"blue": 1, "green": 2}).hash()
        != FitConfig.build(case, prior=forms[0]).hash()
    )


def test_the_hash_is_the_same_in_other_processes():
    code = (
        "import motives as mv; from motives.models import FitConfig; from motives.models.config "
        "import case_hash;"
        "c = mv.load_case(mv.examples.path('two_lenses'));"
        "print(case_hash(c), FitConfig.build(c, model='pooled', prior={'dirichlet': {h.id: 1 for "
        "h in c.hypotheses}}).hash())"
    )
    case = mv.load_case(mv.examples.path("two_lenses"))
    here = (
        f"{case_hash(case)} "
        + FitConfig.build(
            case, model="pooled", prior={"dirichlet": {h.id: 1 for h in case.hypotheses}}
        ).hash()
    )
    src = str(Path(motives.__file__).parents[1])
    for seed in ("0", "1", "12345"):  # str hashes are salted per process; the fit hash must not be
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": src}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        assert out.stdout.strip() == here


def test_a_record_for_another_case_is_not_fitted():
    from motives.models.api import fit_from_config

    witness = mv.examples.load("witness")
    with pytest.raises(MotivesError, match="the fit config is for case 'witness'"):
        fit_from_config(
            witness.without_items([witness.evidence[0].id]),
            FitConfig.build(witness),
            progressbar=False,
        )


# -------------------------------------------------------------------------- the case hash is honest


def _all_cases():
    yield from (
        mv.examples.load(n)
        for n in ("burglary", "cookies", "dice", "monty_hall", "two_lenses", "witness")
    )
    yield mv.load_case(FLAT / "evidence")
    yield mv.load_case(FLAT / "evidence_extended")
    yield from (
        random_case(s, n_items=5, n_hypotheses=3, n_sources=2, lenses=("a", "b")) for s in range(5)
    )


def test_the_case_content_determines_the_case():
    """What is hashed is the whole case.

    Rebuilding a case from its dump gives the same case, so no field is left out.

    (The hash reads the JSON form of the same dump; JSON writes integer keys as text, which the
    strict validators refuse to read back, hence the round trip through the Python form.)
    """
    from motives.schema import Case

    for case in _all_cases():
        assert Case.model_validate(case.model_dump()) == case, case.name
        assert json.loads(
            json.dumps(case.model_dump(), default=str)
        ) == mv.models.config.case_content(case)


def test_amendments_and_the_base_of_an_extended_case_are_in_its_hash(tmp_path):
    shutil.copytree(FLAT, tmp_path / "flat")
    ext = tmp_path / "flat" / "evidence_extended"
    before = case_hash(mv.load_case(ext))
    assert before == case_hash(
        mv.load_case(FLAT / "evidence_extended")
    )  # moving a case folder keeps its hash
    _edit(
        ext / "amendments.yaml",
        "values: {great_power_status: 0.75, other: 0.7}",
        "values: {great_power_status: 0.7, other: 0.7}",
    )
    amended = case_hash(mv.load_case(ext))
    assert amended != before
    _edit(
        tmp_path / "flat" / "evidence" / "decision_process.yaml",
        "reliability: {mean: 0.75, concentration: 15}",
        "reliability: {mean: 0.75, concentration: 12}",
    )
    assert (
        case_hash(mv.load_case(ext)) != amended
    )  # the base case's evidence is part of the extended case


def test_a_proposition_table_is_in_the_hash(tmp_path):
    shutil.copytree(mv.examples.path("burglary"), tmp_path / "b")
    before = case_hash(mv.load_case(tmp_path / "b"))
    _edit(
        tmp_path / "b" / "case.yaml",
        "likelihoods: {suspect: 0.8, someone_else: 0.1}",
        "likelihoods: {suspect: 0.8, someone_else: 0.15}",
    )
    assert case_hash(mv.load_case(tmp_path / "b")) != before


_NUMBER = re.compile(r"(?<![\w.])(0\.\d+|[1-9]\d*\.\d+)(?![\w.])")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    example=st.sampled_from(
        ["burglary", "cookies", "diagnostic_test", "dice", "monty_hall", "two_lenses", "witness"]
    ),
    pick=st.integers(0, 10_000),
    factor=st.sampled_from([0.5, 0.9, 1.1]),
)
def test_any_edit_that_moves_the_posterior_moves_the_hash(tmp_path_factory, example, pick, factor):
    """Change one number in one file of a case.

    If the exact posterior (under any lens) moves, so does the hash.
    """
    root = tmp_path_factory.mktemp("edit") / example
    shutil.copytree(mv.examples.path(example), root)
    case = mv.load_case(root)
    spots = [(p, m) for p in sorted(root.glob("*.yaml")) for m in _NUMBER.finditer(p.read_text())]
    path, m = spots[pick % len(spots)]
    text = path.read_text()
    path.write_text(text[: m.start()] + f"{float(m.group()) * factor:.6g}" + text[m.end() :])
    try:
        edited = mv.load_case(root)
    except MotivesError:
        return  # the edit made the case invalid: nothing to fit
    moved = any(
        not mv.exact_posterior(case, lens).equals(mv.exact_posterior(edited, lens))
        for lens in case.lens_ids
        if lens in edited.lens_ids
    )
    if moved:
        assert case_hash(edited) != case_hash(case)


# ----------------------------------------------------------------------------- the CLI


def test_cli_summary_reuses_a_fit_only_while_it_is_current(tmp_path):
    spec, case_dir = _project(tmp_path)
    out = tmp_path / "res"
    r = runner.invoke(app, ["run", str(spec), "--out", str(out)])
    assert r.exit_code == 0, r.output
    saved = json.loads((out / "summary.json").read_text())
    assert saved["spec"]["config_hash"] == mv.load_result(out / "trace.nc", spec).config_hash
    assert saved["spec"]["motives_version"] == motives.__version__
    r = runner.invoke(app, ["summary", str(spec), str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["spec"] == saved["spec"]
    shown = json.loads(r.stdout)["hypotheses"]
    assert {
        h: pytest.approx(v, abs=1e-12) for h, v in saved["hypotheses"].items()
    } == shown  # the saved draws
    _edit(case_dir / "report.yaml", "base_rate: 0.5", "base_rate: 0.45")
    r = runner.invoke(app, ["summary", str(spec), str(out)])
    assert r.exit_code == 2
    assert "case content changed" in r.output and "evidence item 'says_blue' edited" in r.output
    assert f"motives run {spec} --out {out} --force" in r.output
    assert "Traceback" not in r.output
    r = runner.invoke(
        app, ["run", str(spec), "--out", str(out), "--force"]
    )  # the refit it names works
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["summary", str(spec), str(out / "trace.nc")]).exit_code == 0


def test_cli_summary_of_a_missing_fit_is_one_message(tmp_path):
    spec, _ = _project(tmp_path)
    r = runner.invoke(app, ["summary", str(spec), str(tmp_path / "nowhere")])
    assert r.exit_code == 2 and "no such result file" in r.output and "Traceback" not in r.output


def _attrs(trace: Path) -> dict:
    import xarray as xr

    with xr.open_datatree(trace, engine="h5netcdf") as dt:
        return dict(dt.attrs)


def test_the_refit_hint_names_a_new_folder_for_a_trace_saved_by_hand(tmp_path) -> None:
    """A trace saved under another name is not a motives run folder.

    The hint must not point at its parent.
    """
    import motives as mv

    case = mv.examples.load("cookies")
    res = mv.fit(case, draws=20, tune=20, chains=1, backend="pymc")
    saved = res.save(tmp_path / "fitout")
    with pytest.raises(mv.MotivesError) as info:
        mv.load_result(saved, case=mv.examples.load("dice"))
    msg = str(info.value)
    assert "--out NEW_FOLDER" in msg and f"--out {tmp_path} " not in msg and "--force" not in msg
