"""Files and the whole case: evidence files, ``case.yaml``, and :class:`Case` with its cross-checks."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, StrictBool, model_validator

from motives.errors import Problem, ReferenceProblems, did_you_mean
from motives.schema.evidence import (
    Amendment,
    EvidenceItem,
    LensJudgement,
    LikelihoodItem,
    QuantityItem,
    TimelineItem,
    _ItemBase,
    _kind,
)
from motives.schema.forms import PRIOR_TOLERANCE, Id, Likelihood, Record, _unknown
from motives.schema.groupings import GROUPINGS_DOC, Grouping, Target, grouping_problems
from motives.schema.records import Family, Hypothesis, Implication, IssueArea, Lens, SeedQuestion, Source
from motives.schema.structure import HYPOTHESES, JOIN, ROOT_KEY, Proposition, parents_tuple

if TYPE_CHECKING:
    import pandas as pd

PRIOR_NORMALISE_DOC = ("Divide the priors by their sum (for priors written to limited precision, e.g. 0.333 for "
                       "thirds); motives check reports the sum.")


class EvidenceFile(Record):
    """One evidence YAML file."""

    issue_area: Id | None = Field(default=None, description="Default issue area of the items below.")
    sources: list[Source] = Field(default_factory=list)
    propositions: list[Proposition] = Field(default_factory=list, description="Unobserved facts items bear on.")
    evidence: list[EvidenceItem] = Field(default_factory=list)
    amend: list[Amendment] = Field(default_factory=list)


class CaseFile(Record):
    """``case.yaml``: hypotheses, lenses, sources, issue areas, implications."""

    name: Id
    title: str = ""
    description: str = ""
    extends: str | None = Field(default=None, description="Path of a parent case folder.")
    default_lens: Id | None = None
    references: str | list[str] | None = Field(
        default=None, description="BibTeX file(s), relative to the case folder; default references.bib if present."
    )
    hypotheses: list[Hypothesis] = Field(min_length=2)
    prior_normalise: StrictBool = Field(default=False, description=PRIOR_NORMALISE_DOC)
    families: list[Family] = Field(default_factory=list)
    groupings: list[Grouping] = Field(default_factory=list, description=GROUPINGS_DOC)
    lenses: list[Lens] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    issue_areas: list[IssueArea] = Field(default_factory=list)
    implications: list[Implication] = Field(default_factory=list)
    propositions: list[Proposition] = Field(default_factory=list, description="Unobserved facts items bear on.")
    seed_questions: list[SeedQuestion] = Field(default_factory=list,
                                               description="Known quantities each lens estimated (calibration).")


def _dupes(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]


def _unknown_parent(value: str, props: list[str]) -> str:
    """An unknown ``bears_on``: what it may be, and the nearest declared proposition."""
    import difflib

    close = difflib.get_close_matches(value, props, n=1)
    return (f"bears_on names an unknown proposition '{value}': it must be 'hypotheses' or a declared proposition id"
            + (f" ({', '.join(props[:12])}{', ...' if len(props) > 12 else ''})" if props else
               " (no other proposition is declared)")
            + (f". Did you mean '{close[0]}'?" if close else ""))


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    # iterative depth-first search: chains of thousands of items must not hit Python's recursion limit
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


class Case(Record):
    """A whole case: hypotheses, lenses, sources, evidence and references.

    Build it with :func:`motives.load_case`; constructing it directly validates
    every cross-reference too.
    """

    name: Id
    title: str = ""
    description: str = ""
    default_lens: Id = "default"
    hypotheses: list[Hypothesis] = Field(min_length=2)
    prior_normalise: StrictBool = Field(default=False, description=PRIOR_NORMALISE_DOC)
    families: list[Family] = Field(default_factory=list)
    groupings: list[Grouping] = Field(default_factory=list, description=GROUPINGS_DOC)
    lenses: list[Lens] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    issue_areas: list[IssueArea] = Field(default_factory=list)
    implications: list[Implication] = Field(default_factory=list)
    propositions: list[Proposition] = Field(default_factory=list)
    seed_questions: list[SeedQuestion] = Field(default_factory=list)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    references: dict[str, dict[str, str]] | None = Field(
        default=None, description="BibTeX key -> fields; None when the case has no BibTeX file."
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        lenses = data.get("lenses") or []
        if not lenses:
            data["lenses"] = [{"id": data.get("default_lens") or "default"}]
            lenses = data["lenses"]
        if not data.get("default_lens"):
            first = lenses[0]
            data["default_lens"] = first["id"] if isinstance(first, dict) else first.id
        # Shorthand likelihoods belong to the default lens.
        items = []
        for it in data.get("evidence") or []:
            if isinstance(it, dict) and _kind(it) == "likelihood":
                it = LikelihoodItem._shorthand(it)
                if isinstance(it.get("likelihoods"), dict) and "__default__" in it["likelihoods"]:
                    lk = dict(it["likelihoods"])
                    lk[data["default_lens"]] = lk.pop("__default__")
                    it = {**it, "likelihoods": lk}
            if isinstance(it, LikelihoodItem) and "__default__" in it.likelihoods:
                lk = dict(it.likelihoods)
                lk[data["default_lens"]] = lk.pop("__default__")
                it = it.model_copy(update={"likelihoods": lk})
            items.append(it)
        data["evidence"] = items
        props = []
        for pr in data.get("propositions") or []:
            if isinstance(pr, dict):
                pr = Proposition._shorthand(pr)
            lk = pr.get("likelihoods") if isinstance(pr, dict) else pr.likelihoods
            if isinstance(lk, dict) and "__default__" in lk:
                lk = dict(lk)
                lk[data["default_lens"]] = lk.pop("__default__")
                pr = {**pr, "likelihoods": lk} if isinstance(pr, dict) else pr.model_copy(update={"likelihoods": lk})
            props.append(pr)
        data["propositions"] = props
        return _fill_others(data)

    @model_validator(mode="after")
    def _cross_references(self) -> Case:
        problems = self._problems()
        if problems:
            raise ReferenceProblems(problems)
        return self

    def _problems(self) -> list[Problem]:  # noqa: C901 - one list of checks, read top to bottom
        P = Problem
        out: list[Problem] = []
        hyp_ids = [h.id for h in self.hypotheses]
        hset = set(hyp_ids)
        for d in _dupes(hyp_ids):
            out.append(P(f"duplicate hypothesis id '{d}'", item=d, field="id"))  # located at its second use
        priors = [h.prior for h in self.hypotheses]
        given_priors = [p for p in priors if p is not None]
        if given_priors and len(given_priors) != len(priors):
            for h in self.hypotheses:
                if h.prior is None:
                    out.append(P("no prior: give a prior for every hypothesis or for none (none = uniform)",
                                 item=h.id, field="prior"))
        elif given_priors and abs(sum(given_priors) - 1.0) > PRIOR_TOLERANCE and not self.prior_normalise:
            out.append(P(f"priors must sum to 1, they sum to {sum(given_priors):.6g} (for priors written to "
                         "limited precision, e.g. 0.333 for thirds, set prior_normalise: true in case.yaml)",
                         field="hypotheses.prior"))
        elif given_priors and not any(p > 0 for p in given_priors):
            out.append(P("at least one prior must be positive", field="hypotheses.prior"))
        if any(h.value is not None for h in self.hypotheses) and any(h.value is None for h in self.hypotheses):
            for h in self.hypotheses:
                if h.value is None:
                    out.append(P("no value: give a value for every hypothesis or for none", item=h.id, field="value"))
        fam_ids = [f.id for f in self.families]
        for d in _dupes(fam_ids):
            out.append(P(f"duplicate family id '{d}'", field="families"))
        if self.families:  # a hypothesis without family: is its own family (undeclared is fine)
            for h in self.hypotheses:
                if h.family is not None and h.family not in fam_ids and h.family != h.id:
                    out.append(P(f"unknown family '{h.family}'; declared families: {fam_ids}."
                                 + did_you_mean(h.family, fam_ids), item=h.id, field="family", kind="hypothesis"))
        out += grouping_problems(self.groupings, hyp_ids)
        lens_ids = [ln.id for ln in self.lenses]
        for d in _dupes(lens_ids):
            out.append(P(f"duplicate lens id '{d}'", field="lenses"))
        if self.default_lens not in lens_ids:
            out.append(P(f"default_lens '{self.default_lens}' is not a declared lens; lenses: {lens_ids}", field="default_lens"))
        for clash in sorted(hset & set(lens_ids)):
            out.append(P(f"'{clash}' is both a hypothesis and a lens id; ids must differ", field="lenses"))
        src_keys = [s.key for s in self.sources]
        for d in _dupes(src_keys):
            out.append(P(f"source '{d}' is declared more than once", field="sources"))
        area_ids = {a.id for a in self.issue_areas}
        impl_ids = {i.id for i in self.implications}
        for imp in self.implications:  # a table row may leave hypotheses out (an extended case adds some)
            out += [p for p in self._keys_match(imp.predictions, hset, imp.id, "predictions")
                    if not p.message.startswith("missing")]
        item_ids = [e.id for e in self.evidence]
        for d in _dupes(item_ids):
            out.append(P(f"duplicate evidence id '{d}'", item=d, field="id"))
        known = set(item_ids)
        bib = self.references
        out += self._structure_problems(lens_ids, set(item_ids), area_ids, impl_ids)
        for d in _dupes([q.id for q in self.seed_questions]):
            out.append(P(f"duplicate seed question id '{d}'", field="seed_questions"))
        for q in self.seed_questions:
            for lens in q.quantiles:
                if lens not in lens_ids:
                    out.append(P(_unknown("lens", lens, lens_ids), item=q.id, field=f"seed_questions.{q.id}.quantiles"))
        props = {p.id: p for p in self.propositions}
        for e in self.evidence:
            bad = [b for b in e.parents if b != HYPOTHESES and b not in props]
            parent_ok = not bad
            for b in bad:
                out.append(P(_unknown_parent(str(b), list(props)), item=e.id, field="bears_on"))
            if parent_ok and len(e.parents) > 1 and not isinstance(e, LikelihoodItem):
                out.append(P(f"a {e.kind} item takes one parent (the hypotheses or one proposition), not "
                             f"{list(e.parents)}: bear it on one of them, or on a proposition that has these parents",
                             item=e.id, field="bears_on"))
                parent_ok = False
            for lens, j in e.judgements().items():
                if lens not in lens_ids:
                    out.append(P(_unknown("lens", lens, lens_ids), item=e.id, field=f"{_judgement_field(e)}.{lens}"))
                    continue
                if parent_ok:
                    out += self._parent_keys_match(j.values, e.parents, e.id, f"{_judgement_field(e)}.{lens}.values")
                if isinstance(j, LensJudgement) and j.values and all(v.mean == 0 for v in j.values.values()):
                    out.append(P("every likelihood is 0: such evidence is impossible under all hypotheses; "
                                 "at least one must be positive", item=e.id, field=f"likelihoods.{lens}.values"))
            if self.default_lens in lens_ids and self.default_lens not in e.judgements():
                out.append(P(f"no judgement for the default lens '{self.default_lens}' (items other lenses do not "
                             "rate fall back to it)", item=e.id, field=_judgement_field(e)))
            for g in e.given:
                if g not in known:
                    out.append(P(_unknown("item", g, sorted(known)), item=e.id, field="given"))
                elif g == e.id:
                    out.append(P("an item cannot be given itself", item=e.id, field="given"))
            if e.reported_by is not None and e.reported_by not in src_keys:
                out.append(P(_unknown("source", e.reported_by, src_keys) + " (declare it under sources: with a reliability)",
                             item=e.id, field="reported_by"))
            out += self._provenance_problems(e, area_ids, impl_ids)
        cycle = _find_cycle({e.id: [g for g in e.given if g in known] for e in self.evidence})
        if cycle:
            shown = " -> ".join(cycle if len(cycle) <= 12 else [*cycle[:10], f"... ({len(cycle) - 11} more)", cycle[-1]])
            out.append(P("'given' forms a cycle: " + shown, item=cycle[0], field="given"))
        if bib is not None:
            for s in self.sources:
                if s.key not in bib:
                    out.append(P(_unknown("BibTeX key", s.key, sorted(bib)), field=f"sources.{s.key}"))
        return out

    def _structure_problems(self, lens_ids: list[str], item_ids: set[str], area_ids: set[str],
                            impl_ids: set[str]) -> list[Problem]:
        """Problems of the propositions: ids, parents, cycles, tables keyed by the parent's values, rows."""
        P = Problem
        out: list[Problem] = []
        props = {p.id: p for p in self.propositions}
        for d in _dupes([p.id for p in self.propositions]):
            out.append(P(f"duplicate proposition id '{d}'", item=d, field="id"))
        for p in self.propositions:
            if p.id == HYPOTHESES:
                out.append(P(f"'{HYPOTHESES}' is reserved (it names the hypotheses as a parent)", item=p.id, field="id"))
            for what, ids in (("evidence item", item_ids), ("hypothesis", set(self.hypothesis_ids)),
                              ("lens", set(lens_ids))):
                if p.id in ids:
                    out.append(P(f"'{p.id}' is both a proposition and an {what} id; ids must differ", item=p.id,
                                 field="id"))
            parent_ok = True
            for b in p.parents:
                if b == p.id:
                    out.append(P("a proposition cannot bear on itself", item=p.id, field="bears_on"))
                    parent_ok = False
                elif b != HYPOTHESES and b not in props:
                    out.append(P(_unknown_parent(b, [q for q in props if q != p.id]), item=p.id, field="bears_on"))
                    parent_ok = False
            for lens, j in p.likelihoods.items():
                if lens not in lens_ids:
                    out.append(P(_unknown("lens", lens, lens_ids), item=p.id, field=f"likelihoods.{lens}"))
                    continue
                if parent_ok:
                    out += self._parent_keys_match(j.values, p.parents, p.id, f"likelihoods.{lens}.values")
                out += [P(msg, item=p.id, field=field) for msg, field in p.row_problems(lens, j)]
            if self.default_lens in lens_ids and self.default_lens not in p.likelihoods:
                out.append(P(f"no table for the default lens '{self.default_lens}' (lenses that do not rate a "
                             "proposition fall back to it); it has tables for: "
                             + (", ".join(p.likelihoods) or "no lens"), item=p.id, field="likelihoods"))
            out += self._provenance_problems(p, area_ids, impl_ids)
        cycle = _find_cycle({p.id: [b for b in p.parents if b in props and b != p.id] for p in self.propositions})
        if cycle:
            out.append(P("'bears_on' forms a cycle: " + " -> ".join(cycle), item=cycle[0], field="bears_on"))
        return out

    def _provenance_problems(self, node: Any, area_ids: set[str], impl_ids: set[str]) -> list[Problem]:
        """Unknown BibTeX keys, issue area or implication of an item or proposition."""
        P = Problem
        out: list[Problem] = []
        bib = self.references
        if bib is not None:
            for i, key in enumerate(node.sources):
                if key not in bib:
                    out.append(P(_unknown("BibTeX key", key, sorted(bib)), item=node.id, field=f"sources.{i}"))
        if self.issue_areas and node.issue_area is not None and node.issue_area not in area_ids:
            out.append(P(_unknown("issue area", node.issue_area, sorted(area_ids)), item=node.id, field="issue_area"))
        if node.implication is not None and node.implication not in impl_ids:
            out.append(P(_unknown("implication", node.implication, sorted(impl_ids)), item=node.id, field="implication"))
        return out

    def _parent_keys_match(self, values: Mapping[str, Any], parent: Any, item: str,
                           field: str) -> list[Problem]:
        """A judgement table must be keyed by its parent's values: hypothesis ids, or the parent's states.

        With several parents (or none), by every combination of their values, nested in the listed order.
        """
        parents = parents_tuple(parent)
        if len(parents) != 1:
            return self._joint_keys_match(values, parents, item, field)
        parent = parents[0]
        if parent in (None, HYPOTHESES):
            hset = set(self.hypothesis_ids)
            stray = [k for k in values if k not in hset]
            owners = [p.id for p in self.propositions if stray and set(stray) <= set(p.states)]
            if stray and owners and not set(values) & hset:
                return [Problem(f"this table is keyed by states {sorted(stray)} (of proposition '{owners[0]}'), but "
                                f"'{item}' bears on the hypotheses: key it by hypothesis ids, or set "
                                f"bears_on: {owners[0]}", item=item, field=field)]
            return self._keys_match(values, hset, item, field)
        prop = next(p for p in self.propositions if p.id == parent)
        states = prop.states
        if values and set(values) <= set(self.hypothesis_ids) and not set(values) & set(states):
            return [Problem(f"'{item}' bears on proposition '{parent}': key its table by that proposition's states "
                            f"{states}, not by hypotheses", item=item, field=field)]
        keys = set(values)
        if values and not keys & set(states):
            others = [p.id for p in self.propositions if p.id != parent and keys <= set(p.states)]
            if others:
                return [Problem(f"'{item}' bears on proposition '{parent}' (states {states}), but its table is keyed "
                                f"by {sorted(keys)}, the states of '{others[0]}': key it by {states}, or set "
                                f"bears_on: {others[0]}", item=item, field=field)]
        out = []
        for k in values:
            if k not in states:
                out.append(Problem(_unknown(f"state of '{parent}'", k, states), item=item, field=f"{field}.{k}"))
        missing = [s for s in states if s not in values]
        if missing:
            out.append(Problem(f"missing state {', '.join(repr(m) for m in missing)} of '{parent}': give a value "
                               "for every state", item=item, field=field))
        return out

    def _joint_keys_match(self, values: Mapping[str, Any], parents: tuple[str, ...], item: str,
                          field: str) -> list[Problem]:
        """Keys of a table over several parents (nested in order) or of a root fact's one row."""
        P = Problem
        if not parents:
            if set(values) != {ROOT_KEY}:
                return [P("a root fact (bears_on: []) has one row {state: probability, ...}, not a table keyed by "
                          f"{sorted(values)}: give bears_on its parents, or write the one row", item=item,
                          field=field)]
            return []
        axes = [self.hypothesis_ids if b == HYPOTHESES else self.proposition(b).states for b in parents]
        names = ["hypotheses" if b == HYPOTHESES else f"states of '{b}'" for b in parents]
        out: list[Problem] = []
        expected = self.parent_values(parents)
        split = [k.split(JOIN) for k in values]
        if split and all(len(parts) == len(parents) for parts in split):
            for level, axis in enumerate(axes):  # a whole level keyed by another parent's values: one message
                keys = sorted({parts[level] for parts in split})
                if set(keys) & set(axis):
                    continue
                other = [i for i, ax in enumerate(axes) if i != level and set(keys) <= set(ax)]
                if other:
                    return [P(f"level {level + 1} of this table is keyed by {keys}, the values of {names[other[0]]}, "
                              f"but the table nests its parents in the order of bears_on, {list(parents)}: level "
                              f"{level + 1} takes the {names[level]} {axis}. Swap the levels, or reorder bears_on",
                              item=item, field=f"{field}.{split[0][0]}" if level == 0 else field)]
        seen: set[str] = set()
        for k in values:
            parts = k.split(JOIN)
            if len(parts) != len(parents):
                out.append(P(f"this table must nest {len(parents)} levels, one per parent {list(parents)}",
                             item=item, field=f"{field}.{k}"))
                continue
            for level, (v, axis) in enumerate(zip(parts, axes, strict=True)):
                if v not in axis:
                    hint = ""
                    other = [i for i, ax in enumerate(axes) if i != level and v in ax]
                    if other:
                        hint = (f" ('{v}' is a value of {names[other[0]]}: the table nests the parents in the "
                                f"order of bears_on, {list(parents)})")
                    where = f"{field}.{JOIN.join(parts[:level + 1])}"
                    if where not in seen:
                        seen.add(where)
                        out.append(P(f"level {level + 1} of this table is keyed by the {names[level]} {axis}; "
                                     f"'{v}' is not one{hint}" + did_you_mean(v, axis), item=item, field=where))
                    break
        if not out:
            missing = [k for k in expected if k not in values]
            if missing:
                shown = ", ".join(" / ".join(m.split(JOIN)) for m in missing[:6])
                more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
                out.append(P(f"missing parent combination(s) {shown}{more}: a table over {list(parents)} needs a "
                             f"row for each of the {len(expected)} combinations", item=item, field=field))
        return out

    @staticmethod
    def _keys_match(values: Mapping[str, Any], hset: set[str], item: str, field: str) -> list[Problem]:
        out = []
        for k in values:
            if k not in hset:
                out.append(Problem(_unknown("hypothesis", k, sorted(hset)), item=item, field=f"{field}.{k}"))
        missing = sorted(hset - set(values))
        if missing:
            out.append(Problem(f"missing hypothesis {', '.join(repr(m) for m in missing)}: give a value for every hypothesis",
                               item=item, field=field))
        return out

    # ----------------------------------------------------------------- lookups

    @cached_property
    def hypothesis_ids(self) -> list[str]:
        """Hypothesis ids in case order."""
        return [h.id for h in self.hypotheses]

    @cached_property
    def family_ids(self) -> list[str]:
        """Family ids, declared ones first, in order of first use."""
        ids = [f.id for f in self.families]
        for h in self.hypotheses:
            if h.family_id not in ids:
                ids.append(h.family_id)
        return [f for f in ids if any(h.family_id == f for h in self.hypotheses)]

    @cached_property
    def lens_ids(self) -> list[str]:
        """Lens ids in case order."""
        return [ln.id for ln in self.lenses]

    def item(self, item_id: str) -> LikelihoodItem | TimelineItem | QuantityItem:
        """Return the evidence item with this id."""
        for e in self.evidence:
            if e.id == item_id:
                return e
        raise KeyError(_unknown("item", item_id, [e.id for e in self.evidence]))

    def source(self, key: str) -> Source | None:
        """Return the declared source with this key, or None."""
        return next((s for s in self.sources if s.key == key), None)

    def prior_vector(self) -> list[float]:
        """The case's prior (uniform when none is given)."""
        if all(h.prior is None for h in self.hypotheses):
            return [1.0 / len(self.hypotheses)] * len(self.hypotheses)
        priors = [float(h.prior) for h in self.hypotheses]  # type: ignore[arg-type]
        if self.prior_normalise:
            total = sum(priors)
            return [p / total for p in priors]
        return priors

    def prior_note(self) -> str | None:
        """One line for ``motives check`` when ``prior_normalise`` rescaled the priors, else None.

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.Case.model_validate({"name": "thirds", "prior_normalise": True, "hypotheses": [
        ...     {"id": "a", "prior": 0.333}, {"id": "b", "prior": 0.333}, {"id": "c", "prior": 0.333}]})
        >>> case.prior_note()
        'priors normalised (prior_normalise: true): they summed to 0.999, each divided by that sum'
        >>> [round(p, 4) for p in case.prior_vector()]
        [0.3333, 0.3333, 0.3333]
        """
        if not self.prior_normalise or all(h.prior is None for h in self.hypotheses):
            return None
        total = sum(float(h.prior) for h in self.hypotheses)  # type: ignore[arg-type]
        note = f"priors normalised (prior_normalise: true): they summed to {total:.6g}, each divided by that sum"
        if abs(total - 1.0) > 0.01:
            note += " -- more than rounding: is a hypothesis or a prior missing?"
        return note

    def resolve_lens(self, lens: str | None) -> str:
        """Return ``lens`` (or the default lens) after checking it exists."""
        lens = lens or self.default_lens
        if lens not in self.lens_ids:
            from motives.errors import CaseError

            raise CaseError([Problem(_unknown("lens", lens, self.lens_ids), field="lens")])
        return lens

    def resolve_target(self, target: str) -> Target:
        """A hypothesis, family or group (``group`` or ``grouping.group``), checked against the case.

        See :func:`motives.schema.groupings.resolve_target`.

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("cookies").resolve_target("bowl2").level
        'hypothesis'
        """
        from motives.schema.groupings import resolve_target

        return resolve_target(self, target)

    def regrouped(self, grouping: str) -> Case:
        """The same case with the groups of ``grouping`` as its families (to analyse a group as a family).

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.load("dice")
        >>> data = {**case.model_dump(), "groupings": [{"id": "size", "groups": [
        ...     {"id": "small", "hypotheses": ["d4", "d6", "d8"]}, {"id": "large", "hypotheses": ["d12", "d20"]}]}]}
        >>> mv.schema.Case.model_validate(data).regrouped("size").family_ids
        ['small', 'large']
        """
        g = next((g for g in self.groupings if g.id == grouping), None)
        if g is None:
            from motives.errors import CaseError

            raise CaseError([Problem(_unknown("grouping", grouping, [x.id for x in self.groupings]),
                                     field="groupings")])
        home = {h: grp.id for grp in g.groups for h in grp.hypotheses}
        return type(self).model_validate({
            **{k: getattr(self, k) for k in type(self).model_fields},
            "hypotheses": [h.model_copy(update={"family": home[h.id]}) for h in self.hypotheses],
            "families": [Family(id=grp.id, label=grp.label) for grp in g.groups],
        })

    def judgement(self, item: _ItemBase, lens: str | None = None) -> tuple[Any, bool]:
        """Return (judgement, fell_back): the lens's judgement, or the default lens's when it does not rate the item."""
        lens = self.resolve_lens(lens)
        j = item.judgements()
        if lens in j:
            return j[lens], False
        return j[self.default_lens], True

    def fallbacks(self, lens: str | None = None) -> list[str]:
        """Ids of the items and propositions ``lens`` does not rate (they use the default lens)."""
        lens = self.resolve_lens(lens)
        return ([p.id for p in self.propositions if lens not in p.likelihoods]
                + [e.id for e in self.evidence if lens not in e.judgements()])

    # ----------------------------------------------------------------- structure

    @property
    def structured(self) -> bool:
        """True when the case declares propositions.

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("burglary").structured, mv.examples.cookie_case().structured
        (True, False)
        """
        return bool(self.propositions)

    @cached_property
    def proposition_ids(self) -> list[str]:
        """Proposition ids in case order.

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("burglary").proposition_ids
        ['at_scene', 'had_motive']
        """
        return [p.id for p in self.propositions]

    def proposition(self, prop_id: str) -> Proposition:
        """Return the proposition with this id.

        Examples
        --------
        >>> import motives as mv
        >>> prop = mv.examples.load("burglary").proposition("at_scene")
        >>> prop.title, prop.states, prop.bears_on
        ('The suspect was at the scene that night', ['yes', 'no'], 'hypotheses')
        """
        for p in self.propositions:
            if p.id == prop_id:
                return p
        raise KeyError(_unknown("proposition", prop_id, self.proposition_ids))

    def parent_of(self, node_id: str) -> str:
        """The parent of an item or proposition: ``'hypotheses'`` or a proposition id.

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.load("burglary")
        >>> case.parent_of("fibres_match"), case.parent_of("at_scene")
        ('at_scene', 'hypotheses')
        """
        node = next((p for p in self.propositions if p.id == node_id), None) or self.item(node_id)
        parents = node.parents
        if len(parents) != 1:
            raise ValueError(f"'{node_id}' has {len(parents)} parents {list(parents)}: use Case.parents_of")
        return parents[0]

    def parents_of(self, node_id: str) -> tuple[str, ...]:
        """The parents of an item or proposition, in order (``()`` for a root fact).

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.load("burglary")
        >>> case.parents_of("fibres_match"), case.parents_of("at_scene")
        (('at_scene',), ('hypotheses',))
        """
        node = next((p for p in self.propositions if p.id == node_id), None) or self.item(node_id)
        return node.parents

    def parent_labels(self, parent: Any) -> list[str]:
        """Readable labels of the rows :meth:`parent_values` gives ("burglary, yes"; "prior" for a root fact).

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("burglary").parent_labels("at_scene")
        ['yes', 'no']
        """
        return ["prior" if v == ROOT_KEY else ", ".join(v.split(JOIN)) for v in self.parent_values(parent)]

    def ancestors(self, node_id: str) -> list[str]:
        """The propositions above a node (its parents, theirs, ...), parents before children.

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("burglary").ancestors("fibres_match")
        ['at_scene']
        """
        seen: set[str] = set()
        todo = [b for b in self.parents_of(node_id) if b != HYPOTHESES]
        while todo:
            b = todo.pop()
            if b not in seen:
                seen.add(b)
                todo += [c for c in self.proposition(b).parents if c != HYPOTHESES]
        return [p for p in self.proposition_order() if p in seen]

    def parent_values(self, parent: Any) -> list[str]:
        """The values a table under ``parent`` is keyed by: hypothesis ids, or the parent's states.

        ``parent`` may be a tuple of parents (a node's :attr:`~motives.schema.Proposition.parents`): with
        several, every combination of their values joined with ``.`` in nested order (the first parent
        outermost); for a root fact, the one key ``'*'``.

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
        axes = [self.hypothesis_ids if b == HYPOTHESES else self.proposition(b).states for b in parents]
        if len(axes) == 1:
            return list(axes[0])
        return [JOIN.join(c) for c in itertools.product(*axes)]

    def children(self, parent: str | None = HYPOTHESES) -> tuple[list[str], list[str]]:
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
        return ([p.id for p in self.propositions if parent in p.parents],
                [e.id for e in self.evidence if parent in e.parents])

    def proposition_order(self) -> list[str]:
        """Proposition ids with every parent before its children (case order otherwise).

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("burglary").proposition_order()
        ['at_scene', 'had_motive']
        """
        order: list[str] = []
        pending = list(self.propositions)
        while pending:
            ready = [p for p in pending if all(b == HYPOTHESES or b in order for b in p.parents)]
            if not ready:  # a cycle (refused when the case is built): keep the rest in case order
                ready = pending
            order += [p.id for p in ready]
            pending = [p for p in pending if p.id not in order]
        return order

    def path_to_hypotheses(self, node_id: str) -> list[str]:
        """Propositions from the top (bearing on the hypotheses) down to ``node_id``'s parent.

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.load("burglary")
        >>> case.path_to_hypotheses("fibres_match"), case.path_to_hypotheses("at_scene")
        (['at_scene'], [])
        """
        chain: list[str] = []
        parent = self.parent_of(node_id)
        while parent != HYPOTHESES:
            chain.insert(0, parent)
            parent = self.parent_of(parent)
        return chain

    def unused_propositions(self) -> list[str]:
        """Propositions no item bears on, directly or through other propositions.

        They change nothing: P(E | h) sums their table rows to 1.

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("burglary").unused_propositions()
        []
        """
        used: set[str] = set()
        for node in [*self.evidence, *(p for p in self.propositions if p.observed is not None)]:
            if node.parents != (HYPOTHESES,):
                used.update(self.ancestors(node.id))
            if getattr(node, "observed", None) is not None:
                used.add(node.id)
        return [p for p in self.proposition_ids if p not in used]

    def proposition_table(self, prop_id: str, lens: str | None = None) -> pd.DataFrame:
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

        prop = self.proposition(prop_id)
        j, _ = self.judgement(prop, lens)
        rows = [prop.row(j, v)[0] for v in self.parent_values(prop.parents)]
        df = pd.DataFrame(rows, index=pd.Index(self.parent_labels(prop.parents), name="parent"), columns=prop.states, dtype=float)
        return df

    def likelihood_table(self, lens: str | None = None, *, stat: Literal["mean", "sd"] = "mean") -> pd.DataFrame:
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
        for e in self.evidence:
            if not isinstance(e, LikelihoodItem):
                continue
            j, fell = self.judgement(e, lens)
            if e.parents == (HYPOTHESES,):
                vals = [j.values[h].mean if stat == "mean" else j.values[h].belief.sd for h in self.hypothesis_ids]
            else:
                import numpy as np

                col = [j.values[s].mean if stat == "mean" else j.values[s].belief.sd
                       for s in self.parent_values(e.parents)]
                m = self.implied_parents(e.parents, lens)
                vals = list(m @ np.array(col) if stat == "mean" else np.sqrt((m**2) @ np.square(col)))
            rows.append(vals)
            index.append(e.id)
            fb.append(fell)
        df = pd.DataFrame(rows, index=pd.Index(index, name="evidence"), columns=self.hypothesis_ids, dtype=float)
        df.columns.name = None
        df["fallback"] = fb
        return df

    def implied_matrix(self, prop_id: str, lens: str | None = None) -> Any:
        """P(state of ``prop_id`` | h): the product of the table means from the hypotheses down, (K, S).

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("burglary").implied_matrix("at_scene").round(2)
        array([[0.8, 0.2],
               [0.1, 0.9]])
        """
        import numpy as np

        chain = [*self.ancestors(prop_id), prop_id]
        if all(len(self.proposition(p).parents) == 1 for p in chain):  # a chain: a product of matrices
            m = np.eye(len(self.hypothesis_ids))
            for pid in chain:
                prop = self.proposition(pid)
                j, _ = self.judgement(prop, lens)
                m = m @ np.array([prop.row(j, v)[0] for v in self.parent_values(prop.parents)], dtype=float)
            return m
        return self.implied_parents((prop_id,), lens)

    def implied_parents(self, parents: Any, lens: str | None = None) -> Any:
        """P(parent configuration | h) for a node with these parents, (K, V) in :meth:`parent_values` order.

        Without evidence every other fact sums out: the joint of the hypotheses and the parents' ancestors is
        built parents first (root facts with their prior) and marginalised onto the parents.

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
            chain += [a for a in self.ancestors(f) if a not in chain]
        chain = [p for p in self.proposition_order() if p in set(chain) | set(facts)]
        axes = [HYPOTHESES, *chain]
        card = [len(self.hypothesis_ids)] + [len(self.proposition(p).states) for p in chain]
        joint = np.ones(card[0])
        for i, pid in enumerate(chain, start=1):
            prop = self.proposition(pid)
            j, _ = self.judgement(prop, lens)
            table = np.array([prop.row(j, v)[0] for v in self.parent_values(prop.parents)], dtype=float)
            pos = [axes.index(b) for b in prop.parents]
            table = table.reshape([card[k] for k in pos] + [card[i]])
            src = [*pos, i]
            view = np.einsum(table, src, sorted(src)) if len(src) > 1 else table  # axes in joint order
            shape = [card[k] if k in src else 1 for k in range(i + 1)]
            joint = joint[..., None] * view.reshape(shape)
        keep = [axes.index(b) for b in parents]
        facts_kept = [k for k in keep if k != 0]
        out = np.einsum(joint, list(range(len(axes))), [0, *facts_kept])  # (K, the other parents...)
        if 0 in keep:  # the hypotheses are a parent: P(config | h) is 0 unless the config's hypothesis is h
            K = card[0]
            shape = [K] + [card[k] if k else K for k in keep]
            full = np.zeros(shape)
            for h in range(K):
                idx = tuple(h if k == 0 else slice(None) for k in keep)
                full[(h, *idx)] = out[h]
            out = full
        return out.reshape(card[0], -1)

    def proposition_cap_db(self, prop_id: str, lens: str | None = None) -> float:
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

        prop = self.proposition(prop_id)
        j, _ = self.judgement(prop, lens)
        rows = [prop.row(j, v)[0] for v in self.parent_values(prop.parents)]
        best = 0.0
        for a in rows:
            for b in rows:
                for pa, pb in zip(a, b, strict=True):
                    if pa > 0 and pb == 0:
                        return math.inf
                    if pa > 0:
                        best = max(best, 10 * math.log10(pa / pb))
        return best

    def implication_table(self) -> pd.DataFrame:
        """Table 1 from the data: each implication's prediction per hypothesis, and the items that test it.

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.cookie_case().implication_table().shape
        (0, 3)
        """
        import pandas as pd

        rows = []
        for imp in self.implications:
            tested = ([p.id for p in self.propositions if p.implication == imp.id]
                      + [e.id for e in self.evidence if e.implication == imp.id])
            rows.append([imp.title, *[imp.predictions.get(h, "") for h in self.hypothesis_ids], tested])
        df = pd.DataFrame(rows, columns=["implication", *self.hypothesis_ids, "items"],
                          index=pd.Index([i.id for i in self.implications], name="implication_id"))
        return df if rows else df.loc[:, ["implication", *self.hypothesis_ids[:1], "items"]]

    def non_diagnostic(self, lens: str | None = None, tol: float = 1e-12) -> list[str]:
        """Ids of likelihood items (and propositions) whose means are equal across their parent's values.

        Such a node changes nothing, whatever bears on it.
        """
        out = []
        for p in self.propositions:
            if p.is_root:  # one row: nothing to compare (it is a prior, not a test)
                continue
            j, _ = self.judgement(p, lens)
            rows = [p.row(j, v)[0] for v in self.parent_values(p.parents)]
            if all(max(c) - min(c) <= tol for c in zip(*rows, strict=True)):
                out.append(p.id)
        for e in self.evidence:
            if isinstance(e, LikelihoodItem):
                j, _ = self.judgement(e, lens)
                m = [j.values[h].mean for h in self.parent_values(e.parents)]
                if max(m) - min(m) <= tol:
                    out.append(e.id)
        return out

    def zero_cells(self, lens: str | None = None) -> list[tuple[str, str]]:
        """(item, hypothesis) pairs whose likelihood is 0: the item rules that hypothesis out.

        For an item under a proposition the pair names a state of that proposition.
        """
        out = []
        for e in self.evidence:
            if isinstance(e, LikelihoodItem):
                j, _ = self.judgement(e, lens)
                out += [(e.id, h) for h in self.parent_values(e.parents) if j.values[h].mean == 0]
        return out

    def to_pgmpy(self, lens: str | None = None, prior: Any = None, *, reliability: bool = True) -> Any:
        """The case under one lens as a pgmpy ``DiscreteBayesianNetwork`` with the exact engine's posterior.

        A ``hypothesis`` node, one node per proposition and one binary node per item (evidence: every item
        node in its first state, ``observed``); sources of uncertain reliability become discrete nodes over
        the exact engine's quadrature points. :func:`motives.bn.network` returns the evidence and the name
        mapping too; ``motives export`` writes the network as BIF, XMLBIF or Hugin NET. Needs pgmpy
        (``pip install 'motives[export]'``).

        Examples
        --------
        >>> import motives as mv
        >>> model = mv.examples.load("burglary").to_pgmpy()
        >>> type(model).__name__, sorted(model.get_children("hypothesis"))
        ('DiscreteBayesianNetwork', ['at_scene', 'had_motive'])
        """
        from motives.bn import to_pgmpy  # layer 3, imported lazily: the one sanctioned upward call (ARCHITECTURE.md)

        return to_pgmpy(self, lens, prior, reliability=reliability)

    # ----------------------------------------------------------------- what if: a new case with one thing changed

    def with_judgement(self, node: str, lens: str | None = None, values: Mapping[str, Any] | None = None, *,
                       ratios: Mapping[str, float] | None = None, decibans: Mapping[str, float] | None = None,
                       van_evera: Mapping[str, Any] | None = None, confidence: str | None = None,
                       rationale: str | None = None) -> Case:
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
        >>> case.with_judgement("vanilla", ratios={"bowl1": 1, "bowl2": 1}).likelihood_table()["bowl2"].tolist()
        [1.0]
        """
        forms = {k: v for k, v in (("values", values), ("ratios", ratios), ("decibans", decibans),
                                   ("van_evera", van_evera)) if v is not None}
        if len(forms) != 1:
            raise TypeError("give exactly one of values, ratios, decibans, van_evera")
        lens = self.resolve_lens(lens)
        target = next((p for p in self.propositions if p.id == node), None)
        target = target if target is not None else self.item(node)
        old, _ = self.judgement(target, lens)
        data: dict[str, Any] = {"rationale": old.rationale if rationale is None else rationale}
        conf = confidence if confidence is not None else getattr(old, "confidence", None)
        if conf is not None:
            data["confidence"] = conf
        if "values" in forms:
            data["values"] = {**old.values, **dict(forms["values"])}
        else:
            data.update({k: dict(v) for k, v in forms.items()})
        field = "likelihoods" if isinstance(target, Proposition) else _judgement_field(target)
        from pydantic import ValidationError

        try:
            judgement = type(old).model_validate(data)
        except ValidationError as exc:
            raise _case_error(exc, item=node, prefix=f"{field}.{lens}") from None
        judged = {**getattr(target, field), lens: judgement}
        new = target.model_copy(update={field: judged})
        if isinstance(new, Proposition):
            return self._replaced(propositions=[new if p.id == node else p for p in self.propositions])
        return self._replaced(evidence=[new if e.id == node else e for e in self.evidence])

    def with_prior(self, prior: Mapping[str, float] | list[float] | str | None, *, normalise: bool = False) -> Case:
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
        ids = self.hypothesis_ids
        if prior is None or prior == "uniform":
            vec: list[Any] = [None] * len(ids)
        elif isinstance(prior, str):
            raise ValueError(f"prior must be 'uniform', None, a mapping or a list, got {prior!r}")
        elif isinstance(prior, Mapping):
            unknown = [k for k in prior if k not in ids]
            if unknown:
                raise KeyError(_unknown("hypothesis", unknown[0], ids))
            vec = [prior.get(h) for h in ids]
        else:
            vec = list(prior)
            if len(vec) != len(ids):
                raise ValueError(f"prior has {len(vec)} entries; the case has {len(ids)} hypotheses")
        if normalise:
            vec = [None if p is None else float(p) for p in vec]
            given = [p for p in vec if p is not None]
            top = max(given) if given else 1.0
            vec = [None if p is None else p / top for p in vec]  # within [0, 1]; prior_normalise does the rest
        hyps = [h.model_copy(update={"prior": None if p is None else float(p)}) for h, p in
                zip(self.hypotheses, vec, strict=True)]
        hyps = [Hypothesis.model_validate(h.model_dump()) for h in hyps]  # the field checks (0 <= p <= 1)
        return self._replaced(hypotheses=hyps, prior_normalise=normalise or self.prior_normalise)

    def with_reliability(self, source: str, value: Any) -> Case:
        """A new case in which a declared source's reliability is ``value`` (any likelihood form).

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.load("burglary")
        >>> case.with_reliability("neighbour", 0.5).source("neighbour").reliability.mean
        0.5
        """
        if self.source(source) is None:
            raise KeyError(_unknown("source", source, [s.key for s in self.sources]))
        sources = [s.model_copy(update={"reliability": Likelihood.model_validate(value)}) if s.key == source else s
                   for s in self.sources]
        return self._replaced(sources=sources)

    def without_items(self, ids: list[str] | tuple[str, ...] | set[str]) -> Case:
        """A new case without these evidence items (a proposition id drops it with everything under it).

        Items that are ``given`` a dropped item make the new case invalid (their likelihoods were
        conditional on it): drop them too, or rejudge them.

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.load("burglary")
        >>> fewer = case.without_items(["had_motive", "fibres_match"])  # a proposition goes with its items
        >>> fewer.proposition_ids, [e.id for e in fewer.evidence]
        (['at_scene'], ['neighbour_saw_suspect', 'phone_near_scene'])
        """
        ids = [ids] if isinstance(ids, str) else list(ids)
        known = set(self.proposition_ids) | {e.id for e in self.evidence}
        for i in ids:
            if i not in known:
                raise KeyError(_unknown("item or proposition", i, sorted(known)))
        drop = set(ids)
        changed = True
        while changed:  # a dropped proposition takes its subtree with it
            under = {p.id for p in self.propositions if set(p.parents) & drop}
            under |= {e.id for e in self.evidence if set(e.parents) & drop}
            changed = not under <= drop
            drop |= under
        return self._replaced(propositions=[p for p in self.propositions if p.id not in drop],
                              evidence=[e for e in self.evidence if e.id not in drop])

    def with_item(self, item: Any) -> Case:
        """A new case with this evidence item added (or replacing the item with its id); a dict or a record.

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.cookie_case()
        >>> more = case.with_item({"id": "second_vanilla", "title": "Another vanilla cookie",
        ...                        "likelihoods": {"bowl1": 0.75, "bowl2": 0.5}})
        >>> round(float(mv.exact_posterior(more).loc[("hypothesis", "bowl1"), "credence"]), 4)
        0.6923
        """
        item_id = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
        evidence: list[Any] = list(self.evidence)
        at = next((k for k, e in enumerate(evidence) if e.id == item_id), None)
        if at is None:
            evidence.append(dict(item) if isinstance(item, Mapping) else item)
        else:
            evidence[at] = dict(item) if isinstance(item, Mapping) else item
        return self._replaced(evidence=evidence)

    def _replaced(self, **changes: Any) -> Case:
        """The case with some fields replaced, validated again; problems raise :class:`motives.CaseError`."""
        from pydantic import ValidationError

        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            raise _case_error(exc) from None

    def _repr_html_(self) -> str:
        from motives.display import case_html

        return case_html(self)


def _case_error(exc: Any, item: str | None = None, prefix: str = "") -> Exception:
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


def _fill_others(data: dict[str, Any]) -> dict[str, Any]:
    """Write out ``others`` (a Van Evera template's rest) for every parent value a judgement does not name."""
    def ident(x: Any, key: str = "id") -> Any:
        return x.get(key) if isinstance(x, dict) else getattr(x, key, None)

    hyp = [ident(h) for h in data.get("hypotheses") or []]
    states: dict[Any, list[Any]] = {}
    for pr in data.get("propositions") or []:
        st = ident(pr, "states")
        states[ident(pr)] = list(st) if isinstance(st, list) else ["yes", "no"]
    items = []
    for it in data.get("evidence") or []:
        lk = ident(it, "likelihoods")
        if isinstance(lk, dict) and any(_has_others(j) for j in lk.values()):
            parent = ident(it, "bears_on")
            parents = parent if isinstance(parent, list | tuple) else [parent]
            axes = [hyp if b in (None, HYPOTHESES) else states.get(b) if isinstance(b, str) else None for b in parents]
            pv = None
            if parents and all(isinstance(ax, list) for ax in axes):
                import itertools

                pv = [JOIN.join(c) for c in itertools.product(*axes)] if len(axes) > 1 else axes[0]
            if pv is not None and all(isinstance(v, str) for v in pv):
                new = {}
                for lens, j in lk.items():
                    if _has_others(j) and isinstance(j, dict):
                        try:
                            j = LensJudgement.model_validate(j)
                        except ValueError:
                            new[lens] = j  # reported where it stands by the normal validation
                            continue
                    new[lens] = j.filled(pv) if isinstance(j, LensJudgement) else j
                it = {**it, "likelihoods": new} if isinstance(it, dict) else it.model_copy(update={"likelihoods": new})
        items.append(it)
    return {**data, "evidence": items}


def _has_others(j: Any) -> bool:
    if isinstance(j, LensJudgement):
        return j.others is not None
    return isinstance(j, dict) and ("others" in j or "van_evera" in j)


def _judgement_field(e: Any) -> str:
    return {"likelihood": "likelihoods", "timeline": "trends", "quantity": "predictive"}[e.kind]
