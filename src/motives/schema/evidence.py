"""Judgements and the evidence kinds: likelihood, timeline and quantity items."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag, model_validator

from motives import likelihood as _lk
from motives.schema.forms import (
    CiteKey,
    Confidence,
    DateField,
    Id,
    Integer,
    IntegerKey,
    Key,
    Likelihood,
    Number,
    PartialDate,
    Quote,
    Record,
    shorthand_schema,
)
from motives.schema.structure import (
    PropositionJudgement,
    check_parents_once,
    flatten_judgements,
    one_parent,
    parents_tuple,
)


class LensJudgement(Record):
    """One lens's likelihoods for one item, with its rationale.

    The row is written in exactly one of four ways: ``values`` (P(E | h), any
    likelihood form, ACH ``NA`` allowed), ``ratios`` (relative likelihoods),
    ``decibans`` (10·log10 of the relative likelihood) or ``van_evera`` (one of
    Van Evera's tests for a named hypothesis). Ratios and decibans are stored
    as values scaled so the largest is 1; a Van Evera test as values for the
    named hypotheses plus ``others`` for the rest (the case fills them in).
    """

    model_config = ConfigDict(json_schema_extra=lambda schema: _row_forms_schema(schema))

    values: dict[Key, Likelihood] = Field(
        description="Hypothesis id -> P(E | h), any likelihood form."
    )
    others: Likelihood | None = Field(
        default=None,
        description="P(E | h) for every parent value not named in values (filled in by the case).",
    )
    confidence: Confidence | None = Field(
        default=None,
        description="low | medium | high: Beta concentration 5 | 20 | 80 around each point.",
    )
    rationale: str = Field(
        default="", description="Why these likelihoods, judged for each hypothesis."
    )

    @model_validator(mode="before")
    @classmethod
    def _apply_confidence(cls, data: Any) -> Any:
        data = _row_forms(data)
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            return data
        conf = data.get("confidence")
        if conf not in _lk.CONFIDENCE:
            return data  # absent, or invalid: the field validator reports it where it stands
        values = {}
        for h, v in data["values"].items():
            values[h] = _with_confidence(v, conf)
        data = {**data, "values": values}
        if data.get("others") is not None:
            data["others"] = _with_confidence(data["others"], conf)
        return data

    def filled(self, parent_values: list[str]) -> LensJudgement:
        """The judgement with ``others`` written out for each parent value missing from ``values``.

        Examples
        --------
        >>> j = LensJudgement.model_validate({"van_evera": {"test": "hoop", "for": "a"}})
        >>> {k: v.mean for k, v in j.filled(["a", "b", "c"]).values.items()}
        {'a': 0.95, 'b': 0.5, 'c': 0.5}
        """
        if self.others is None:
            return self
        values = {**{v: self.others for v in parent_values if v not in self.values}, **self.values}
        values = {
            v: values[v]
            for v in [*parent_values, *[k for k in self.values if k not in parent_values]]
        }
        return self.model_copy(update={"values": values, "others": None})


#: The ways to write a judgement's row (exactly one per judgement).
ROW_FORMS = ("values", "ratios", "decibans", "van_evera")


def _row_forms_schema(schema: dict[str, Any]) -> None:
    """The JSON Schema of a judgement as written: one of values, ratios, decibans, van_evera."""
    props = schema.setdefault("properties", {})
    props["ratios"] = {
        "type": "object",
        "additionalProperties": {"type": "number", "minimum": 0},
        "description": "Instead of values: relative likelihoods (only ratios matter; stored "
        "scaled so the largest is 1).",
    }
    props["decibans"] = {
        "type": "object",
        "additionalProperties": {"type": "number"},
        "description": "Instead of values: 10·log10 of the relative likelihood (0 for the "
        "reference).",
    }
    props["van_evera"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["test", "for"],
        "description": "Instead of values: one of Van Evera's tests for the named hypothesis (or "
        "hypotheses).",
        "properties": {
            "test": {"enum": sorted(_lk.VAN_EVERA)},
            "for": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
            "result": {"enum": ["pass", "fail"], "default": "pass"},
        },
    }
    schema["required"] = [r for r in schema.get("required", []) if r != "values"]
    schema["type"] = "object"
    schema["oneOf"] = [{"required": [f]} for f in ROW_FORMS]


def _with_confidence(v: Any, conf: str) -> Any:
    if isinstance(v, str | int | float) and not isinstance(v, bool):
        return {"p": v, "confidence": conf}
    if isinstance(v, dict) and "p" in v and "confidence" not in v:
        return {**v, "confidence": conf}
    return v


def _row_forms(data: Any) -> Any:
    """Rows written as ratios, decibans, a Van Evera test or with NA cells -> values and others."""
    if not isinstance(data, dict):
        return data
    given = [f for f in ROW_FORMS if f in data]
    if len(given) > 1:
        raise ValueError(f"give exactly one of {', '.join(ROW_FORMS)}; got {' and '.join(given)}")
    if not given:
        return data  # 'values' is required: the field validator says so where it stands
    form = given[0]
    rest = {k: v for k, v in data.items() if k != form}
    if form == "ratios":
        return {**rest, "values": _lk.ratios_to_values(data["ratios"])}
    if form == "decibans":
        return {**rest, "values": _lk.decibans_to_values(data["decibans"])}
    if form == "van_evera":
        if "others" in data:
            raise ValueError(
                "van_evera sets the value of the other hypotheses itself; drop 'others'"
            )
        named, other = _lk.van_evera(data["van_evera"])
        return {**rest, "values": named, "others": other}
    if isinstance(data["values"], dict):
        return {**data, "values": _lk.resolve_not_applicable(data["values"])}
    return data


class NormalPrior(Record):
    """Normal(mean, sd)."""

    mean: Number = Field(allow_inf_nan=False)
    sd: Number = Field(gt=0, allow_inf_nan=False)


class TrendPrior(Record):
    """A hypothesis's predicted trend: intercept at the origin and slope per year."""

    intercept: NormalPrior
    slope: NormalPrior


class BreakGrid(Record):
    """An uncertain break date: uniform over a stated grid of dates."""

    grid: list[PartialDate] = Field(
        min_length=1, description="Candidate break dates, equally likely."
    )


class StepSpec(Record):
    """A step: one mean level before the break date and another from it on."""

    before: NormalPrior = Field(description="Level before the break: Normal(mean, sd).")
    after: NormalPrior = Field(description="Level from the break on: Normal(mean, sd).")
    at: PartialDate | BreakGrid = Field(
        description="Break date (YYYY, YYYY-MM or YYYY-MM-DD), or {grid: [dates]} when it is "
        "uncertain."
    )

    @property
    def break_dates(self) -> list[PartialDate]:
        """The break date, or the grid's dates."""
        return list(self.at.grid) if isinstance(self.at, BreakGrid) else [self.at]


class StepTrend(Record):
    """A hypothesis's predicted trend as a step: ``{step: {before, after, at}}``.

    An observation dated at or after the break has the ``after`` level, one
    before it the ``before`` level; the two levels are independent Normals.
    With the break uncertain the marginal likelihood averages over the grid.
    """

    step: StepSpec


Trend = TrendPrior | StepTrend


class TrendJudgement(Record):
    """One lens's trend predictions for a timeline item.

    Each value is a linear trend ``{intercept, slope}`` or a step
    ``{step: {before: {mean, sd}, after: {mean, sd}, at: DATE | {grid: [DATES]}}}``.
    """

    values: dict[Key, Trend]
    rationale: str = ""


class NormalPredictive(Record):
    """Normal predictive distribution for a quantity."""

    dist: Literal["normal"]
    mean: Number = Field(allow_inf_nan=False)
    sd: Number = Field(gt=0, allow_inf_nan=False)


class LogNormalPredictive(Record):
    """Log-normal predictive distribution: median and sigma of the log."""

    dist: Literal["lognormal"]
    median: Number = Field(gt=0, allow_inf_nan=False)
    sigma: Number = Field(gt=0, allow_inf_nan=False)


class UniformPredictive(Record):
    """Uniform predictive distribution on [lower, upper]."""

    dist: Literal["uniform"]
    lower: Number = Field(allow_inf_nan=False)
    upper: Number = Field(allow_inf_nan=False)

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

    values: dict[Key, Predictive]
    rationale: str = ""


_NO_PARENT = (
    "bears_on: [] makes an item that nothing in the case explains, so it cannot bear on any "
    "hypothesis; name the hypotheses or the proposition(s) it depends on"
)


class ItemBase(Record):
    """The fields every evidence item has, whatever its kind."""

    id: Id
    title: str = Field(min_length=1)
    date: DateField = None
    issue_area: Id | None = None
    implication: Id | None = Field(default=None, description="Table 1 row this item tests.")
    bears_on: Id | list[Id] | None = Field(
        default=None,
        description="The id of the proposition this item bears on (its likelihoods are then keyed "
        "by that "
        "proposition's states); default, or 'hypotheses': the hypotheses themselves; or a list of "
        "parents in order (the table is nested in that order).",
    )
    sources: list[CiteKey] = Field(default_factory=list, description="BibTeX keys.")
    reported_by: CiteKey | None = Field(
        default=None, description="Source key whose reliability governs this item."
    )
    footnotes: list[Integer] = Field(
        default_factory=list, description="Footnote numbers in the source."
    )
    quote: Quote = Field(default="", description="Short quote, at most 40 words.")
    given: list[Id] = Field(
        default_factory=list, description="Items these likelihoods are conditional on."
    )
    base_rate: Number | None = Field(
        default=None, ge=0.0, le=1.0, description="P(report | source wrong); default the row mean."
    )

    @model_validator(mode="before")
    @classmethod
    def _one_parent(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("bears_on") == []:
            raise ValueError(_NO_PARENT)
        return one_parent(data)

    @model_validator(mode="after")
    def _parents_listed_once(self) -> ItemBase:
        if self.bears_on == []:
            raise ValueError(_NO_PARENT)
        check_parents_once(self.bears_on)
        if self.base_rate is not None and self.reported_by is None:  # it would be silently ignored
            raise ValueError(
                "base_rate (P(report | source wrong)) applies only to an item reported_by a source "
                "of uncertain reliability: add reported_by or remove base_rate"
            )
        return self

    @property
    def parents(self) -> tuple[str, ...]:
        """The parents in order: ``('hypotheses',)`` by default.

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("burglary").item("fibres_match").parents
        ('at_scene',)
        """
        return parents_tuple(self.bears_on)

    def judgements(self) -> Mapping[str, Any]:
        """Lens id -> this item's judgement under that lens."""
        raise NotImplementedError

    def _repr_html_(self) -> str:
        from motives.display import item_html

        return item_html(self)


class LikelihoodItem(ItemBase):
    """An observation with elicited likelihoods P(E | h) per lens."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, json_schema_extra=shorthand_schema
    )

    kind: Literal["likelihood"] = "likelihood"
    likelihoods: dict[Key, LensJudgement] = Field(description="Lens id -> judgement.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand_validator(cls, data: Any) -> Any:
        return cls.expand_shorthand(data)

    @classmethod
    def expand_shorthand(cls, data: Any) -> Any:
        """The raw record with shorthand likelihoods written out as the default lens's judgement.

        Shorthand likelihoods are a bare row.
        """
        # {likelihoods: {h1: 0.7, h2: 0.3}}: the default lens's values, no rationale.
        if isinstance(data, dict) and isinstance(data.get("likelihoods"), dict):
            lk = data["likelihoods"]
            if lk and not any(
                isinstance(v, LensJudgement) or isinstance(v, dict) and set(v) & set(ROW_FORMS)
                for v in lk.values()
            ):
                data = {**data, "likelihoods": {"__default__": {"values": lk}}}
        if isinstance(data, dict) and data.get("bears_on") == []:
            raise ValueError(_NO_PARENT)
        return flatten_judgements(one_parent(data), "likelihoods", {"values", "ratios", "decibans"})

    def judgements(self) -> Mapping[str, LensJudgement]:
        """Lens id -> judgement."""
        return self.likelihoods


class TimelineObservation(Record):
    """One dated, coded statement."""

    date: PartialDate
    code: Number = Field(allow_inf_nan=False)
    footnotes: list[Integer] = Field(default_factory=list)
    sources: list[CiteKey] = Field(default_factory=list)
    quote: str = ""
    note: str = Field(default="", description="Why this code.")


class TimelineItem(ItemBase):
    """Dated coded observations; each hypothesis predicts a linear trend or a step."""

    kind: Literal["timeline"]
    origin: Number = Field(
        default=0.0, allow_inf_nan=False, description="t = decimal year - origin."
    )
    sigma: Number = Field(gt=0, allow_inf_nan=False, description="Observation noise sd (fixed).")
    scale: dict[IntegerKey, str] = Field(
        default_factory=dict, description="Coding rule: code -> meaning."
    )
    observations: list[TimelineObservation] = Field(min_length=1)
    trends: dict[Key, TrendJudgement]

    def judgements(self) -> Mapping[str, TrendJudgement]:
        """Lens id -> trend judgement."""
        return self.trends

    @model_validator(mode="after")
    def _codes_on_scale(self) -> TimelineItem:
        if self.scale:
            lo, hi = min(self.scale), max(self.scale)
            for i, o in enumerate(self.observations):
                if not lo <= o.code <= hi:
                    raise ValueError(
                        f"observation {i} has code {o.code}, outside the scale [{lo}, {hi}]"
                    )
        return self


class QuantityItem(ItemBase):
    """An observed number and a predictive distribution per hypothesis."""

    kind: Literal["quantity"]
    observed: Number = Field(allow_inf_nan=False)
    unit: str = ""
    predictive: dict[Key, PredictiveJudgement]

    def judgements(self) -> Mapping[str, PredictiveJudgement]:
        """Lens id -> predictive judgement."""
        return self.predictive


def kind_of(value: Any) -> str:
    """The evidence kind of a raw item (a dict) or a record; ``likelihood`` when none is given."""
    if isinstance(value, dict):
        return str(value.get("kind", "likelihood"))
    return str(getattr(value, "kind", "likelihood"))


EvidenceItem = Annotated[
    Annotated[LikelihoodItem, Tag("likelihood")]
    | Annotated[TimelineItem, Tag("timeline")]
    | Annotated[QuantityItem, Tag("quantity")],
    Discriminator(
        kind_of,
        custom_error_type="kind",
        custom_error_message="kind must be likelihood, timeline or quantity",
    ),
]


class Amendment(Record):
    """Extra judgements for an item or proposition of a parent case (for hypotheses the child adds).

    For a proposition, ``likelihoods`` holds table rows (any cell form of
    :class:`motives.schema.structure.PropositionJudgement`).
    """

    id: Id
    likelihoods: dict[Key, LensJudgement] | dict[Key, PropositionJudgement] | None = None
    trends: dict[Key, TrendJudgement] | None = None
    predictive: dict[Key, PredictiveJudgement] | None = None

    @model_validator(mode="before")
    @classmethod
    def _values_only(cls, data: Any) -> Any:
        # An amendment adds cells to a row judged on an existing scale: ratios, decibans, a Van
        # Evera template or 'others' would be scaled (or filled) on their own.
        lk = data.get("likelihoods") if isinstance(data, dict) else None
        if isinstance(lk, dict):
            for lens, j in lk.items():
                bad = (
                    sorted(set(j) & {"ratios", "decibans", "van_evera", "others"})
                    if isinstance(j, dict)
                    else []
                )
                if bad:
                    raise ValueError(
                        f"amend: lens '{lens}' uses {', '.join(bad)}; an amendment adds cells to "
                        "an "
                        "existing row, so write them as values on that row's scale"
                    )
        return data


def judgement_field(e: Any) -> str:
    """The field that holds an item's judgements per lens.

    One of ``likelihoods``, ``trends`` or ``predictive``.
    """
    return {"likelihood": "likelihoods", "timeline": "trends", "quantity": "predictive"}[e.kind]
