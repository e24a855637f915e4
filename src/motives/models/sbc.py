"""Simulation-based calibration of the exclusive model (Talts et al. 2018), as a many-fit job.

For each simulation: draw the hypothesis h from the fit's prior, every uncertain likelihood cell
λ from its Beta and every uncertain source reliability ρ from its Beta, then simulate every item
as observed or not, o_e ~ Bernoulli(ρ λ[e, h] + (1 − ρ) b_e) (the model's ``observed`` knob
scores an unobserved item with log(1 − P)). Fit the model to the simulated items (one
:class:`~motives.models.many.FitTask` per simulation, run through
:func:`~motives.models.many.run_fits`: serially, in local processes or on a Dask cluster) and
take the rank of each true value among ``keep`` posterior draws (evenly thinned) — for each λ
cell, for each ρ, and for h (posterior draws of h from ``credence``, ties broken at random). If
the model's posterior is calibrated, each quantity's ranks are uniform on 0..keep: binned into
``bins`` bins, the counts are tested with a chi-square test of uniformity.

Every random number of a simulation comes from its own stream (``seed`` and the simulation's
number), so the ranks do not depend on where or in which order the fits ran.

Scope: the exclusive model of a case whose evidence is likelihood items bearing on the hypotheses
(no propositions, timelines or quantities) with a fixed hypothesis prior; anything else is refused
with a message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.errors import MotivesError
from motives.models.config import FitConfig
from motives.models.many import FitTask, ManyFits, run_fits

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from motives.models.evidence import ModelInputs
    from motives.schema import Case

#: A quantity's ranks fail the uniformity test when the chi-square p-value is below this.
P_MIN = 0.001


@dataclass
class SBCResult:
    """Ranks and uniformity tests of a simulation-based calibration run.

    Attributes
    ----------
    ranks
        One row per finished simulation (index: simulation number from 1), one column per quantity.
    tests
        One row per quantity: ``chi2``, ``p`` (chi-square test of uniform ranks, ``bins - 1``
        degrees of freedom), ``ok`` (p > :data:`P_MIN`), and ``counts`` (ranks per bin).
    job
        The many-fit job (where it ran, its failures by simulation, what was resumed).
    keep, bins
        Posterior draws each rank is taken among (ranks 0..keep) and the number of bins.
    """

    ranks: pd.DataFrame
    tests: pd.DataFrame
    job: ManyFits
    keep: int
    bins: int

    @property
    def ok(self) -> bool:
        """Every quantity's ranks pass the uniformity test (and every simulation finished)."""
        return bool(self.tests["ok"].all()) and self.job.ok


def check_sbc_case(case: Case, config: FitConfig) -> ModelInputs:
    """The model inputs of a case SBC can simulate, or a :class:`MotivesError` saying why not.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("witness")
    >>> check_sbc_case(case, FitConfig.build(case)).items
    ['says_blue']
    >>> try:
    ...     check_sbc_case(case, FitConfig.build(case, model="mixture"))
    ... except MotivesError as err:
    ...     print(err)
    sbc: only the exclusive model is calibrated by simulation here; the spec asks for the mixture
    model
    """
    from motives.models.evidence import model_inputs

    if config.model != "exclusive":
        raise MotivesError(
            f"sbc: only the exclusive model is calibrated by simulation here; the spec asks for "
            f"the {config.model} model"
        )
    if isinstance(config.prior, dict) and "dirichlet" in config.prior:
        raise MotivesError(
            "sbc: the prior must be fixed (a Dirichlet prior over the credences is not simulated)"
        )
    inp = model_inputs(case, config.lens)
    if inp.structured or inp.timelines or inp.quantities:
        raise MotivesError(
            f"sbc: case '{case.name}' has propositions, timeline or quantity items; "
            "simulation-based "
            "calibration here simulates likelihood items bearing on the hypotheses only"
        )
    if not inp.items:
        raise MotivesError(f"sbc: case '{case.name}' has no likelihood items to simulate")
    return inp


