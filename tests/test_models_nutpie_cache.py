"""nutpie's compiled model kept on disk computes what a fresh compilation computes.

:mod:`motives.models.nutpie_cache` builds nutpie's two C callbacks with fixed names and a closure
keyed by a digest of the model's graphs, so that numba finds them again in a later process, and
pickles the rest of nutpie's compiled model beside them. Checked here: a second build of the same
structure is served from the cache without rewriting or compiling anything (nutpie's
``_make_functions`` is made to fail); the cached callbacks give the log density and gradient of
PyMC's own function (Python linker, fresh compilation) at generated points and knob values, to a
relative 1e-9 (different compilations of the same graph round differently by ~1e-15); the draws of
a seed are the same with and without the cache; a damaged record is a miss; the key is the same in
another process and differs for another structure.
"""

from __future__ import annotations

import ctypes
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("nutpie")

from motives.models import nutpie_cache  # noqa: E402


def _built(n_items: int = 5):
    """A seeded flat case of 3 hypotheses with Beta cells and sources' reliabilities."""
    from motives.models.exclusive import build_exclusive
    from motives.models.testing import random_case

    return build_exclusive(random_case(3, n_items=n_items, n_sources=2), reliability=True)


def _reference(built):
    """PyMC's log density and gradient, compiled afresh by the Python linker.

    It reads the model's ``pm.Data`` knobs at each call.
    """
    from pytensor.compile.mode import Mode

    f = built.model.logp_dlogp_function(
        ravel_inputs=True, mode=Mode(linker="py", optimizer="fast_compile")
    )
    f.set_extra_values({})
    return f


def _call(compiled, x):
    """The cached log density callback at ``x``: (status, log density, gradient)."""
    x = np.ascontiguousarray(x, dtype=float)
    grad = np.zeros_like(x)
    logp = np.zeros(())
    status = compiled.compiled_logp_func.ctypes(
        ctypes.c_uint64(x.size),
        x.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
        grad.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
        logp.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
        ctypes.c_void_p(compiled.user_data.ctypes.data),
    )
    return status, float(logp), grad


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A model compiled once (the record written), then a second build served from the cache."""
    import nutpie.compile_pymc as cp

    folder = tmp_path_factory.mktemp("nutpie") / "motives_nutpie"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nutpie_cache, "cache_dir", lambda: folder)
        first, hit_first = nutpie_cache.cached_compiled(_built())
        assert not hit_first
        assert len(list(folder.glob("*.pkl"))) == 1

        def refuse(*_a, **_k):
            raise AssertionError("compiled although the cache holds the model")

        mp.setattr(cp, "_make_functions", refuse)
        second_built = _built()
        second, hit = nutpie_cache.cached_compiled(second_built)
        assert hit
    return second_built, second, first, _reference(second_built)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    x=st.lists(st.floats(-4, 4), min_size=64, max_size=64),
    prior=st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3),
    concentration=st.floats(0.2, 5.0),
)
def test_cached_callbacks_equal_pymc_at_generated_points(served, x, prior, concentration):
    """Log density and gradient of the served model = PyMC's, at generated points and knobs."""
    from motives.models.sampling import set_data

    built, compiled, _, ref = served
    p = np.asarray(prior) / np.sum(prior)
    set_data(built, log_prior=np.log(p), concentration=concentration)
    values = {
        k: v
        for k, v in built.data_values().items()
        if k in {v.name for v in compiled.shared_var_keys}
    }
    model = compiled.with_data(**values)
    point = np.asarray(x[: model.n_dim])
    status, logp, grad = _call(model, point)
    want_logp, want_grad = ref(point)
    assert status == 0
    assert np.isclose(logp, want_logp, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-9, atol=1e-12)


def test_served_and_fresh_models_give_the_same_draws(served):
    """One seed, the same draws, whether nutpie's model was compiled now or loaded."""
    import nutpie

    _, second, first, _ = served
    kw = {"draws": 60, "tune": 40, "chains": 2, "seed": 3, "progress_bar": False, "cores": 1}
    a = nutpie.sample(first, **kw).posterior
    b = nutpie.sample(second, **kw).posterior
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_a_damaged_record_is_a_miss(tmp_path, monkeypatch):
    """A record that cannot be read is compiled again, not an error."""
    monkeypatch.setattr(nutpie_cache, "cache_dir", lambda: tmp_path)
    built = _built()
    (tmp_path / f"{nutpie_cache.model_key(built)}.pkl").write_bytes(b"not a pickle")
    compiled, hit = nutpie_cache.cached_compiled(built)
    assert not hit
    status, logp, _ = _call(compiled, np.zeros(compiled.n_dim))
    assert status == 0 and np.isfinite(logp)


