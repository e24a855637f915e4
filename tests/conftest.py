"""Shared fixtures: the objects many test files used to rebuild for themselves.

Session fixtures are built once per test process (once per xdist worker). The
cases they hand out are frozen pydantic records; each case fixture also checks,
when the session ends, that no test changed it in place (a list inside a frozen
record can still be appended to), so sharing cannot hide a test's side effect.
Tables are handed out as copies.

- ``bundled_case``: the Russia–Ukraine case in ``evidence/``.
- ``example_case(name)``: a bundled example (:mod:`motives.examples`), loaded once per name.
- ``synthetic_case``: :func:`motives.testing.rich_case` (every kind of item, two lenses).
- ``tiny_fit``: :func:`motives.testing.fake_fit` of :func:`motives.testing.two_hypothesis_case` — a
  FitResult made without PyMC, for code that reads a fit.
- ``sensitivity_tables(case, **kw)``: :func:`motives.sensitivity.run_all`, computed once per (case,
  settings); every call returns fresh copies of the tables.
- ``copy_case(name)``: a fresh copy of a bundled example (or ``"evidence"``) in its own temporary
  folder; returns the case folder. Session-scoped, so module fixtures can use it too.
- ``mock_sample``: opt-in; see its docstring.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import motives as mv

# Property tests explore new examples on every local run; in CI (CI set, as .ci/run does) they run a
# fixed sequence, so a run on a fresh clone is reproducible and a failure there is the code's, not
# the draw's.
if os.environ.get("CI"):
    from hypothesis import settings as _hyp_settings

    _hyp_settings.register_profile("ci", derandomize=True, print_blob=True)
    _hyp_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "evidence"


def _unchanged(cases: dict[Any, mv.Case], dumps: dict[Any, str]) -> None:
    changed = [str(k) for k, c in cases.items() if c.model_dump_json() != dumps[k]]
    assert not changed, (
        f"a test changed a shared session case in place: {changed}; copy it first (model_copy)"
    )


#: Scripts that write test data are run by hand, not collected (``--doctest-modules`` would import
#: them).
collect_ignore_glob = ["data/*"]


@pytest.fixture(scope="session")
def bundled_case() -> Iterator[mv.Case]:
    """The case in ``evidence/``, loaded once. Do not change it in place."""
    case = mv.load_case(EVIDENCE)
    before = case.model_dump_json()
    yield case
    _unchanged({"evidence": case}, {"evidence": before})


@pytest.fixture(scope="session")
def example_case() -> Iterator[Callable[[str], mv.Case]]:
    """``example_case(name)``: a bundled example case, loaded once per name.

    Do not change it in place.
    """
    cache: dict[str, mv.Case] = {}
    dumps: dict[str, str] = {}

    def get(name: str) -> mv.Case:
        if name not in cache:
            cache[name] = mv.examples.load(name)
            dumps[name] = cache[name].model_dump_json()
        return cache[name]

    yield get
    _unchanged(cache, dumps)


@pytest.fixture(scope="session")
def synthetic_case() -> Iterator[mv.Case]:
    """:func:`motives.testing.rich_case` with no overrides, built once.

    Do not change it in place.
    """
    from motives.testing import rich_case

    case = rich_case()
    before = case.model_dump_json()
    yield case
    _unchanged({"synthetic": case}, {"synthetic": before})


@pytest.fixture(scope="session")
def tiny_fit() -> Any:
    """A fake exclusive-model fit of the two-hypothesis case (no PyMC): 2 chains x 500 draws."""
    from motives.testing import fake_fit, two_hypothesis_case

    return fake_fit(two_hypothesis_case(), seed=0)


@pytest.fixture(scope="session")
def sensitivity_tables() -> Callable[..., dict[str, Any]]:
    """``sensitivity_tables(case, **run_all_kwargs)``.

    Every sensitivity table, computed once per case and settings.

    Each call returns deep copies, so a test may change what it gets.
    """
    from motives.models.api import case_hash
    from motives.sensitivity import run_all

    cache: dict[tuple[str, str], dict[str, Any]] = {}

    def get(case: mv.Case, **kw: Any) -> dict[str, Any]:
        key = (case_hash(case), json.dumps(kw, sort_keys=True, default=str))
        if key not in cache:
            cache[key] = run_all(case, **kw)
        return {name: t.copy(deep=True) for name, t in cache[key].items()}

    return get


@pytest.fixture(scope="session")
def copy_case(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``copy_case(name)``: copy a bundled example (or ``"evidence"``) into a new temporary folder.

    Return it.
    """

    def copy(name: str) -> Path:
        src = EVIDENCE if name == "evidence" else mv.examples.path(name)
        dest = tmp_path_factory.mktemp(f"case_{name}") / name
        shutil.copytree(src, dest)
        return dest

    return copy