def quantity_names(inp: ModelInputs) -> list[str]:
    """The calibrated quantities.

    ``lam[item|hypothesis]`` per uncertain cell, ``rho[source]``, ``h``.
    """
    cells = [
        f"lam[{inp.items[e]}|{inp.hypotheses[k]}]"
        for e, k in zip(*np.nonzero(inp.free_cells), strict=True)
    ]
    rhos = [f"rho[{key}]" for key, _, c in inp.sources if np.isfinite(c)]
    return [*cells, *rhos, "h"]


def simulate(
    inp: ModelInputs, prior: np.ndarray, rng: np.random.Generator, reliability: bool = True
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """One draw from the model's prior predictive: (h, free λ cells, uncertain ρ's, observed items).

    Examples
    --------
    >>> import motives as mv
    >>> from motives.models.evidence import model_inputs
    >>> inp = model_inputs(mv.examples.load("witness"))
    >>> h, lam, rho, obs = simulate(inp, np.array([0.15, 0.85]), np.random.default_rng(1))
    >>> h in (0, 1), obs.shape, set(obs.tolist()) <= {0.0, 1.0}
    (True, (1,), True)
    """
    K = len(inp.hypotheses)
    h = int(rng.choice(K, p=prior))
    free = inp.free_cells
    lam = inp.lam_mean.copy()
    lam[free] = rng.beta(
        inp.lam_mean[free] * inp.lam_conc[free], (1 - inp.lam_mean[free]) * inp.lam_conc[free]
    )
    rho_src = np.array(
        [rng.beta(m * c, (1 - m) * c) if np.isfinite(c) else m for _, m, c in inp.sources]
    )
    uncertain = np.array([np.isfinite(c) for _, _, c in inp.sources], dtype=bool)
    base = np.where(np.isnan(inp.base), lam.mean(axis=1), inp.base)
    if reliability and len(rho_src):
        rho = np.where(inp.source_index >= 0, rho_src[np.maximum(inp.source_index, 0)], 1.0)
    else:
        rho = np.ones(len(inp.items))
    p = rho * lam[:, h] + (1 - rho) * base
    obs = (rng.random(len(p)) < p).astype(float)
    return h, lam[free], rho_src[uncertain] if reliability else np.array([]), obs


def sbc_tasks(
    case: Case, config: FitConfig, *, simulations: int = 100, seed: int = 2026
) -> tuple[list[FitTask], list[dict[str, Any]]]:
    """The fits of an SBC run and each simulation's true values (``h``, ``lam``, ``rho``).

    Simulation i fits with sampler seed ``config.seed + i`` and draws its truth from the stream
    ``(seed, i)``.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("witness")
    >>> tasks, truths = sbc_tasks(case, FitConfig.build(case, draws=100, chains=2), simulations=3)
    >>> [t.label for t in tasks], sorted(truths[0])
    (['simulation 1', 'simulation 2', 'simulation 3'], ['h', 'lam', 'rho'])
    """
    from motives.exact import prior_from

    if isinstance(simulations, bool) or not isinstance(simulations, int) or simulations < 1:
        raise MotivesError(f"sbc: simulations must be a whole number >= 1, got {simulations!r}")
    inp = check_sbc_case(case, config)
    prior = np.asarray(prior_from(case, config.prior), dtype=float)
    tasks, truths = [], []
    for i in range(simulations):
        rng = np.random.default_rng([seed, i])
        h, lam, rho, obs = simulate(inp, prior, rng, reliability=config.reliability)
        cfg = config.model_copy(update={"seed": config.seed + i})
        tasks.append(FitTask.build(case, cfg, data={"observed": obs}, label=f"simulation {i + 1}"))
        truths.append({"h": h, "lam": lam, "rho": rho})
    return tasks, truths


def sbc(
    case: Case,
    config: FitConfig,
    *,
    simulations: int = 100,
    keep: int = 100,
    bins: int = 10,
    seed: int = 2026,
    scheduler: Any = None,
    workers: int | None = None,
    results: str | Path | None = None,
) -> SBCResult:
    """Simulation-based calibration of the exclusive model of ``case`` fitted as ``config`` says.

    Parameters
    ----------
    case, config
        The case and the fit's settings (sampler settings per simulation; seed ``config.seed + i``).
    simulations
        Number of simulated data sets (one fit each).
    keep
        Posterior draws each rank is taken among (evenly thinned from chains x draws, which must be
        at least ``keep``).
    bins
        Bins of the chi-square test (``keep + 1`` must be at least ``bins``).
    seed
        Seed of the simulations (the truths and the tie-breaking of h).
    scheduler, workers, results
        Where the fits run and the folder that makes the run resumable
        (:func:`motives.models.many.run_fits`).

    Returns
    -------
    SBCResult

    Examples
    --------
    >>> import motives as mv
    >>> from motives.models.testing import random_case
    >>> case = random_case(3, n_items=2, n_hypotheses=2, n_sources=0)
    >>> cfg = FitConfig.build(case, draws=20, tune=20, chains=1, backend="pymc")
    >>> res = sbc(case, cfg, simulations=4, keep=10, bins=2, scheduler="serial")
    >>> res.ranks.shape[0], list(res.tests.columns)
    (4, ['chi2', 'p', 'ok', 'counts'])
    """
    import pandas as pd
    from scipy import stats

    inp = check_sbc_case(case, config)
    if not isinstance(keep, int) or keep < 1 or keep > config.draws * config.chains:
        raise MotivesError(
            f"sbc: keep must be between 1 and chains x draws = {config.draws * config.chains}, "
            f"got {keep!r}"
        )
    if not isinstance(bins, int) or bins < 2 or bins > keep + 1:
        raise MotivesError(f"sbc: bins must be between 2 and keep + 1 = {keep + 1}, got {bins!r}")
    names = quantity_names(inp)
    tasks, truths = sbc_tasks(case, config, simulations=simulations, seed=seed)
    job = run_fits(tasks, scheduler=scheduler, workers=workers, results=results)
    rows = {}
    for i, res in enumerate(job.results):
        if res is None:
            continue
        rows[i + 1] = sbc_ranks(
            res.trace, truths[i], keep=keep, rng=np.random.default_rng([seed, i, 1])
        )
    ranks = pd.DataFrame.from_dict(rows, orient="index", columns=names)
    ranks.index.name = "simulation"
    tests = []
    for name in names:
        r = ranks[name].to_numpy(dtype=int)
        counts = np.bincount(r * bins // (keep + 1), minlength=bins)
        if len(r):
            chi2, p = stats.chisquare(counts)
        else:
            chi2, p = np.nan, np.nan
        tests.append(
            {
                "quantity": name,
                "chi2": float(chi2),
                "p": float(p),
                "ok": bool(p > P_MIN),
                "counts": counts.tolist(),
            }
        )
    return SBCResult(
        ranks=ranks, tests=pd.DataFrame(tests).set_index("quantity"), job=job, keep=keep, bins=bins
    )


def sbc_ranks(
    trace: Any, truth: dict[str, Any], *, keep: int, rng: np.random.Generator
) -> list[int]:
    """Rank of each true value among ``keep`` evenly thinned posterior draws.

    The values are the cells, the reliabilities and h.
    """
    post = trace.posterior
    total = post.sizes["chain"] * post.sizes["draw"]
    take = np.linspace(0, total - 1, keep).round().astype(int)

    def flat(name: str) -> np.ndarray:
        da = post[name]
        other = [d for d in da.dims if d not in ("chain", "draw")]
        return da.transpose("chain", "draw", *other).values.reshape(total, -1)[take]

    out: list[int] = []
    if len(truth["lam"]):
        cells = flat("lam_cell")
        out += [int(np.sum(cells[:, i] < truth["lam"][i])) for i in range(len(truth["lam"]))]
    if len(truth["rho"]):
        rho = flat("rho")
        out += [int(np.sum(rho[:, i] < truth["rho"][i])) for i in range(len(truth["rho"]))]
    cred = flat("credence")
    hs = np.array([rng.choice(cred.shape[1], p=c / c.sum()) for c in cred])
    less, equal = int(np.sum(hs < truth["h"])), int(np.sum(hs == truth["h"]))
    out.append(less + int(rng.integers(0, equal + 1)))
    return out


def write_sbc(result: SBCResult, folder: Path) -> list[str]:
    """Write ``ranks.csv``, ``tests.csv`` and ``sbc.json`` into ``folder``; the lines to print.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> job = ManyFits([], [], {}, [], "serial (this process)", 1.0)
    >>> tests = pd.DataFrame(
    ...     {"chi2": [3.0], "p": [0.5], "ok": [True], "counts": [[5, 5]]},
    ...     index=pd.Index(["h"], name="quantity"),
    ... )
    >>> res = SBCResult(pd.DataFrame({"h": [1] * 10}), tests, job, keep=10, bins=2)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     lines = write_sbc(res, Path(d))
    ...     sorted(p.name for p in Path(d).iterdir())
    ['ranks.csv', 'sbc.json', 'tests.csv']
    >>> print(lines[-1])
    every quantity's ranks are uniform at p > 0.001 (chi-square, 1 degree of freedom)
    """
    import json

    result.ranks.to_csv(folder / "ranks.csv")
    tests = result.tests.copy()
    tests["counts"] = [" ".join(str(c) for c in counts) for counts in tests["counts"]]
    tests.to_csv(folder / "tests.csv")
    job = result.job
    summary = {
        "simulations": len(job.tasks),
        "finished": len(result.ranks),
        "keep": result.keep,
        "bins": result.bins,
        "p_min": P_MIN,
        "ok": result.ok,
        "where": job.where,
        "seconds": round(job.seconds, 3),
        "resumed": len(job.resumed),
        "failures": job.failure_lines(),
        "tests": {
            q: {"chi2": r["chi2"], "p": r["p"], "ok": bool(r["ok"]), "counts": list(r["counts"])}
            for q, r in result.tests.iterrows()
        },
    }
    (folder / "sbc.json").write_text(json.dumps(summary, indent=2) + "\n")
    dof = result.bins - 1
    lines = [
        f"{len(result.ranks)} of {len(job.tasks)} simulations fitted ({job.where}, "
        f"{job.seconds:.1f} s"
        + (f"; {len(job.resumed)} read back from earlier runs" if job.resumed else "")
        + ")"
    ]
    lines += job.failure_lines()
    bad = result.tests[~result.tests["ok"]]
    for q, r in bad.iterrows():
        lines.append(
            f"{q}: ranks not uniform (chi-square p = {r['p']:.2g}); counts per bin "
            f"{list(r['counts'])}"
        )
    if len(result.ranks) and bad.empty:
        lines.append(
            f"every quantity's ranks are uniform at p > {P_MIN:g} (chi-square, {dof} degree"
            f"{'s' if dof != 1 else ''} of freedom)"
        )
    return lines


def sbc_spec(
    spec_file: Path,
    folder: Path,
    *,
    simulations: int = 100,
    keep: int = 100,
    bins: int = 10,
    seed: int = 2026,
    scheduler: Any = None,
    workers: int | None = None,
    results: Path | None = None,
) -> tuple[SBCResult, list[str]]:
    """``motives sbc SPEC``.

    Calibrate the spec's fit by simulation, write the tables into ``folder``.

    Every simulation uses the spec's model, lens, prior, reliability and sampler settings.
    """
    from motives.io import load_case
    from motives.spec import load_spec

    spec = load_spec(spec_file)
    case = load_case(spec.case_path(spec_file))
    config = FitConfig.from_spec(spec, case)
    result = sbc(
        case,
        config,
        simulations=simulations,
        keep=keep,
        bins=bins,
        seed=seed,
        scheduler=scheduler,
        workers=workers,
        results=results,
    )
    return result, write_sbc(result, folder)
