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
from motives.conventions import parents_text  # noqa: F401  (re-exported)
from motives.numeric import MAX_CONCENTRATION
from motives.schema.forms import (
    CiteKey,
    Confidence,
    DateField,
    Id,
    Integer,
    Key,
    Likelihood,
    Number,
    Quote,
    Record,
    ShortLabel,
    shorthand_schema,
)

#: How far a multi-state row may be from summing to 1 (rounding in hand-written decimals).
ROW_TOLERANCE = 1e-6

#: The parent value of a node that bears on the hypotheses.
HYPOTHESES = "hypotheses"

#: The key of a root fact's one row (``bears_on: []``): it has no parent values.
ROOT_KEY = "*"

#: Joins the values of several parents into one flat table key, in the listed order
#: ("burglary.yes").
JOIN = "."


def parents_tuple(bears_on: Any) -> tuple[str, ...]:
    """The parents of a node as a tuple.

    ``('hypotheses',)`` for the default, ``()`` for a root fact.

    Examples
    --------
    >>> (
    ...     parents_tuple(None),
    ...     parents_tuple("alarm"),
    ...     parents_tuple(["hypotheses", "quake"]),
    ...     parents_tuple([]),
    ... )
    (('hypotheses',), ('alarm',), ('hypotheses', 'quake'), ())
    """
    if bears_on is None:
        return (HYPOTHESES,)
    if isinstance(bears_on, str):
        return (bears_on,)
    return tuple(bears_on)


def check_parents_once(bears_on: Any) -> None:
    """Raise ``ValueError`` when a list of parents names one twice.

    A string, one parent, always passes.

    Examples
    --------
    >>> check_parents_once(["hypotheses", "quake", "quake"])
    Traceback (most recent call last):
        ...
    ValueError: bears_on lists ['quake'] more than once; name each parent once
    """
    if isinstance(bears_on, list):
        dup = sorted({b for b in bears_on if bears_on.count(b) > 1})
        if dup:
            raise ValueError(f"bears_on lists {dup} more than once; name each parent once")


def one_parent(data: Any) -> Any:
    """``bears_on: [x]`` is ``bears_on: x``: one parent reads exactly as before."""
    if (
        isinstance(data, dict)
        and isinstance(data.get("bears_on"), list | tuple)
        and len(data["bears_on"]) == 1
    ):
        return {**data, "bears_on": data["bears_on"][0]}
    return data


def flatten_table(values: Any, depth: int, where: str, parents: tuple[str, ...] = ()) -> Any:
    """A table nested ``depth`` levels (one per parent, in order) as one flat mapping.

    Keys become the parent values joined with ``.`` (``{burglary: {yes: 0.95}}`` →
    ``{'burglary.yes': 0.95}``); a root fact's one row (``depth == 0``) sits under :data:`ROOT_KEY`.
    A table already flat (as a dumped case writes it) is returned as it is. A level that is not a
    mapping raises ``ValueError`` naming where.

    Examples
    --------
    >>> flatten_table({"burglary": {"yes": 0.95, "no": 0.94}}, 2, "values")
    {'burglary.yes': 0.95, 'burglary.no': 0.94}
    >>> flatten_table({"yes": 0.002, "no": 0.998}, 0, "values")
    {'*': {'yes': 0.002, 'no': 0.998}}
    """
    if not isinstance(values, dict):
        return values
    if depth == 0:
        if set(values) == {ROOT_KEY}:
            return values
        nested = sorted(str(k) for k, v in values.items() if isinstance(v, dict))
        if nested:
            raise ValueError(
                f"{where}: a root fact (bears_on: []) has one row {{state: probability, ...}}, but "
                f"this is a table keyed by {nested}: give bears_on the parents it is keyed by, or "
                "write the one row"
            )
        return {ROOT_KEY: values}
    if depth == 1:
        return values
    if values and all(isinstance(k, str) and k.count(JOIN) == depth - 1 for k in values):
        return values  # already flat
    out: dict[str, Any] = {}

    def walk(node: Any, prefix: list[str], level: int) -> None:
        if level == depth:
            out[JOIN.join(prefix)] = node
            return
        path = ".".join([where, *prefix])
        name = f"'{parents[level]}'" if level < len(parents) else f"parent {level + 1}"
        if not isinstance(node, dict) or not node:
            raise ValueError(
                f"{path}: expected a table keyed by the values of {name} (parent {level + 1} of "
                f"{depth}, nested in the order of bears_on), got {_shown_cell(node)}"
            )
        for k, v in node.items():
            if not isinstance(k, str):
                raise ValueError(f"{path}: key {k!r} must be text (a hypothesis id or a state id)")
            walk(v, [*prefix, k], level + 1)

    walk(values, [], 0)
    return out


