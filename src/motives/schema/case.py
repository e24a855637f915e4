"""Files and the whole case: evidence files, ``case.yaml``, and :class:`Case` with its cross-checks."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from motives.errors import Problem, ReferenceProblems
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
from motives.schema.forms import PRIOR_TOLERANCE, Id, Record, _unknown
from motives.schema.records import Family, Hypothesis, Implication, IssueArea, Lens, SeedQuestion, Source
from motives.schema.structure import HYPOTHESES, Proposition

if TYPE_CHECKING:
    import pandas as pd

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
    families: list[Family] = Field(default_factory=list)
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
    families: list[Family] = Field(default_factory=list)
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
        return data

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
        elif given_priors and abs(sum(given_priors) - 1.0) > PRIOR_TOLERANCE:
            out.append(P(f"priors must sum to 1, they sum to {sum(given_priors):.6g}", field="hypotheses.prior"))
        elif given_priors and not any(p > 0 for p in given_priors):
            out.append(P("at least one prior must be positive", field="hypotheses.prior"))
        fam_ids = [f.id for f in self.families]
        for d in _dupes(fam_ids):
            out.append(P(f"duplicate family id '{d}'", field="families"))
        if self.families:
            for h in self.hypotheses:
                if h.family_id not in fam_ids:
                    out.append(P(f"unknown family '{h.family_id}'; declared families: {fam_ids}", item=h.id, field="family"))
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
            parent_ok = e.bears_on in (None, HYPOTHESES) or e.bears_on in props
            if not parent_ok:
                out.append(P(_unknown("proposition", str(e.bears_on), list(props)) + " ('hypotheses' or a declared "
                             "proposition id)", item=e.id, field="bears_on"))
            for lens, j in e.judgements().items():
                if lens not in lens_ids:
                    out.append(P(_unknown("lens", lens, lens_ids), item=e.id, field=f"{_judgement_field(e)}.{lens}"))
                    continue
                if parent_ok:
                    out += self._parent_keys_match(j.values, e.bears_on, e.id, f"{_judgement_field(e)}.{lens}.values")
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
            if bib is not None:
                for i, key in enumerate(e.sources):
                    if key not in bib:
                        out.append(P(_unknown("BibTeX key", key, sorted(bib)), item=e.id, field=f"sources.{i}"))
            if self.issue_areas and e.issue_area is not None and e.issue_area not in area_ids:
                out.append(P(_unknown("issue area", e.issue_area, sorted(area_ids)), item=e.id, field="issue_area"))
            if e.implication is not None and e.implication not in impl_ids:
                out.append(P(_unknown("implication", e.implication, sorted(impl_ids)), item=e.id, field="implication"))
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
            parent_ok = p.bears_on == HYPOTHESES or p.bears_on in props
            if not parent_ok:
                out.append(P(_unknown("proposition", p.bears_on, [q for q in props if q != p.id])
                             + " ('hypotheses' or a declared proposition id)", item=p.id, field="bears_on"))
            elif p.bears_on == p.id:
                out.append(P("a proposition cannot bear on itself", item=p.id, field="bears_on"))
                parent_ok = False
            for lens, j in p.likelihoods.items():
                if lens not in lens_ids:
                    out.append(P(_unknown("lens", lens, lens_ids), item=p.id, field=f"likelihoods.{lens}"))
                    continue
                if parent_ok:
                    out += self._parent_keys_match(j.values, p.bears_on, p.id, f"likelihoods.{lens}.values")
                out += [P(msg, item=p.id, field=field) for msg, field in p.row_problems(lens, j)]
            if self.default_lens in lens_ids and self.default_lens not in p.likelihoods:
                out.append(P(f"no table for the default lens '{self.default_lens}' (lenses that do not rate a "
                             "proposition fall back to it)", item=p.id, field="likelihoods"))
            bib = self.references
            if bib is not None:
                for i, key in enumerate(p.sources):
                    if key not in bib:
                        out.append(P(_unknown("BibTeX key", key, sorted(bib)), item=p.id, field=f"sources.{i}"))
            if self.issue_areas and p.issue_area is not None and p.issue_area not in area_ids:
                out.append(P(_unknown("issue area", p.issue_area, sorted(area_ids)), item=p.id, field="issue_area"))
            if p.implication is not None and p.implication not in impl_ids:
                out.append(P(_unknown("implication", p.implication, sorted(impl_ids)), item=p.id, field="implication"))
        cycle = _find_cycle({p.id: [p.bears_on] for p in self.propositions
                             if p.bears_on in props and p.bears_on != p.id})
        if cycle:
            out.append(P("'bears_on' forms a cycle: " + " -> ".join(cycle), item=cycle[0], field="bears_on"))
        return out

    def _parent_keys_match(self, values: Mapping[str, Any], parent: str | None, item: str,
                           field: str) -> list[Problem]:
        """A judgement table must be keyed by its parent's values: hypothesis ids, or the parent's states."""
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
        out = []
        for k in values:
            if k not in states:
                out.append(Problem(_unknown(f"state of '{parent}'", k, states), item=item, field=f"{field}.{k}"))
        missing = [s for s in states if s not in values]
        if missing:
            out.append(Problem(f"missing state {', '.join(repr(m) for m in missing)} of '{parent}': give a value "
                               "for every state", item=item, field=field))
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
        return [float(h.prior) for h in self.hypotheses]  # type: ignore[arg-type]

    def resolve_lens(self, lens: str | None) -> str:
        """Return ``lens`` (or the default lens) after checking it exists."""
        lens = lens or self.default_lens
        if lens not in self.lens_ids:
            from motives.errors import CaseError

            raise CaseError([Problem(_unknown("lens", lens, self.lens_ids), field="lens")])
        return lens

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
        return node.bears_on or HYPOTHESES

    def parent_values(self, parent: str | None) -> list[str]:
        """The values a table under ``parent`` is keyed by: hypothesis ids, or the parent's states.

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.load("burglary")
        >>> case.parent_values("hypotheses"), case.parent_values("at_scene")
        (['suspect', 'someone_else'], ['yes', 'no'])
        """
        if parent in (None, HYPOTHESES):
            return self.hypothesis_ids
        return self.proposition(parent).states

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
        return ([p.id for p in self.propositions if p.bears_on == parent],
                [e.id for e in self.evidence if (e.bears_on or HYPOTHESES) == parent])

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
            ready = [p for p in pending if p.bears_on == HYPOTHESES or p.bears_on in order]
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
            parent = self.proposition(parent).bears_on
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
        for e in self.evidence:
            if e.bears_on not in (None, HYPOTHESES):
                used.update(self.path_to_hypotheses(e.id))
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
        pv = self.parent_values(prop.bears_on)
        rows = [prop.row(j, v)[0] for v in pv]
        df = pd.DataFrame(rows, index=pd.Index(pv, name="parent"), columns=prop.states, dtype=float)
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
            if e.bears_on in (None, HYPOTHESES):
                vals = [j.values[h].mean if stat == "mean" else j.values[h].belief.sd for h in self.hypothesis_ids]
            else:
                import numpy as np

                states = self.proposition(e.bears_on).states
                col = [j.values[s].mean if stat == "mean" else j.values[s].belief.sd for s in states]
                m = self.implied_matrix(e.bears_on, lens)
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

        m = np.eye(len(self.hypothesis_ids))
        for pid in [*self.path_to_hypotheses(prop_id), prop_id]:
            prop = self.proposition(pid)
            j, _ = self.judgement(prop, lens)
            m = m @ np.array([prop.row(j, v)[0] for v in self.parent_values(prop.bears_on)], dtype=float)
        return m

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
            j, _ = self.judgement(p, lens)
            rows = [p.row(j, v)[0] for v in self.parent_values(p.bears_on)]
            if all(max(c) - min(c) <= tol for c in zip(*rows, strict=True)):
                out.append(p.id)
        for e in self.evidence:
            if isinstance(e, LikelihoodItem):
                j, _ = self.judgement(e, lens)
                m = [j.values[h].mean for h in self.parent_values(e.bears_on)]
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
                out += [(e.id, h) for h in self.parent_values(e.bears_on) if j.values[h].mean == 0]
        return out

    def _repr_html_(self) -> str:
        from motives.display import case_html

        return case_html(self)


def _judgement_field(e: Any) -> str:
    return {"likelihood": "likelihoods", "timeline": "trends", "quantity": "predictive"}[e.kind]
