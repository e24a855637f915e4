"""Malformed networks (facts with several parents, root facts, observed facts).

Each is one located message naming file, line, item and field, a non-zero exit from the CLI, and no
traceback.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import motives as mv
from motives.cli import app

CASE = """\
name: net
hypotheses:
  - {id: a, prior: 0.3}
  - {id: b, prior: 0.7}
lenses:
  - {id: me}
"""

QUAKE = """\
  - id: quake
    title: An earthquake
    bears_on: []
    likelihoods: {yes: 0.1, no: 0.9}
"""

ALARM = """\
  - id: alarm
    title: The alarm rang
    bears_on: [hypotheses, quake]
    likelihoods:
      me:
        values:
          a: {yes: 0.95, no: 0.9}
          b: {yes: 0.3, no: 0.01}
        rationale: because
"""

CALL = """\
evidence:
  - id: call
    title: A neighbour calls
    bears_on: alarm
    likelihoods: {yes: 0.9, no: 0.05}
"""


def net(
    quake: str = QUAKE, alarm: str = ALARM, call: str = CALL, extra: str = ""
) -> dict[str, str]:
    """The control network with one part replaced: case.yaml and x.yaml (propositions on line 1)."""
    return {"case.yaml": CASE, "x.yaml": "propositions:\n" + quake + alarm + extra + call}


def write(tmp: Path, files: dict[str, str]) -> Path:
    d = tmp / "case"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return d


def alarm(values: str, bears: str = "[hypotheses, quake]", extra: str = "") -> str:
    return (
        ALARM.replace(
            """          a: {yes: 0.95, no: 0.9}
          b: {yes: 0.3, no: 0.01}
""",
            textwrap.indent(values.strip("\n") + "\n", " " * 10),
        ).replace("[hypotheses, quake]", bears)
        + extra
    )


# (name, files, (file, line or None, must-appear substrings))
CASES = [
    (
        "missing parent combination",
        net(alarm=alarm("a: {yes: 0.95, no: 0.9}\nb: {yes: 0.3}")),
        (
            "x.yaml",
            11,
            [
                "alarm",
                "likelihoods.me.values",
                "missing parent combination(s) b / no",
                "4 combinations",
            ],
        ),
    ),
    (
        "extra parent combination",
        net(alarm=alarm("a: {yes: 0.95, no: 0.9, maybe: 0.5}\nb: {yes: 0.3, no: 0.01}")),
        (
            "x.yaml",
            12,
            ["alarm", "values.a.maybe", "level 2", "states of 'quake'", "'maybe' is not one"],
        ),
    ),
    (
        "wrong nesting order",
        net(alarm=alarm("yes: {a: 0.95, b: 0.3}\nno: {a: 0.9, b: 0.01}")),
        (
            "x.yaml",
            12,
            [
                "alarm",
                "values.yes",
                "level 1",
                "values of states of 'quake'",
                "order of bears_on",
                "Swap the levels",
            ],
        ),
    ),
    (
        "unknown hypothesis at the first level",
        net(alarm=alarm("a: {yes: 0.95, no: 0.9}\nc: {yes: 0.3, no: 0.01}")),
        ("x.yaml", 13, ["alarm", "values.c", "'c' is not one"]),
    ),
    (
        "a flat table for two parents",
        net(alarm=alarm("a: 0.95\nb: 0.3")),
        (
            "x.yaml",
            None,
            [
                "alarm",
                "values.a",
                "expected a table keyed by the values of 'quake'",
                "nested in the order of bears_on",
            ],
        ),
    ),
    (
        "a cycle through two facts",
        net(
            quake=QUAKE.replace("bears_on: []", "bears_on: [alarm]").replace(
                "likelihoods: {yes: 0.1, no: 0.9}",
                "likelihoods: {yes: {yes: 0.5, no: 0.5}, no: {yes: 0.1, no: 0.9}}",
            )
        ),
        ("x.yaml", None, ["bears_on", "forms a cycle", "quake", "alarm"]),
    ),
    (
        "a root with a parent table",
        net(
            quake=QUAKE.replace(
                "likelihoods: {yes: 0.1, no: 0.9}",
                "likelihoods: {a: {yes: 0.1, no: 0.9}, b: {yes: 0.2, no: 0.8}}",
            )
        ),
        (
            "x.yaml",
            None,
            ["quake", "root fact (bears_on: [])", "one row", "give bears_on the parents"],
        ),
    ),
    (
        "observed names an unknown state",
        net(extra="    observed: yess\n"),
        ("x.yaml", None, ["alarm", "observed", "unknown state 'yess'", "Did you mean 'yes'"]),
    ),
    (
        "observed is not an id",
        net(extra="    observed: 1\n"),
        ("x.yaml", None, ["alarm", "observed"]),
    ),
    (
        "an unknown parent in the list",
        net(
            alarm=alarm(
                "a: {yes: 0.95, no: 0.9}\nb: {yes: 0.3, no: 0.01}", bears="[hypotheses, quak]"
            )
        ),
        ("x.yaml", 8, ["alarm", "bears_on", "unknown proposition 'quak'", "Did you mean 'quake'"]),
    ),
    (
        "a parent listed twice",
        net(
            alarm=alarm("a: {yes: 0.95, no: 0.9}\nb: {yes: 0.3, no: 0.01}", bears="[quake, quake]")
        ),
        ("x.yaml", None, ["alarm", "bears_on", "more than once"]),
    ),
    (
        "a fact among its own parents",
        net(
            alarm=alarm(
                "a: {yes: 0.95, no: 0.9}\nb: {yes: 0.3, no: 0.01}", bears="[hypotheses, alarm]"
            )
        ),
        ("x.yaml", 8, ["alarm", "bears_on", "cannot bear on itself"]),
    ),
    (
        "an item with no parent",
        net(call=CALL.replace("bears_on: alarm", "bears_on: []")),
        ("x.yaml", None, ["call", "bears_on: []", "nothing in the case explains"]),
    ),
    (
        "a timeline item with two parents",
        net(
            call=CALL
            + """\
  - id: tl
    title: statements
    kind: timeline
    bears_on: [hypotheses, quake]
    sigma: 1.0
    observations: [{date: 2001, code: 1}]
    trends: {me: {values: {a.yes: {intercept: {mean: 0, sd: 1}, slope: {mean: 0, sd: 1}}}}}
