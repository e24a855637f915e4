"""The cheaper graph of a structured case's model computes what the per-proposition graph computes.

The items under propositions are built as whole arrays (``_own_messages_stacked``, issue 25) instead
of one proposition at a time: a model's log density and its gradient must be the same at random
points, with random knob values (weights of 0 and 0.5, items not observed, likelihood scale
factors), on generated tree-shaped and network cases.

Tolerance: relative 1e-9 (the same sums in another order; float64 rounding is ~1e-15 per term).
"""

from __future__ import annotations

import numpy as np
import pytest

import motives.models.evidence as ev
from motives.testing import random_network_case, random_structured_case


def _logp_and_grad(case, *, stacked: bool, monkeypatch):
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import set_data

    monkeypatch.setattr(ev, "STACKED", stacked)
    built = build_exclusive(case)
    rng = np.random.default_rng(7)
    vals = built.data_values()
    knobs = {}
    if "weight" in vals:
        w = vals["weight"].copy()
        w[rng.random(w.shape) < 0.2] = 0.0
        w[rng.random(w.shape) < 0.2] = 0.5
        knobs["weight"] = w
    if "prop_observed" in vals and vals["prop_observed"].size:
        o = vals["prop_observed"].copy()
        o[rng.random(o.shape) < 0.3] = 0.0
        knobs["prop_observed"] = o
    if "prop_log_scale" in vals and vals["prop_log_scale"].size:
        knobs["prop_log_scale"] = rng.normal(0.0, 0.3, vals["prop_log_scale"].shape)
    set_data(built, **knobs)
    m = built.model
    # the graph's arithmetic, evaluated by PyTensor's Python linker: three points need no compiled
    # backend
    from pytensor.compile.mode import Mode

    f = m.logp_dlogp_function(ravel_inputs=True, mode=Mode(linker="py", optimizer="fast_compile"))
    f.set_extra_values({})
    ip = m.initial_point()
    x0 = np.concatenate([np.ravel(ip[v.name]) for v in m.value_vars])
    return [
        np.concatenate([[lp], g])
        for lp, g in (f._pytensor_function(x0 + rng.normal(0.0, 0.5, x0.shape)) for _ in range(3))
    ]


@pytest.mark.parametrize(
    "make",
    [lambda s: random_structured_case(s), lambda s: random_network_case(s)],
    ids=["tree", "network"],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_cheaper_model_graph_has_the_same_log_density_and_gradient(make, seed, monkeypatch):
    case = make(seed)
    new = _logp_and_grad(case, stacked=True, monkeypatch=monkeypatch)
    old = _logp_and_grad(case, stacked=False, monkeypatch=monkeypatch)
    for a, b in zip(new, old, strict=True):
        assert np.isfinite(a[0])
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
