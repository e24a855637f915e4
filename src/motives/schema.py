"""Pydantic records of a case: hypotheses, lenses, sources, evidence items, the case itself.

Records are frozen and forbid unknown keys. Validation of single values lives
in field validators; cross-references (unknown hypotheses, missing likelihoods,
``given`` cycles, ...) in :class:`Case`'s model validator, which reports every
problem with its item and field.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from motives import likelihood as _lk
from motives.errors import Problem, ReferenceProblems

if TYPE_CHECKING:
    import pandas as pd

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80),
    Field(description="Identifier: lowercase letters, digits and underscores, starting with a letter."),
]
Confidence = Literal["low", "medium", "high"]
PRIOR_TOLERANCE = 1e-6


class Record(BaseModel):
    """Base of every record: frozen, unknown keys forbidden."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# --------------------------------------------------------------------------- values


class Likelihood(Record):
    """One judged probability, reduced to Beta(mean * k, (1 - mean) * k); a point when k is None.

    Written in YAML as any form of :func:`motives.likelihood.parse`.
    """

    mean: float = Field(ge=0.0, le=1.0, description="Mean of the judged probability.")
    concentration: float | None = Field(
        default=None, gt=0, description="Beta concentration alpha + beta; null for a point."
    )

    @model_validator(mode="before")
    @classmethod
    def _parse_form(cls, value: Any) -> Any:
        if isinstance(value, Likelihood):
            return value
        if isinstance(value, dict) and set(value) <= {"mean", "concentration"} and "concentration" not in value:
            return value
        b = _lk.parse(value)
        return {"mean": b.mean, "concentration": b.concentration}

    @property
    def belief(self) -> _lk.Belief:
        """The same judgement as a :class:`motives.likelihood.Belief`."""
        return _lk.Belief(self.mean, self.concentration)


class PartialDate(Record):
    """A date known to the year, month or day."""

    year: int = Field(ge=1, le=9999)
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, PartialDate | dict):
            return value
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return {"year": value.year, "month": value.month, "day": value.day}
        if isinstance(value, int) and not isinstance(value, bool):
            return {"year": value}
        if isinstance(value, str):
            m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
            if m:
                y, mo, d = (int(g) if g else None for g in m.groups())
                if d is not None:
                    _dt.date(y, mo, d)  # type: ignore[arg-type]  # raises ValueError if impossible
                return {"year": y, "month": mo, "day": d}
        raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")

    def __str__(self) -> str:
        s = f"{self.year:04d}"
        if self.month:
            s += f"-{self.month:02d}"
        if self.day:
            s += f"-{self.day:02d}"
        return s

    @property
    def decimal_year(self) -> float:
        """Year as a number; a missing month or day is taken as the middle of the period.

        Examples
        --------
        >>> PartialDate.model_validate("2002").decimal_year
        2002.5
        """
        if self.month is None:
            return self.year + 0.5
        start = _dt.date(self.year, self.month, 1)
        days_in_year = (_dt.date(self.year + 1, 1, 1) - _dt.date(self.year, 1, 1)).days
        if self.day is None:
            nxt = _dt.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
            mid = (start - _dt.date(self.year, 1, 1)).days + (nxt - start).days / 2
            return self.year + mid / days_in_year
        d = _dt.date(self.year, self.month, self.day)
        return self.year + ((d - _dt.date(self.year, 1, 1)).days + 0.5) / days_in_year


DateField = Annotated[
    PartialDate | None, Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD.")
]


# --------------------------------------------------------------------------- case-level records


class Hypothesis(Record):
    """One rival account."""

    id: Id
    label: str | None = Field(default=None, description="Human-readable name.")
    family: Id | None = Field(default=None, description="Family id (e.g. security); default: the id itself.")
    prior: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Prior probability; give all or none (none = uniform)."
    )
    description: str = ""

    @property
    def family_id(self) -> str:
        """The family this hypothesis belongs to."""
        return self.family or self.id

    @property
    def name(self) -> str:
        """Label, or the id when there is none."""
        return self.label or self.id


