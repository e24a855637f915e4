"""Posterior tables.

Priors in every accepted form, the naive-Bayes comparison case, credences and values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from motives.conventions import INTERVAL_MASS
from motives.errors import CaseError, Problem
from motives.schema import Case, LikelihoodItem

if TYPE_CHECKING:
    import pandas as pd

from motives.exact._num import logsumexp
from motives.exact.compile import (
    CaseArrays,
    cache_of,
    compiled,
)
from motives.exact.kinds import other_kind_loglik
from motives.exact.likelihood import family_credence, posterior

Array = NDArray[np.float64]


def _naming(what: str, unknown: list[str], missing: list[str]) -> str:
    """The message that a mapping does not name every hypothesis exactly.

    For example ``prior must name every hypothesis exactly: unknown 'x'; missing 'a', 'b'`` (only
    the parts that apply).
    """
    parts = [
        f"{k} {', '.join(repr(i) for i in v)}"
        for k, v in (("unknown", unknown), ("missing", missing))
        if v
    ]
    return f"{what} must name every hypothesis exactly: " + "; ".join(parts)


def prior_from(case: Case, prior: Any) -> Array:
    """Turn a prior given in any accepted form into a vector over the case's hypotheses.

    Accepted: None (the case's), ``"uniform"``, a mapping id -> probability,
    a sequence in hypothesis order, or ``{"dirichlet": [...]}`` / ``{"dirichlet": {id: a}}``
    (its mean is used: the exact posterior depends on a Dirichlet prior only through its mean).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("diagnostic_test")
    >>> prior_from(case, None)
    array([0.01, 0.99])
    >>> prior_from(case, "uniform")
    array([0.5, 0.5])
    >>> prior_from(case, {"healthy": 0.8, "condition": 0.2})  # in hypothesis order
    array([0.2, 0.8])
    >>> prior_from(case, {"dirichlet": {"condition": 1, "healthy": 3}})
    array([0.25, 0.75])
    >>> prior_from(case, [0.2, 0.2])
    Traceback (most recent call last):
        ...
    motives.errors.CaseError: field 'prior': prior must sum to 1, sums to 0.4
    """
    H = case.hypothesis_ids
    if prior is None:
        return np.array(case.prior_vector())
    if isinstance(prior, str):
        if prior == "uniform":
            return np.full(len(H), 1.0 / len(H))
        raise CaseError(
            [Problem(f"prior must be 'uniform', a mapping or a list, got {prior!r}", field="prior")]
        )
    if isinstance(prior, dict) and set(prior) == {"dirichlet"}:
        a = prior["dirichlet"]
        if isinstance(a, dict):
            unknown, missing = sorted(set(a) - set(H)), sorted(set(H) - set(a))
            if unknown or missing:
                raise CaseError(
                    [Problem(_naming("dirichlet", unknown, missing), field="prior.dirichlet")]
                )
        vec = np.array([a[h] for h in H] if isinstance(a, dict) else a, dtype=float)
        if vec.shape != (len(H),) or np.any(~np.isfinite(vec)) or np.any(vec <= 0):
            raise CaseError(
                [
                    Problem(
                        f"dirichlet needs {len(H)} positive concentrations, got {a!r}",
                        field="prior",
                    )
                ]
            )
        return vec / vec.sum()
    if isinstance(prior, dict):
        unknown = sorted(set(prior) - set(H))
        missing = sorted(set(H) - set(prior))
        if unknown or missing:
            raise CaseError([Problem(_naming("prior", unknown, missing), field="prior")])
        vec = np.array([prior[h] for h in H], dtype=float)
    else:
        vec = np.asarray(prior, dtype=float)
    if (
        vec.shape[-1:] != (len(H),)
        or np.any(~np.isfinite(vec))
        or np.any(vec < 0)
        or np.any(vec > 1)
    ):
        raise CaseError(
            [
                Problem(
                    f"prior must be {len(H)} probabilities in [0, 1], got {prior!r}", field="prior"
                )
            ]
        )
    if np.any(np.abs(vec.sum(axis=-1) - 1) > 1e-6):
        raise CaseError(
            [Problem(f"prior must sum to 1, sums to {vec.sum(axis=-1)}", field="prior")]
        )
    return vec


def independent_case(case: Case) -> Case:
    """The same evidence with the structure removed.

    Every item bears on the hypotheses, independently.

    Each item under a proposition gets, per lens, what it implies alone,
    P(E | h) = Σ_s P(s | h) P(E | s) (through every proposition above it;
    table means). Timeline and quantity items become likelihood items with
    their implied marginal likelihoods scaled so the largest is 1 (only ratios
    matter). This is the naive-Bayes reading the structure exists to correct;
    set beside the structured posterior it shows how much the structure
    matters. A flat case is returned unchanged.

    Examples
    --------
    >>> import motives as mv
    >>> flat = independent_case(mv.examples.load("burglary"))
    >>> flat.propositions, flat.item("fibres_match").likelihoods["default"].values["suspect"].mean
    ([], 0.42)
    """
    if not case.propositions:
        return case
    from motives.located import refusals_located, share_where

    with refusals_located(case):  # an item refused here is located where it is written
        flat = _independent(case)
    share_where(case, flat)  # and so is one refused later, in the flat case
    return flat


def _independent(case: Case) -> Case:
    """:func:`independent_case`'s work."""
    items = []
    for e in case.evidence:
        if e.parents == ("hypotheses",):
            items.append(e)
            continue
        keys = case.parent_values(e.parents)
        via = [*case.ancestors(e.id)]
        judged = {}
        for lens in case.lens_ids:
            j, _ = case.judgement(e, lens)
            m = case.implied_parents(e.parents, lens)  # P(parent configuration | h), (K, V)
            if isinstance(e, LikelihoodItem):
                means = np.array([j.values[v].mean for v in keys])
                vals = m @ means
                if (vals == 0).any() and (
                    (m @ (means / means.max())) > 0
                ).any():  # 5e-324 x 0.2 underflows to 0
                    raise CaseError(
                        [
                            Problem(
                                f"its likelihoods (as small as {means[means > 0].min():g}) times "
                                "P(parent | h) underflow to 0, which would rule hypotheses out; "
                                "write them on a larger scale (only their ratios matter)",
                                item=e.id,
                                field=f"likelihoods.{lens}",
                            )
                        ]
                    )
            else:
                ll = np.array(other_kind_loglik(e, j, keys))
                with np.errstate(divide="ignore"):
                    vals = np.exp(logsumexp(np.log(m) + ll[None, :], axis=-1) - ll.max())
                vals = vals / vals.max()
            judged[lens] = {
                "values": {
                    h: float(min(max(v, 0.0), 1.0))
                    for h, v in zip(case.hypothesis_ids, vals, strict=True)
                },
                "rationale": f"implied through {' > '.join(via)}",
            }
        data = e.model_dump(
            exclude={
                "kind",
                "likelihoods",
                "trends",
                "predictive",
                "bears_on",
                "observations",
                "origin",
                "sigma",
                "scale",
                "observed",
                "unit",
            },
            exclude_none=True,
        )
        items.append(
            LikelihoodItem.model_validate({**data, "kind": "likelihood", "likelihoods": judged})
        )
    for (
        p
    ) in case.propositions:  # a hard finding on a fact is evidence too: P(observed state | h) alone
        if p.observed is None:
            continue
        s = p.states.index(p.observed)
        judged = {}
        for lens in case.lens_ids:
            vals = case.implied_parents((p.id,), lens)[:, s]
            judged[lens] = {
                "values": {
                    h: float(min(max(v, 0.0), 1.0))
                    for h, v in zip(case.hypothesis_ids, vals, strict=True)
                },
                "rationale": f"the finding {p.id} = {p.observed}, implied through its ancestors",
            }
        items.append(
            LikelihoodItem.model_validate(
                {
                    "id": f"{p.id}_observed"
                    if f"{p.id}_observed" not in {e.id for e in case.evidence}
                    else f"{p.id}_finding",
                    "title": f"{p.title}: {p.observed} (observed)",
                    "likelihoods": judged,
                }
            )
        )
    data = {
        k: getattr(case, k)
        for k in type(case).model_fields
        if k not in ("propositions", "evidence")
    }
    return Case.model_validate({**data, "evidence": items})


def _ruled_out_where(arr: Any, pri: Array) -> str:
    """Where each hypothesis is ruled out.

    Its prior, or the first item (bearing on the hypotheses) giving it 0.
    """
    where = []
    for k, h in enumerate(arr.hypotheses):
        if pri[k] == 0:
            where.append(f"{h} by its prior of 0")
            continue
        flat = [i for i, row in zip(arr.items, arr.lam, strict=True) if row[k] == 0]
        other = [
            i for i, row in zip(arr.other_items, arr.other_loglik, strict=True) if row[k] == -np.inf
        ]
        found = (flat + other)[:1]
        where.append(
            f"{h} by item '{found[0]}'"
            if found
            else f"{h} through the propositions or reliabilities"
        )
    return "ruled out: " + ", ".join(where)


def exact_posterior(
    case: Case,
    lens: str | None = None,
    prior: Any = None,
    *,
    reliability: bool = True,
    structure: bool = True,
) -> pd.DataFrame:
    """Exact credence of each hypothesis and family.

    Parameters
    ----------
    case
        The case.
    lens
        Whose likelihoods; default the case's default lens. Items the lens does
        not rate use the default lens's judgement (listed in ``df.attrs["fallbacks"]``).
    prior
        None (the case's), "uniform", a mapping, a list, or ``{"dirichlet": ...}``.
    reliability
        Whether to mix in source reliability.
    structure
        Use the propositions (the default). ``False`` gives the posterior as
        if every item bore on the hypotheses independently
        (:func:`independent_case`): the naive-Bayes figure, to set beside the
        structured one.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``level``, ``id``), level ``hypothesis`` or ``family``;
        columns ``label``, ``prior`` and ``credence``.

    Examples
    --------
    >>> import motives as mv
    >>> mv.exact_posterior(mv.examples.cookie_case())["credence"]
    level       id
    hypothesis  bowl1    0.6
                bowl2    0.4
    family      bowl1    0.6
                bowl2    0.4
    Name: credence, dtype: float64

    A case with propositions, with the structure and as if every item were independent:

    >>> burglary = mv.examples.load("burglary")
    >>> [
    ...     round(
    ...         float(
    ...             mv.exact_posterior(burglary, structure=s).loc[
    ...                 ("hypothesis", "suspect"), "credence"
    ...             ]
    ...         ),
    ...         3,
    ...     )
    ...     for s in (True, False)
    ... ]
    [0.658, 0.858]
    """
    if not structure:
        case = independent_case(case)
    arr = compiled(case, lens)
    pri = prior_from(case, prior)
    post = posterior(arr, pri, reliability=reliability)
    if not np.all(np.isfinite(post)):
        raise CaseError(
            [
                Problem(
                    "the evidence rules out every hypothesis (each has a likelihood of 0 somewhere "
                    f"or a prior of 0): no posterior exists; {_ruled_out_where(arr, pri)}",
                    field="likelihoods",
                )
            ]
        )
    index, labels, columns = _frame_parts(case, arr)
    df = _frame(
        [
            labels.copy(),
            np.concatenate([pri, family_credence(arr, pri)]),
            np.concatenate([post, family_credence(arr, post)]),
        ],
        columns,
        index,
    )
    df.attrs.update({"method": "exact", "lens": arr.lens, "fallbacks": list(arr.fallbacks)})
    return df


def _frame(arrays: list[Any], columns: Any, index: Any) -> pd.DataFrame:
    """A DataFrame from whole columns, not copied (pass arrays the result may own).

    pandas' own column constructor is 4-9x faster than a dict, which re-checks
    every column; the public constructor serves where a pandas version lacks it.
    """
    import pandas as pd

    try:
        return pd.DataFrame._from_arrays(
            arrays, columns=columns, index=index, verify_integrity=False
        )
    except (AttributeError, TypeError):  # pragma: no cover - other pandas versions
        return pd.DataFrame(dict(zip(columns, arrays, strict=True)), index=index)


def _frame_parts(case: Case, arr: CaseArrays) -> tuple[Any, Any, Any]:
    """The (level, id) index, the labels and the columns of a posterior table (cached per case)."""
    import pandas as pd

    cache = cache_of(case)
    parts = cache.get(("frame", tuple(arr.hypotheses), tuple(arr.families)))
    if parts is None:
        labels = {h.id: h.name for h in case.hypotheses}
        flabels = {f.id: f.label or f.id for f in case.families}
        index = pd.MultiIndex.from_arrays(
            [
                ["hypothesis"] * len(arr.hypotheses) + ["family"] * len(arr.families),
                arr.hypotheses + arr.families,
            ],
            names=["level", "id"],
        )
        names = pd.array(
            [labels[h] for h in arr.hypotheses] + [flabels.get(f, f) for f in arr.families],
            dtype="str",
        )
        columns = pd.Index(["label", "prior", "credence"])
        parts = cache[("frame", tuple(arr.hypotheses), tuple(arr.families))] = (
            index,
            names,
            columns,
        )
    return parts


def value_table(
    case: Case,
    lens: str | None = None,
    prior: Any = None,
    *,
    credence: Any = None,
    reliability: bool = True,
) -> pd.DataFrame:
    """Posterior over the hypotheses' ``value``: one row per hypothesis, in order of value.

    Parameters
    ----------
    case
        A case whose hypotheses all carry a ``value`` (a grid of a parameter).
    lens, prior, reliability
        As in :func:`exact_posterior` (used when ``credence`` is not given).
    credence
        Credences to use instead (a mapping or Series hypothesis id -> credence,
        e.g. an MCMC fit's posterior means, or an :func:`exact_posterior` table).

    Returns
    -------
    pandas.DataFrame
        Indexed by hypothesis id; columns ``value``, ``credence`` and ``cdf``
        (the credence of this value or a smaller one).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("dice")
    >>> case = case.model_copy(
    ...     update={
    ...         "hypotheses": [
    ...             h.model_copy(update={"value": float(h.id[1:])}) for h in case.hypotheses
    ...         ]
    ...     }
    ... )
    >>> t = value_table(case)
    >>> t.index.tolist(), t["value"].tolist()
    (['d4', 'd6', 'd8', 'd12', 'd20'], [4.0, 6.0, 8.0, 12.0, 20.0])
    >>> t["cdf"].round(3).tolist()
    [0.0, 0.0, 0.623, 0.9, 1.0]
    """
    import pandas as pd

    ids = case.hypothesis_ids
    missing = [h.id for h in case.hypotheses if h.value is None]
    if missing:
        raise CaseError(
            [
                Problem(
                    f"hypotheses without a value: {', '.join(missing[:5])}"
                    + (" ..." if len(missing) > 5 else "")
                    + "; a value summary needs every hypothesis to carry one",
                    field="value",
                )
            ]
        )
    if credence is None:
        credence = exact_posterior(case, lens, prior, reliability=reliability)
    if isinstance(credence, pd.DataFrame):
        credence = credence.xs("hypothesis", level="level")["credence"]
    c = np.array([float(credence[h]) for h in ids])
    v = np.array([float(h.value) for h in case.hypotheses])  # type: ignore[arg-type]
    order = np.argsort(v, kind="stable")
    c = c[order] / c.sum()
    df = pd.DataFrame(
        {"value": v[order], "credence": c, "cdf": np.minimum(np.cumsum(c), 1.0)},
        index=pd.Index([ids[i] for i in order], name="id"),
    )
    return df


def value_summary(
    case: Case,
    lens: str | None = None,
    prior: Any = None,
    *,
    credence: Any = None,
    mass: float = INTERVAL_MASS,
    reliability: bool = True,
) -> dict[str, float]:
    """Posterior mean, median and central credible interval of the hypotheses' ``value``.

    The posterior is discrete (one mass per hypothesis): the median is the
    smallest value whose cumulative credence reaches 1/2, and the interval runs
    from the smallest value whose cumulative credence reaches (1 - mass)/2 to
    the smallest whose cumulative credence reaches (1 + mass)/2 (so it holds at
    least ``mass`` of the credence). Arguments as in :func:`value_table`.

    Returns
    -------
    dict
        ``mean``, ``median``, ``lower``, ``upper``, ``mass``.

    Examples
    --------
    The locomotive problem (Mosteller 1965; Downey, *Think Bayes*): a railway
    numbers its locomotives 1..N; we see number 60. With N uniform on 1..1000
    (Downey gives the mean 333 and the 90% interval (69, 869)),

    >>> import motives as mv
    >>> N = range(1, 1001)
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "locomotive",
    ...         "hypotheses": [{"id": f"n{n}", "value": n} for n in N],
    ...         "evidence": [
    ...             {
    ...                 "id": "saw_60",
    ...                 "title": "Locomotive number 60",
    ...                 "likelihoods": {f"n{n}": (1 / n if n >= 60 else 0) for n in N},
    ...             }
    ...         ],
    ...     }
    ... )
    >>> s = value_summary(case)
    >>> round(s["mean"], 2), s["median"], (s["lower"], s["upper"])
    (333.42, 244.0, (69.0, 869.0))
    """
    t = value_table(case, lens, prior, credence=credence, reliability=reliability)
    v, c, cdf = t["value"].to_numpy(), t["credence"].to_numpy(), t["cdf"].to_numpy()

    def quantile(q: float) -> float:
        return float(v[min(int(np.searchsorted(cdf, q - 1e-12, side="left")), len(v) - 1)])

    tail = (1.0 - mass) / 2.0
    return {
        "mean": float(np.dot(v, c)),
        "median": quantile(0.5),
        "lower": quantile(tail),
        "upper": quantile(1.0 - tail),
        "mass": float(mass),
    }
