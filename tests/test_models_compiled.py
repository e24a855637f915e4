"""The compiled NUTS functions kept on disk compute what a fresh compilation computes.

:mod:`motives.models.compiled` pickles the log density + gradient function and the trace's point
function under PyTensor's compile directory, keyed by a digest of the graphs. Checked here: a
function loaded from disk (nothing compiled the second time) gives the log density and gradient of a
fresh compilation at generated points and knob values, relative tolerance 1e-9 (the same rewritten
graph, so in practice equal to the last bit; the reference is PyTensor's Python linker, whose
arithmetic may round differently by ~1e-15); the key is the same in another process and changes
with any judgement; a damaged cache file is a miss; and a fit's draws are the same with and without
the cache.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motives.models import compiled


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache folder."""
    monkeypatch.setattr(compiled, "cache_dir", lambda: tmp_path / "motives_fits")
    return tmp_path / "motives_fits"


def _built(*, reliability: bool = True):
    """A seeded flat case with Beta cells and a source's reliability (free parameters)."""
    from motives.models.exclusive import build_exclusive
    from motives.models.testing import random_case

    return build_exclusive(random_case(3, n_items=5, n_sources=2), reliability=reliability)


def _reference(built):
    """A fresh compilation of the model's log density and gradient, by the Python linker."""
    from pytensor.compile.mode import Mode

    f = built.model.logp_dlogp_function(
        ravel_inputs=True, mode=Mode(linker="py", optimizer="fast_compile")
    )
    f.set_extra_values({})
    return f


def _x0(model):
    ip = model.initial_point()
    return np.concatenate([np.ravel(ip[v.name]) for v in model.value_vars])


def _forbid_compiling(monkeypatch, built):
    def refuse(*_a, **_k):
        raise AssertionError("compiled although the cache holds the function")

    monkeypatch.setattr(built.model, "logp_dlogp_function", refuse)
    monkeypatch.setattr(built.model, "compile_fn", refuse)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The model's functions loaded from a cache a first build wrote."""
    folder = tmp_path_factory.mktemp("cache") / "motives_fits"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compiled, "cache_dir", lambda: folder)
        compiled.nuts_functions(_built())
        assert len(list(folder.glob("*.pkl"))) == 1
        second = _built()
        _forbid_compiling(mp, second)
        fns = compiled.nuts_functions(second)
    return second, fns


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    shift=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=1),
    seed=st.integers(0, 2**31 - 1),
    log_prior=st.lists(st.floats(-3.0, 0.0), min_size=2, max_size=2),
)
def test_loaded_function_equals_a_fresh_compilation(loaded, shift, seed, log_prior):
    """Log density and gradient at generated points and prior knobs, loaded vs fresh (1e-9)."""
    from motives.models.sampling import set_data

    built, (vgf, _point) = loaded
    vals = built.data_values()
    n = vals["log_prior"].shape
    set_data(built, log_prior=np.resize(np.asarray(log_prior), n))
    vgf, _point = compiled.nuts_functions(built)  # the knob values are copied in at each use
    ref = _reference(built)
    rng = np.random.default_rng(seed)
    x0 = _x0(built.model)
    x = x0 + shift[0] + rng.normal(0.0, 0.5, x0.shape)
    got_lp, got_g = vgf._pytensor_function(x)
    ref_lp, ref_g = ref._pytensor_function(x)
    np.testing.assert_allclose(got_lp, ref_lp, rtol=1e-9)
    np.testing.assert_allclose(got_g, ref_g, rtol=1e-9, atol=1e-12)


def test_key_is_the_same_in_another_process_and_changes_with_the_graph():
    """The digest hashes values, not object addresses; another graph is another key."""
    code = (
        "from motives.models.exclusive import build_exclusive\n"
        "from motives.models.testing import random_case\n"
        "from motives.models.compiled import model_graph_key\n"
        "print(model_graph_key(build_exclusive(random_case(3, n_items=5, n_sources=2)).model))\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    here = compiled.model_graph_key(_built().model)
    assert here == other
    assert compiled.model_graph_key(_built(reliability=False).model) != here


@given(a=st.floats(-5, 5), b=st.floats(-5, 5))
def test_digest_sees_every_constant(a, b):
    """A constant baked into the graph enters the digest by value."""
    import pytensor.tensor as pt

    x = pt.vector("x")
    da = compiled.graph_digest([pt.exp(x * a)], [x])
    assert da == compiled.graph_digest([pt.exp(x * a)], [x])
    assert (da == compiled.graph_digest([pt.exp(x * b)], [x])) == (np.float64(a) == np.float64(b))


def test_a_damaged_cache_file_is_a_miss(cache):
    """A file that is not a pickle of ours is ignored and replaced by a fresh compilation."""
    built = _built()
    path = cache / f"{compiled.model_graph_key(built.model)}.pkl"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    vgf, _ = compiled.nuts_functions(built)
    vgf.set_extra_values({})
    lp, _g = vgf._pytensor_function(_x0(built.model))
    ref_lp, _ = _reference(built)._pytensor_function(_x0(built.model))
    np.testing.assert_allclose(lp, ref_lp, rtol=1e-9)
    assert compiled._load(path) is not None  # rewritten with the fresh compilation


def test_draws_are_the_same_with_and_without_the_cache(cache, monkeypatch):
    """The same seed gives the same draws whether PyMC compiles or the cache serves."""
    from motives.models.sampling import sample

    kw = {"draws": 30, "tune": 30, "chains": 2, "seed": 3, "backend": "pymc", "cores": 1}
    with_cache = sample(_built(), **kw).posterior["credence"].values
    again = _built()
    _forbid_compiling(monkeypatch, again)
    from_disk = sample(again, **kw).posterior["credence"].values
    monkeypatch.undo()
    monkeypatch.setattr(compiled, "cache_dir", lambda: cache)
    monkeypatch.setattr(
        compiled, "using_nuts_functions", lambda *_a, **_k: contextlib.nullcontext()
    )
    plain = sample(_built(), **kw).posterior["credence"].values
    np.testing.assert_array_equal(with_cache, from_disk)
    np.testing.assert_array_equal(with_cache, plain)
