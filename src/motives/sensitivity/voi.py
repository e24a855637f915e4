"""Value of information: expected reduction of entropy from an item not yet observed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from motives.errors import CaseError, Problem
from motives.exact import CaseArrays, family_credence
from motives.schema import Case
from motives.sensitivity._core import Array, check_finite, effective_lam, entropy_bits, scenario_posterior, setup


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
    if L.ndim != 2 or L.shape[1] != len(H) or np.any(L < 0) or np.any(L > 1) \
            or np.any(np.abs(L.sum(axis=0) - 1) > 1e-9):
        raise CaseError([Problem(
            f"candidate '{name}': give P(observed | h) for every hypothesis ({', '.join(H)}), or a table of "
            "outcomes x hypotheses whose columns sum to 1", item=name, field="likelihoods")])
    return L


def expected_information(arr: CaseArrays, belief: ArrayLike, outcomes: ArrayLike) -> tuple[float, float]:
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


def value_of_information(case: Case, candidates: Mapping[str, Any], *, lens: str | None = None,
                         prior: Any = None, reliability: bool = True) -> pd.DataFrame:
    """Expected information (bits) from observing each candidate item, given all the evidence so far.

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
    return pd.DataFrame(rows, columns=["candidate", "entropy", "entropy_family", "voi", "voi_family"]
                        ).set_index("candidate")


def item_information(case: Case, *, lens: str | None = None, prior: Any = None,
                     reliability: bool = True) -> pd.DataFrame:
    """Expected information of each likelihood item, as if it were not yet observed.

    The belief is the posterior without the item; the item is a yes/no
    observation with P(yes | h) its marginal likelihood (source reliability at
    its mean). Says which items were worth looking for, whatever they showed.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``evidence``: ``entropy``, ``entropy_family``, ``voi``, ``voi_family`` (bits).

    Examples
    --------
    The cookie problem: before the draw the bowls are 50 : 50 (1 bit); the draw (vanilla with probability
    0.75 or 0.5) is expected to remove H(0.625) - (H(0.75) + H(0.5)) / 2 = 0.0488 bits of it.

    >>> import motives as mv
    >>> item_information(mv.examples.cookie_case()).round(4)
              entropy  entropy_family     voi  voi_family
    evidence
    vanilla       1.0             1.0  0.0488      0.0488
    """
    arr, pri = setup(case, lens, prior)
    N, E = len(arr.items), len(arr.all_items)
    keep = ~np.eye(E, dtype=bool)[:N]
    post = scenario_posterior(arr, pri, keep=keep, reliability=reliability)  # (N, K)
    lam = effective_lam(arr)
    rows = []
    for i, e in enumerate(arr.items):
        voi, voif = expected_information(arr, post[i], np.stack([lam[i], 1 - lam[i]]))
        rows.append((e, entropy_bits(post[i]), entropy_bits(family_credence(arr, post[i])), voi, voif))
    return pd.DataFrame(rows, columns=["evidence", "entropy", "entropy_family", "voi", "voi_family"]
                        ).set_index("evidence")
