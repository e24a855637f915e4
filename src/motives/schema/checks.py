"""The cross-checks of a case: every reference, table key, cycle and provenance problem, located.

:class:`motives.schema.Case` runs :func:`case_problems` when it is built (a loaded case is a
consistent one);
each check returns :class:`motives.errors.Problem` records naming the item and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from motives.errors import Problem, did_you_mean
from motives.schema.evidence import LensJudgement, LikelihoodItem, judgement_field
from motives.schema.forms import PRIOR_TOLERANCE, unknown_message
from motives.schema.groupings import grouping_problems
from motives.schema.structure import HYPOTHESES, JOIN, ROOT_KEY, parents_tuple

if TYPE_CHECKING:
    from motives.schema.case import Case


def _dupes(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]


def _unknown_parent(value: str, props: list[str]) -> str:
    """An unknown ``bears_on``: what it may be, and the nearest declared proposition."""
    import difflib

    close = difflib.get_close_matches(value, props, n=1)
    return (
        f"bears_on names an unknown proposition '{value}': it must be 'hypotheses' or a declared "
        "proposition id"
        + (
            f" ({', '.join(props[:12])}{', ...' if len(props) > 12 else ''})"
            if props
            else " (no other proposition is declared)"
        )
        + (f". Did you mean '{close[0]}'?" if close else "")
    )


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    # iterative depth-first search: chains of thousands of items must not hit Python's recursion
    # limit
    state: dict[str, int] = {}
    for root in graph:
        if root in state:
            continue
        state[root] = 1
        stack: list[str] = [root]
        todo = [iter(graph.get(root, []))]
        while todo:
            m = next(todo[-1], None)
            if m is None:
                todo.pop()
                state[stack.pop()] = 2
            elif state.get(m) == 1:
                return stack[stack.index(m) :] + [m]
            elif m not in state:
                state[m] = 1
                stack.append(m)
                todo.append(iter(graph.get(m, [])))
    return None


def case_problems(case: Case) -> list[Problem]:
    """Every problem of a case, in reading order.

    Hypotheses, declarations, facts, items, cycles, BibTeX keys.
    """
    out = hypothesis_problems(case) + declaration_problems(case)
    lens_ids = [ln.id for ln in case.lenses]
    area_ids = {a.id for a in case.issue_areas}
    impl_ids = {i.id for i in case.implications}
    item_ids = [e.id for e in case.evidence]
    for d in _dupes(item_ids):
        out.append(Problem(f"duplicate evidence id '{d}'", item=d, field="id"))
    known = set(item_ids)
    out += structure_problems(case, lens_ids, known, area_ids, impl_ids)
    for d in _dupes([q.id for q in case.seed_questions]):
        out.append(Problem(f"duplicate seed question id '{d}'", field="seed_questions"))
    for q in case.seed_questions:
        for lens in q.quantiles:
            if lens not in lens_ids:
                out.append(
                    Problem(
                        unknown_message("lens", lens, lens_ids),
                        item=q.id,
                        field=f"seed_questions.{q.id}.quantiles",
                    )
                )
    for e in case.evidence:
        out += item_problems(case, e, lens_ids, known) + provenance_problems(
            case, e, area_ids, impl_ids
        )
    cycle = _find_cycle({e.id: [g for g in e.given if g in known] for e in case.evidence})
    if cycle:
        shown = " -> ".join(
            cycle if len(cycle) <= 12 else [*cycle[:10], f"... ({len(cycle) - 11} more)", cycle[-1]]
        )
        out.append(Problem("'given' forms a cycle: " + shown, item=cycle[0], field="given"))
    if case.references is not None:
        for s in case.sources:
            if s.key not in case.references:
                out.append(
                    Problem(
                        unknown_message("BibTeX key", s.key, sorted(case.references)),
                        field=f"sources.{s.key}",
                    )
                )
    return out


def hypothesis_problems(case: Case) -> list[Problem]:
    """Problems of the hypotheses: duplicate ids, priors and values.

    Duplicate hypothesis ids; priors given for some only, not summing to 1, or all zero; values
    given for some only.
    """
    P = Problem
    out: list[Problem] = []
    for d in _dupes([h.id for h in case.hypotheses]):
        out.append(
            P(f"duplicate hypothesis id '{d}'", item=d, field="id")
        )  # located at its second use
    priors = [h.prior for h in case.hypotheses]
    given_priors = [p for p in priors if p is not None]
    if given_priors and len(given_priors) != len(priors):
        for h in case.hypotheses:
            if h.prior is None:
                out.append(
                    P(
                        "no prior: give a prior for every hypothesis or for none (none = uniform)",
                        item=h.id,
                        field="prior",
                    )
                )
    elif (
        given_priors and abs(sum(given_priors) - 1.0) > PRIOR_TOLERANCE and not case.prior_normalise
    ):
        out.append(
            P(
                f"priors must sum to 1, they sum to {sum(given_priors):.6g} (for priors written to "
                "limited precision, e.g. 0.333 for thirds, set prior_normalise: true in case.yaml)",
                field="hypotheses.prior",
            )
        )
    elif given_priors and not any(p > 0 for p in given_priors):
        out.append(P("at least one prior must be positive", field="hypotheses.prior"))
    if any(h.value is not None for h in case.hypotheses) and any(
        h.value is None for h in case.hypotheses
    ):
        for h in case.hypotheses:
            if h.value is None:
                out.append(
                    P(
                        "no value: give a value for every hypothesis or for none",
                        item=h.id,
                        field="value",
                    )
                )
    return out


def declaration_problems(case: Case) -> list[Problem]:
    """Families, groupings, lenses, sources and implications.

    Duplicates, unknown names, clashing ids.
    """
    P = Problem
    out: list[Problem] = []
    hyp_ids = [h.id for h in case.hypotheses]
    hset = set(hyp_ids)
    fam_ids = [f.id for f in case.families]
    for d in _dupes(fam_ids):
        out.append(P(f"duplicate family id '{d}'", field="families"))
    if case.families:  # a hypothesis without family: is its own family (undeclared is fine)
        for h in case.hypotheses:
            if h.family is not None and h.family not in fam_ids and h.family != h.id:
                out.append(
                    P(
                        f"unknown family '{h.family}'; declared families: {fam_ids}."
                        + did_you_mean(h.family, fam_ids),
                        item=h.id,
                        field="family",
                        kind="hypothesis",
                    )
                )
    out += grouping_problems(case.groupings, hyp_ids)
    lens_ids = [ln.id for ln in case.lenses]
    for d in _dupes(lens_ids):
        out.append(P(f"duplicate lens id '{d}'", field="lenses"))
    if case.default_lens not in lens_ids:
        out.append(
            P(
                f"default_lens '{case.default_lens}' is not a declared lens; lenses: {lens_ids}",
                field="default_lens",
            )
        )
    for clash in sorted(hset & set(lens_ids)):
        out.append(
            P(f"'{clash}' is both a hypothesis and a lens id; ids must differ", field="lenses")
        )
    for d in _dupes([s.key for s in case.sources]):
        out.append(P(f"source '{d}' is declared more than once", field="sources"))
    for (
        imp
    ) in case.implications:  # a table row may leave hypotheses out (an extended case adds some)
        out += [
            p
            for p in keys_match(imp.predictions, hset, imp.id, "predictions")
            if not p.message.startswith("missing")
        ]
    return out


def item_problems(case: Case, e: Any, lens_ids: list[str], known: set[str]) -> list[Problem]:
    """One evidence item.

    Its parents, its tables' keys per lens, the default lens, ``given``, its source.
    """
    P = Problem
    out: list[Problem] = []
    props = {p.id: p for p in case.propositions}
    bad = [b for b in e.parents if b != HYPOTHESES and b not in props]
    parent_ok = not bad
    for b in bad:
        out.append(P(_unknown_parent(str(b), list(props)), item=e.id, field="bears_on"))
    if parent_ok and len(e.parents) > 1 and not isinstance(e, LikelihoodItem):
        out.append(
            P(
                f"a {e.kind} item takes one parent (the hypotheses or one proposition), not "
                f"{list(e.parents)}: bear it on one of them, or on a proposition that has these "
                "parents",
                item=e.id,
                field="bears_on",
            )
        )
        parent_ok = False
    for lens, j in e.judgements().items():
        if lens not in lens_ids:
            out.append(
                P(
                    unknown_message("lens", lens, lens_ids),
                    item=e.id,
                    field=f"{judgement_field(e)}.{lens}",
                )
            )
            continue
        if parent_ok:
            out += parent_keys_match(
                case, j.values, e.parents, e.id, f"{judgement_field(e)}.{lens}.values"
            )
        if (
            isinstance(j, LensJudgement)
            and j.values
            and all(v.mean == 0 for v in j.values.values())
        ):
            out.append(
                P(
                    "every likelihood is 0: such evidence is impossible under all hypotheses; "
                    "at least one must be positive",
                    item=e.id,
                    field=f"likelihoods.{lens}.values",
                )
            )
    if case.default_lens in lens_ids and case.default_lens not in e.judgements():
        out.append(
            P(
                f"no judgement for the default lens '{case.default_lens}' (items other lenses do "
                "not rate fall back to it)",
                item=e.id,
                field=judgement_field(e),
            )
        )
    for g in e.given:
        if g not in known:
            out.append(P(unknown_message("item", g, sorted(known)), item=e.id, field="given"))
        elif g == e.id:
            out.append(P("an item cannot be given itself", item=e.id, field="given"))
    src_keys = [s.key for s in case.sources]
    if e.reported_by is not None and e.reported_by not in src_keys:
        out.append(
            P(
                unknown_message("source", e.reported_by, src_keys)
                + " (declare it under sources: with a reliability)",
                item=e.id,
                field="reported_by",
            )
        )
    return out


def structure_problems(
    case: Case, lens_ids: list[str], item_ids: set[str], area_ids: set[str], impl_ids: set[str]
) -> list[Problem]:
    """Problems of the propositions.

    Ids, parents, cycles, tables keyed by the parent's values, rows.
    """
    P = Problem
    out: list[Problem] = []
    props = {p.id: p for p in case.propositions}
    for d in _dupes([p.id for p in case.propositions]):
        out.append(P(f"duplicate proposition id '{d}'", item=d, field="id"))
    for p in case.propositions:
        if p.id == HYPOTHESES:
            out.append(
                P(
                    f"'{HYPOTHESES}' is reserved (it names the hypotheses as a parent)",
                    item=p.id,
                    field="id",
                )
            )
        for what, ids in (
            ("evidence item", item_ids),
            ("hypothesis", set(case.hypothesis_ids)),
            ("lens", set(lens_ids)),
        ):
            if p.id in ids:
                out.append(
                    P(
                        f"'{p.id}' is both a proposition and an {what} id; ids must differ",
                        item=p.id,
                        field="id",
                    )
                )
        parent_ok = True
        for b in p.parents:
            if b == p.id:
                out.append(P("a proposition cannot bear on itself", item=p.id, field="bears_on"))
                parent_ok = False
            elif b != HYPOTHESES and b not in props:
                out.append(
                    P(
                        _unknown_parent(b, [q for q in props if q != p.id]),
                        item=p.id,
                        field="bears_on",
                    )
                )
                parent_ok = False
        for lens, j in p.likelihoods.items():
            if lens not in lens_ids:
                out.append(
                    P(
                        unknown_message("lens", lens, lens_ids),
                        item=p.id,
                        field=f"likelihoods.{lens}",
                    )
                )
                continue
            if parent_ok:
                out += parent_keys_match(
                    case, j.values, p.parents, p.id, f"likelihoods.{lens}.values"
                )
            out += [P(msg, item=p.id, field=field) for msg, field in p.row_problems(lens, j)]
        if case.default_lens in lens_ids and case.default_lens not in p.likelihoods:
            out.append(
                P(
                    f"no table for the default lens '{case.default_lens}' (lenses that do not "
                    "rate a proposition fall back to it); it has tables for: "
                    + (", ".join(p.likelihoods) or "no lens"),
                    item=p.id,
                    field="likelihoods",
                )
            )
        out += provenance_problems(case, p, area_ids, impl_ids)
    cycle = _find_cycle(
        {p.id: [b for b in p.parents if b in props and b != p.id] for p in case.propositions}
    )
    if cycle:
        out.append(
            P("'bears_on' forms a cycle: " + " -> ".join(cycle), item=cycle[0], field="bears_on")
        )
    return out


def provenance_problems(
    case: Case, node: Any, area_ids: set[str], impl_ids: set[str]
) -> list[Problem]:
    """Unknown BibTeX keys, issue area or implication of an item or proposition."""
    P = Problem
    out: list[Problem] = []
    bib = case.references
    if bib is not None:
        for i, key in enumerate(node.sources):
            if key not in bib:
                out.append(
                    P(
                        unknown_message("BibTeX key", key, sorted(bib)),
                        item=node.id,
                        field=f"sources.{i}",
                    )
                )
    if case.issue_areas and node.issue_area is not None and node.issue_area not in area_ids:
        out.append(
            P(
                unknown_message("issue area", node.issue_area, sorted(area_ids)),
                item=node.id,
                field="issue_area",
            )
        )
    if node.implication is not None and node.implication not in impl_ids:
        out.append(
            P(
                unknown_message("implication", node.implication, sorted(impl_ids)),
                item=node.id,
                field="implication",
            )
        )
    return out


def parent_keys_match(
    case: Case, values: Mapping[str, Any], parent: Any, item: str, field: str
) -> list[Problem]:
    """A judgement table must be keyed by its parent's values.

    Hypothesis ids, or the parent's states.

    With several parents (or none), by every combination of their values, nested in the listed
    order.
    """
    parents = parents_tuple(parent)
    if len(parents) != 1:
        return joint_keys_match(case, values, parents, item, field)
    parent = parents[0]
    if parent in (None, HYPOTHESES):
        hset = set(case.hypothesis_ids)
        stray = [k for k in values if k not in hset]
        owners = [p.id for p in case.propositions if stray and set(stray) <= set(p.states)]
        if stray and owners and not set(values) & hset:
            return [
                Problem(
                    f"this table is keyed by states {sorted(stray)} (of proposition "
                    f"'{owners[0]}'), but "
                    f"'{item}' bears on the hypotheses: key it by hypothesis ids, or set "
                    f"bears_on: {owners[0]}",
                    item=item,
                    field=field,
                )
            ]
        return keys_match(values, hset, item, field)
    prop = next(p for p in case.propositions if p.id == parent)
    states = prop.states
    if values and set(values) <= set(case.hypothesis_ids) and not set(values) & set(states):
        return [
            Problem(
                f"'{item}' bears on proposition '{parent}': key its table by that proposition's "
                "states "
                f"{states}, not by hypotheses",
                item=item,
                field=field,
            )
        ]
    keys = set(values)
    if values and not keys & set(states):
        others = [p.id for p in case.propositions if p.id != parent and keys <= set(p.states)]
        if others:
            return [
                Problem(
                    f"'{item}' bears on proposition '{parent}' (states {states}), but its table "
                    "is keyed "
                    f"by {sorted(keys)}, the states of '{others[0]}': key it by {states}, or set "
                    f"bears_on: {others[0]}",
                    item=item,
                    field=field,
                )
            ]
    out = []
    for k in values:
        if k not in states:
            out.append(
                Problem(
                    unknown_message(f"state of '{parent}'", k, states),
                    item=item,
                    field=f"{field}.{k}",
                )
            )
    missing = [s for s in states if s not in values]
    if missing:
        out.append(
            Problem(
                f"missing state {', '.join(repr(m) for m in missing)} of '{parent}': give a value "
                "for every state",
                item=item,
                field=field,
            )
        )
    return out


def joint_keys_match(
    case: Case, values: Mapping[str, Any], parents: tuple[str, ...], item: str, field: str
) -> list[Problem]:
    """Keys of a table over several parents (nested in order) or of a root fact's one row."""
    P = Problem
    if not parents:
        if set(values) != {ROOT_KEY}:
            return [
                P(
                    "a root fact (bears_on: []) has one row {state: probability, ...}, not a "
                    "table keyed by "
                    f"{sorted(values)}: give bears_on its parents, or write the one row",
                    item=item,
                    field=field,
                )
            ]
        return []
    axes = [case.hypothesis_ids if b == HYPOTHESES else case.proposition(b).states for b in parents]
    names = ["hypotheses" if b == HYPOTHESES else f"states of '{b}'" for b in parents]
    out: list[Problem] = []
    expected = case.parent_values(parents)
    split = [k.split(JOIN) for k in values]
    if split and all(len(parts) == len(parents) for parts in split):
        for level, axis in enumerate(
            axes
        ):  # a whole level keyed by another parent's values: one message
            keys = sorted({parts[level] for parts in split})
            if set(keys) & set(axis):
                continue
            other = [i for i, ax in enumerate(axes) if i != level and set(keys) <= set(ax)]
            if other:
                return [
                    P(
                        f"level {level + 1} of this table is keyed by {keys}, the values of "
                        f"{names[other[0]]}, "
                        "but the table nests its parents in the order of bears_on, "
                        f"{list(parents)}: level "
                        f"{level + 1} takes the {names[level]} {axis}. Swap the levels, or "
                        "reorder bears_on",
                        item=item,
                        field=f"{field}.{split[0][0]}" if level == 0 else field,
                    )
                ]
    seen: set[str] = set()
    for k in values:
        parts = k.split(JOIN)
        if len(parts) != len(parents):
            out.append(
                P(
                    f"this table must nest {len(parents)} levels, one per parent {list(parents)}",
                    item=item,
                    field=f"{field}.{k}",
                )
            )
            continue
        for level, (v, axis) in enumerate(zip(parts, axes, strict=True)):
            if v not in axis:
                hint = ""
                other = [i for i, ax in enumerate(axes) if i != level and v in ax]
                if other:
                    hint = (
                        f" ('{v}' is a value of {names[other[0]]}: the table nests the parents in "
                        "the "
                        f"order of bears_on, {list(parents)})"
                    )
                where = f"{field}.{JOIN.join(parts[: level + 1])}"
                if where not in seen:
                    seen.add(where)
                    out.append(
                        P(
                            f"level {level + 1} of this table is keyed by the {names[level]} "
                            f"{axis}; "
                            f"'{v}' is not one{hint}" + did_you_mean(v, axis),
                            item=item,
                            field=where,
                        )
                    )
                break
    if not out:
        missing = [k for k in expected if k not in values]
        if missing:
            shown = ", ".join(" / ".join(m.split(JOIN)) for m in missing[:6])
            more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
            out.append(
                P(
                    f"missing parent combination(s) {shown}{more}: a table over {list(parents)} "
                    "needs a "
                    f"row for each of the {len(expected)} combinations",
                    item=item,
                    field=field,
                )
            )
    return out


def keys_match(values: Mapping[str, Any], hset: set[str], item: str, field: str) -> list[Problem]:
    """A table keyed by hypothesis ids: unknown keys and missing hypotheses."""
    out = []
    for k in values:
        if k not in hset:
            out.append(
                Problem(
                    unknown_message("hypothesis", k, sorted(hset)), item=item, field=f"{field}.{k}"
                )
            )
    missing = sorted(hset - set(values))
    if missing:
        out.append(
            Problem(
                f"missing hypothesis {', '.join(repr(m) for m in missing)}: give a value for "
                "every hypothesis",
                item=item,
                field=field,
            )
        )
    return out
