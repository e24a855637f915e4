"""Files and the whole case: evidence files, ``case.yaml``, :class:`Case` and its cross-checks."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, StrictBool, model_validator

from motives.errors import Problem, ReferenceProblems
from motives.schema import checks, graph, tables, whatif
from motives.schema.evidence import (
    Amendment,
    EvidenceItem,
    ItemBase,
    LensJudgement,
    LikelihoodItem,
    QuantityItem,
    TimelineItem,
    kind_of,
)
from motives.schema.forms import Id, Record, unknown_message
from motives.schema.groupings import GROUPINGS_DOC, Grouping, Target
from motives.schema.records import (
    Family,
    Hypothesis,
    Implication,
    IssueArea,
    Lens,
    SeedQuestion,
    Source,
)
from motives.schema.structure import HYPOTHESES, JOIN, Proposition

if TYPE_CHECKING:
    import pandas as pd

PRIOR_NORMALISE_DOC = (
    "Divide the priors by their sum (for priors written to limited precision, e.g. 0.333 for "
    "thirds); motives check reports the sum."
)


class EvidenceFile(Record):
    """One evidence YAML file."""

    issue_area: Id | None = Field(
        default=None, description="Default issue area of the items below."
    )
    sources: list[Source] = Field(default_factory=list)
    propositions: list[Proposition] = Field(
        default_factory=list, description="Unobserved facts items bear on."
    )
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
        default=None,
        description="BibTeX file(s), relative to the case folder; default references.bib if "
        "present.",
    )
    hypotheses: list[Hypothesis] = Field(min_length=2)
    prior_normalise: StrictBool = Field(default=False, description=PRIOR_NORMALISE_DOC)
    families: list[Family] = Field(default_factory=list)
    groupings: list[Grouping] = Field(default_factory=list, description=GROUPINGS_DOC)
    lenses: list[Lens] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    issue_areas: list[IssueArea] = Field(default_factory=list)
    implications: list[Implication] = Field(default_factory=list)
    propositions: list[Proposition] = Field(
        default_factory=list, description="Unobserved facts items bear on."
    )
    seed_questions: list[SeedQuestion] = Field(
        default_factory=list, description="Known quantities each lens estimated (calibration)."
    )


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
            if isinstance(it, dict) and kind_of(it) == "likelihood":
                it = LikelihoodItem.expand_shorthand(it)
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
                pr = Proposition.expand_shorthand(pr)
            plk: Any = pr.get("likelihoods") if isinstance(pr, dict) else pr.likelihoods
            if isinstance(plk, dict) and "__default__" in plk:
                plk = dict(plk)
                plk[data["default_lens"]] = plk.pop("__default__")
                pr = (
                    {**pr, "likelihoods": plk}
                    if isinstance(pr, dict)
                    else pr.model_copy(update={"likelihoods": plk})
                )
            props.append(pr)
        data["propositions"] = props
        return _fill_others(data)

    @model_validator(mode="after")
    def _cross_references(self) -> Case:
        problems = checks.case_problems(self)
        if problems:
            raise ReferenceProblems(problems)
        return self

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
        raise KeyError(unknown_message("item", item_id, [e.id for e in self.evidence]))

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
        >>> case = mv.Case.model_validate(
        ...     {
        ...         "name": "thirds",
        ...         "prior_normalise": True,
        ...         "hypotheses": [
        ...             {"id": "a", "prior": 0.333},
        ...             {"id": "b", "prior": 0.333},
        ...             {"id": "c", "prior": 0.333},
        ...         ],
        ...     }
        ... )
        >>> case.prior_note()
        'priors normalised (prior_normalise: true): they summed to 0.999, each divided by that sum'
        >>> [round(p, 4) for p in case.prior_vector()]
        [0.3333, 0.3333, 0.3333]
        """
        if not self.prior_normalise or all(h.prior is None for h in self.hypotheses):
            return None
        total = sum(float(h.prior or 0.0) for h in self.hypotheses)
        note = (
            f"priors normalised (prior_normalise: true): they summed to {total:.6g}, each "
            "divided by that sum"
        )
        if abs(total - 1.0) > 0.01:
            note += " -- more than rounding: is a hypothesis or a prior missing?"
        return note

    def resolve_lens(self, lens: str | None) -> str:
        """Return ``lens`` (or the default lens) after checking it exists."""
        lens = lens or self.default_lens
        if lens not in self.lens_ids:
            from motives.errors import CaseError

            raise CaseError([Problem(unknown_message("lens", lens, self.lens_ids), field="lens")])
        return lens

    def resolve_target(self, target: str) -> Target:
        """A hypothesis, family or group, checked against the case.

        A group is written ``group`` or ``grouping.group``.

        See :func:`motives.schema.groupings.resolve_target`.

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("cookies").resolve_target("bowl2").level
        'hypothesis'
        """
        from motives.schema.groupings import resolve_target

        return resolve_target(self, target)

    def judgement(self, item: ItemBase | Proposition, lens: str | None = None) -> tuple[Any, bool]:
        """Return (judgement, fell_back).

        The lens's judgement, or the default lens's when it does not rate the item.
        """
        lens = self.resolve_lens(lens)
        j = item.judgements()
        if lens in j:
            return j[lens], False
        return j[self.default_lens], True

    def fallbacks(self, lens: str | None = None) -> list[str]:
        """Ids of the items and propositions ``lens`` does not rate (they use the default lens)."""
        lens = self.resolve_lens(lens)
        return [p.id for p in self.propositions if lens not in p.likelihoods] + [
            e.id for e in self.evidence if lens not in e.judgements()
        ]

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
        raise KeyError(unknown_message("proposition", prop_id, self.proposition_ids))

    # The queries below live in motives.schema.graph and motives.schema.tables (functions of a
    # case); these methods are the short spellings notebooks and scripts use, and only delegate.

    def parent_of(self, node_id: str) -> str:
        """The parent of an item or proposition; see :func:`motives.schema.graph.parent_of`."""
        return graph.parent_of(self, node_id)

    def parents_of(self, node_id: str) -> tuple[str, ...]:
        """The parents of a node, in order; see :func:`motives.schema.graph.parents_of`."""
        return graph.parents_of(self, node_id)

    def parent_labels(self, parent: Any) -> list[str]:
        """Readable labels of a table's rows; see :func:`motives.schema.graph.parent_labels`."""
        return graph.parent_labels(self, parent)

    def ancestors(self, node_id: str) -> list[str]:
        """The propositions above a node; see :func:`motives.schema.graph.ancestors`."""
        return graph.ancestors(self, node_id)

    def parent_values(self, parent: Any) -> list[str]:
        """The keys of a table under ``parent``; see :func:`motives.schema.graph.parent_values`."""
        return graph.parent_values(self, parent)

    def children(self, parent: str | None = HYPOTHESES) -> tuple[list[str], list[str]]:
        """(propositions, items) bearing directly on ``parent``.

        See :func:`motives.schema.graph.children`.
        """
        return graph.children(self, parent)

    def proposition_order(self) -> list[str]:
        """Proposition ids, parents first; see :func:`motives.schema.graph.proposition_order`."""
        return graph.proposition_order(self)

    def path_to_hypotheses(self, node_id: str) -> list[str]:
        """Propositions from the top down to a node.

        See :func:`motives.schema.graph.path_to_hypotheses`.
        """
        return graph.path_to_hypotheses(self, node_id)

    def unused_propositions(self) -> list[str]:
        """Propositions nothing bears on; see :func:`motives.schema.graph.unused_propositions`."""
        return graph.unused_propositions(self)

    def proposition_table(self, prop_id: str, lens: str | None = None) -> pd.DataFrame:
        """P(state | parent value) of a proposition.

        See :func:`motives.schema.tables.proposition_table`.
        """
        return tables.proposition_table(self, prop_id, lens)

    def likelihood_table(
        self, lens: str | None = None, *, stat: Literal["mean", "sd"] = "mean"
    ) -> pd.DataFrame:
        """Items x hypotheses likelihoods; see :func:`motives.schema.tables.likelihood_table`."""
        return tables.likelihood_table(self, lens, stat=stat)

    def implied_matrix(self, prop_id: str, lens: str | None = None) -> Any:
        """P(state | h) of a proposition; see :func:`motives.schema.tables.implied_matrix`."""
        return tables.implied_matrix(self, prop_id, lens)

    def implied_parents(self, parents: Any, lens: str | None = None) -> Any:
        """P(parent configuration | h); see :func:`motives.schema.tables.implied_parents`."""
        return tables.implied_parents(self, parents, lens)

    def proposition_cap_db(self, prop_id: str, lens: str | None = None) -> float:
        """The most a proposition can move the odds, in decibans.

        See :func:`motives.schema.tables.proposition_cap_db`.
        """
        return tables.proposition_cap_db(self, prop_id, lens)

    def implication_table(self) -> pd.DataFrame:
        """Table 1 from the data; see :func:`motives.schema.tables.implication_table`."""
        return tables.implication_table(self)

    def non_diagnostic(self, lens: str | None = None, tol: float = 1e-12) -> list[str]:
        """Nodes equal across parent values; see :func:`motives.schema.tables.non_diagnostic`."""
        return tables.non_diagnostic(self, lens, tol)

    def zero_cells(self, lens: str | None = None) -> list[tuple[str, str]]:
        """(item, parent value) pairs with likelihood 0.

        See :func:`motives.schema.tables.zero_cells`.
        """
        return tables.zero_cells(self, lens)

    def to_pgmpy(
        self, lens: str | None = None, prior: Any = None, *, reliability: bool = True
    ) -> Any:
        """The case under one lens as a pgmpy ``DiscreteBayesianNetwork``.

        Its posterior is the exact engine's.

        A ``hypothesis`` node, one node per proposition and one binary node per item (evidence:
        every item node in its first state, ``observed``); sources of uncertain reliability become
        discrete nodes over the exact engine's quadrature points. :func:`motives.bn.network` returns
        the evidence and the name mapping too; ``motives export`` writes the network as BIF, XMLBIF
        or Hugin NET. Needs pgmpy (``pip install 'motives[export]'``).

        Examples
        --------
        >>> import motives as mv
        >>> model = mv.examples.load("burglary").to_pgmpy()
        >>> type(model).__name__, sorted(model.get_children("hypothesis"))
        ('DiscreteBayesianNetwork', ['at_scene', 'had_motive'])
        """
        from motives.bn import (
            to_pgmpy,
        )  # layer 3, imported lazily: the one sanctioned upward call (ARCHITECTURE.md)

        return to_pgmpy(self, lens, prior, reliability=reliability)

    # --------------------------------------------------- what if: a new case with one thing changed

    # "What if" copies live in motives.schema.whatif; these methods delegate.

    def regrouped(self, grouping: str) -> Case:
        """The case with a grouping's groups as its families.

        See :func:`motives.schema.whatif.regrouped`.
        """
        return whatif.regrouped(self, grouping)

    def with_judgement(
        self,
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
        """A new case in which ``lens`` judges one node differently.

        See :func:`motives.schema.whatif.with_judgement`.
        """
        return whatif.with_judgement(
            self,
            node,
            lens,
            values,
            ratios=ratios,
            decibans=decibans,
            van_evera=van_evera,
            confidence=confidence,
            rationale=rationale,
        )

    def with_prior(
        self, prior: Mapping[str, float] | list[float] | str | None, *, normalise: bool = False
    ) -> Case:
        """A new case with another prior; see :func:`motives.schema.whatif.with_prior`."""
        return whatif.with_prior(self, prior, normalise=normalise)

    def with_reliability(self, source: str, value: Any) -> Case:
        """A new case with a source's reliability changed.

        See :func:`motives.schema.whatif.with_reliability`.
        """
        return whatif.with_reliability(self, source, value)

    def without_items(self, ids: list[str] | tuple[str, ...] | set[str]) -> Case:
        """A new case without these items; see :func:`motives.schema.whatif.without_items`."""
        return whatif.without_items(self, ids)

    def with_item(self, item: Any) -> Case:
        """A case with an item added or replaced; see :func:`motives.schema.whatif.with_item`."""
        return whatif.with_item(self, item)

    def replaced(self, **changes: Any) -> Case:
        """The case with some fields replaced, validated again.

        See :func:`motives.schema.whatif.replaced`.
        """
        return whatif.replaced(self, **changes)

    def _repr_html_(self) -> str:
        from motives.display import case_html

        return case_html(self)


def _fill_others(data: dict[str, Any]) -> dict[str, Any]:
    """Write out ``others`` for every parent value a judgement does not name.

    ``others`` is a Van Evera template's rest.
    """

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
            axes: list[Any] = [
                hyp if b in (None, HYPOTHESES) else states.get(b) if isinstance(b, str) else None
                for b in parents
            ]
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
                it = (
                    {**it, "likelihoods": new}
                    if isinstance(it, dict)
                    else it.model_copy(update={"likelihoods": new})
                )
        items.append(it)
    return {**data, "evidence": items}


def _has_others(j: Any) -> bool:
    if isinstance(j, LensJudgement):
        return j.others is not None
    return isinstance(j, dict) and ("others" in j or "van_evera" in j)
