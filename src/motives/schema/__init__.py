"""Pydantic records of a case.

Hypotheses, lenses, sources, propositions, evidence items, the case itself.

Records are frozen and forbid unknown keys. Validation of single values lives
in field validators; cross-references (unknown hypotheses, missing likelihoods,
``given`` cycles, the proposition structure, ...) in :class:`Case`'s model
validator, which reports every problem with its item and field.

The package is split by concern — ``forms`` (ids, likelihood forms, dates),
``records`` (hypotheses, lenses, sources, ...), ``evidence`` (judgements and
the evidence kinds), ``structure`` (propositions), ``groupings`` (named
partitions of the hypotheses, analysis targets) and ``case`` (files and the
case) — and every public name is importable from ``motives.schema``.
"""

from motives.schema.case import Case, CaseFile, EvidenceFile
from motives.schema.evidence import (
    Amendment,
    BreakGrid,
    EvidenceItem,
    LensJudgement,
    LikelihoodItem,
    LogNormalPredictive,
    NormalPredictive,
    NormalPrior,
    Predictive,
    PredictiveJudgement,
    QuantityItem,
    StepSpec,
    StepTrend,
    TimelineItem,
    TimelineObservation,
    TrendJudgement,
    TrendPrior,
    UniformPredictive,
)
from motives.schema.forms import (
    PRIOR_TOLERANCE,
    Confidence,
    DateField,
    Id,
    Likelihood,
    PartialDate,
    Record,
    finite,
)
from motives.schema.groupings import Group, Grouping
from motives.schema.records import (
    Family,
    Hypothesis,
    Implication,
    IssueArea,
    Lens,
    SeedQuestion,
    Source,
)
from motives.schema.structure import Proposition, PropositionJudgement, StateRow

__all__ = [
    "PRIOR_TOLERANCE",
    "Amendment",
    "BreakGrid",
    "Case",
    "CaseFile",
    "Confidence",
    "DateField",
    "EvidenceFile",
    "EvidenceItem",
    "Family",
    "Group",
    "Grouping",
    "Hypothesis",
    "Id",
    "Implication",
    "IssueArea",
    "Lens",
    "LensJudgement",
    "Likelihood",
    "LikelihoodItem",
    "LogNormalPredictive",
    "NormalPredictive",
    "NormalPrior",
    "PartialDate",
    "Predictive",
    "PredictiveJudgement",
    "Proposition",
    "PropositionJudgement",
    "QuantityItem",
    "Record",
    "SeedQuestion",
    "Source",
    "StateRow",
    "StepSpec",
    "StepTrend",
    "TimelineItem",
    "TimelineObservation",
    "TrendJudgement",
    "TrendPrior",
    "UniformPredictive",
    "finite",
]
