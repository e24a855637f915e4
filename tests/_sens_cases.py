"""Small synthetic cases for the sensitivity, plot, report and CLI tests."""

from __future__ import annotations

from typing import Any

from motives.schema import Case

H4 = ["nat", "reg", "ide", "lea"]


def rich_case(**overrides: Any) -> Case:
    """Four hypotheses in two families, two lenses, a shared unreliable source, a timeline and a quantity item."""
    data: dict[str, Any] = {
        "name": "synthetic",
        "title": "A synthetic case with every kind of item",
        "default_lens": "a",
        "hypotheses": [
            {"id": "nat", "label": "National security", "family": "security", "prior": 0.4},
            {"id": "reg", "label": "Regime security", "family": "nonsecurity", "prior": 0.2},
            {"id": "ide", "label": "Ideology", "family": "nonsecurity", "prior": 0.2},
            {"id": "lea", "label": "Leader image", "family": "nonsecurity", "prior": 0.2},
        ],
        "families": [{"id": "security", "label": "Security"}, {"id": "nonsecurity", "label": "Non-security"}],
        "lenses": [{"id": "a", "name": "Lens A"}, {"id": "b", "name": "Lens B"}],
        "sources": [{"key": "wire", "reliability": {"mean": 0.7, "concentration": 10}}],
        "issue_areas": [{"id": "diplomacy", "title": "Diplomacy"}, {"id": "force", "title": "Force & size"}],
        "references": {"doc1": {"title": "One"}, "wire": {"title": "Wire report"}, "doc_2": {"title": "Two"}},
        "evidence": [
            {"id": "orders", "title": "Orders to seize the capital", "date": "2022-02-24", "issue_area": "force",
             "sources": ["doc1"], "footnotes": [175], "quote": "liquidate the executive & more",
             "likelihoods": {
                 "a": {"values": {"nat": 0.3, "reg": 0.85, "ide": 0.85, "lea": 0.8}, "confidence": "medium"},
                 "b": {"values": {"nat": 0.6, "reg": 0.7, "ide": 0.7, "lea": 0.7}, "confidence": "low"}}},
            {"id": "talks", "title": "Talks held in good faith?", "date": "2021-12", "issue_area": "diplomacy",
             "sources": ["doc_2"],
             "likelihoods": {"a": {"values": {"nat": 0.6, "reg": 0.3, "ide": 0.35, "lea": 0.3}}}},
            {"id": "report1", "title": "Wire report one", "date": "2022-01-10", "issue_area": "diplomacy",
             "sources": ["wire"], "reported_by": "wire",
             "likelihoods": {"a": {"values": {"nat": 0.2, "reg": 0.6, "ide": 0.6, "lea": 0.7}},
                             "b": {"values": {"nat": 0.5, "reg": 0.5, "ide": 0.5, "lea": 0.6}}}},
            {"id": "report2", "title": "Wire report two", "issue_area": "diplomacy",
             "sources": ["wire"], "reported_by": "wire", "base_rate": 0.3,
             "likelihoods": {"a": {"values": {"nat": 0.4, "reg": 0.7, "ide": 0.5, "lea": 0.6},
                                   "confidence": "high"}}},
            {"id": "neutral", "title": "Opposes NATO membership", "issue_area": "diplomacy", "sources": ["doc1"],
             "likelihoods": {"a": {"values": {"nat": 0.9, "reg": 0.9, "ide": 0.9, "lea": 0.9}}}},
            {"id": "force_size", "kind": "quantity", "title": "Size of the force", "observed": 190000,
             "issue_area": "force", "date": "2022-02",
             "predictive": {"a": {"values": {
                 "nat": {"dist": "lognormal", "median": 150000, "sigma": 0.4},
                 "reg": {"dist": "normal", "mean": 200000, "sd": 50000},
                 "ide": {"dist": "normal", "mean": 220000, "sd": 60000},
                 "lea": {"dist": "normal", "mean": 200000, "sd": 60000}}},
                 "b": {"values": {
                     "nat": {"dist": "lognormal", "median": 190000, "sigma": 0.4},
                     "reg": {"dist": "normal", "mean": 200000, "sd": 50000},
                     "ide": {"dist": "normal", "mean": 220000, "sd": 60000},
                     "lea": {"dist": "normal", "mean": 200000, "sd": 60000}}}}},
            {"id": "rhetoric", "kind": "timeline", "title": "Statements on NATO", "origin": 2002, "sigma": 1.2,
             "issue_area": "diplomacy", "sources": ["doc1"],
             "scale": {0: "none", 1: "mild", 2: "objection", 3: "strong", 4: "red line"},
             "observations": [{"date": "2002-05", "code": 0}, {"date": "2004", "code": 1},
                              {"date": "2008-04", "code": 3}, {"date": "2014", "code": 3},
                              {"date": "2021-12", "code": 4}],
             "trends": {"a": {"values": {
                 "nat": {"intercept": {"mean": 1.5, "sd": 1.0}, "slope": {"mean": 0.08, "sd": 0.06}},
                 "reg": {"intercept": {"mean": 1.0, "sd": 0.5}, "slope": {"mean": 0.12, "sd": 0.04}},
                 "ide": {"intercept": {"mean": 1.0, "sd": 0.5}, "slope": {"mean": 0.12, "sd": 0.04}},
                 "lea": {"intercept": {"mean": 0.8, "sd": 0.5}, "slope": {"mean": 0.14, "sd": 0.04}}}}}},
        ],
    }
    data.update(overrides)
    return Case.model_validate(data)


def two_hypothesis_case() -> Case:
    """Two hypotheses, independent items taken at face value."""
    return Case.model_validate({
        "name": "two",
        "hypotheses": [{"id": "h1", "prior": 0.3}, {"id": "h2", "prior": 0.7}],
        "evidence": [
            {"id": "e1", "title": "one", "likelihoods": {"h1": 0.8, "h2": 0.3}},
            {"id": "e2", "title": "two", "likelihoods": {"h1": 0.4, "h2": 0.5}},
            {"id": "e3", "title": "three", "likelihoods": {"h1": 0.9, "h2": 0.2}},
        ],
    })
