"""What-if copies of a case: one judgement, the prior, a reliability, an item or a grouping changed.

Each returns a new case validated again, like a loaded one; the case's methods of the same names
delegate here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from motives.errors import Problem, ReferenceProblems
from motives.schema.evidence import judgement_field
from motives.schema.forms import Likelihood, unknown_message
from motives.schema.records import Family, Hypothesis
from motives.schema.structure import Proposition

if TYPE_CHECKING:
    from motives.schema.case import Case


def regrouped(case: Case, grouping: str) -> Case:
    """The same case with the groups of ``grouping`` as its families.

    To analyse a group as a family.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("dice")
    >>> data = {
    ...     **case.model_dump(),
    ...     "groupings": [
    ...         {
    ...             "id": "size",
    ...             "groups": [
    ...                 {"id": "small", "hypotheses": ["d4", "d6", "d8"]},
    ...                 {"id": "large", "hypotheses": ["d12", "d20"]},
    ...             ],
    ...         }
    ...     ],
    ... }
    >>> mv.schema.Case.model_validate(data).regrouped("size").family_ids
    ['small', 'large']
    """
    g = next((g for g in case.groupings if g.id == grouping), None)
    if g is None:
        from motives.errors import CaseError

        raise CaseError(
            [
                Problem(
                    unknown_message("grouping", grouping, [x.id for x in case.groupings]),
                    field="groupings",
                )
            ]
        )
    home = {h: grp.id for grp in g.groups for h in grp.hypotheses}
    return type(case).model_validate(
        {
            **{k: getattr(case, k) for k in type(case).model_fields},
            "hypotheses": [h.model_copy(update={"family": home[h.id]}) for h in case.hypotheses],
            "families": [Family(id=grp.id, label=grp.label) for grp in g.groups],
        }
    )


def with_judgement(
    case: Case,
    node: str,
    lens: str | None = None,
    values: Mapping[str, Any] | None = None,
    *,
    ratios: Mapping[str, float] | None = None,
    decibans: Mapping[str, float] | None = None,
    van_evera: Mapping[str, Any] | None = None,
    confidence: str | None = None,
    rationale: str | None = None,
) -> Case:
    """A new case in which ``lens`` judges one item or proposition differently.

    Parameters
    ----------
    node
        Id of an evidence item or a proposition.
    lens
        Whose judgement; default the case's default lens. When the lens
        does not rate the node yet, the judgement it falls back to is the
        starting point.
    values
        Cells to change (parent value -> any likelihood form, or a table
        row for a proposition; trend or predictive records for timeline and
        quantity items); cells not named keep their value.
    ratios, decibans, van_evera
        Instead of ``values``: the whole row in one of those forms.
    confidence, rationale
        Replace the judgement's confidence (default: keep it, and apply it
        to the new cells) and rationale.

    Returns
    -------
    Case
        Validated again, like a loaded case (:class:`motives.CaseError` if not valid).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.cookie_case()
    >>> float(mv.exact_posterior(case).loc[("hypothesis", "bowl1"), "credence"])
    0.6
    >>> what_if = case.with_judgement("vanilla", values={"bowl2": 0.25})
    >>> float(mv.exact_posterior(what_if).loc[("hypothesis", "bowl1"), "credence"])
    0.75
    >>> case.with_judgement("vanilla", ratios={"bowl1": 1, "bowl2": 1}).likelihood_table()[
    ...     "bowl2"
    ... ].tolist()
    [1.0]
    """
    forms = {
        k: v
        for k, v in (
            ("values", values),
            ("ratios", ratios),
            ("decibans", decibans),
            ("van_evera", van_evera),
        )
        if v is not None
    }
    if len(forms) != 1:
        raise TypeError("give exactly one of values, ratios, decibans, van_evera")
    lens = case.resolve_lens(lens)
    prop = next((p for p in case.propositions if p.id == node), None)
    target: Any = prop if prop is not None else case.item(node)
    old, _ = case.judgement(target, lens)
    data: dict[str, Any] = {"rationale": old.rationale if rationale is None else rationale}
    conf = confidence if confidence is not None else getattr(old, "confidence", None)
    if conf is not None:
        data["confidence"] = conf
    if "values" in forms:
        data["values"] = {**old.values, **dict(forms["values"])}
    else:
        data.update({k: dict(v) for k, v in forms.items()})
    field = "likelihoods" if isinstance(target, Proposition) else judgement_field(target)
    from pydantic import ValidationError

    try:
        judgement = type(old).model_validate(data)
    except ValidationError as exc:
        raise case_error(exc, item=node, prefix=f"{field}.{lens}") from None
    judged = {**getattr(target, field), lens: judgement}
    new = target.model_copy(update={field: judged})
    if isinstance(new, Proposition):
        return replaced(case, propositions=[new if p.id == node else p for p in case.propositions])
    return replaced(case, evidence=[new if e.id == node else e for e in case.evidence])


def with_prior(
    case: Case, prior: Mapping[str, float] | list[float] | str | None, *, normalise: bool = False
) -> Case:
    """A new case with another prior.

    ``prior`` is a mapping id -> probability, a list in hypothesis order, or
    ``"uniform"``/None (no priors: uniform). ``normalise=True`` sets
    ``prior_normalise`` (the priors are divided by their sum).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("diagnostic_test")
    >>> case.with_prior({"condition": 0.5, "healthy": 0.5}).prior_vector()
    [0.5, 0.5]
    >>> case.with_prior([1, 2], normalise=True).prior_vector()
    [0.3333333333333333, 0.6666666666666666]
    >>> case.with_prior("uniform").prior_vector() == [0.5, 0.5]
    True
    """
    ids = case.hypothesis_ids
    if prior is None or prior == "uniform":
        vec: list[Any] = [None] * len(ids)
    elif isinstance(prior, str):
        raise ValueError(f"prior must be 'uniform', None, a mapping or a list, got {prior!r}")
    elif isinstance(prior, Mapping):
        unknown = [k for k in prior if k not in ids]
        if unknown:
            raise KeyError(unknown_message("hypothesis", unknown[0], ids))
        vec = [prior.get(h) for h in ids]
    else:
        vec = list(prior)
        if len(vec) != len(ids):
            raise ValueError(f"prior has {len(vec)} entries; the case has {len(ids)} hypotheses")
    if normalise:
        vec = [None if p is None else float(p) for p in vec]
        given = [p for p in vec if p is not None]
        top = max(given) if given else 1.0
        vec = [
            None if p is None else p / top for p in vec
        ]  # within [0, 1]; prior_normalise does the rest
    hyps = [
        h.model_copy(update={"prior": None if p is None else float(p)})
        for h, p in zip(case.hypotheses, vec, strict=True)
    ]
    hyps = [
        Hypothesis.model_validate(h.model_dump()) for h in hyps
    ]  # the field checks (0 <= p <= 1)
    return replaced(case, hypotheses=hyps, prior_normalise=normalise or case.prior_normalise)


def with_reliability(case: Case, source: str, value: Any) -> Case:
    """A new case in which a declared source's reliability is ``value`` (any likelihood form).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> case.with_reliability("neighbour", 0.5).source("neighbour").reliability.mean
    0.5
    """
    if case.source(source) is None:
        raise KeyError(unknown_message("source", source, [s.key for s in case.sources]))
    sources = [
        s.model_copy(update={"reliability": Likelihood.model_validate(value)})
        if s.key == source
        else s
        for s in case.sources
    ]
    return replaced(case, sources=sources)


def without_items(case: Case, ids: list[str] | tuple[str, ...] | set[str]) -> Case:
    """A new case without these evidence items (a proposition id drops it with everything under it).

    Items that are ``given`` a dropped item make the new case invalid (their likelihoods were
    conditional on it): drop them too, or rejudge them.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> fewer = case.without_items(
    ...     ["had_motive", "fibres_match"]
    ... )  # a proposition goes with its items
    >>> fewer.proposition_ids, [e.id for e in fewer.evidence]
    (['at_scene'], ['neighbour_saw_suspect', 'phone_near_scene'])
    """
    ids = [ids] if isinstance(ids, str) else list(ids)
    known = set(case.proposition_ids) | {e.id for e in case.evidence}
    for i in ids:
        if i not in known:
            raise KeyError(unknown_message("item or proposition", i, sorted(known)))
    drop = set(ids)
    changed = True
    while changed:  # a dropped proposition takes its subtree with it
        under = {p.id for p in case.propositions if set(p.parents) & drop}
        under |= {e.id for e in case.evidence if set(e.parents) & drop}
        changed = not under <= drop
        drop |= under
    return replaced(
        case,
        propositions=[p for p in case.propositions if p.id not in drop],
        evidence=[e for e in case.evidence if e.id not in drop],
    )


def with_item(case: Case, item: Any) -> Case:
    """A new case with this evidence item added (or replacing the item with its id).

    The item is a dict or a record.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.cookie_case()
    >>> more = case.with_item(
    ...     {
    ...         "id": "second_vanilla",
    ...         "title": "Another vanilla cookie",
    ...         "likelihoods": {"bowl1": 0.75, "bowl2": 0.5},
    ...     }
    ... )
    >>> round(float(mv.exact_posterior(more).loc[("hypothesis", "bowl1"), "credence"]), 4)
    0.6923
    """
    item_id = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
    evidence: list[Any] = list(case.evidence)
    at = next((k for k, e in enumerate(evidence) if e.id == item_id), None)
    if at is None:
        evidence.append(dict(item) if isinstance(item, Mapping) else item)
    else:
        evidence[at] = dict(item) if isinstance(item, Mapping) else item
    return replaced(case, evidence=evidence)


def replaced(case: Case, **changes: Any) -> Case:
    """The case with some fields replaced, validated again.

    Problems raise :class:`motives.CaseError`.
    """
    from pydantic import ValidationError

    data = {name: getattr(case, name) for name in type(case).model_fields}
    data.update(changes)
    try:
        return type(case).model_validate(data)
    except ValidationError as exc:
        raise case_error(exc) from None


def case_error(exc: Any, item: str | None = None, prefix: str = "") -> Exception:
    """A pydantic ValidationError as a :class:`motives.CaseError` listing its problems."""
    from motives.errors import CaseError

    problems: list[Problem] = []
    for err in exc.errors():
        ctx = err.get("ctx", {}).get("error")
        if isinstance(ctx, ReferenceProblems):
            problems += ctx.problems
            continue
        msg = str(ctx) if isinstance(ctx, Exception) else str(err["msg"])
        field = ".".join(x for x in (prefix, ".".join(str(x) for x in err["loc"])) if x)
        problems.append(Problem(msg, item=item, field=field or None))
    return CaseError(problems)
