"""Judgements that are not likelihood ratios: source reliabilities, base rates and the prior.

The tornado and break-even analyses perturb every item's likelihoods and every
proposition's table; this module adds the other judgements a case rests on, so
that a conclusion that hangs on one of them shows it:

- ``source:<key>``: the reliability of a source of uncertain reliability (the
  mean of its Beta, or its fixed value) -- kind ``source``;
- ``base_rate:<item>``: P(report | the source is wrong) of an item reported by
  such a source (its ``base_rate``, or the row mean it defaults to) -- kind
  ``base_rate``;
- ``prior``: the prior of the target -- kind ``prior``.

Each is a probability p, perturbed on its odds: the scenario with factor x has
odds p / (1 - p) times x (for the prior, the target's prior odds against the
rest times x, the hypotheses inside the target and inside the rest keeping
their ratios). A source's Beta keeps its concentration. A judgement of exactly
0 or 1 cannot move on the odds scale and is left out (a source of reliability
1 is taken at face value: its reports are the items' likelihoods).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from motives.exact import CaseArrays
from motives.sensitivity._core import Array

#: Kinds of judgement, in the order the tables list them after items and tables.
KINDS = ("item", "table", "source", "base_rate", "prior")


@dataclass(frozen=True)
class Judgement:
    """One probability judgement the analyses can move: its name, kind, value and how to move it."""

    name: str
    kind: str
    value: float
    defaulted: bool
    apply: Callable[[float], tuple[CaseArrays, Array]]


def odds_times(p: float, x: float) -> float:
    """The probability whose odds are those of p times x."""
    if not np.isfinite(x):
        return 1.0 if x > 0 else 0.0
    return float(p * x / (p * x + (1 - p))) if x > 0 else 0.0


def default_base_rates(arr: CaseArrays) -> dict[str, float]:
    """Items of a source of uncertain reliability with no ``base_rate`` given, and its default.

    The default is the row mean: the item's likelihoods averaged over the hypotheses (or over its
    proposition's states, or its parents' configurations).

    Examples
    --------
    >>> import motives as mv
    >>> from motives.exact import compile_case
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "lab",
    ...         "hypotheses": [{"id": "h1"}, {"id": "h2"}],
    ...         "sources": [{"key": "lab", "reliability": 0.9}],
    ...         "evidence": [
    ...             {
    ...                 "id": "match",
    ...                 "title": "Match",
    ...                 "reported_by": "lab",
    ...                 "likelihoods": {"h1": 1.0, "h2": 0.01},
    ...             }
    ...         ],
    ...     }
    ... )
    >>> default_base_rates(compile_case(case))
    {'match': 0.505}
    """
    return {
        j.name.split(":", 1)[1]: j.value
        for j in _base_rates(arr, np.asarray(arr.prior))
        if j.defaulted
    }


def _base_rates(arr: CaseArrays, pri: Array) -> list[Judgement]:
    out: list[Judgement] = []
    direct = np.zeros(len(arr.items), dtype=bool)
    for g in arr.groups:
        direct[g.index] = True
    if len(arr.direct_source):
        direct |= np.asarray(arr.direct_source) >= 0
    for i in np.flatnonzero(direct):
        b = arr.base[i]
        val = float(arr.lam[i].mean()) if np.isnan(b) else float(b)

        def apply(v: float, i: int = int(i)) -> tuple[CaseArrays, Array]:
            base = arr.base.copy()
            base[i] = v
            return replace(arr, base=base), pri

        out.append(
            Judgement(f"base_rate:{arr.items[i]}", "base_rate", val, bool(np.isnan(b)), apply)
        )
    for q, pa in enumerate(arr.propositions):
        for j in np.flatnonzero(np.asarray(pa.source) >= 0):
            b = pa.base[j]
            val = float(pa.lam[j].mean()) if np.isnan(b) else float(b)

            def apply_base(v: float, q: int = q, j: int = int(j)) -> tuple[CaseArrays, Array]:
                p0 = arr.propositions[q]
                base = p0.base.copy()
                base[j] = v
                props = tuple(
                    replace(p, base=base) if k == q else p for k, p in enumerate(arr.propositions)
                )
                return replace(arr, propositions=props), pri

            out.append(
                Judgement(
                    f"base_rate:{pa.items[j]}", "base_rate", val, bool(np.isnan(b)), apply_base
                )
            )
    for q, jt in enumerate(arr.joint):
        if jt.source < 0:
            continue
        val = float(jt.lam.mean()) if np.isnan(jt.base) else float(jt.base)

        def apply_joint(v: float, q: int = q) -> tuple[CaseArrays, Array]:
            joint = tuple(replace(t, base=v) if k == q else t for k, t in enumerate(arr.joint))
            return replace(arr, joint=joint), pri

        out.append(
            Judgement(f"base_rate:{jt.id}", "base_rate", val, bool(np.isnan(jt.base)), apply_joint)
        )
    return out


def judgement_inputs(
    arr: CaseArrays, pri: Array, mask: np.ndarray, *, reliability: bool = True
) -> list[Judgement]:
    """The reliabilities, base rates and target's prior of a compiled case, as movable judgements.

    Parameters
    ----------
    arr
        The compiled case.
    pri
        The prior in use.
    mask
        The target's hypotheses (its prior is the ``prior`` judgement).
    reliability
        Whether source reliability is mixed in; without it sources and base rates change nothing and
        are left out.

    Returns
    -------
    list of Judgement
        Sources first, then base rates, then the prior; each with ``apply(value) -> (arrays,
        prior)``.

    Examples
    --------
    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.load("witness"))
    >>> [
    ...     (j.name, j.kind, round(j.value, 3))
    ...     for j in judgement_inputs(arr, arr.prior, np.array([True, False]))
    ... ]
    [('source:witness', 'source', 0.6), ('base_rate:says_blue', 'base_rate', 0.5), ('prior',
    'prior', 0.15)]
    """
    out: list[Judgement] = []
    if reliability:
        for which in ("groups", "sources_in_structure"):
            groups = getattr(arr, which)
            for k, g in enumerate(groups):
                if not 0 < g.mean < 1:
                    continue

                def apply(v: float, which: str = which, k: int = k) -> tuple[CaseArrays, Array]:
                    gs = tuple(
                        replace(h, mean=float(np.clip(v, 1e-15, 1 - 1e-15))) if i == k else h
                        for i, h in enumerate(getattr(arr, which))
                    )
                    changed: dict[str, Any] = {which: gs}
                    return replace(arr, **changed), pri

                out.append(Judgement(f"source:{g.key}", "source", float(g.mean), False, apply))
        out += [j for j in _base_rates(arr, pri) if 0 < j.value < 1]
    mask = np.asarray(mask, dtype=bool)
    p_t = float(pri[mask].sum() / pri.sum())
    if 0 < p_t < 1:

        def apply_prior(v: float) -> tuple[CaseArrays, Array]:
            new = np.empty_like(
                pri
            )  # each side scaled on its own (np.where would divide the other side too:
            new[mask] = pri[mask] / pri[mask].sum() * v  # 0.5 / 5e-324 overflows)
            new[~mask] = pri[~mask] / pri[~mask].sum() * (1 - v)
            return arr, new

        out.append(Judgement("prior", "prior", p_t, False, apply_prior))
    return out


def moved(j: Judgement, x: float) -> tuple[CaseArrays, Array]:
    """The case with judgement ``j``'s odds multiplied by ``x``: (arrays, prior) to evaluate.

    Examples
    --------
    The witness's reliability 0.6 (odds 1.5) with its odds tripled is 0.818...:

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.load("witness"))
    >>> j = judgement_inputs(arr, arr.prior, np.array([True, False]))[0]
    >>> a2, _ = moved(j, 3.0)
    >>> round(a2.groups[0].mean, 4)
    0.8182
    """
    return j.apply(odds_times(j.value, x))


def judgement_table(
    case: Any,
    lens: str | None = None,
    *,
    prior: Any = None,
    target: str | None = None,
    reliability: bool = True,
) -> Any:
    """The judgements other than likelihoods that the analyses move, with their values.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``judgement``: ``kind`` (``source``, ``base_rate``, ``prior``), ``value`` and
        ``defaulted`` (True for a base rate not given in the case: the value is the row mean it
        defaults to).

    Examples
    --------
    >>> import motives as mv
    >>> judgement_table(mv.examples.load("witness"), target="blue")
                          kind  value  defaulted
    judgement
    source:witness      source   0.60      False
    base_rate:says_blue  base_rate   0.50      False
    prior                prior   0.15      False
    """
    import pandas as pd

    from motives.sensitivity._core import scenario_posterior, setup, target_of

    arr, pri = setup(case, lens, prior)
    tgt = target_of(arr, target, scenario_posterior(arr, pri, reliability=reliability))
    js = judgement_inputs(arr, pri, tgt.mask, reliability=reliability)
    return pd.DataFrame(
        {
            "kind": [j.kind for j in js],
            "value": [j.value for j in js],
            "defaulted": [j.defaulted for j in js],
        },
        index=pd.Index([j.name for j in js], name="judgement"),
    )
