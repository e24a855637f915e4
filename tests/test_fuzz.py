"""Arbitrary YAML documents fed to the loader raise only the library's own CaseError."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import motives as mv

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["likely", "CC", "0.5", "a", "b", "e1", "me", "2022-02-30", "likelihood", "timeline",
                     "quantity", "normal", "lognormal", "uniform"]),
)
keys = st.sampled_from(["name", "hypotheses", "id", "prior", "evidence", "title", "likelihoods", "values",
                        "rationale", "kind", "given", "sources", "reported_by", "interval", "beta", "mean",
                        "concentration", "p", "confidence", "trends", "observations", "date", "code", "sigma",
                        "predictive", "dist", "observed", "amend", "extends", "lenses", "a", "b", "x"]) | st.text(max_size=8)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
                         max_leaves=40)
deep = st.integers(1, 3000).map(lambda n: "[" * n + "]" * n)


def dump(doc: object) -> str:
    try:
        return yaml.safe_dump(doc, allow_unicode=True)
    except (yaml.YAMLError, OverflowError):  # pragma: no cover - some floats/ints do not dump
        return "x: 1\n"


def check(folder: Path) -> None:
    try:
        mv.load_case(folder)
    except mv.CaseError as exc:
        assert str(exc)
    # loading may also succeed: the fuzzer sometimes writes a valid case


GOOD_CASE = "name: f\nhypotheses:\n  - {id: a}\n  - {id: b}\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(case_doc=documents, ev_doc=documents, good_case=st.booleans())
def test_arbitrary_documents_raise_only_case_error(tmp_path_factory, case_doc, ev_doc, good_case) -> None:
    d = tmp_path_factory.mktemp("fuzz")
    (d / "case.yaml").write_text(GOOD_CASE if good_case else dump(case_doc), encoding="utf-8")
    (d / "ev.yaml").write_text(dump(ev_doc), encoding="utf-8")
    check(d)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200) | deep)
def test_arbitrary_text_raises_only_case_error(tmp_path_factory, text: str) -> None:
    d = tmp_path_factory.mktemp("fuzztext")
    (d / "case.yaml").write_text(GOOD_CASE, encoding="utf-8")
    (d / "ev.yaml").write_text(text, encoding="utf-8")
    check(d)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=scalars | documents)
def test_arbitrary_likelihood_cells(tmp_path_factory, value) -> None:
    """Structured documents that are nearly valid reach deep validators (forms, dates, kinds)."""
    d = tmp_path_factory.mktemp("fuzzcell")
    (d / "case.yaml").write_text(GOOD_CASE, encoding="utf-8")
    doc = {"evidence": [{"id": "e1", "title": "t", "date": value, "likelihoods": {"a": value, "b": 0.5}},
                        {"id": "e2", "title": "t", "kind": "timeline", "sigma": value, "observations": [
                            {"date": 2002, "code": value}], "trends": {"default": {"values": {
                                "a": {"intercept": {"mean": value, "sd": 1}, "slope": {"mean": 0, "sd": value}},
                                "b": value}}}},
                        {"id": "e3", "title": "t", "kind": "quantity", "observed": value,
                         "predictive": {"default": {"values": {"a": {"dist": "lognormal", "median": value, "sigma": 1},
                                                                "b": {"dist": "uniform", "lower": 0, "upper": value}}}}}]}
    (d / "ev.yaml").write_text(dump(doc), encoding="utf-8")
    check(d)
