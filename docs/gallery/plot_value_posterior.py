"""
Posterior over a numeric grid
=============================

Hypotheses that are values on a grid (here a proportion) drawn as one density, with its summary.
Drawn by
:func:`motives.plots.plot_value_posterior`.
"""

import motives as mv
from motives.exact import value_summary, value_table
from motives.plots import plot_value_posterior

grid = [i / 100 for i in range(101)]
case = mv.Case.model_validate(
    {
        "name": "proportion",
        "hypotheses": [{"id": f"p{i}", "value": p} for i, p in enumerate(grid)],
        "evidence": [
            {
                "id": "seven_of_ten",
                "title": "7 successes in 10 trials",
                "likelihoods": {f"p{i}": p**7 * (1 - p) ** 3 for i, p in enumerate(grid)},
            }
        ],
    }
)
fig, ax = plot_value_posterior(value_table(case), value_summary(case), xlabel="Proportion")
