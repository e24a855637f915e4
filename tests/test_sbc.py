"""Simulation-based calibration of the exclusive model (Talts et al. 2018).

For each of 100 simulations: draw the hypothesis h from the prior, the
likelihood cells λ from their Betas and the source reliability ρ from its Beta,
then simulate every item as observed or not, o_e ~ Bernoulli(ρ λ[e, h] + (1 − ρ) b_e)
(the model's ``observed`` knob scores an unobserved item with log(1 − P)).
Fit the model (one nutpie compilation; only the ``observed`` data change) and
take the rank of each true value among 100 thinned posterior draws — for each
λ cell, for ρ, and for h (posterior draws of h from ``credence``, ties broken
at random). If the model's posterior is calibrated the ranks are uniform on
0..100: binned into 10 bins, each quantity's counts must pass a chi-square
test of uniformity with p > 0.001 (9 degrees of freedom).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from motives.schema import Case

N_SIMS = 100
N_KEEP = 100
BINS = 10


def _sbc_case() -> Case:
    """Two hypotheses, six diagnostic items with Beta cells, four of them reported by one uncertain source."""
    means = [(0.85, 0.2), (0.25, 0.75), (0.8, 0.3), (0.2, 0.7), (0.9, 0.4), (0.3, 0.8)]
    items = []
    for i, (a, b) in enumerate(means):
        item = {"id": f"e{i}", "title": f"item {i}",
                "likelihoods": {"a": {"mean": a, "concentration": 15}, "b": {"mean": b, "concentration": 15}}}
        if i < 4:
            item["reported_by"] = "s"
        if i == 1:
            item["base_rate"] = 0.4
        items.append(item)
    return Case.model_validate({
        "name": "sbc", "hypotheses": [{"id": "a", "prior": 0.4}, {"id": "b", "prior": 0.6}],
        "sources": [{"key": "s", "reliability": {"mean": 0.7, "concentration": 8}}], "evidence": items})


def _simulate(inp, rng):
    K = len(inp.hypotheses)
    h = rng.choice(K, p=inp.prior)
    free = inp.free_cells
    lam = inp.lam_mean.copy()
    lam[free] = rng.beta(inp.lam_mean[free] * inp.lam_conc[free], (1 - inp.lam_mean[free]) * inp.lam_conc[free])
    rho_src = np.array([rng.beta(m * c, (1 - m) * c) for _, m, c in inp.sources])
    base = np.where(np.isnan(inp.base), lam.mean(axis=1), inp.base)
    rho = np.where(inp.source_index >= 0, rho_src[np.maximum(inp.source_index, 0)], 1.0)
    p = rho * lam[:, h] + (1 - rho) * base
    return h, lam[free], rho_src, (rng.random(len(p)) < p).astype(float)


def _rank(draws, truth):
    return int(np.sum(draws < truth))


@pytest.mark.slow
def test_exclusive_model_is_calibrated():
    from motives.models.evidence import model_inputs
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import sample, set_data

    case = _sbc_case()
    inp = model_inputs(case)
    assert inp.sources and (inp.source_index >= 0).any() and inp.free_cells.all()
    built = build_exclusive(case)
    rng = np.random.default_rng(2026)
    n_cells = int(inp.free_cells.sum())
    ranks = {f"lam{i}": [] for i in range(n_cells)} | {"rho": [], "h": []}
    for sim in range(N_SIMS):
        h, lam, rho, obs = _simulate(inp, rng)
        set_data(built, observed=obs)
        post = sample(built, draws=N_KEEP, tune=300, chains=2, seed=sim).posterior
        sl = {"chain": slice(None), "draw": slice(None, None, 2)}  # thin: 2 x 50 draws
        cells = post["lam_cell"].isel(sl).values.reshape(-1, n_cells)
        for i in range(n_cells):
            ranks[f"lam{i}"].append(_rank(cells[:, i], lam[i]))
        ranks["rho"].append(_rank(post["rho"].isel(sl).values.reshape(-1), rho[0]))
        cred = post["credence"].isel(sl).values.reshape(-1, 2)
        hs = (rng.random(len(cred)) < cred[:, 1]).astype(int)
        less, equal = int(np.sum(hs < h)), int(np.sum(hs == h))
        ranks["h"].append(less + int(rng.integers(0, equal + 1)))
    for name, r in ranks.items():
        counts = np.bincount(np.asarray(r) * BINS // (N_KEEP + 1), minlength=BINS)
        p = stats.chisquare(counts).pvalue
        assert p > 0.001, f"{name}: ranks not uniform (p = {p:.2g}), counts {counts.tolist()}"
