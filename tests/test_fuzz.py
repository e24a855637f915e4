"""Arbitrary YAML documents fed to the loader raise only the library's own CaseError."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import motives as mv

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "likely",
            "CC",
            "0.5",
            "a",
            "b",
            "e1",
            "me",
            "2022-02-30",
            "likelihood",
            "timeline",
            "quantity",
            "normal",
            "lognormal",
            "uniform",
        ]
    ),
)
keys = st.sampled_from(
    [
        "name",
        "hypotheses",
        "id",
        "prior",
        "evidence",
        "title",
        "likelihoods",
        "values",
        "rationale",
        "kind",
        "given",
        "sources",
        "reported_by",
        "interval",
        "beta",
        "mean",
        "concentration",
        "p",
        "confidence",
        "trends",
        "observations",
        "date",
        "code",
        "sigma",
        "predictive",
        "dist",
        "observed",
        "amend",
        "extends",
        "lenses",
        "a",
        "b",
        "x",
    ]
) | st.text(max_size=8)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=40,
)
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


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case_doc=documents, ev_doc=documents, good_case=st.booleans())
def test_arbitrary_documents_raise_only_case_error(
    tmp_path_factory, case_doc, ev_doc, good_case
) -> None:
    d = tmp_path_factory.mktemp("fuzz")
    (d / "case.yaml").write_text(GOOD_CASE if good_case else dump(case_doc), encoding="utf-8")
    (d / "ev.yaml").write_text(dump(ev_doc), encoding="utf-8")
    check(d)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200) | deep)
def test_arbitrary_text_raises_only_case_error(tmp_path_factory, text: str) -> None:
    d = tmp_path_factory.mktemp("fuzztext")
    (d / "case.yaml").write_text(GOOD_CASE, encoding="utf-8")
    (d / "ev.yaml").write_text(text, encoding="utf-8")
    check(d)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=scalars | documents)
def test_arbitrary_likelihood_cells(tmp_path_factory, value) -> None:
    """Structured documents that are nearly valid reach deep validators (forms, dates, kinds)."""
    d = tmp_path_factory.mktemp("fuzzcell")
    (d / "case.yaml").write_text(GOOD_CASE, encoding="utf-8")
    doc = {
        "evidence": [
            {"id": "e1", "title": "t", "date": value, "likelihoods": {"a": value, "b": 0.5}},
            {
                "id": "e2",
                "title": "t",
                "kind": "timeline",
                "sigma": value,
                "observations": [{"date": 2002, "code": value}],
                "trends": {
                    "default": {
                        "values": {
                            "a": {
                                "intercept": {"mean": value, "sd": 1},
                                "slope": {"mean": 0, "sd": value},
                            },
                            "b": value,
                        }
                    }
                },
            },
            {
                "id": "e3",
                "title": "t",
                "kind": "quantity",
                "observed": value,
                "predictive": {
                    "default": {
                        "values": {
                            "a": {"dist": "lognormal", "median": value, "sigma": 1},
                            "b": {"dist": "uniform", "lower": 0, "upper": value},
                        }
                    }
                },
            },
        ]
    }
    (d / "ev.yaml").write_text(dump(doc), encoding="utf-8")
    check(d)


# --------------------------------------------------------------------- specs and the CLI (issue 12)

spec_keys = st.sampled_from(
    [
        "name",
        "case",
        "model",
        "lens",
        "lenses",
        "prior",
        "reliability",
        "sampler",
        "sensitivity",
        "figures",
        "draws",
        "tune",
        "chains",
        "seed",
        "target_accept",
        "backend",
        "tornado_factor",
        "sweep_points",
        "sobol_samples",
        "dirichlet",
        "a",
        "b",
        "uniform",
        "description",
    ]
) | st.text(max_size=8)
spec_scalars = scalars | st.sampled_from(
    [
        "cookies",
        "../c",
        "exclusive",
        "mixture",
        "pooled",
        "uniform",
        "png",
        ".inf",
        "yes",
        "no",
        "a",
        "b",
    ]
)
spec_docs = st.recursive(
    spec_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(spec_keys, inner, max_size=6),
    max_leaves=30,
)
nearly_valid_specs = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["s", "S", " s", 3]),
        "case": st.sampled_from(["c", "../c", "missing", 1, "/dev/zero"]),
    },
    optional={
        "prior": spec_scalars
        | spec_docs
        | st.dictionaries(
            st.sampled_from(["a", "b", " a", "dirichlet"]), spec_scalars | spec_docs, max_size=3
        ),
        "reliability": spec_scalars,
        "lens": spec_scalars,
        "model": spec_scalars,
        "sampler": spec_docs,
        "sensitivity": spec_docs,
        "figures": spec_docs,
    },
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=spec_docs | nearly_valid_specs)
def test_arbitrary_spec_documents_raise_only_library_errors(tmp_path_factory, doc) -> None:
    """What every spec command does before its heavy work.

    Load the spec, its case, its lens and prior.
    """
    from motives.app.workflow import spec_case as _spec_case

    d = tmp_path_factory.mktemp("fuzzspec")
    (d / "c").mkdir()
    (d / "c" / "case.yaml").write_text(GOOD_CASE, encoding="utf-8")
    (d / "c" / "ev.yaml").write_text(
        "evidence:\n  - {id: e1, title: t, likelihoods: {a: 0.6, b: 0.3}}\n"
    )
    (d / "spec.yaml").write_text(dump(doc), encoding="utf-8")
    try:
        _spec_case(d / "spec.yaml")
    except mv.MotivesError as exc:
        assert str(exc)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.binary(max_size=300) | documents.map(lambda d: dump(d).encode()),
    title=st.sampled_from(
        ["[/]", "[link=http://x]y[/link]", "\x1b[31mred", "<script>", "$5_$", "a\u202eb"]
    )
    | st.text(max_size=12),
    command=st.sampled_from(["check", "posterior", "describe"]),
)
def test_cli_on_arbitrary_bytes_never_shows_a_traceback(
    tmp_path_factory, data: bytes, title: str, command: str
) -> None:
    """Arbitrary bytes as an evidence file (and any title).

    The CLI exits 0 or 2 with its own message.
    """
    from typer.testing import CliRunner

    from motives.cli import app

    d = tmp_path_factory.mktemp("fuzzcli")
    (d / "case.yaml").write_text(GOOD_CASE + dump({"title": title}), encoding="utf-8")
    (d / "ev.yaml").write_bytes(data)
    r = CliRunner().invoke(app, [command, str(d)])
    assert r.exit_code in (0, 2), r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output and "internal error" not in r.output
    if r.exit_code == 2:
        assert "error" in r.output