@pytest.fixture
def mock_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace NUTS with draws from the model's prior, like CausalPy's ``mock_sample``.

    The draws are ``pm.sample_prior_predictive``'s.

    ``motives.models.sampling.sample`` is patched for the test: the model is still built
    (so a model that cannot be built still fails), and the trace has the shape, the
    attributes and the variables a real fit has, but its draws come from the prior, not
    the posterior. Every draw is marked divergent, so a fit made under this fixture
    always fails its diagnostics: it cannot pass for a real fit. Use it only in tests
    of what happens *around* a failed fit (the CLI's exit codes, the files written with
    ``--allow-bad-diagnostics``, refusals), never in a test of a model, of the sampler or
    of a posterior. Doctests never use it: their fits are real.
    """
    import motives.models.sampling as sampling

    def prior_draws(
        built: Any, *, draws: int = 1000, tune: int = 1000, chains: int = 4, seed: int = 1, **_: Any
    ) -> Any:
        import pymc as pm
        import xarray as xr

        sampling.check_counts(draws=draws, tune=tune, chains=chains)
        model = built.model
        if not model.free_RVs:  # nothing random: the real path samples nothing either
            return real(built, draws=draws, tune=tune, chains=chains, seed=seed)
        with (
            warnings.catch_warnings()
        ):  # the evidence enters as Potentials: ignoring them is the point
            warnings.filterwarnings(
                "ignore", message="The effect of Potentials", category=UserWarning
            )
            prior = pm.sample_prior_predictive(
                draws=chains * draws,
                model=model,
                random_seed=seed,
                var_names=[v.name for v in model.free_RVs + model.deterministics],
            )
        group = prior["prior"] if "prior" in getattr(prior, "children", {}) else prior.prior
        ds = group.to_dataset() if hasattr(group, "to_dataset") else group
        data = {}
        for name, da in ds.data_vars.items():
            rest = [d for d in da.dims if d not in ("chain", "draw")]
            x = da.transpose("chain", "draw", *rest).values.reshape(chains, draws, *da.shape[2:])
            data[name] = (("chain", "draw", *rest), x)
        coords = {k: v for k, v in ds.coords.items() if k not in ("chain", "draw")}
        post = xr.Dataset(
            data, coords={"chain": np.arange(chains), "draw": np.arange(draws), **coords}
        )
        stats = xr.Dataset(
            {"diverging": (("chain", "draw"), np.ones((chains, draws), dtype=bool))},
            coords={"chain": np.arange(chains), "draw": np.arange(draws)},
        )
        trace = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
        trace.attrs["sampler"] = "mock: prior draws (tests/conftest.py mock_sample), not NUTS"
        trace.attrs["motives_deterministics"] = json.dumps([v.name for v in model.deterministics])
        return trace

    real = sampling.sample
    monkeypatch.setattr(sampling, "sample", prior_draws)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Playwright) for every test of the process; skipped without one."""
    from _browser import CHROMIUM

    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
