"""
Timeline
========

A coded series of observations against each hypothesis's predicted trend, with 90% bands. Drawn by
:func:`motives.plots.plot_timeline`.
"""

import motives as mv
from motives.plots import plot_timeline

trend = {
    "rising": {"intercept": {"mean": 0, "sd": 0.5}, "slope": {"mean": 0.2, "sd": 0.05}},
    "flat": {"intercept": {"mean": 1, "sd": 0.5}, "slope": {"mean": 0, "sd": 0.05}},
}
case = mv.Case.model_validate(
    {
        "name": "trend",
        "hypotheses": [{"id": "rising"}, {"id": "flat"}],
        "evidence": [
            {
                "id": "rhetoric",
                "kind": "timeline",
                "title": "Statements on the dispute",
                "origin": 2000,
                "sigma": 0.8,
                "scale": {0: "none", 1: "mild", 2: "strong"},
                "observations": [
                    {"date": "2000", "code": 0},
                    {"date": "2005", "code": 1},
                    {"date": "2010", "code": 2},
                ],
                "trends": {"default": {"values": trend}},
            }
        ],
    }
)
fig, ax = plot_timeline(case, "rhetoric")
