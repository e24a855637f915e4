"""Tables of a case under a lens: likelihoods, proposition tables, implied matrices, caps, Table 1.

Functions of a :class:`motives.schema.Case`; the case's methods of the same names delegate here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from motives.schema.evidence import LikelihoodItem
from motives.schema.structure import HYPOTHESES, parents_tuple

if TYPE_CHECKING:
    from typing import Any

    import pandas as pd

    from motives.schema.case import Case


def proposition_table(case: Case, prop_id: str, lens: str | None = None) -> pd.DataFrame:
    """P(state | parent value) of a proposition under a lens: parent values x states (means).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> case.proposition_table("at_scene")
                  yes   no
    parent
    suspect      0.8  0.2
    someone_else  0.1  0.9
    """
    import pandas as pd

    prop = case.proposition(prop_id)
    j, _ = case.judgement(prop, lens)
    rows = [prop.row(j, v)[0] for v in case.parent_values(prop.parents)]
    df = pd.DataFrame(
        rows,
        index=pd.Index(case.parent_labels(prop.parents), name="parent"),
        columns=prop.states,
        dtype=float,
    )
    return df


def likelihood_table(
    case: Case, lens: str | None = None, *, stat: Literal["mean", "sd"] = "mean"
) -> pd.DataFrame:
    """Items x hypotheses table of likelihood means (or sds) under a lens.

    Only ``likelihood`` items have cells; timeline and quantity items are
    scored by the engines. Items the lens does not rate show the default
    lens's values; the column ``fallback`` says which. An item that bears
    on a proposition shows what it implies alone,
    P(E | h) = Σ_s P(s | h) P(E | s) (through every proposition above it);
    such items are not independent given h, so these cells must not be
    multiplied — the engines use the structure.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.cookie_case()
    >>> case.likelihood_table()
             bowl1  bowl2  fallback
    evidence
    vanilla   0.75    0.5     False
    """
    import pandas as pd

    rows, index, fb = [], [], []
    for e in case.evidence:
        if not isinstance(e, LikelihoodItem):
            continue
        j, fell = case.judgement(e, lens)
        if e.parents == (HYPOTHESES,):
            vals = [
                j.values[h].mean if stat == "mean" else j.values[h].belief.sd
                for h in case.hypothesis_ids
            ]
        else:
            import numpy as np

            col = [
                j.values[s].mean if stat == "mean" else j.values[s].belief.sd
                for s in case.parent_values(e.parents)
            ]
            m = case.implied_parents(e.parents, lens)
            vals = list(m @ np.array(col) if stat == "mean" else np.sqrt((m**2) @ np.square(col)))
        rows.append(vals)
        index.append(e.id)
        fb.append(fell)
    df = pd.DataFrame(
        rows, index=pd.Index(index, name="evidence"), columns=case.hypothesis_ids, dtype=float
    )
    df.columns.name = None
    df["fallback"] = fb
    return df


def implied_matrix(case: Case, prop_id: str, lens: str | None = None) -> Any:
    """P(state of ``prop_id`` | h): the product of the table means from the hypotheses down, (K, S).

    Examples
    --------
    >>> import motives as mv
    >>> mv.examples.load("burglary").implied_matrix("at_scene").round(2)
    array([[0.8, 0.2],
           [0.1, 0.9]])
    """
    import numpy as np

    chain = [*case.ancestors(prop_id), prop_id]
    if all(len(case.proposition(p).parents) == 1 for p in chain):  # a chain: a product of matrices
        m = np.eye(len(case.hypothesis_ids))
        for pid in chain:
            prop = case.proposition(pid)
            j, _ = case.judgement(prop, lens)
            m = m @ np.array(
                [prop.row(j, v)[0] for v in case.parent_values(prop.parents)], dtype=float
            )
        return m
    return case.implied_parents((prop_id,), lens)


def implied_parents(case: Case, parents: Any, lens: str | None = None) -> Any:
    """P(parent configuration | h) for a node with these parents.

    Shape (K, V), in :meth:`parent_values` order.

    Without evidence every other fact sums out: the joint of the hypotheses and the parents'
    ancestors is built parents first (root facts with their prior) and marginalised onto the
    parents.

    Examples
    --------
    >>> import motives as mv
    >>> mv.examples.load("burglary").implied_parents(("at_scene",)).round(2)
    array([[0.8, 0.2],
           [0.1, 0.9]])
    """
    import numpy as np

    parents = parents_tuple(parents)
    facts = [b for b in parents if b != HYPOTHESES]
    chain: list[str] = []
    for f in facts:
        chain += [a for a in case.ancestors(f) if a not in chain]
    chain = [p for p in case.proposition_order() if p in set(chain) | set(facts)]
    axes = [HYPOTHESES, *chain]
    card = [len(case.hypothesis_ids)] + [len(case.proposition(p).states) for p in chain]
    joint = np.ones(card[0])
    for i, pid in enumerate(chain, start=1):
        prop = case.proposition(pid)
        j, _ = case.judgement(prop, lens)
        table = np.array([prop.row(j, v)[0] for v in case.parent_values(prop.parents)], dtype=float)
        pos = [axes.index(b) for b in prop.parents]
        table = table.reshape([card[k] for k in pos] + [card[i]])
        src = [*pos, i]
        view = np.einsum(table, src, sorted(src)) if len(src) > 1 else table  # axes in joint order
        shape = [card[k] if k in src else 1 for k in range(i + 1)]
        joint = joint[..., None] * view.reshape(shape)
    keep = [axes.index(b) for b in parents]
    facts_kept = [k for k in keep if k != 0]
    out = np.einsum(joint, list(range(len(axes))), [0, *facts_kept])  # (K, the other parents...)
    if (
        0 in keep
    ):  # the hypotheses are a parent: P(config | h) is 0 unless the config's hypothesis is h
        K = card[0]
        shape = [K] + [card[k] if k else K for k in keep]
        full = np.zeros(shape)
        for h in range(K):
            idx = tuple(h if k == 0 else slice(None) for k in keep)
            full[(h, *idx)] = out[h]
        out = full
    return out.reshape(card[0], -1)


def proposition_cap_db(case: Case, prop_id: str, lens: str | None = None) -> float:
    """The most a proposition can move the odds between two values of its parent, in decibans.

    10 log10 max over parent values v, v' and states s of P(s | v) / P(s | v')
    (table means under the lens): however many items bear on the
    proposition, they cannot move those odds further. 0 for a
    non-diagnostic proposition, ``inf`` when a state is impossible under one
    parent value but not under another.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> round(case.proposition_cap_db("at_scene"), 2)  # 10 log10(0.8 / 0.1): 8 to 1
    9.03
    >>> round(case.proposition_cap_db("had_motive"), 2)  # 10 log10(0.7 / 0.2)
    5.44
    """
    import math

    prop = case.proposition(prop_id)
    j, _ = case.judgement(prop, lens)
    rows = [prop.row(j, v)[0] for v in case.parent_values(prop.parents)]
    best = 0.0
    for a in rows:
        for b in rows:
            for pa, pb in zip(a, b, strict=True):
                if pa > 0 and pb == 0:
                    return math.inf
                if pa > 0:
                    best = max(best, 10 * math.log10(pa / pb))
    return best


def implication_table(case: Case) -> pd.DataFrame:
    """Table 1 from the data.

    Each implication's prediction per hypothesis, and the items that test it.

    Examples
    --------
    >>> import motives as mv
    >>> mv.examples.cookie_case().implication_table().shape
    (0, 3)
    """
    import pandas as pd

    rows = []
    for imp in case.implications:
        tested = [p.id for p in case.propositions if p.implication == imp.id] + [
            e.id for e in case.evidence if e.implication == imp.id
        ]
        rows.append([imp.title, *[imp.predictions.get(h, "") for h in case.hypothesis_ids], tested])
    df = pd.DataFrame(
        rows,
        columns=["implication", *case.hypothesis_ids, "items"],
        index=pd.Index([i.id for i in case.implications], name="implication_id"),
    )
    return df if rows else df.loc[:, ["implication", *case.hypothesis_ids[:1], "items"]]


def non_diagnostic(case: Case, lens: str | None = None, tol: float = 1e-12) -> list[str]:
    """Ids of likelihood items and propositions whose means are equal across their parent's values.

    Such a node changes nothing, whatever bears on it. Equal means equal to ``tol`` relative to the
    largest.
    """
    out = []
    for p in case.propositions:
        if p.is_root:  # one row: nothing to compare (it is a prior, not a test)
            continue
        j, _ = case.judgement(p, lens)
        rows = [p.row(j, v)[0] for v in case.parent_values(p.parents)]
        if all(
            max(c) - min(c) <= tol * max(c) for c in zip(*rows, strict=True)
        ):  # relative: see below
            out.append(p.id)
    for e in case.evidence:
        if isinstance(e, LikelihoodItem):
            j, _ = case.judgement(e, lens)
            m = [j.values[h].mean for h in case.parent_values(e.parents)]
            # relative to the largest: only ratios matter, and 1e-300 against 5e-324 is a ratio of
            # 2e23, not equal
            if max(m) - min(m) <= tol * max(m):
                out.append(e.id)
    return out


def zero_cells(case: Case, lens: str | None = None) -> list[tuple[str, str]]:
    """(item, hypothesis) pairs whose likelihood is 0: the item rules that hypothesis out.

    For an item under a proposition the pair names a state of that proposition.
    """
    out = []
    for e in case.evidence:
        if isinstance(e, LikelihoodItem):
            j, _ = case.judgement(e, lens)
            out += [(e.id, h) for h in case.parent_values(e.parents) if j.values[h].mean == 0]
    return out
