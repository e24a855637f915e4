"""Case-level records: hypotheses, families, lenses, sources, issue areas, Table 1 rows."""

from __future__ import annotations

from pydantic import Field

from motives.schema.forms import Id, Likelihood, Record


class Hypothesis(Record):
    """One rival account."""

    id: Id
    label: str | None = Field(default=None, description="Human-readable name.")
    family: Id | None = Field(default=None, description="Family id (e.g. security); default: the id itself.")
    prior: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Prior probability; give all or none (none = uniform)."
    )
    description: str = ""
    value: float | None = Field(
        default=None, strict=True, allow_inf_nan=False,
        description="A number the hypothesis stands for (a point of a parameter grid); give all or none. When every "
                    "hypothesis has one, the posterior mean, median and 90% credible interval of the value are "
                    "reported.")

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
