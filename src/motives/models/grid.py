"""Full refits over a grid of priors and judgement strengths, as a many-fit job.

Each grid point is one fit of the same model with new knob values (no new model code):

- ``prior_power`` α: the hypothesis prior raised to α and renormalised (α = 1 is the spec's
  prior, α = 0 a uniform one, α > 1 a sharper one); the ``log_prior`` knob;
- ``concentration`` c: every uncertain judgement's Beta concentration multiplied by c (c < 1 a
  looser reading of the same means, c > 1 a firmer one); the ``concentration`` knob.

The fits run through :func:`motives.models.many.run_fits` (serially, in local processes or on a
Dask cluster) and come back in grid order. Where the exact engine has the answer (every grid
point's prior with the judgements as written, ``concentration`` 1, exclusive model), the table
holds it beside the fit's mean.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.errors import MotivesError
from motives.models.config import FitConfig
from motives.models.many import FitTask, ManyFits, run_fits

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from motives.schema import Case


@dataclass
class RefitGrid:
    """A refit grid's table and its job.

    Attributes
    ----------
    table
        One row per grid point and hypothesis: ``prior_power``, ``concentration``, ``hypothesis``,
        ``prior`` (the scaled prior), ``credence`` (posterior mean), ``lower``, ``upper`` (90%
        interval), ``exact`` (NaN where the exact engine has no answer), ``ok`` (the fit's
        diagnostics).
    job
        The many-fit job (where it ran, failures by grid point, what was resumed).
    """

    table: pd.DataFrame
    job: ManyFits


def scaled_prior(prior: np.ndarray, power: float) -> np.ndarray:
    """``prior ** power``, renormalised (hypotheses of prior 0 stay at 0).

    Examples
    --------
    >>> (
    ...     scaled_prior(np.array([0.2, 0.8]), 0.0).tolist(),
    ...     scaled_prior(np.array([0.2, 0.8]), 1.0).tolist(),
    ... )
    ([0.5, 0.5], [0.2, 0.8])
    """
    p = np.asarray(prior, dtype=float)
    out = np.where(p > 0, np.power(np.where(p > 0, p, 1.0), power), 0.0)
    return out / out.sum()


def grid_tasks(
    case: Case,
    config: FitConfig,
    *,
    prior_power: Sequence[float] = (1.0,),
    concentration: Sequence[float] = (1.0,),
) -> tuple[list[FitTask], list[tuple[float, float]]]:
    """One task per (prior_power, concentration), in that order, every one with the config's seed.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("witness")
    >>> tasks, points = grid_tasks(
    ...     case, FitConfig.build(case), prior_power=[0.5, 1], concentration=[1]
    ... )
    >>> points, [t.label for t in tasks]
    ([(0.5, 1.0), (1.0, 1.0)], ['prior^0.5, concentration x1', 'prior^1, concentration x1'])
    """
    from motives.exact import prior_from

    if config.model != "exclusive":
        raise MotivesError(
            f"refit grid: only the exclusive model is refitted over a grid here, not {config.model}"
        )
    if isinstance(config.prior, dict) and "dirichlet" in config.prior:
        raise MotivesError(
            "refit grid: the prior must be fixed to be power-scaled (not a Dirichlet prior)"
        )
    for name, values, least in (
        ("prior_power", prior_power, 0.0),
        ("concentration", concentration, None),
    ):
        if not len(values):
            raise MotivesError(f"refit grid: {name} needs at least one value")
        for v in values:
            if (
                isinstance(v, bool)
                or not isinstance(v, int | float)
                or not np.isfinite(v)
                or (v < least if least is not None else v <= 0)
            ):
                raise MotivesError(
                    f"refit grid: {name} values must be finite numbers "
                    f"{'>= 0' if least is not None else '> 0'}, got {v!r}"
                )
    prior = np.asarray(prior_from(case, config.prior), dtype=float)
    tasks, points = [], []
    for a, c in itertools.product(prior_power, concentration):
        p = scaled_prior(prior, float(a))
        with np.errstate(divide="ignore"):
            data = {"log_prior": np.log(p), "concentration": np.asarray(float(c))}
        tasks.append(
            FitTask.build(case, config, data=data, label=f"prior^{a:g}, concentration x{c:g}")
        )
        points.append((float(a), float(c)))
    return tasks, points


def refit_grid(
    case: Case,
    config: FitConfig,
    *,
    prior_power: Sequence[float] = (1.0,),
    concentration: Sequence[float] = (1.0,),
    scheduler: Any = None,
    workers: int | None = None,
    results: str | Path | None = None,
) -> RefitGrid:
    """Refit ``case`` at every (prior power, concentration) of the grid.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("witness")
    >>> cfg = FitConfig.build(case, draws=20, tune=0, chains=1)
    >>> grid = refit_grid(case, cfg, prior_power=[0, 1], scheduler="serial")
    >>> grid.table[["prior_power", "hypothesis", "prior"]].round(2).values.tolist()
    [[0.0, 'blue', 0.5], [0.0, 'green', 0.5], [1.0, 'blue', 0.15], [1.0, 'green', 0.85]]
    >>> bool(
    ...     (grid.table["credence"] - grid.table["exact"]).abs().max() < 1e-9
    ... )  # nothing random in this case
    True
    """
    import pandas as pd

    from motives.conventions import INTERVAL_MASS
    from motives.exact import compile_case, posterior

    tasks, points = grid_tasks(case, config, prior_power=prior_power, concentration=concentration)
    job = run_fits(tasks, scheduler=scheduler, workers=workers, results=results)
    arr = compile_case(case, config.lens)
    tail = (1 - INTERVAL_MASS) / 2
    rows = []
    for t, (a, c), res in zip(tasks, points, job.results, strict=True):
        p = np.exp(np.asarray(t.data["log_prior"], dtype=float))
        exact = (
            posterior(arr, p, reliability=config.reliability)
            if c == 1.0
            else np.full(len(p), np.nan)
        )
        hyps = [h.id for h in case.hypotheses]
        if res is None:
            mean = lo = hi = np.full(len(hyps), np.nan)
            ok = False
        else:
            x = res.trace.posterior["credence"].transpose("chain", "draw", "hypothesis").values
            x = x.reshape(-1, x.shape[-1])
            mean, (lo, hi) = x.mean(axis=0), np.quantile(x, [tail, 1 - tail], axis=0)
            ok = bool(res.diagnostics["ok"])
        for k, h in enumerate(hyps):
            rows.append(
                {
                    "prior_power": a,
                    "concentration": c,
                    "hypothesis": h,
                    "prior": p[k],
                    "credence": mean[k],
                    "lower": lo[k],
                    "upper": hi[k],
                    "exact": exact[k],
                    "ok": ok,
                }
            )
    return RefitGrid(pd.DataFrame(rows), job)


def write_refits(
    spec: Any,
    spec_file: Path,
    case: Case,
    folder: Path,
    *,
    scheduler: Any = None,
    workers: int | None = None,
) -> list[str]:
    """Write the refit grid a spec's ``sensitivity.refits`` asks for; return lines to print.

    The grid is written as ``refits.csv`` in ``folder``.
    """
    from motives.models.config import FitConfig

    r = spec.sensitivity.refits
    config = FitConfig.from_spec(spec, case)
    grid = refit_grid(
        case,
        config,
        prior_power=[float(x) for x in r.prior_power],
        concentration=[float(x) for x in r.concentration],
        scheduler=scheduler,
        workers=workers,
    )
    grid.table.to_csv(folder / "refits.csv", index=False)
    job = grid.job
    lines = [
        f"refits: {len(job.tasks) - len(job.failures)} of {len(job.tasks)} fits ({job.where}, "
        f"{job.seconds:.1f} s)"
    ]
    bad = int((~grid.table.drop_duplicates(["prior_power", "concentration"])["ok"]).sum())
    if bad:
        lines.append(f"refits: {bad} fit(s) failed their diagnostics (column ok in refits.csv)")
    return lines + job.failure_lines()
