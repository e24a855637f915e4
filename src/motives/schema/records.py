"""Case-level records: hypotheses, families, lenses, sources, issue areas, Table 1 rows."""

from __future__ import annotations

import math

from pydantic import Field, model_validator

from motives.schema.forms import CiteKey, Id, Key, Likelihood, Number, Record, ShortLabel


class Hypothesis(Record):
    """One rival account."""

    id: Id
    label: str | None = Field(default=None, description="Human-readable name.")
    short: ShortLabel | None = None
    family: Id | None = Field(
        default=None, description="Family id (e.g. security); default: the id itself."
    )
    prior: Number | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Prior probability; give all or none (none = uniform).",
    )
    description: str = ""
    value: float | None = Field(
        default=None,
        strict=True,
        allow_inf_nan=False,
        description="A number the hypothesis stands for (a point of a parameter grid); give all "
        "or none. When every hypothesis has one, the posterior mean, median and 90% credible "
        "interval of the value are reported.",
    )

    @property
    def family_id(self) -> str:
        """The family this hypothesis belongs to."""
        return self.family or self.id

    @property
    def name(self) -> str:
        """Label, or the id when there is none."""
        return self.label or self.id

    @property
    def short_name(self) -> str:
        """The short label, else :attr:`name` (figures and table headers)."""
        return self.short or self.name


class Family(Record):
    """A group of hypotheses whose credences are summed (e.g. security vs non-security)."""

    id: Id
    label: str | None = None
    short: ShortLabel | None = None
    description: str = ""


class Lens(Record):
    """Whose judgements the likelihoods are (an analyst or a school)."""

    id: Id
    name: str | None = None
    short: ShortLabel | None = None
    description: str = ""


class Source(Record):
    """A reporting source (BibTeX key) and how reliable its reports are."""

    key: CiteKey = Field(min_length=1, description="BibTeX key of the source.")
    reliability: Likelihood = Field(
        default_factory=lambda: Likelihood(mean=1.0),
        description="Probability that a report of this source is true: any likelihood form; "
        "default 1.",
    )
    description: str = ""


class IssueArea(Record):
    """A group of items (one section of the article)."""

    id: Id
    title: str = ""
    footnotes: str | None = Field(
        default=None, description="Footnote range in the source, e.g. '101-122'."
    )


class Implication(Record):
    """One row of a table of predictions (Table 1): what each hypothesis predicts."""

    id: Id
    title: str
    predictions: dict[Key, str] = Field(description="Hypothesis id -> what it predicts.")


class SeedQuestion(Record):
    """A quantity with a known answer that each lens estimated.

    It scores lenses for calibration weights.

    Used by :func:`motives.pooling.pool` with ``weights="calibration"`` (Cooke's classical model).
    """

    id: Id
    title: str = ""
    answer: Number = Field(
        allow_inf_nan=False, description="The true value, known to the analyst of the case."
    )
    quantiles: dict[Key, list[Number]] = Field(
        description="Lens id -> its 5%, 50% and 95% quantiles for the quantity, increasing."
    )
    sources: list[CiteKey] = Field(default_factory=list, description="BibTeX keys.")

    @model_validator(mode="after")
    def _three_increasing(self) -> SeedQuestion:
        for lens, q in self.quantiles.items():
            if len(q) != 3 or not (q[0] < q[1] < q[2]) or not all(math.isfinite(x) for x in q):
                raise ValueError(
                    f"quantiles of lens '{lens}' must be three increasing numbers [q05, q50, q95], "
                    f"got {q}"
                )
        return self
