"""Value of information: expected reduction of entropy from an item not yet observed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from motives.errors import CaseError, Problem
from motives.exact import CaseArrays, family_credence, loglik, normalise, quiet_log
from motives.schema import Case
from motives.sensitivity._core import (
    Array,
    check_finite,
    effective_lam,
    entropy_bits,
    scenario_posterior,
    setup,
)
from motives.sensitivity._structure import every_item, item_props


def _outcomes(arr: CaseArrays, name: str, spec: Any) -> Array:
    """Outcome likelihood matrix (O, K) whose columns sum to 1."""
    H = arr.hypotheses
    try:
        if isinstance(spec, Mapping):
            if set(spec) == set(H):  # binary item: P(observed | h)
                p = np.array([float(spec[h]) for h in H])
                L = np.stack([p, 1 - p])
            else:  # outcome -> {h: p}
                L = np.array([[float(v[h]) for h in H] for v in spec.values()])
        else:
            L = np.asarray(spec, dtype=float)
            if L.ndim == 1:
                L = np.stack([L, 1 - L])
    except (TypeError, KeyError, ValueError):
        L = np.full((0, 0), np.nan)
    if (
        L.ndim != 2
        or L.shape[1] != len(H)
        or np.any(L < 0)
        or np.any(L > 1)
        or np.any(np.abs(L.sum(axis=0) - 1) > 1e-9)
    ):
        raise CaseError(
            [
                Problem(
                    f"candidate '{name}': give P(observed | h) for every hypothesis "
                    f"({', '.join(H)}), or a table of "
                    "outcomes x hypotheses whose columns sum to 1",
                    item=name,
                    field="likelihoods",
                )
            ]
        )
    return L


def expected_information(
    arr: CaseArrays, belief: ArrayLike, outcomes: ArrayLike
) -> tuple[float, float]:
    """Expected entropy reduction (bits) of the hypothesis and family distributions.

    ``belief`` (K,) is the current credence; ``outcomes`` (O, K) holds P(outcome | h).
    """
    c = np.asarray(belief, dtype=float)
    L = np.asarray(outcomes, dtype=float)
    joint = L * c[None, :]  # (O, K)
    p_o = joint.sum(axis=1)
    post = np.divide(joint, p_o[:, None], out=np.zeros_like(joint), where=p_o[:, None] > 0)
    h_now, f_now = entropy_bits(c), entropy_bits(family_credence(arr, c))
    h_after = (p_o * entropy_bits(post)).sum()
    f_after = (p_o * entropy_bits(family_credence(arr, post))).sum()
    return float(h_now - h_after), float(f_now - f_after)


def value_of_information(
    case: Case,
    candidates: Mapping[str, Any],
    *,
    lens: str | None = None,
    prior: Any = None,
    reliability: bool = True,
) -> pd.DataFrame:
    """Expected information (bits) from observing each candidate item, given all evidence so far.

    Parameters
    ----------
    candidates
        Name -> ``{hypothesis: P(observed | h)}`` (a yes/no item), or
        ``{outcome: {hypothesis: P(outcome | h)}}``, or an (outcomes x
        hypotheses) array whose columns sum to 1.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``candidate``: ``entropy`` and ``entropy_family`` (now, in
        bits), ``voi`` and ``voi_family`` (expected reduction, bits).

    Examples
    --------
    >>> import numpy as np, motives as mv
    >>> case = mv.examples.cookie_case()
    >>> v = value_of_information(case, {"oracle": np.eye(2)})
    >>> bool(np.isclose(v.loc["oracle", "voi"], v.loc["oracle", "entropy"]))
    True
    """
    arr, pri = setup(case, lens, prior)
    c = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(c)
    rows = []
    for name, spec in candidates.items():
        voi, voif = expected_information(arr, c, _outcomes(arr, name, spec))
        rows.append((name, entropy_bits(c), entropy_bits(family_credence(arr, c)), voi, voif))
    return pd.DataFrame(
        rows, columns=["candidate", "entropy", "entropy_family", "voi", "voi_family"]
    ).set_index("candidate")


def item_information(
    case: Case, *, lens: str | None = None, prior: Any = None, reliability: bool = True
) -> pd.DataFrame:
    """Expected information of each likelihood item, as if it were not yet observed.

    The belief is the posterior without the item; the item is a yes/no
    observation with P(yes | h) its marginal likelihood (source reliability at
    its mean). Says which items were worth looking for, whatever they showed.

    In a structured case P(yes | h) is the item's exact conditional given the
    other evidence (through its proposition, or its several parents, and its source), and each
    proposition follows its items with the value of learning its state
    (:func:`proposition_information`, ``kind`` ``proposition``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``evidence``: ``entropy``, ``entropy_family``, ``voi``, ``voi_family`` (bits);
        in a structured case ``kind`` (``item`` or ``proposition``) and ``proposition``.

    Examples
    --------
    The cookie problem: before the draw the bowls are 50 : 50 (1 bit); the draw (vanilla with
    probability
    0.75 or 0.5) is expected to remove H(0.625) - (H(0.75) + H(0.5)) / 2 = 0.0488 bits of it.

    >>> import motives as mv
    >>> item_information(mv.examples.cookie_case()).round(4)
              entropy  entropy_family     voi  voi_family
    evidence
    vanilla       1.0             1.0  0.0488      0.0488
    """
    arr, pri = setup(case, lens, prior)
    if arr.propositions:
        return _structured_item_information(case, arr, pri, reliability)
    N, E = len(arr.items), len(arr.all_items)
    keep = ~np.eye(E, dtype=bool)[:N]
    post = scenario_posterior(arr, pri, keep=keep, reliability=reliability)  # (N, K)
    lam = effective_lam(arr)
    rows = []
    for i, e in enumerate(arr.items):
        voi, voif = expected_information(arr, post[i], np.stack([lam[i], 1 - lam[i]]))
        rows.append(
            (e, entropy_bits(post[i]), entropy_bits(family_credence(arr, post[i])), voi, voif)
        )
    df = pd.DataFrame(
        rows, columns=["evidence", "entropy", "entropy_family", "voi", "voi_family"]
    ).set_index("evidence")
    return df


def _structured_item_information(
    case: Case, arr: CaseArrays, pri: Array, reliability: bool
) -> pd.DataFrame:
    """:func:`item_information` of a structured case, then each proposition's information.

    Each proposition's by :func:`proposition_information`.

    Item e is a yes/no observation with P(yes | h) = P(E_e | h, the other evidence)
    = P(E | h) / P(E without e | h): the exact conditional, through its proposition
    and its source (items under one proposition are dependent given h).
    """
    ll = loglik(arr, reliability=reliability)
    rows = []
    props = dict(zip(every_item(arr), item_props(arr), strict=True))
    for e in (
        arr.items + [x for pa in arr.propositions for x in pa.items] + [jt.id for jt in arr.joint]
    ):
        ll_wo = loglik(arr.without([e]), reliability=reliability)
        with np.errstate(invalid="ignore", over="ignore"):
            p_yes = np.where(np.isfinite(ll_wo), np.exp(ll - ll_wo), 0.0)
        p_yes = np.clip(p_yes, 0.0, 1.0)
        belief = normalise(quiet_log(pri) + ll_wo)
        voi, voif = expected_information(arr, belief, np.stack([p_yes, 1 - p_yes]))
        rows.append(
            (
                e,
                entropy_bits(belief),
                entropy_bits(family_credence(arr, belief)),
                voi,
                voif,
                "item",
                props[e],
            )
        )
    pi = proposition_information(case, lens=arr.lens, prior=pri, reliability=reliability)
    for pid, r in pi.iterrows():
        rows.append(
            (pid, r["entropy"], r["entropy_family"], r["voi"], r["voi_family"], "proposition", pid)
        )
    return pd.DataFrame(
        rows,
        columns=[
            "evidence",
            "entropy",
            "entropy_family",
            "voi",
            "voi_family",
            "kind",
            "proposition",
        ],
    ).set_index("evidence")


def proposition_information(
    case: Case, *, lens: str | None = None, prior: Any = None, reliability: bool = True
) -> pd.DataFrame:
    """Expected information (bits) about the hypotheses from learning each proposition's state.

    Given all the evidence E, learning that proposition p is in state s has probability P(s | E) and
    leaves the belief P(h | E, s); the value is the expected entropy reduction H(h | E) - sum_s P(s
    | E) H(h | E, s). The joint P(E, p = s | h) is the engine's likelihood with p's table restricted
    to column s (all S states in one call), so the items already under p, a shared source's
    reliability and the propositions above and below p are all accounted for, on a network too (root
    facts, several parents, items of several parents). A proposition whose state reveals the
    hypothesis (a permutation-matrix table) is worth the whole current entropy; an observed fact is
    worth nothing (its state is known).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``proposition``: ``entropy``, ``entropy_family`` (now, bits),
        ``voi``, ``voi_family`` (expected reduction, bits), ``likeliest`` (the
        state most probable given E) and ``p_likeliest``.

    Examples
    --------
    The burglary case: the scene's table is the more diagnostic, but the three reports have
    nearly settled that the suspect was there (0.96), so learning the motive is now worth more.

    >>> import motives as mv
    >>> pi = proposition_information(mv.examples.load("burglary"))
    >>> pi[["voi", "likeliest", "p_likeliest"]].round(3)
                  voi likeliest  p_likeliest
    proposition
    at_scene    0.047       yes        0.962
    had_motive  0.104       yes        0.844
    """
    arr, pri = setup(case, lens, prior)
    c = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(c)
    ll = loglik(arr, reliability=reliability)  # (K,)
    rows = []
    for pa in arr.propositions:
        S = len(pa.states)
        T = (
            pa.table[None] * np.eye(S)[:, None, :]
        )  # (S, V, S): the table restricted to one state per scenario
        lls = loglik(arr, reliability=reliability, tables={pa.id: T})  # (S, K): log P(E, p = s | h)
        with np.errstate(invalid="ignore", over="ignore"):
            L = np.where(np.isfinite(ll)[None, :], np.exp(lls - ll[None, :]), 0.0)  # P(s | h, E)
        voi, voif = expected_information(arr, c, L)
        p_s = L @ c
        rows.append(
            (
                pa.id,
                entropy_bits(c),
                entropy_bits(family_credence(arr, c)),
                voi,
                voif,
                pa.states[int(np.argmax(p_s))],
                float(p_s.max()),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "proposition",
            "entropy",
            "entropy_family",
            "voi",
            "voi_family",
            "likeliest",
            "p_likeliest",
        ],
    ).set_index("proposition")
