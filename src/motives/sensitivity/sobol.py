"""Global sensitivity: Sobol indices of a credence over the elicitation distributions.

Estimator (Saltelli et al. 2010, "Variance based sensitivity analysis of model
output", Comput. Phys. Commun. 181): two independent sample matrices A and B
(n rows, from one scrambled Sobol sequence of dimension 2d) and, for each
input group j, A_B^j = A with group j's columns taken from B. With
V = Var[f] over A and B together,

- first order  S_j  = mean((f(B) - f0) (f(A_B^j) - f(A))) / V, f0 the mean of f,
- total        ST_j = mean((f(A) - f(A_B^j))**2) / (2 V)   (Jansen 1999),

n (G + 2) evaluations for G groups; standard errors by bootstrap over rows.
Inputs are transformed column-wise (inverse CDF) once for A and B; the A_B^j
are assembled from the transformed columns (or, for a case without propositions,
evaluated item by item: :mod:`motives.sensitivity.sobol_additive`). Past
:data:`MAX_SOBOL_INPUTS` inputs the samples are pseudo-random, said in the table's
warning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats
from scipy.stats import qmc

from motives.schema import Case
from motives.sensitivity._core import (
    Array,
)
from motives.sensitivity.quantiles import U_CLIP
from motives.sensitivity.sobol_additive import Additive, additive_outputs
from motives.sensitivity.sobol_inputs import plan_sobol, sobol_rows

#: Inputs sampled from a scrambled Sobol sequence: scipy's holds 21,201 dimensions, two per input
#: (matrices A and B). Past it the samples are pseudo-random (plain Monte Carlo, the estimators
#: unchanged), and the table's warning says so.
MAX_SOBOL_INPUTS = qmc.Sobol.MAXDIM // 2


def sobol_indices(
    func: Callable[[Array], Array],
    ppf: Callable[[Array], Array],
    d: int,
    n: int,
    *,
    groups: Sequence[Sequence[int]] | None = None,
    names: Sequence[str] | None = None,
    seed: int = 1,
    n_boot: int = 200,
    chunk: int = 8192,
    additive: Additive | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol indices of ``func`` (Saltelli 2010 / Jansen estimators).

    Parameters
    ----------
    func
        Vectorised model: inputs (S, d) -> outputs (S,).
    ppf
        Column-wise inverse CDF: uniforms (S, d) -> inputs (S, d).
    d
        Number of inputs.
    n
        Base sample size (rounded up to a power of 2 for the Sobol sequence).
    groups
        Index lists of the input groups (default: one group per input).
    names
        Group names.
    seed
        Seed of the scrambled Sobol sequence and the bootstrap.
    n_boot
        Bootstrap resamples for the standard errors (0: none).
    chunk
        Rows per call of ``func``.
    additive
        The same model as a sum of per-item log terms (:class:`motives.sensitivity.sobol_additive.
        Additive`): the outputs of each A_B^j are then found from A's sum by replacing the terms of
        the items group j touches (the same numbers up to the rounding of the sums, at a cost
        linear in the items instead of quadratic); ``func`` is not called.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``input``: ``S1``, ``ST``, ``S1_se``, ``ST_se``; ``attrs``
        hold ``n``, ``evaluations`` and ``variance``.

    Examples
    --------
    >>> import numpy as np
    >>> df = sobol_indices(lambda x: x[:, 0] + 2 * x[:, 1], lambda u: u, 2, 1024, n_boot=0)
    >>> df["S1"].round(2).tolist()  # variances 1 : 4
    [0.2, 0.8]
    """
    groups = [[i] for i in range(d)] if groups is None else [list(g) for g in groups]
    names = [f"x{i + 1}" for i in range(len(groups))] if names is None else list(names)
    m = sobol_rows(n).bit_length() - 1  # 2**m rows
    if d <= MAX_SOBOL_INPUTS:
        u = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random_base2(m)
        sampling = "sobol"
    else:  # scipy's Sobol sequence stops at MAXDIM dimensions: plain Monte Carlo, said so
        u = np.random.default_rng(seed).random((2**m, 2 * d))
        sampling = "random"
    np.clip(u, U_CLIP, 1 - U_CLIP, out=u)
    XA, XB = ppf(u[:, :d]), ppf(u[:, d:])
    del u
    rows = len(XA)

    def run(X: Array) -> Array:
        return np.concatenate(
            [np.asarray(func(X[i : i + chunk]), dtype=float) for i in range(0, len(X), chunk)]
        )

    if additive is not None:
        fA, fB, fAB = additive_outputs(additive, XA, XB, groups)
    else:
        fA, fB = run(XA), run(XB)
        fAB = np.empty((len(groups), rows))
        for j, g in enumerate(groups):
            X = XA.copy()
            X[:, g] = XB[:, g]
            fAB[j] = run(X)

    def estimate(idx: NDArray[np.intp]) -> tuple[Array, Array]:
        a, b, ab = fA[idx], fB[idx], fAB[:, idx]
        both = np.concatenate([a, b])
        with np.errstate(
            invalid="ignore"
        ):  # an infinite output (a ruled-out rival): NaN, stated as degenerate
            v = np.var(both)
        if not v > 0:
            return np.zeros(len(groups)), np.zeros(len(groups))
        # f(B) centred: same expectation (E[f(A_B) - f(A)] = 0), far less variance when |mean| >>
        # sd.
        return ((b - both.mean()) * (ab - a)).mean(axis=1) / v, 0.5 * ((a - ab) ** 2).mean(
            axis=1
        ) / v

    s1, st = estimate(np.arange(rows))
    df = pd.DataFrame({"S1": s1, "ST": st}, index=pd.Index(names, name="input"))
    if n_boot:
        rng = np.random.default_rng(seed)
        boots = [estimate(rng.integers(0, rows, rows)) for _ in range(n_boot)]
        df["S1_se"] = np.std([b[0] for b in boots], axis=0)
        df["ST_se"] = np.std([b[1] for b in boots], axis=0)
    with np.errstate(invalid="ignore"):
        var = float(np.var(np.concatenate([fA, fB])))
    df.attrs.update(
        {
            "n": rows,
            "evaluations": rows * (len(groups) + 2),
            "variance": var,
            "sampling": sampling,
        }
    )
    return df


