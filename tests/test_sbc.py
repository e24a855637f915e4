"""Simulation-based calibration of the exclusive model (Talts et al. 2018).

It runs through ``motives.models.sbc``.

The library runs it (``motives sbc SPEC`` on the command line): for each of 100 simulations, draw
the hypothesis h from the prior, the likelihood cells λ from their Betas and the source
reliability ρ from its Beta, simulate every item as observed or not, fit the model to the
simulated items, and take the rank of each true value among 100 thinned posterior draws. If the
model's posterior is calibrated the ranks are uniform on 0..100: binned into 10 bins, each
quantity's counts must pass a chi-square test of uniformity with p > 0.001 (9 degrees of freedom).
"""

from __future__ import annotations

import pytest

from motives.schema import Case

N_SIMS = 100
N_KEEP = 100
BINS = 10


def _sbc_case() -> Case:
    """Two hypotheses, six diagnostic items with Beta cells.

    Four of them reported by one uncertain source.
    """
    means = [(0.85, 0.2), (0.25, 0.75), (0.8, 0.3), (0.2, 0.7), (0.9, 0.4), (0.3, 0.8)]
    items = []
    for i, (a, b) in enumerate(means):
        item = {
            "id": f"e{i}",
            "title": f"item {i}",
            "likelihoods": {
                "a": {"mean": a, "concentration": 15},
                "b": {"mean": b, "concentration": 15},
            },
        }
        if i < 4:
            item["reported_by"] = "s"
        if i == 1:
            item["base_rate"] = 0.4
        items.append(item)
    return Case.model_validate(
        {
            "name": "sbc",
            "hypotheses": [{"id": "a", "prior": 0.4}, {"id": "b", "prior": 0.6}],
            "sources": [{"key": "s", "reliability": {"mean": 0.7, "concentration": 8}}],
            "evidence": items,
        }
    )


@pytest.mark.slow
def test_exclusive_model_is_calibrated():
    from motives.models.config import FitConfig
    from motives.models.evidence import model_inputs
    from motives.models.sbc import sbc

    case = _sbc_case()
    inp = model_inputs(case)
    assert inp.sources and (inp.source_index >= 0).any() and inp.free_cells.all()
    config = FitConfig.build(case, draws=N_KEEP, tune=300, chains=2, seed=0)
    res = sbc(
        case, config, simulations=N_SIMS, keep=N_KEEP, bins=BINS, seed=2026, scheduler="processes"
    )
    assert res.job.ok, res.job.failure_lines()
    assert len(res.ranks) == N_SIMS and list(res.tests.index)[-2:] == ["rho[s]", "h"]
    assert int(inp.free_cells.sum()) + 2 == len(res.tests)
    for name, row in res.tests.iterrows():
        assert row["p"] > 0.001, (
            f"{name}: ranks not uniform (p = {row['p']:.2g}), counts {row['counts']}"
        )