def test_key_is_stable_across_processes_and_differs_by_structure():
    """The same model has the same key in another process; another structure another key."""
    code = (
        "from motives.models.exclusive import build_exclusive;"
        "from motives.models.testing import random_case;"
        "from motives.models.nutpie_cache import model_key;"
        "print(model_key(build_exclusive(random_case(3, n_items=5, n_sources=2),"
        " reliability=True)))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert other == nutpie_cache.model_key(_built())
    assert nutpie_cache.model_key(_built(6)) != other


def _revalued(case, rng):  # noqa: ANN001, ANN202 - a Case
    """The same case with other judgement values: another prior, and items' cells redrawn.

    A cell keeps its form (its concentration, a mean of exactly 0 or 1), so the structure stays.
    """
    out = case.with_prior(list(rng.dirichlet(np.ones(len(case.hypothesis_ids)))))
    for item in case.evidence:
        judgement, _ = case.judgement(item)
        cells = getattr(judgement, "values", None)
        if not isinstance(cells, dict):
            continue  # a timeline or quantity item
        new = {
            k: {"mean": float(rng.uniform(0.05, 0.95)), "concentration": v.concentration}
            for k, v in cells.items()
            if 0.0 < getattr(v, "mean", 0.0) < 1.0  # a trend's prior has no mean: left alone
        }
        if new:
            out = out.with_judgement(item.id, values=new)
    return out


def test_builds_with_one_key_have_one_graph():
    """The key is the model's structure: builds that share it share the log density's graph.

    Generated flat, structured and network cases, each against itself with other judgement values
    (prior, cells): equal keys must mean equal graphs (:func:`model_graph_key`, every node and
    constant); and different structures different keys.
    """
    from motives.models.compiled import model_graph_key
    from motives.models.exclusive import build_exclusive
    from motives.models.testing import random_case
    from motives.testing import random_network_case, random_structured_case

    rng = np.random.default_rng(7)
    cases = [random_case(s, n_items=5, n_sources=2) for s in range(3)]
    cases += [random_structured_case(s) for s in range(3)]
    cases += [random_network_case(s) for s in range(2)]
    keys, changed = set(), 0
    for case in cases:
        built, other = build_exclusive(case), build_exclusive(_revalued(case, rng))
        assert nutpie_cache.model_key(built) == nutpie_cache.model_key(other)
        assert model_graph_key(built.model) == model_graph_key(other.model)
        changed += any(
            not np.array_equal(v, other.data_values()[k]) for k, v in built.data_values().items()
        )
        keys.add(nutpie_cache.model_key(built))
    assert changed == len(cases)  # the values did change in every pair
    assert len(keys) == len(cases)


def test_a_served_model_reads_its_own_knobs(tmp_path, monkeypatch):
    """A model served from the cache computes with the knob values of the build it serves.

    Not those of the build that wrote the record: a build with other priors and concentration
    (the same structure) is served, and its callbacks are compared with PyMC's without any
    ``with_data``.
    """
    from motives.models.sampling import set_data

    folder = tmp_path / "motives_nutpie"
    monkeypatch.setattr(nutpie_cache, "cache_dir", lambda: folder)
    nutpie_cache.cached_compiled(_built())  # the record, written with the case's knobs
    built = _built()
    set_data(built, log_prior=np.log([0.7, 0.2, 0.1]), concentration=2.5)
    compiled, hit = nutpie_cache.cached_compiled(built)
    assert hit
    ref = _reference(built)
    rng = np.random.default_rng(5)
    for _ in range(5):
        x = rng.uniform(-3, 3, compiled.n_dim)
        status, logp, grad = _call(compiled, x)
        want_logp, want_grad = ref(x)
        assert status == 0
        assert np.isclose(logp, want_logp, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(grad, want_grad, rtol=1e-9, atol=1e-12)
