"""Power-scaling sensitivity of a fit, per hypothesis credence.

After Kallioinen et al. (2024), by ``psense`` of arviz-stats.

A fit's *prior* here is the encoders' uncertainty about their judgements: the Beta distribution
of every uncertain likelihood cell and of every uncertain source reliability. Its *likelihood*
is what the evidence says given those judgements (the model's ``marginal`` potential: the items,
the hypothesis prior, summed over the hypotheses). :func:`add_log_densities` stores both for
every draw in the trace, as the DataTree groups ``log_prior`` (variable ``judgements`` over the
dimension ``judgement``, one entry
per item with uncertain cells and per uncertain source, the log densities of its cells summed)
and ``log_likelihood`` (variable ``evidence``), which is what arviz-stats' ``psense`` reads. A fit
does not compute them: they are computed on demand (one vectorised evaluation over all the draws)
when power-scaling sensitivity is asked for, and kept on the fit
(:meth:`motives.models.FitResult.add_log_densities`).

:func:`power_sensitivity` then gives, per hypothesis credence, arviz-stats' diagnostic for the
prior and the likelihood (how far the posterior moves, in cumulative Jensen-Shannon distance, as
either is raised to a power near 1; above 0.05 is "sensitive"), and a *direction*: the change
of the posterior mean credence per doubling of the power of the prior (importance weights at
powers 0.99 and 1.01, no refit; positive: firmer judgements raise the credence).
:func:`judgement_sensitivity` scales one judgement's prior at a time and names the judgements
the diagnostic says the credences are sensitive to.

Power-scaling a Beta(a, b) prior by α gives Beta(α(a − 1) + 1, α(b − 1) + 1): a refit at that
prior is the check of the direction (``tests/test_psense.py``). A model with nothing random has
no prior to scale; its tables are empty.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.errors import MotivesError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from motives.models.result import FitResult
    from motives.models.sampling import BuiltModel

#: arviz-stats' threshold: a sensitivity above it is "sensitive" (Kallioinen et al. 2024).
THRESHOLD = 0.05
#: Powers of the finite difference (arviz-stats' default).
ALPHAS = (0.99, 1.01)


def add_log_densities(built: BuiltModel, trace: xr.DataTree) -> bool:
    """Add ``log_prior`` and ``log_likelihood`` groups to a trace of ``built`` (in place).

    Return False when it adds none.

    Only the exclusive model gets them: there the prior is the judgements' Betas and the
    likelihood the one ``marginal`` potential; the mixture and pooled models' potentials hold
    terms of both kinds (the pooled model's lenses enter as weighted observations).

    The log prior is evaluated per judgement (an item's uncertain cells summed; a source's
    reliability; any other random variable, such as a proposition's table, under its own name),
    the log likelihood as the model's potentials summed. Both come from one call of one compiled
    function on all the draws at once: the model's graph with a leading draw axis added to every
    value (PyTensor's ``vectorize_graph``), not a loop over draws. A fit does not compute them;
    :meth:`motives.models.FitResult.add_log_densities` (or :func:`power_sensitivity` and
    ``motives run --psense``) asks for them.
    """
    import pytensor
    import pytensor.tensor as pt
    import xarray as xr
    from pymc.model.transform.conditioning import remove_value_transforms
    from pytensor.compile.mode import Mode
    from pytensor.graph.replace import vectorize_graph

    model = built.model
    if (
        built.kind != "exclusive"
        or not model.free_RVs
        or not model.potentials
        or "posterior" not in trace.children
    ):
        # the mixture and pooled models' potentials mix prior and evidence terms: no clean split
        return False
    plain = remove_value_transforms(model)
    rvs = list(plain.free_RVs)
    values = [plain.rvs_to_values[rv] for rv in rvs]
    logps = plain.logp(vars=rvs, sum=False, jacobian=False)
    pots = [pt.sum(p) for p in plain.replace_rvs_by_values(list(plain.potentials))]
    post = trace.posterior
    nc, nd = post.sizes["chain"], post.sizes["draw"]
    draws = [
        np.asarray(post[rv.name].values, dtype=float).reshape(nc * nd, *post[rv.name].shape[2:])
        for rv in rvs
    ]
    batched = [
        pt.tensor(f"{v.name}_draws", shape=(None, *v.type.shape), dtype=v.dtype) for v in values
    ]
    outs = vectorize_graph([*logps, pt.add(*pots)], replace=dict(zip(values, batched, strict=True)))
    # one call on every draw: the Python linker and light rewrites (nothing to compile to C, no
    # per-op cost worth optimising away when each op runs once on whole arrays)
    fn = pytensor.function(
        batched, outs, on_unused_input="ignore", mode=Mode(linker="py", optimizer="fast_compile")
    )
    out = fn(*[d.astype(v.dtype) for d, v in zip(draws, values, strict=True)])
    per_rv = [np.asarray(o).reshape(nc * nd, -1) for o in out[: len(rvs)]]
    names, groups = _judgement_groups(built, rvs, [x.shape[1] for x in per_rv])
    lp = sum(
        (x @ g.T for x, g in zip(per_rv, groups, strict=True)), np.zeros((nc * nd, len(names)))
    )
    ll = np.broadcast_to(np.asarray(out[len(rvs)], dtype=float), (nc * nd,))
    coords = {"chain": post["chain"].values, "draw": post["draw"].values}
    trace["log_prior"] = xr.DataTree(
        xr.Dataset(
            {"judgements": (("chain", "draw", "judgement"), lp.reshape(nc, nd, -1))},
            coords={**coords, "judgement": names},
        )
    )
    trace["log_likelihood"] = xr.DataTree(
        xr.Dataset({"evidence": (("chain", "draw"), ll.reshape(nc, nd))}, coords=coords)
    )
    return True


def _judgement_groups(
    built: BuiltModel, rvs: list[Any], sizes: list[int]
) -> tuple[list[str], list[np.ndarray]]:
    """Judgement names, and per random variable a 0/1 matrix summing its elements.

    The matrix is (judgements x elements).
    """
    inp = built.inputs[0] if isinstance(built.inputs, list) else built.inputs
    names: list[str] = []
    members: list[list[str]] = []
    for rv, size in zip(rvs, sizes, strict=True):
        if rv.name == "lam_cell" and built.kind != "pooled" and size == int(inp.free_cells.sum()):
            rows, _ = np.nonzero(inp.free_cells)
            members.append([inp.items[e] for e in rows])
        elif rv.name == "rho" and size == sum(1 for _, _, c in inp.sources if np.isfinite(c)):
            members.append([f"reliability of {k}" for k, _, c in inp.sources if np.isfinite(c)])
        # a proposition's table, a trend, the pooled model's cells: one judgement per variable
        else:
            members.append([rv.name] * max(size, 1))
        for name in members[-1]:
            if name not in names:
                names.append(name)
    index = {n: i for i, n in enumerate(names)}
    groups = []
    for m in members:
        g = np.zeros((len(names), len(m)))
        for j, member in enumerate(m):
            g[index[member], j] = 1.0
        groups.append(g)
    return names, groups


def _has_groups(trace: xr.DataTree) -> bool:
    return "log_prior" in trace.children and "log_likelihood" in trace.children


def _with_groups(result: FitResult | xr.DataTree, case: Any = None) -> xr.DataTree:
    """The trace of ``result``, its log densities computed first when it is a fit without them.

    They are kept on the fit.
    """
    from motives.models.result import FitResult

    if isinstance(result, FitResult):
        if not result.has_log_densities:
            result.add_log_densities(case)
        return result.trace
    return result


def _psense(trace: xr.DataTree, **kw: Any) -> Any:
    """arviz-stats' ``psense``, its warnings kept instead of raised.

    They are kept in ``_WARNINGS`` and reported with the summary.
    """
    import warnings

    from arviz_stats import psense

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = psense(trace, **kw)
    for w in seen:
        text = " ".join(str(w.message).split())
        if text not in _WARNINGS:
            _WARNINGS.append(text)
    return out


#: Warnings arviz-stats gave while the last summary was computed (e.g. few draws in the Pareto
#: tail).
_WARNINGS: list[str] = []


def power_sensitivity(
    result: FitResult | xr.DataTree, *, threshold: float = THRESHOLD, case: Any = None
) -> pd.DataFrame:
    """Power-scaling sensitivity of each hypothesis credence, with a direction.

    Computed by arviz-stats ``psense``.

    A fit without its log densities gets them first (:meth:`FitResult.add_log_densities
    <motives.models.FitResult.add_log_densities>`, kept on the fit; ``case`` is needed only for a
    fit loaded from a file).

    Returns
    -------
    pandas.DataFrame
        Indexed by hypothesis: ``prior`` and ``likelihood`` (the diagnostic), ``direction`` (change
        of the posterior mean credence per doubling of the prior's power), ``diagnosis``
        (arviz-stats' words: ``prior-data conflict``, ``strong prior / weak likelihood``, or ``-``).
        Empty when the fit has no ``log_prior`` group (nothing random).
    """
    import pandas as pd

    trace = _with_groups(result, case)
    cols = ["prior", "likelihood", "direction", "diagnosis"]
    if not _has_groups(trace):
        return pd.DataFrame(columns=cols)
    var = "credence" if "credence" in trace.posterior else "share"
    pri = _psense(trace, var_names=[var], group="prior", alphas=ALPHAS)[var]
    lik = _psense(trace, var_names=[var], group="likelihood", alphas=ALPHAS)[var]
    direction = _direction(trace, var)
    rows = []
    for h in trace.posterior[var]["hypothesis"].values:
        p, li = float(pri.sel(hypothesis=h)), float(lik.sel(hypothesis=h))
        if p >= threshold and li >= threshold:
            diag = "prior-data conflict"
        elif p >= threshold > li:
            diag = "strong prior / weak likelihood"
        else:
            diag = "-"
        rows.append(
            {
                "hypothesis": str(h),
                "prior": p,
                "likelihood": li,
                "direction": float(direction.sel(hypothesis=h)),
                "diagnosis": diag,
            }
        )
    return pd.DataFrame(rows, columns=["hypothesis", *cols]).set_index("hypothesis")


def _direction(trace: xr.DataTree, var: str, judgement: Any = None) -> xr.DataArray:
    """The derivative d E[var] / d log2(α) of the prior power α.

    It is computed by importance weights at the powers :data:`ALPHAS`.
    """
    lp = trace["log_prior"]["judgements"]
    if judgement is not None:
        lp = lp.sel(judgement=judgement)
    lp = lp.sum("judgement") if "judgement" in lp.dims else lp
    x = trace.posterior[var]
    means = []
    for a in ALPHAS:
        lw = (a - 1.0) * lp
        w = np.exp(lw - lw.max())
        w = w / w.sum()
        means.append((x * w).sum(("chain", "draw")))
    return (means[1] - means[0]) / (np.log2(ALPHAS[1]) - np.log2(ALPHAS[0]))


def judgement_sensitivity(
    result: FitResult | xr.DataTree, *, threshold: float = THRESHOLD, case: Any = None
) -> pd.DataFrame:
    """The prior diagnostic with one judgement's prior power-scaled at a time, per judgement.

    A fit without its log densities gets them first, as in :func:`power_sensitivity`.

    Returns
    -------
    pandas.DataFrame
        Indexed by judgement (an item id, ``reliability of <source>``, ...), one column per
        hypothesis (the diagnostic of its credence), ``largest`` (over the hypotheses),
        ``hypothesis`` (where it is largest), ``direction`` (there: change of the mean credence per
        doubling of that judgement's prior's power) and ``sensitive`` (``largest`` >=
        ``threshold``), sorted by ``largest``.
    """
    import pandas as pd

    trace = _with_groups(result, case)
    if not _has_groups(trace):
        return pd.DataFrame(columns=["largest", "hypothesis", "direction", "sensitive"])
    var = "credence" if "credence" in trace.posterior else "share"
    rows = []
    judgements: Any = trace["log_prior"]["judgement"].values
    for j in judgements:
        ds = _psense(
            trace, var_names=[var], group="prior", alphas=ALPHAS, group_coords={"judgement": [j]}
        )[var]
        vals = {str(h): float(ds.sel(hypothesis=h)) for h in ds["hypothesis"].values}
        top = max(vals, key=lambda h: vals[h])
        d = float(_direction(trace, var, judgement=[j]).sel(hypothesis=top))
        rows.append(
            {
                "judgement": str(j),
                **vals,
                "largest": vals[top],
                "hypothesis": top,
                "direction": d,
                "sensitive": vals[top] >= threshold,
            }
        )
    return pd.DataFrame(rows).set_index("judgement").sort_values("largest", ascending=False)


def sensitivity_summary(
    result: FitResult, *, threshold: float = THRESHOLD, case: Any = None
) -> dict[str, Any]:
    """Both tables as JSON-able data, with a sentence.

    The sentence names the judgements the credences are sensitive to.

    The fit's log densities are computed first when it has none (see :func:`power_sensitivity`).

    Keys: ``credence`` (per hypothesis), ``judgements`` (the sensitive ones, largest first, at most
    ten), ``n_judgements``, ``threshold``, ``statement``.
    """
    _WARNINGS.clear()
    _with_groups(result, case)
    try:
        cred = power_sensitivity(result, threshold=threshold, case=case)
        judg = (
            judgement_sensitivity(result, threshold=threshold, case=case)
            if not cred.empty
            else None
        )
    except (
        ValueError
    ) as exc:  # arviz-stats refuses draws it cannot smooth (a stuck chain: "All tail values ...")
        return {
            "credence": {},
            "judgements": [],
            "n_judgements": 0,
            "threshold": threshold,
            "statement": "Power-scaling sensitivity: not computed; arviz-stats could not use "
            f"these draws ({exc}).",
        }
    if cred.empty or judg is None:
        why = (
            "the fit has no uncertain judgement to scale"
            if result.model == "exclusive"
            else f"computed for the exclusive model only (this is the {result.model} model)"
        )
        return {
            "credence": {},
            "judgements": [],
            "n_judgements": 0,
            "threshold": threshold,
            "statement": f"Power-scaling sensitivity: none; {why}.",
        }
    sens = judg[judg["sensitive"]]
    listed = [
        {
            "judgement": j,
            "largest": float(r["largest"]),
            "hypothesis": str(r["hypothesis"]),
            "direction": float(r["direction"]),
        }
        for j, r in sens.head(10).iterrows()
    ]
    text = statement(cred, judg, threshold)
    if _WARNINGS:
        text += f" (arviz-stats warned: {'; '.join(_WARNINGS)})"
    return {
        "credence": json.loads(cred.to_json(orient="index")),
        "judgements": listed,
        "n_judgements": int(len(judg)),
        "threshold": threshold,
        "statement": text,
        "warnings": list(_WARNINGS),
    }


def statement(cred: pd.DataFrame, judg: pd.DataFrame, threshold: float = THRESHOLD) -> str:
    """In words: which credences the diagnostic calls sensitive, and to which judgements.

    The sensitivity is to the judgements' priors.

    Examples
    --------
    >>> import textwrap
    >>> import pandas as pd
    >>> cred = pd.DataFrame(
    ...     {
    ...         "prior": [0.08, 0.01],
    ...         "likelihood": [0.2, 0.3],
    ...         "direction": [0.02, -0.02],
    ...         "diagnosis": ["prior-data conflict", "-"],
    ...     },
    ...     index=pd.Index(["a", "b"], name="hypothesis"),
    ... )
    >>> judg = pd.DataFrame(
    ...     {
    ...         "largest": [0.07, 0.01],
    ...         "hypothesis": ["a", "b"],
    ...         "direction": [0.02, 0.0],
    ...         "sensitive": [True, False],
    ...     },
    ...     index=pd.Index(["e1", "e2"], name="judgement"),
    ... )
    >>> print(textwrap.fill(statement(cred, judg), 100))
    Power-scaling (psense, threshold 0.05): the credence in a is sensitive to how firmly the
    judgements
    are held (prior 0.08; firmer judgements raise it); of 2 judgements scaled one at a time, 1 moves
    a
    credence by more than the threshold: e1 (0.07 on a).
    """
    sens = cred[cred["prior"] >= threshold]
    head = f"Power-scaling (psense, threshold {threshold:g}): "
    if sens.empty:
        head += (
            "no credence is sensitive to how firmly the judgements are held (largest prior "
            "diagnostic "
            f"{cred['prior'].max():.3f})"
        )
    else:
        parts = [
            f"{h} (prior {r['prior']:.2f}; firmer judgements "
            f"{'raise' if r['direction'] > 0 else 'lower'} it)"
            for h, r in sens.iterrows()
        ]
        if len(parts) == 1:
            head += "the credence in " + parts[0].replace(
                " (", " is sensitive to how firmly the judgements are held (", 1
            )
        else:
            head += (
                "the credences in "
                + ", ".join(parts)
                + " are sensitive to how firmly the judgements are held"
            )
    js = judg[judg["sensitive"]]
    if js.empty:
        return (
            head
            + f"; no single one of the {len(judg)} judgements moves a credence by more than the "
            "threshold."
        )
    names = ", ".join(
        f"{j} ({r['largest']:.2f} on {r['hypothesis']})" for j, r in js.head(10).iterrows()
    )
    more = f" and {len(js) - 10} more" if len(js) > 10 else ""
    return (
        head + f"; of {len(judg)} judgements scaled one at a time, {len(js)} move"
        f"{'s' if len(js) == 1 else ''} a credence by more than the threshold: {names}{more}."
    )


def scaled_beta_knobs(built: BuiltModel, power: float) -> dict[str, np.ndarray]:
    """Knob values that power-scale every uncertain judgement's Beta prior by ``power``.

    They are a refit's ``data``.

    Beta(a, b) ** α ∝ Beta(α(a − 1) + 1, α(b − 1) + 1).

    Examples
    --------
    >>> import motives as mv
    >>> from motives.models.exclusive import build_exclusive
    >>> from motives.models.testing import random_case
    >>> built = build_exclusive(random_case(11, n_items=2, n_hypotheses=2, n_sources=1))
    >>> knobs = scaled_beta_knobs(built, 1.0)
    >>> all(np.allclose(v, built.data_values()[k]) for k, v in knobs.items()), sorted(knobs)
    (True, ['lam_alpha', 'lam_beta', 'rho_alpha', 'rho_beta'])
    """
    if power <= 0:
        raise MotivesError(f"power must be > 0, got {power}")
    data = built.data_values()
    return {
        k: power * (np.asarray(data[k], dtype=float) - 1.0) + 1.0
        for k in ("lam_alpha", "lam_beta", "rho_alpha", "rho_beta")
        if k in data
    }


def report_section(summary: dict[str, Any], *, source: str = "") -> str:
    """A report section (Markdown) from :func:`sensitivity_summary`.

    The table per credence and the statement.

    Examples
    --------
    >>> s = {
    ...     "credence": {
    ...         "a": {"prior": 0.01, "likelihood": 0.2, "direction": 0.001, "diagnosis": "-"}
    ...     },
    ...     "judgements": [],
    ...     "n_judgements": 3,
    ...     "threshold": 0.05,
    ...     "statement": "Power-scaling: nothing.",
    ... }
    >>> text = report_section(s, source="results/baseline/trace.nc")
    >>> print(*text.splitlines()[:1], *text.splitlines()[4:], sep=chr(10))
    ## Power-scaling sensitivity of the MCMC fit
    | hypothesis | prior | likelihood | direction | diagnosis |
    | --- | --- | --- | --- | --- |
    | a | 0.010 | 0.200 | +0.0010 | - |
    <BLANKLINE>
    Power-scaling: nothing.
    """
    lines = ["## Power-scaling sensitivity of the MCMC fit", ""]
    lines.append(
        (f"From the fit in {source}. " if source else "")
        + "The judgements' Beta priors (prior) or the evidence (likelihood) raised to a power "
        "near 1: "
        "how far each credence's posterior moves (arviz-stats psense, cumulative Jensen-Shannon "
        f"distance per doubling; above {summary.get('threshold', THRESHOLD):g} is sensitive), and "
        "the change "
        "of its mean per doubling of the judgements' power (direction). Estimated from the draws "
        "by importance weighting, without refitting."
    )
    lines.append("")
    cred = summary.get("credence") or {}
    if cred:
        lines += [
            "| hypothesis | prior | likelihood | direction | diagnosis |",
            "| --- | --- | --- | --- | --- |",
        ]
        for h, r in cred.items():
            lines.append(
                f"| {h} | {r['prior']:.3f} | {r['likelihood']:.3f} | {r['direction']:+.4f} | "
                f"{r['diagnosis']} |"
            )
        lines.append("")
    lines.append(summary.get("statement", ""))
    return "\n".join(lines) + "\n"