def nest_table(values: Mapping[str, Any], depth: int) -> Any:
    """The inverse of :func:`flatten_table`.

    Flat keys back into nested mappings (for writing a case).

    Examples
    --------
    >>> nest_table({"burglary.yes": 0.95, "burglary.no": 0.94}, 2)
    {'burglary': {'yes': 0.95, 'no': 0.94}}
    >>> nest_table({"*": {"yes": 0.002, "no": 0.998}}, 0)
    {'yes': 0.002, 'no': 0.998}
    """
    if depth == 0:
        return values.get(ROOT_KEY, values)
    if depth == 1:
        return dict(values)
    out: dict[str, Any] = {}
    for k, v in values.items():
        node = out
        parts = k.split(JOIN)
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = v
    return out


def _shown_cell(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def flatten_judgements(data: Any, field: str, row_keys: set[str]) -> Any:
    """Flatten the nested tables of every lens judgement of a node with other than one parent."""
    if not isinstance(data, dict) or "bears_on" not in data:
        return data
    parents = data["bears_on"]
    if not isinstance(parents, list | tuple):
        return data
    depth = len(parents)
    lk = data.get(field)
    if not isinstance(lk, dict):
        return data
    new = {}
    for lens, j in lk.items():
        if isinstance(j, dict):
            j = dict(j)
            for key in row_keys:
                if key in j:
                    j[key] = flatten_table(j[key], depth, f"{field}.{lens}.{key}", tuple(parents))
        new[lens] = j
    return {**data, field: new}


_FORM_KEYS = {"p", "confidence", "mean", "concentration", "beta", "interval", "icd203"}

#: Keys that mark a lens's judgement (not a shorthand table); all but values are refused in a table.
_ROW_KEYS = {"values", "ratios", "decibans", "van_evera"}


class StateRow(Record):
    """One row of a proposition table written out state by state: ``{state: probability}``.

    With a lens ``confidence`` the row is Dirichlet(concentration × probabilities).
    """

    probs: dict[Key, Number] = Field(
        description="State id -> P(state | parent value); the row sums to 1."
    )
    concentration: Number | None = Field(
        default=None,
        gt=0,
        le=MAX_CONCENTRATION,
        description="Dirichlet concentration; null for a point.",
    )

    @field_validator("probs")
    @classmethod
    def _probabilities(cls, probs: dict[str, float]) -> dict[str, float]:
        for s, p in probs.items():
            if not (math.isfinite(p) and 0.0 <= p <= 1.0):
                raise ValueError(f"P({s}) must be a probability in [0, 1], got {p}")
        return probs


def _cell_kind(cell: Any) -> str:
    """A row written state by state, or any likelihood form.

    So a bad number gets one message, not two.
    """
    if isinstance(cell, StateRow) or (isinstance(cell, dict) and "probs" in cell):
        return "state_row"
    return "likelihood"


TableCell = Annotated[
    Annotated[Likelihood, Tag("likelihood")] | Annotated[StateRow, Tag("state_row")],
    Discriminator(_cell_kind),
]


class PropositionJudgement(Record):
    """One lens's table P(state | parent value) for a proposition, with its rationale.

    Each cell is either any likelihood form — for a two-state proposition, the
    probability of the first state — or a row ``{state: probability, ...}``
    that names every state and sums to 1 (needed with more than two states).
    """

    values: dict[Key, TableCell] = Field(
        description="Parent value (hypothesis id or parent state) -> P(first state) or {state: "
        "probability}."
    )
    confidence: Confidence | None = Field(
        default=None,
        description="low | medium | high: Beta/Dirichlet concentration 5 | 20 | 80 around each "
        "row.",
    )
    rationale: str = Field(
        default="", description="Why these probabilities, judged for each parent value."
    )

    @model_validator(mode="before")
    @classmethod
    def _cells(cls, data: Any) -> Any:
        row_forms = sorted(set(data) & (_ROW_KEYS - {"values"})) if isinstance(data, dict) else []
        if row_forms:
            raise ValueError(
                f"a proposition's table takes values, not {', '.join(row_forms)}: each row is a "
                "probability distribution over the proposition's states, and ratios across parent "
                "values do not determine it (write P(first state | parent value) or {state: p})"
            )
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            return data
        conf = data.get("confidence")
        k = _lk.CONFIDENCE.get(conf) if isinstance(conf, str) else None
        values = {}
        for v, cell in data["values"].items():
            if (
                isinstance(cell, dict)
                and isinstance(cell.get("probs"), dict)
                and set(cell) <= {"probs", "concentration"}
            ):
                pass  # a row as a dumped case writes it: {probs: {...}, concentration: ...}
            elif isinstance(cell, dict) and cell and not (set(cell) & _FORM_KEYS):
                cell = {"probs": cell, "concentration": k}
            elif (
                k is not None and isinstance(cell, str | int | float) and not isinstance(cell, bool)
            ):
                cell = {"p": cell, "confidence": conf}
            elif (
                k is not None
                and isinstance(cell, dict)
                and "p" in cell
                and "confidence" not in cell
            ):
                cell = {**cell, "confidence": conf}
            values[v] = cell
        return {**data, "values": values}


class Proposition(Record):
    """An unobserved fact that hypotheses (or another proposition) make more or less probable.

    Items that bear on it are conditionally independent given its state, so
    however many there are, they can never move the odds between two
    hypotheses by more than the proposition itself could (its *cap*).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, json_schema_extra=shorthand_schema
    )

    id: Id
    title: str = Field(min_length=1)
    short: ShortLabel | None = None
    description: str = ""
    states: list[Id] = Field(
        default_factory=lambda: ["yes", "no"],
        min_length=2,
        description="The proposition's states; default [yes, no].",
    )
    bears_on: Id | list[Id] = Field(
        default=HYPOTHESES,
        description="'hypotheses' (default), the id of another proposition, a list of parents in "
        "order (the table is nested in that order), or [] for a root fact nothing in the case "
        "causes (one row: P(state)).",
    )
    observed: Id | None = Field(
        default=None, description="A state observed for certain (a hard finding); default none."
    )
    implication: Id | None = Field(default=None, description="Table 1 row this proposition is.")
    issue_area: Id | None = None
    date: DateField = None
    sources: list[CiteKey] = Field(default_factory=list, description="BibTeX keys.")
    footnotes: list[Integer] = Field(
        default_factory=list, description="Footnote numbers in the source."
    )
    quote: Quote = Field(default="", description="Short quote, at most 40 words.")
    likelihoods: dict[Key, PropositionJudgement] = Field(
        description="Lens id -> table P(state | parent value)."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand_validator(cls, data: Any) -> Any:
        return cls.expand_shorthand(data)

    @classmethod
    def expand_shorthand(cls, data: Any) -> Any:
        """The raw record with shorthand likelihoods written out as the default lens's judgement.

        Shorthand likelihoods are a bare row.
        """
        # {likelihoods: {h1: 0.7, h2: 0.3}}: the default lens's table, no rationale.
        if isinstance(data, dict) and isinstance(data.get("likelihoods"), dict):
            lk = data["likelihoods"]
            if lk and not any(isinstance(v, dict) and set(v) & _ROW_KEYS for v in lk.values()):
                data = {**data, "likelihoods": {"__default__": {"values": lk}}}
        return flatten_judgements(one_parent(data), "likelihoods", {"values"})

    @model_validator(mode="after")
    def _observed_state(self) -> Proposition:
        if self.observed is not None and self.observed not in self.states:
            from motives.errors import did_you_mean

            raise ValueError(
                f"observed names an unknown state '{self.observed}'; states: {self.states}."
                + did_you_mean(self.observed, self.states)
            )
        check_parents_once(self.bears_on)
        return self

    @property
    def parents(self) -> tuple[str, ...]:
        """The parents in order: ``('hypotheses',)`` by default, ``()`` for a root fact.

        Examples
        --------
        >>> import motives as mv
        >>> mv.examples.load("burglary").proposition("at_scene").parents
        ('hypotheses',)
        """
        return parents_tuple(self.bears_on)

    @property
    def is_root(self) -> bool:
        """True for a root fact (``bears_on: []``): nothing in the case causes it."""
        return not self.parents

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

    def row(
        self, judgement: PropositionJudgement, parent_value: str
    ) -> tuple[list[float], float | None]:
        """(P(state | parent value) for each state, Dirichlet concentration or None) of a table row.

        Examples
        --------
        >>> from motives.schema import Proposition
        >>> prop = Proposition.model_validate(
        ...     {
        ...         "id": "motive",
        ...         "title": "The suspect's motive",
        ...         "states": ["money", "revenge", "none"],
        ...         "likelihoods": {
        ...             "default": {
        ...                 "confidence": "low",
        ...                 "values": {
        ...                     "suspect": {"money": 0.5, "revenge": 0.3, "none": 0.2},
        ...                     "someone_else": {"money": 0.1, "revenge": 0.1, "none": 0.8},
        ...                 },
        ...             }
        ...         },
        ...     }
        ... )
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
        >>> prop = Proposition.model_validate(
        ...     {
        ...         "id": "motive",
        ...         "title": "The suspect's motive",
        ...         "states": ["money", "none"],
        ...         "likelihoods": {
        ...             "default": {
        ...                 "values": {"suspect": {"money": 0.5, "none": 0.6}, "someone_else": 0.1}
        ...             }
        ...         },
        ...     }
        ... )
        >>> prop.row_problems("default", prop.likelihoods["default"])
        [("row must sum to 1 over the states ['money', 'none'], it sums to 1.1",
        'likelihoods.default.values.suspect')]
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
                    out.append(
                        (
                            f"row must name every state {states} exactly"
                            + (f"; unknown {unknown}" if unknown else "")
                            + (f"; missing {missing}" if missing else ""),
                            field,
                        )
                    )
                    continue
                total = sum(cell.probs.values())
                if abs(total - 1.0) > ROW_TOLERANCE:
                    out.append(
                        (
                            f"row must sum to 1 over the states {states}, it sums to {total:.6g}",
                            field,
                        )
                    )
            elif len(states) != 2:
                out.append(
                    (
                        f"this proposition has {len(states)} states {states}: give the row as "
                        "{state: probability, ...} summing to 1 (a single number is P(first state) "
                        "only for two states)",
                        field,
                    )
                )
        return out

    def _repr_html_(self) -> str:
        from motives.display import proposition_html

        return proposition_html(self)