def ishigami(x: Array, a: float = 7.0, b: float = 0.1) -> Array:
    """The Ishigami function on [-pi, pi]^3 (a test function with known Sobol indices).

    f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1, one row of ``x`` per point.

    Examples
    --------
    >>> import numpy as np
    >>> ishigami(np.array([[0.0, np.pi / 2, 1.0], [np.pi / 2, 0.0, 2.0]])).round(
    ...     6
    ... )  # a = 7; 1 + 0.1 x 16
    array([7. , 2.6])
    """
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> pd.DataFrame:
    """Analytic first-order and total Sobol indices of :func:`ishigami`.

    Examples
    --------
    >>> exact = ishigami_indices()
    >>> exact.round(4)
               S1      ST
    input
    x1     0.3139  0.5576
    x2     0.4424  0.4424
    x3     0.0000  0.2437

    The estimator of :func:`sobol_indices` recovers them (inputs uniform on [-pi, pi]):

    >>> import numpy as np
    >>> est = sobol_indices(ishigami, lambda u: np.pi * (2 * u - 1), 3, 1024, n_boot=0)
    >>> bool((est - exact).abs().to_numpy().max() < 0.01)
    True
    """
    pi = np.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return pd.DataFrame(
        {"S1": [v1 / v, v2 / v, 0.0], "ST": [(v1 + v13) / v, v2 / v, v13 / v]},
        index=pd.Index(["x1", "x2", "x3"], name="input"),
    )


