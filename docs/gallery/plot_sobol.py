"""
Sobol indices
=============

The share of the variance of the target's log-odds owed to each uncertain judgement, over the
elicited Beta distributions. Drawn by :func:`motives.plots.plot_sobol`.
"""

import motives as mv
from motives.plots import plot_sobol
from motives.sensitivity import global_sensitivity

ratios = {"bowl1": 0.75, "bowl2": 0.5}
case = mv.Case.model_validate(
    {
        "name": "cookies_uncertain",
        "hypotheses": [{"id": "bowl1"}, {"id": "bowl2"}],
        "evidence": [
            {
                "id": "sure",
                "title": "A vanilla cookie",
                "likelihoods": {"default": {"values": ratios, "confidence": "medium"}},
            },
            {
                "id": "unsure",
                "title": "Another vanilla cookie",
                "likelihoods": {"default": {"values": ratios, "confidence": "low"}},
            },
        ],
    }
)
fig, ax = plot_sobol(global_sensitivity(case, n=256, seed=1))
