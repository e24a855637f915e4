"""Propositions: unobserved facts between the hypotheses and the items (the common-cause idiom).

A proposition has states (default ``[yes, no]``) and, per lens, a table
P(state | parent value) keyed by its parent's values: hypothesis ids when it
bears on the hypotheses, or the states of the proposition it bears on. Items
that bear on a proposition are rated P(E | state). The cross-checks that need
the whole case (unknown parents, cycles, keys) live in :class:`motives.schema.Case`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from motives import likelihood as _lk
from motives.schema.forms import (
    CiteKey,
    Confidence,
    DateField,
    Id,
    Integer,
    Key,
    Likelihood,
    Number,
    Record,
    ShortLabel,
    shorthand_schema,
)

#: How far a multi-state row may be from summing to 1 (rounding in hand-written decimals).
ROW_TOLERANCE = 1e-6

#: The parent value of a node that bears on the hypotheses.
HYPOTHESES = "hypotheses"

_FORM_KEYS = {"p", "confidence", "mean", "concentration", "beta", "interval", "icd203"}

#: Keys that mark a lens's judgement (not a shorthand table); all but values are refused in a table.
_ROW_KEYS = {"values", "ratios", "decibans", "van_evera"}


class StateRow(Record):
    """One row of a proposition table written out state by state: ``{state: probability}``.

    With a lens ``confidence`` the row is Dirichlet(concentration × probabilities).
    """

    probs: dict[Key, Number] = Field(description="State id -> P(state | parent value); the row sums to 1.")
    concentration: Number | None = Field(default=None, gt=0, description="Dirichlet concentration; null for a point.")

    @field_validator("probs")
    @classmethod
    def _probabilities(cls, probs: dict[str, float]) -> dict[str, float]:
        for s, p in probs.items():
            if not (math.isfinite(p) and 0.0 <= p <= 1.0):
                raise ValueError(f"P({s}) must be a probability in [0, 1], got {p}")
        return probs


def _cell_kind(cell: Any) -> str:
    """A row written state by state, or any likelihood form (so a bad number gets one message, not two)."""
    if isinstance(cell, StateRow) or (isinstance(cell, dict) and "probs" in cell):
        return "state_row"
    return "likelihood"


TableCell = Annotated[Annotated[Likelihood, Tag("likelihood")] | Annotated[StateRow, Tag("state_row")],
                      Discriminator(_cell_kind)]


class PropositionJudgement(Record):
    """One lens's table P(state | parent value) for a proposition, with its rationale.

    Each cell is either any likelihood form — for a two-state proposition, the
    probability of the first state — or a row ``{state: probability, ...}``
    that names every state and sums to 1 (needed with more than two states).
    """

    values: dict[Key, TableCell] = Field(
        description="Parent value (hypothesis id or parent state) -> P(first state) or {state: probability}."
    )
    confidence: Confidence | None = Field(
        default=None, description="low | medium | high: Beta/Dirichlet concentration 5 | 20 | 80 around each row."
    )
    rationale: str = Field(default="", description="Why these probabilities, judged for each parent value.")

    @model_validator(mode="before")
    @classmethod
    def _cells(cls, data: Any) -> Any:
        row_forms = sorted(set(data) & (_ROW_KEYS - {"values"})) if isinstance(data, dict) else []
        if row_forms:
            raise ValueError(f"a proposition's table takes values, not {', '.join(row_forms)}: each row is a "
                             "probability distribution over the proposition's states, and ratios across parent "
                             "values do not determine it (write P(first state | parent value) or {state: p})")
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            return data
        conf = data.get("confidence")
        k = _lk.CONFIDENCE.get(conf) if isinstance(conf, str) else None
        values = {}
        for v, cell in data["values"].items():
            if isinstance(cell, dict) and cell and not (set(cell) & _FORM_KEYS):
                cell = {"probs": cell, "concentration": k}
            elif k is not None and isinstance(cell, str | int | float) and not isinstance(cell, bool):
                cell = {"p": cell, "confidence": conf}
            elif k is not None and isinstance(cell, dict) and "p" in cell and "confidence" not in cell:
                cell = {**cell, "confidence": conf}
            values[v] = cell
        return {**data, "values": values}


class Proposition(Record):
    """An unobserved fact that hypotheses (or another proposition) make more or less probable.

    Items that bear on it are conditionally independent given its state, so
    however many there are, they can never move the odds between two
    hypotheses by more than the proposition itself could (its *cap*).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True,
                              json_schema_extra=shorthand_schema)

    id: Id
    title: str = Field(min_length=1)
    short: ShortLabel | None = None
    description: str = ""
    states: list[Id] = Field(default_factory=lambda: ["yes", "no"], min_length=2,
                             description="The proposition's states; default [yes, no].")
    bears_on: Id = Field(default=HYPOTHESES, description="'hypotheses' (default) or the id of another proposition.")
    implication: Id | None = Field(default=None, description="Table 1 row this proposition is.")
    issue_area: Id | None = None
    date: DateField = None
    sources: list[CiteKey] = Field(default_factory=list, description="BibTeX keys.")
    footnotes: list[Integer] = Field(default_factory=list, description="Footnote numbers in the source.")
    quote: str = Field(default="", description="Short quote, at most 40 words.")
    likelihoods: dict[Key, PropositionJudgement] = Field(
        description="Lens id -> table P(state | parent value)."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # {likelihoods: {h1: 0.7, h2: 0.3}}: the default lens's table, no rationale.
        if isinstance(data, dict) and isinstance(data.get("likelihoods"), dict):
            lk = data["likelihoods"]
            if lk and not any(isinstance(v, dict) and set(v) & _ROW_KEYS for v in lk.values()):
                return {**data, "likelihoods": {"__default__": {"values": lk}}}
        return data

    @field_validator("states")
    @classmethod
    def _distinct(cls, states: list[str]) -> list[str]:
        dup = sorted({s for s in states if states.count(s) > 1})
        if dup:
            raise ValueError(f"duplicate state(s) {dup}")
        return states

    def judgements(self) -> Mapping[str, PropositionJudgement]:
        """Lens id -> table.

        Examples
        --------
        >>> import motives as mv
        >>> list(mv.examples.load("burglary").proposition("at_scene").judgements())
        ['default']
        """
        return self.likelihoods

    def row(self, judgement: PropositionJudgement, parent_value: str) -> tuple[list[float], float | None]:
        """(P(state | parent value) for each state, Dirichlet concentration or None) of one table row.

        Examples
        --------
        >>> from motives.schema import Proposition
        >>> prop = Proposition.model_validate({
        ...     "id": "motive", "title": "The suspect's motive", "states": ["money", "revenge", "none"],
        ...     "likelihoods": {"default": {"confidence": "low", "values": {
        ...         "suspect": {"money": 0.5, "revenge": 0.3, "none": 0.2},
        ...         "someone_else": {"money": 0.1, "revenge": 0.1, "none": 0.8}}}}})
        >>> prop.row(prop.likelihoods["default"], "suspect")  # Dirichlet(5 x [0.5, 0.3, 0.2])
        ([0.5, 0.3, 0.2], 5.0)
        """
        cell = judgement.values[parent_value]
        if isinstance(cell, StateRow):
            return [cell.probs[s] for s in self.states], cell.concentration
        return [cell.mean, 1.0 - cell.mean], cell.concentration

    def row_problems(self, lens: str, judgement: PropositionJudgement) -> list[tuple[str, str]]:
        """(message, field) for rows that do not fit the states; empty when every row is valid.

        Examples
        --------
        >>> from motives.schema import Proposition
        >>> prop = Proposition.model_validate({
        ...     "id": "motive", "title": "The suspect's motive", "states": ["money", "none"],
        ...     "likelihoods": {"default": {"values": {"suspect": {"money": 0.5, "none": 0.6}, "someone_else": 0.1}}}})
        >>> prop.row_problems("default", prop.likelihoods["default"])
        [("row must sum to 1 over the states ['money', 'none'], it sums to 1.1", 'likelihoods.default.values.suspect')]
        """
        out = []
        states = self.states
        for v, cell in judgement.values.items():
            field = f"likelihoods.{lens}.values.{v}"
            if isinstance(cell, StateRow):
                keys = list(cell.probs)
                unknown = [k for k in keys if k not in states]
                missing = [s for s in states if s not in cell.probs]
                if unknown or missing:
                    out.append((f"row must name every state {states} exactly"
                                + (f"; unknown {unknown}" if unknown else "")
                                + (f"; missing {missing}" if missing else ""), field))
                    continue
                total = sum(cell.probs.values())
                if abs(total - 1.0) > ROW_TOLERANCE:
                    out.append((f"row must sum to 1 over the states {states}, it sums to {total:.6g}", field))
            elif len(states) != 2:
                out.append((f"this proposition has {len(states)} states {states}: give the row as "
                            "{state: probability, ...} summing to 1 (a single number is P(first state) "
                            "only for two states)", field))
        return out

    def _repr_html_(self) -> str:
        from motives.display import proposition_html

        return proposition_html(self)
