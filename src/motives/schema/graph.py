"""The shape of a case's network: parents, ancestors, children, the order of its facts.

Functions of a :class:`motives.schema.Case`; the case's methods of the same names delegate here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motives.schema.structure import HYPOTHESES, JOIN, ROOT_KEY, parents_tuple

if TYPE_CHECKING:
    from motives.schema.case import Case


def parent_of(case: Case, node_id: str) -> str:
    """The parent of an item or proposition: ``'hypotheses'`` or a proposition id.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> case.parent_of("fibres_match"), case.parent_of("at_scene")
    ('at_scene', 'hypotheses')
    """
    node = next((p for p in case.propositions if p.id == node_id), None) or case.item(node_id)
    parents = node.parents
    if len(parents) != 1:
        raise ValueError(
            f"'{node_id}' has {len(parents)} parents {list(parents)}: use Case.parents_of"
        )
    return parents[0]


def parents_of(case: Case, node_id: str) -> tuple[str, ...]:
    """The parents of an item or proposition, in order (``()`` for a root fact).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> case.parents_of("fibres_match"), case.parents_of("at_scene")
    (('at_scene',), ('hypotheses',))
    """
    node = next((p for p in case.propositions if p.id == node_id), None) or case.item(node_id)
    return node.parents


def parent_labels(case: Case, parent: Any) -> list[str]:
    """Readable labels of the rows :meth:`parent_values` gives.

    For example "burglary, yes"; "prior" for a root fact.

    Examples
    --------
    >>> import motives as mv
    >>> mv.examples.load("burglary").parent_labels("at_scene")
    ['yes', 'no']
    """
    return [
        "prior" if v == ROOT_KEY else ", ".join(v.split(JOIN)) for v in case.parent_values(parent)
    ]


def ancestors(case: Case, node_id: str) -> list[str]:
    """The propositions above a node (its parents, theirs, ...), parents before children.

    Examples
    --------
    >>> import motives as mv
    >>> mv.examples.load("burglary").ancestors("fibres_match")
    ['at_scene']
    """
    seen: set[str] = set()
    todo = [b for b in case.parents_of(node_id) if b != HYPOTHESES]
    while todo:
        b = todo.pop()
        if b not in seen:
            seen.add(b)
            todo += [c for c in case.proposition(b).parents if c != HYPOTHESES]
    return [p for p in case.proposition_order() if p in seen]


def parent_values(case: Case, parent: Any) -> list[str]:
    """The values a table under ``parent`` is keyed by: hypothesis ids, or the parent's states.

    ``parent`` may be a tuple of parents (a node's :attr:`~motives.schema.Proposition.parents`):
    with several, every combination of their values joined with ``.`` in nested order (the first
    parent outermost); for a root fact, the one key ``'*'``.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> case.parent_values("hypotheses"), case.parent_values("at_scene")
    (['suspect', 'someone_else'], ['yes', 'no'])
    """
    import itertools

    parents = parents_tuple(parent)
    if not parents:
        return [ROOT_KEY]
    axes = [case.hypothesis_ids if b == HYPOTHESES else case.proposition(b).states for b in parents]
    if len(axes) == 1:
        return list(axes[0])
    return [JOIN.join(c) for c in itertools.product(*axes)]


def children(case: Case, parent: str | None = HYPOTHESES) -> tuple[list[str], list[str]]:
    """(proposition ids, item ids) that bear directly on ``parent`` (the hypotheses by default).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> case.children()
    (['at_scene', 'had_motive'], [])
    >>> case.children("had_motive")
    ([], ['dispute_with_owner', 'suspect_in_debt'])
    """
    parent = parent or HYPOTHESES
    return (
        [p.id for p in case.propositions if parent in p.parents],
        [e.id for e in case.evidence if parent in e.parents],
    )


def proposition_order(case: Case) -> list[str]:
    """Proposition ids with every parent before its children (case order otherwise).

    Examples
    --------
    >>> import motives as mv
    >>> mv.examples.load("burglary").proposition_order()
    ['at_scene', 'had_motive']
    """
    order: list[str] = []
    pending = list(case.propositions)
    while pending:
        ready = [p for p in pending if all(b == HYPOTHESES or b in order for b in p.parents)]
        if not ready:  # a cycle (refused when the case is built): keep the rest in case order
            ready = pending
        order += [p.id for p in ready]
        pending = [p for p in pending if p.id not in order]
    return order


def path_to_hypotheses(case: Case, node_id: str) -> list[str]:
    """Propositions from the top (bearing on the hypotheses) down to ``node_id``'s parent.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> case.path_to_hypotheses("fibres_match"), case.path_to_hypotheses("at_scene")
    (['at_scene'], [])
    """
    chain: list[str] = []
    parent = case.parent_of(node_id)
    while parent != HYPOTHESES:
        chain.insert(0, parent)
        parent = case.parent_of(parent)
    return chain


def unused_propositions(case: Case) -> list[str]:
    """Propositions no item bears on, directly or through other propositions.

    They change nothing: P(E | h) sums their table rows to 1.

    Examples
    --------
    >>> import motives as mv
    >>> mv.examples.load("burglary").unused_propositions()
    []
    """
    used: set[str] = set()
    for node in [*case.evidence, *(p for p in case.propositions if p.observed is not None)]:
        if node.parents != (HYPOTHESES,):
            used.update(case.ancestors(node.id))
        if getattr(node, "observed", None) is not None:
            used.add(node.id)
    return [p for p in case.proposition_ids if p not in used]