"""
        ),
        ("x.yaml", None, ["tl", "bears_on", "takes one parent"]),
    ),
    (
        "an item with two parents and a missing combination",
        net(
            call=CALL
            + """\
  - id: both
    title: seen on both
    bears_on: [alarm, quake]
    likelihoods:
      alarm_yes_only: 1
"""
        ),
        ("x.yaml", None, ["both", "likelihoods"]),
    ),
    (
        "an item with two parents keyed one level deep",
        net(
            call=CALL
            + """\
  - id: both
    title: seen on both
    bears_on: [alarm, quake]
    likelihoods: {yes: 0.3, no: 0.2}
"""
        ),
        ("x.yaml", None, ["both", "expected a table keyed by the values of 'quake'"]),
    ),
    (
        "a cell above 1 in a nested table",
        net(alarm=alarm("a: {yes: 1.95, no: 0.9}\nb: {yes: 0.3, no: 0.01}")),
        ("x.yaml", None, ["alarm", "values.a.yes", "[0, 1]"]),
    ),
    (
        "a three-state nested row not summing to 1",
        net(
            alarm=alarm(
                "a: {yes: {hi: 0.5, mid: 0.3, lo: 0.3}, no: {hi: 0.2, mid: 0.3, lo: 0.5}}\n"
                "b: {yes: {hi: 0.5, mid: 0.3, lo: 0.2}, no: {hi: 0.2, mid: 0.3, lo: 0.5}}",
                extra="",
            ).replace("title: The alarm rang", "title: The alarm rang\n    states: [hi, mid, lo]"),
            call=CALL.replace("{yes: 0.9, no: 0.05}", "{hi: 0.9, mid: 0.5, lo: 0.05}"),
        ),
        ("x.yaml", None, ["alarm", "values.a.yes", "must sum to 1", "sums to 1.1"]),
    ),
    (
        "a root row not summing to 1",
        net(quake=QUAKE.replace("{yes: 0.1, no: 0.9}", "{yes: 0.2, no: 0.9}")),
        ("x.yaml", None, ["quake", "must sum to 1", "sums to 1.1"]),
    ),
    (
        "a root row naming an unknown state",
        net(quake=QUAKE.replace("{yes: 0.1, no: 0.9}", "{yes: 0.1, nope: 0.9}")),
        ("x.yaml", None, ["quake", "unknown ['nope']", "missing ['no']"]),
    ),
    (
        "hypotheses listed twice",
        net(
            alarm=alarm(
                "a: {a: 0.95, b: 0.9}\nb: {a: 0.3, b: 0.01}", bears="[hypotheses, hypotheses]"
            )
        ),
        ("x.yaml", None, ["alarm", "bears_on", "more than once"]),
    ),
    (
        "a cycle of three facts",
        net(
            extra="""\
  - id: f1
    title: one
    bears_on: [quake, f3]
    likelihoods: {yes: {yes: 0.5, no: 0.5}, no: {yes: 0.5, no: 0.5}}
  - id: f2
    title: two
    bears_on: [f1]
    likelihoods: {yes: 0.5, no: 0.5}
  - id: f3
    title: three
    bears_on: [hypotheses, f2]
    likelihoods: {a: {yes: 0.5, no: 0.5}, b: {yes: 0.5, no: 0.5}}