class Family(Record):
    """A group of hypotheses whose credences are summed (e.g. security vs non-security)."""

    id: Id
    label: str | None = None
    description: str = ""


class Lens(Record):
    """Whose judgements the likelihoods are (an analyst or a school)."""

    id: Id
    name: str | None = None
    description: str = ""


class Source(Record):
    """A reporting source (BibTeX key) and how reliable its reports are."""

    key: str = Field(min_length=1, description="BibTeX key of the source.")
    reliability: Likelihood = Field(
        default_factory=lambda: Likelihood(mean=1.0),
        description="Probability that a report of this source is true: any likelihood form; default 1.",
    )
    description: str = ""


class IssueArea(Record):
    """A group of items (one section of the article)."""

    id: Id
    title: str = ""
    footnotes: str | None = Field(default=None, description="Footnote range in the source, e.g. '101-122'.")


class Implication(Record):
    """One row of a table of predictions (Table 1): what each hypothesis predicts."""

    id: Id
    title: str
    predictions: dict[str, str] = Field(description="Hypothesis id -> what it predicts.")


# --------------------------------------------------------------------------- judgements


class LensJudgement(Record):
    """One lens's likelihoods for one item, with its rationale."""

    values: dict[str, Likelihood] = Field(description="Hypothesis id -> P(E | h), any likelihood form.")
    confidence: Confidence | None = Field(
        default=None, description="low | medium | high: Beta concentration 5 | 20 | 80 around each point."
    )
    rationale: str = Field(default="", description="Why these likelihoods, judged for each hypothesis.")

    @model_validator(mode="before")
    @classmethod
    def _apply_confidence(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            return data
        conf = data.get("confidence")
        if conf not in _lk.CONFIDENCE:
            return data  # absent, or invalid: the field validator reports it where it stands
        values = {}
        for h, v in data["values"].items():
            if isinstance(v, str | int | float) and not isinstance(v, bool):
                v = {"p": v, "confidence": conf}
            elif isinstance(v, dict) and "p" in v and "confidence" not in v:
                v = {**v, "confidence": conf}
            values[h] = v
        return {**data, "values": values}


class NormalPrior(Record):
    """Normal(mean, sd)."""

    mean: float = Field(allow_inf_nan=False)
    sd: float = Field(gt=0, allow_inf_nan=False)


class TrendPrior(Record):
    """A hypothesis's predicted trend: intercept at the origin and slope per year."""

    intercept: NormalPrior
    slope: NormalPrior


class TrendJudgement(Record):
    """One lens's trend predictions for a timeline item."""

    values: dict[str, TrendPrior]
    rationale: str = ""


class NormalPredictive(Record):
    """Normal predictive distribution for a quantity."""

    dist: Literal["normal"]
    mean: float = Field(allow_inf_nan=False)
    sd: float = Field(gt=0, allow_inf_nan=False)


class LogNormalPredictive(Record):
    """Log-normal predictive distribution: median and sigma of the log."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0, allow_inf_nan=False)
    sigma: float = Field(gt=0, allow_inf_nan=False)


class UniformPredictive(Record):
    """Uniform predictive distribution on [lower, upper]."""

    dist: Literal["uniform"]
    lower: float = Field(allow_inf_nan=False)
    upper: float = Field(allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> UniformPredictive:
        if not self.lower < self.upper:
            raise ValueError(f"uniform needs lower < upper, got [{self.lower}, {self.upper}]")
        return self


Predictive = Annotated[
    NormalPredictive | LogNormalPredictive | UniformPredictive, Field(discriminator="dist")
]


class PredictiveJudgement(Record):
    """One lens's predictive distributions for a quantity item."""

    values: dict[str, Predictive]
    rationale: str = ""


# --------------------------------------------------------------------------- evidence


class _ItemBase(Record):
    id: Id
    title: str = Field(min_length=1)
    date: DateField = None
    issue_area: Id | None = None
    implication: Id | None = Field(default=None, description="Table 1 row this item tests.")
    sources: list[str] = Field(default_factory=list, description="BibTeX keys.")
    reported_by: str | None = Field(
        default=None, description="Source key whose reliability governs this item."
    )
    footnotes: list[int] = Field(default_factory=list, description="Footnote numbers in the source.")
    quote: str = Field(default="", description="Short quote, at most 40 words.")
    given: list[Id] = Field(
        default_factory=list, description="Items these likelihoods are conditional on."
    )
    base_rate: float | None = Field(
        default=None, ge=0.0, le=1.0, description="P(report | source wrong); default the row mean."
    )

    def judgements(self) -> Mapping[str, Any]:
        """Lens id -> this item's judgement under that lens."""
        raise NotImplementedError

    def _repr_html_(self) -> str:
        from motives.display import item_html

        return item_html(self)


class LikelihoodItem(_ItemBase):
    """An observation with elicited likelihoods P(E | h) per lens."""

    kind: Literal["likelihood"] = "likelihood"
    likelihoods: dict[str, LensJudgement] = Field(description="Lens id -> judgement.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # {likelihoods: {h1: 0.7, h2: 0.3}}: the default lens's values, no rationale.
        if isinstance(data, dict) and isinstance(data.get("likelihoods"), dict):
            lk = data["likelihoods"]
            if lk and not any(isinstance(v, dict) and "values" in v for v in lk.values()):
                return {**data, "likelihoods": {"__default__": {"values": lk}}}
        return data

    def judgements(self) -> Mapping[str, LensJudgement]:
        """Lens id -> judgement."""
        return self.likelihoods


class TimelineObservation(Record):
    """One dated, coded statement."""

    date: PartialDate
    code: float = Field(allow_inf_nan=False)
    footnotes: list[int] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    quote: str = ""
    note: str = Field(default="", description="Why this code.")


class TimelineItem(_ItemBase):
    """Dated coded observations; each hypothesis predicts a linear trend."""

    kind: Literal["timeline"]
    origin: float = Field(default=0.0, allow_inf_nan=False, description="t = decimal year - origin.")
    sigma: float = Field(gt=0, allow_inf_nan=False, description="Observation noise sd (fixed).")
    scale: dict[int, str] = Field(default_factory=dict, description="Coding rule: code -> meaning.")
    observations: list[TimelineObservation] = Field(min_length=1)
    trends: dict[str, TrendJudgement]

    def judgements(self) -> Mapping[str, TrendJudgement]:
        """Lens id -> trend judgement."""
        return self.trends

    @model_validator(mode="after")
    def _codes_on_scale(self) -> TimelineItem:
        if self.scale:
            lo, hi = min(self.scale), max(self.scale)
            for i, o in enumerate(self.observations):
                if not lo <= o.code <= hi:
                    raise ValueError(f"observation {i} has code {o.code}, outside the scale [{lo}, {hi}]")
        return self


class QuantityItem(_ItemBase):
    """An observed number and a predictive distribution per hypothesis."""

    kind: Literal["quantity"]
    observed: float = Field(allow_inf_nan=False)
    unit: str = ""
    predictive: dict[str, PredictiveJudgement]

    def judgements(self) -> Mapping[str, PredictiveJudgement]:
        """Lens id -> predictive judgement."""
        return self.predictive


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("kind", "likelihood"))
    return str(getattr(value, "kind", "likelihood"))


EvidenceItem = Annotated[
    Annotated[LikelihoodItem, Tag("likelihood")]
    | Annotated[TimelineItem, Tag("timeline")]
    | Annotated[QuantityItem, Tag("quantity")],
    Discriminator(_kind, custom_error_type="kind", custom_error_message="kind must be likelihood, timeline or quantity"),
]


class Amendment(Record):
    """Extra judgements for an item of a parent case (for hypotheses the child adds)."""

    id: Id
    likelihoods: dict[str, LensJudgement] | None = None
    trends: dict[str, TrendJudgement] | None = None
    predictive: dict[str, PredictiveJudgement] | None = None


class EvidenceFile(Record):
    """One evidence YAML file."""

    issue_area: Id | None = Field(default=None, description="Default issue area of the items below.")
    sources: list[Source] = Field(default_factory=list)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    amend: list[Amendment] = Field(default_factory=list)


# --------------------------------------------------------------------------- the case


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


def _dupes(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in graph.get(n, []):
            if state.get(m) == 1:
                return stack[stack.index(m) :] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in graph:
        if n not in state:
            found = visit(n)
            if found:
                return found
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
            out.append(P(f"duplicate hypothesis id '{d}'", field="hypotheses"))
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
        for e in self.evidence:
            for lens, j in e.judgements().items():
                if lens not in lens_ids:
                    out.append(P(_unknown("lens", lens, lens_ids), item=e.id, field=f"{_judgement_field(e)}.{lens}"))
                    continue
                out += self._keys_match(j.values, hset, e.id, f"{_judgement_field(e)}.{lens}.values")
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
            out.append(P("'given' forms a cycle: " + " -> ".join(cycle), item=cycle[0], field="given"))
        if bib is not None:
            for s in self.sources:
                if s.key not in bib:
                    out.append(P(_unknown("BibTeX key", s.key, sorted(bib)), field=f"sources.{s.key}"))
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
        """Ids of the items ``lens`` does not rate (they use the default lens)."""
        lens = self.resolve_lens(lens)
        return [e.id for e in self.evidence if lens not in e.judgements()]

    def likelihood_table(self, lens: str | None = None, *, stat: Literal["mean", "sd"] = "mean") -> pd.DataFrame:
        """Items x hypotheses table of likelihood means (or sds) under a lens.

        Only ``likelihood`` items have cells; timeline and quantity items are
        scored by the engines. Items the lens does not rate show the default
        lens's values; the column ``fallback`` says which.

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
            vals = [j.values[h].mean if stat == "mean" else j.values[h].belief.sd for h in self.hypothesis_ids]
            rows.append(vals)
            index.append(e.id)
            fb.append(fell)
        df = pd.DataFrame(rows, index=pd.Index(index, name="evidence"), columns=self.hypothesis_ids, dtype=float)
        df.columns.name = None
        df["fallback"] = fb
        return df

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
            tested = [e.id for e in self.evidence if e.implication == imp.id]
            rows.append([imp.title, *[imp.predictions.get(h, "") for h in self.hypothesis_ids], tested])
        df = pd.DataFrame(rows, columns=["implication", *self.hypothesis_ids, "items"],
                          index=pd.Index([i.id for i in self.implications], name="implication_id"))
        return df if rows else df.loc[:, ["implication", *self.hypothesis_ids[:1], "items"]]

    def non_diagnostic(self, lens: str | None = None, tol: float = 1e-12) -> list[str]:
        """Ids of likelihood items whose means are equal across hypotheses (they change nothing)."""
        out = []
        for e in self.evidence:
            if isinstance(e, LikelihoodItem):
                j, _ = self.judgement(e, lens)
                m = [j.values[h].mean for h in self.hypothesis_ids]
                if max(m) - min(m) <= tol:
                    out.append(e.id)
        return out

    def zero_cells(self, lens: str | None = None) -> list[tuple[str, str]]:
        """(item, hypothesis) pairs whose likelihood is 0: the item rules that hypothesis out."""
        out = []
        for e in self.evidence:
            if isinstance(e, LikelihoodItem):
                j, _ = self.judgement(e, lens)
                out += [(e.id, h) for h in self.hypothesis_ids if j.values[h].mean == 0]
        return out

    def _repr_html_(self) -> str:
        from motives.display import case_html

        return case_html(self)


def _judgement_field(e: Any) -> str:
    return {"likelihood": "likelihoods", "timeline": "trends", "quantity": "predictive"}[e.kind]


def _unknown(what: str, value: str, valid: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, valid, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    shown = ", ".join(valid[:12]) + (", ..." if len(valid) > 12 else "")
    return f"unknown {what} '{value}'.{hint} Valid: {shown}" if valid else f"unknown {what} '{value}' (none declared)"


def finite(x: float) -> bool:
    """True for a finite float (helper for validators)."""
    return math.isfinite(x)
