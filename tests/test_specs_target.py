"""Issue 13 item 4: analysis specs documented, did-you-mean over every key, targets, --prior, named groupings."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motives.errors import CaseError
from motives.io import validate
from motives.schema import CaseFile, EvidenceFile, Hypothesis, LikelihoodItem, TimelineItem
from motives.schema.forms import close_matches
from motives.spec import AnalysisSpec, SamplerSettings, SensitivitySettings

# --------------------------------------------------------------------------- did you mean

LETTERS = "abcdefghijklmnopqrstuvwxyz_"

#: (model whose keys are typed wrong, a valid document, where the wrong key goes in it)
LEVELS = {
    "spec": (AnalysisSpec, {"name": "x", "case": "c"}, ()),
    "spec.sampler": (SamplerSettings, {"name": "x", "case": "c", "sampler": {}}, ("sampler",)),
    "spec.sensitivity": (SensitivitySettings, {"name": "x", "case": "c", "sensitivity": {}}, ("sensitivity",)),
    "case": (CaseFile, {"name": "x", "hypotheses": [{"id": "a"}, {"id": "b"}]}, ()),
    "case.hypothesis": (Hypothesis, {"name": "x", "hypotheses": [{"id": "a"}, {"id": "b"}]}, ("hypotheses", 0)),
    "evidence": (EvidenceFile, {"evidence": []}, ()),
    "evidence.likelihood": (LikelihoodItem, {"evidence": [{"id": "e", "title": "t", "likelihoods": {
        "me": {"values": {"a": 0.5, "b": 0.4}}}}]}, ("evidence", 0)),
    "evidence.timeline": (TimelineItem, {"evidence": [{"id": "e", "kind": "timeline", "title": "t", "origin": 2000,
                                                       "sigma": 1.0, "observations": [{"date": 2001, "value": 1}],
                                                       "trends": {"a": {"slope": 0}}}]}, ("evidence", 0)),
}
TOP = {"spec": AnalysisSpec, "case": CaseFile, "evidence": EvidenceFile}


@st.composite
def typos(draw: st.DrawFn) -> tuple[str, str, str]:
    """A level, one of its keys, and the key with one random edit (never itself a key of that level)."""
    level = draw(st.sampled_from(sorted(LEVELS)))
    keys = list(LEVELS[level][0].model_fields)
    key = draw(st.sampled_from(keys))
    op = draw(st.sampled_from(["delete", "insert", "substitute", "swap"] if len(key) > 1 else ["insert"]))
    i = draw(st.integers(0, len(key) - 1))
    c = draw(st.sampled_from(LETTERS))
    typo = {"delete": key[:i] + key[i + 1:], "insert": key[:i] + c + key[i:],
            "substitute": key[:i] + c + key[i + 1:],
            "swap": key[:i] + key[i + 1:i + 2] + key[i:i + 1] + key[i + 2:]}[op]
    from hypothesis import assume

    assume(typo and typo not in keys and typo != key)
    return level, key, typo


def _error(level: str, typo: str) -> str:
    model, doc, where = LEVELS[level]
    import copy

    doc = copy.deepcopy(doc)
    node = doc
    for part in where:
        node = node[part]
    node[typo] = 1
    with pytest.raises(CaseError) as exc:
        validate(TOP[level.split(".")[0]], doc, "f.yaml", {})
    found = [p.message for p in exc.value.problems if f"unknown key '{typo}'" in p.message]
    assert len(found) == 1, [p.message for p in exc.value.problems]
    return found[0]


def _suggested(message: str) -> list[str]:
    m = re.search(r"Did you mean (.*?)\?", message)
    return re.findall(r"'([^']*)'", m.group(1)) if m else []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(t=typos())
def test_a_one_edit_typo_suggests_the_key_and_every_key_as_close(t: tuple[str, str, str]) -> None:
    level, key, typo = t
    msg = _error(level, typo)
    suggested = _suggested(msg)
    assert key in suggested, msg
    keys = list(LEVELS[level][0].model_fields)
    # every other key one edit away (or differing only in letter case) is suggested too
    one_edit = {k for k in keys if k != typo and _osa(typo, k) <= 1}
    assert one_edit <= set(suggested), msg
    assert "Valid keys: " + ", ".join(keys) in msg


def _osa(a: str, b: str) -> int:
    """Independent reference: edit distance with adjacent swaps, by brute-force recursion on short words."""
    import functools

    @functools.cache
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        best = min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))
        if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
            best = min(best, d(i - 2, j - 2) + 1)
        return best

    return d(len(a), len(b))


@pytest.mark.parametrize(("level", "typo", "expected"), [
    ("spec", "lense", {"lens", "lenses"}),
    ("spec", "Lens", {"lens"}),
    ("spec.sampler", "draw", {"draws"}),
    ("spec.sensitivity", "seeds", {"seed"}),
    ("case.hypothesis", "priro", {"prior"}),
    ("evidence.timeline", "observationz", {"observations"}),
    ("evidence.likelihood", "footnote", {"footnotes"}),
])
def test_named_typos(level: str, typo: str, expected: set[str]) -> None:
    assert expected <= set(_suggested(_error(level, typo)))


def test_nothing_close_suggests_nothing() -> None:
    msg = _error("spec.sampler", "zzzzzz")
    assert "Did you mean" not in msg and "Valid keys: draws" in msg
    assert close_matches("qqq", ["lens", "lenses"]) == []