"""
        ),
        ("x.yaml", None, ["forms a cycle", "f1", "f2", "f3"]),
    ),
]


@pytest.mark.parametrize(("name", "files", "expect"), CASES, ids=[c[0] for c in CASES])
def test_load_case_reports_file_line_item_field(
    tmp_path: Path, name: str, files: dict, expect: tuple
) -> None:
    folder = write(tmp_path, files)
    fname, line, needles = expect
    with pytest.raises(mv.CaseError) as info:
        mv.load_case(folder)
    msg = str(info.value)
    first = info.value.problems[0]
    assert first.file is not None and first.file.endswith(fname), msg
    assert first.line is not None, msg  # every message is located on a line of the file
    if line is not None:
        assert any(p.line == line for p in info.value.problems), msg
    for needle in needles:
        assert needle in msg, f"{needle!r} not in {msg!r}"
    assert len(info.value.problems) <= 2, (
        msg
    )  # one defect, one message (two where it breaks two rules)


@pytest.mark.parametrize(("name", "files", "expect"), CASES, ids=[c[0] for c in CASES])
def test_cli_check_exits_nonzero_without_traceback(
    tmp_path: Path, name: str, files: dict, expect: tuple
) -> None:
    folder = write(tmp_path, files)
    result = CliRunner().invoke(app, ["check", str(folder)], terminal_width=200)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert expect[0] in result.output


def test_count() -> None:
    assert len(CASES) >= 20


def test_control_network_loads_and_is_exact(tmp_path: Path) -> None:
    """The scaffolding is valid.

    Without a defect it loads, and its posterior is the hand enumeration.
    """
    case = mv.load_case(write(tmp_path, net()))
    post = mv.exact_posterior(case).loc[("hypothesis", "a"), "credence"]

    # P(call | h) = Σ_q P(q) Σ_s P(s | h, q) P(call | s)
    def like(rows: dict[str, float]) -> float:
        return sum(
            pq * (rows[q] * 0.9 + (1 - rows[q]) * 0.05) for q, pq in (("yes", 0.1), ("no", 0.9))
        )

    la, lb = like({"yes": 0.95, "no": 0.9}), like({"yes": 0.3, "no": 0.01})
    assert post == pytest.approx(0.3 * la / (0.3 * la + 0.7 * lb), abs=1e-14)


def test_entangled_network_is_refused_naming_the_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan whose largest table passes the limit is one message.

    It names the facts that make it large.
    """
    import motives.exact.contract as contract

    monkeypatch.setattr(contract, "MAX_TABLE", 4)
    folder = write(tmp_path, net())
    result = CliRunner().invoke(app, ["posterior", str(folder)], terminal_width=200)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert (
        "too entangled" in result.output
        and "'quake'" in result.output
        and "'alarm'" in result.output
    )