def global_sensitivity(
    case: Case,
    *,
    lens: str | None = None,
    target: str | None = None,
    prior: Any = None,
    n: int = 1024,
    by: str = "item",
    scale: str = "log_odds",
    seed: int = 1,
    n_boot: int = 100,
    reliability: bool = True,
) -> pd.DataFrame:
    """Sobol indices of the target's credence (or its log-odds) over every uncertain judgement.

    The inputs are the likelihood cells judged as Beta distributions (a ``confidence`` or an
    explicit Beta/interval; points stay fixed) and the reliabilities of sources judged as Betas. In
    a structured case they also include the cells of the items under propositions and the rows of
    the propositions' tables judged with a confidence: row v of proposition p is Dirichlet(c_v P(. |
    v)) (a Beta for two states), drawn as normalised Gamma variates (cells judged 0 stay 0; a table
    of several parents has one row per parent configuration, ``<proposition>|<value>.<value>``; a
    root fact's one row is ``<proposition>|*``); the cells of items of several parents are inputs
    like any other item's; with ``by="item"`` all rows of a table form one group named by the
    proposition (``kind`` ``table``), with ``by="cell"`` each row is one input
    ``<proposition>|<parent value>``. The reliability of every source judged as a Beta is an input
    (``kind`` ``source``), whether it reports items on the hypotheses or facts under propositions.
    For each draw the credence is the exact posterior with those values fixed (every reliability
    too: a draw takes each report at the drawn reliability). Timeline and quantity items keep their
    closed-form marginal likelihoods (their uncertainty is already integrated out).

    Parameters
    ----------
    by
        ``"item"``: one input group per item (all its uncertain cells) and
        per source; ``"cell"``: one input per cell.
    scale
        ``"log_odds"`` (default): the output is the target's log-odds against
        the rest (decibans); ``"credence"``: the credence itself. Both answer
        "which judgements does the conclusion depend on", but when the
        credence is near 0 or 1 its variance is all in the last decimals and
        the credence-scale indices are dominated by rare draws; the log-odds
        scale is the scale on which evidence adds.
    n
        Base sample size; ``n * (groups + 2)`` exact evaluations of the model.

    Returns
    -------
    pandas.DataFrame
        As :func:`sobol_indices`, with a ``kind`` column (``item``, ``cell`` or
        ``source``); empty when nothing is uncertain. ``attrs``: ``lens``, ``target``,
        ``target_level``, ``scale``, ``credence`` (of the target), ``n``, ``evaluations``
        and ``variance`` (all 0 when nothing is uncertain).

    Examples
    --------
    Two items, one judged with high confidence (Beta concentration 80), one with low (5): the spread
    of the conclusion comes from the vague one.

    >>> import motives as mv
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "uncertain",
    ...         "hypotheses": [{"id": "h1"}, {"id": "h2"}],
    ...         "evidence": [
    ...             {
    ...                 "id": "firm",
    ...                 "title": "Judged with high confidence",
    ...                 "likelihoods": {
    ...                     "default": {"values": {"h1": 0.8, "h2": 0.4}, "confidence": "high"}
    ...                 },
    ...             },
    ...             {
    ...                 "id": "vague",
    ...                 "title": "Judged with low confidence",
    ...                 "likelihoods": {
    ...                     "default": {"values": {"h1": 0.6, "h2": 0.3}, "confidence": "low"}
    ...                 },
    ...             },
    ...         ],
    ...     }
    ... )
    >>> gs = global_sensitivity(case, target="h1", n=1024, n_boot=0)
    >>> gs.index.tolist(), gs["kind"].tolist()  # sorted by total index
    (['vague', 'firm'], ['item', 'item'])
    >>> gs["ST"].round(1).tolist()
    [1.0, 0.0]
    >>> gs.attrs["evaluations"]  # n x (2 groups + 2)
    4096
    """
    plan = plan_sobol(case, lens, target, prior, by, scale, reliability)
    cost = plan.cost(n)
    cost.check()  # refused before any sample is drawn
    if plan.d == 0:  # nothing uncertain: no samples drawn, nothing varies
        df = pd.DataFrame(columns=["S1", "ST", "kind"], index=pd.Index([], name="input"))
        df.attrs.update(
            {
                "n": 0,
                "evaluations": 0,
                "variance": 0.0,
                **plan.meta,
                "noisy": [],
                "sampling": "none",
            }
        )
        df.attrs["warning"] = _sobol_warning(df, plan.fixed)
        return df
    assert plan.func is not None and plan.ppf is not None
    df = sobol_indices(
        plan.func,
        plan.ppf,
        plan.d,
        n,
        groups=plan.groups,
        names=plan.names,
        seed=seed,
        n_boot=n_boot,
        chunk=cost.chunk,
        additive=plan.additive,
    )
    df["kind"] = plan.kinds
    df = df.sort_values("ST", ascending=False)
    df.attrs.update(plan.meta)
    df.attrs["noisy"] = noisy_inputs(df)
    df.attrs["warning"] = _sobol_warning(df, plan.fixed, plan.d)
    return df


def _sobol_warning(df: pd.DataFrame, fixed: list[str], inputs: int = 0) -> str:
    """What a reader of the Sobol table must be told.

    Empty, degenerate, sampled at random (``inputs``: how many; see :func:`sobol_indices`), or
    judgements it leaves out ("" if none).

    Examples
    --------
    >>> import pandas as pd
    >>> empty = pd.DataFrame(columns=["S1", "ST"])
    >>> empty.attrs["variance"] = 0.0
    >>> _sobol_warning(empty, ["source:lab (0.999)"])[:60]
    'The Sobol table is empty: no judgement of this case is given'
    """
    parts = []
    if df.empty:
        parts.append(
            "The Sobol table is empty: no judgement of this case is given as a distribution (a "
            "confidence, a Beta or an interval), so there is no uncertainty to attribute. It does "
            "not mean that the conclusion is robust: the tornado and break-even tables move the "
            "point judgements."
        )
    elif not np.isfinite(df.attrs.get("variance", 0.0)):
        parts.append(
            "The Sobol table is degenerate: the output is infinite in some draws (a hypothesis the "
            "evidence rules out has log-odds of minus infinity), so its indices say nothing."
        )
    elif (
        not df.attrs.get("variance", 0.0) > 0
        or not np.isfinite(df["ST"].to_numpy(dtype=float)).all()
    ):
        parts.append(
            "The Sobol table is degenerate: the output does not vary over the uncertain judgements "
            f"(variance {df.attrs.get('variance', 0.0):.3g}), so its indices say nothing."
        )
    if df.attrs.get("sampling") == "random":
        parts.append(
            f"The {inputs:,} uncertain inputs are more than a Sobol sequence holds here "
            f"({MAX_SOBOL_INPUTS:,}: scipy's has {qmc.Sobol.MAXDIM:,} dimensions, two per input), "
            "so the samples are pseudo-random (plain Monte Carlo): the indices are estimated as "
            "before but with more noise at this sample size; their standard errors say how much."
        )
    if fixed:
        parts.append(
            "Fixed source reliabilities are not inputs of the Sobol analysis (only distributions "
            "are): "
            f"{', '.join(fixed)}; the tornado and break-even tables move them."
        )
    return " ".join(parts)


#: Largest bootstrap standard error of a Sobol index (on its 0-1 scale) before the table is called
#: imprecise: an index known to about +-0.1 (95%) still ranks the inputs; beyond that the table can
#: mislead.
SE_LIMIT = 0.05


def noisy_inputs(df: pd.DataFrame, alpha: float = 0.05, se_limit: float = SE_LIMIT) -> list[str]:
    """Inputs whose Sobol estimates cannot be trusted at this sample size.

    An input is flagged when a bootstrap standard error of its S1 or ST exceeds ``se_limit``, or
    when its S1 exceeds its ST (which no true index does) by more than ``z`` standard errors, ``z``
    being the one-sided Bonferroni bound for a family-wise false alarm rate ``alpha`` over all
    inputs (about 3.1 for 60 inputs). Without standard errors nothing is judged.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame(
    ...     {
    ...         "S1": [0.72, 0.30, 0.1],
    ...         "ST": [0.59, 0.31, 0.1],
    ...         "S1_se": [0.03, 0.02, 0.09],
    ...         "ST_se": [0.02, 0.02, 0.01],
    ...     },
    ...     index=pd.Index(["a", "b", "c"], name="input"),
    ... )
    >>> noisy_inputs(t)  # a: S1 above ST by 3.6 standard errors; c: S1 known to +-0.18 only
    ['a', 'c']
    """
    if df.empty or "S1_se" not in df or "ST_se" not in df:
        return []
    z = float(stats.norm.ppf(1 - alpha / len(df)))
    se = np.sqrt(df["S1_se"] ** 2 + df["ST_se"] ** 2)
    bad = ((df["S1"] - df["ST"]) > z * se) | (df[["S1_se", "ST_se"]].max(axis=1) > se_limit)
    return [str(i) for i in df.index[bad.to_numpy()]]
