"""The red team's classes, re-run against the CLI as a user runs it (issue 23, third round).

Each attack is generated (hypothesis) or runs over every registered command (enumerated from the
typer app, so a new command is covered, or this file fails until it says how to run it). The
contract for any input: a correct result, or one located message and exit 2 — never exit 1 or 70,
never a traceback or a Python warning with its source line, never a silent change, never a temporary
file named or left behind.

- extreme numbers in the fields the earlier tests did not reach: quantity predictive distributions,
  timeline trends, codes and origin, ratios and decibans, priors (``-0.0``), and the normalisation
  of the posterior itself (log weights of -5e15);
- commands outside the guard: Ctrl-C at any moment (start-up included), a full disk
  (``RLIMIT_FSIZE``), a read-only disk (a read-only tmpfs, where the machine allows mounting one);
- injection: no spreadsheet formula made of user text in any CSV a command writes, no warning from
  user text;
- shared appendix links: every editable field kind, extreme values, the page's numbers equal
  Python's;
- silent choices: special rows of a matrix without an id column, a pooled spec's lenses.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives as mv
from motives.cli import app
from motives.files import published_name

runner = CliRunner()
SLOW = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))

#: float64's extremes and ordinary values beside them.
EXTREMES = [5e-324, 1e-308, 1e-300, 1e-154, 1e-8, 1.0, 2.5, 1e8, 1e154, 1e300, 1e308, 1.7e308]
signed = st.sampled_from(EXTREMES + [-x for x in EXTREMES] + [0.0, -0.0]) | st.floats(-1e6, 1e6)
positive = st.sampled_from(EXTREMES) | st.floats(1e-6, 1e6)


def yaml_float(x: float) -> str:
    return repr(float(x))


def _case(tmp: Path, evidence: str, hypotheses: str = "  - {id: a}\n  - {id: b}\n") -> Path:
    folder = tmp / "case"
    folder.mkdir(parents=True)
    (folder / "case.yaml").write_text("name: t\nhypotheses:\n" + hypotheses, encoding="utf-8")
    (folder / "ev.yaml").write_text(evidence, encoding="utf-8")
    return folder


def _posterior(folder: Path, *extra: str) -> tuple[int, str, dict[str, float] | None]:
    """Exit code, output and (on exit 0) the credences ``posterior --json`` prints."""
    r = runner.invoke(app, ["posterior", str(folder), *extra, "--json"], terminal_width=300)
    assert r.exit_code in (0, 2), r.output
    assert "Traceback" not in r.output and "Warning" not in r.output, r.output
    if r.exit_code == 2:
        return 2, r.output, None
    data = json.loads(r.stdout)
    return 0, r.output, {h: v["credence"] for h, v in data["hypotheses"].items()}


def _sound(cred: dict[str, float]) -> None:
    x = np.array(list(cred.values()))
    assert np.isfinite(x).all() and (x >= 0).all() and x.sum() == pytest.approx(1.0, abs=1e-12), (
        cred
    )


# ------------------------------------------------------------------ extreme numbers: quantity items


def _normal_log(x: float, mean: float, sd: float) -> Fraction | None:
    """log N(x; mean, sd), exactly but for log(sd) and log(2 pi); None where it is below float64."""
    z2 = ((Fraction(x) - Fraction(mean)) / Fraction(sd)) ** 2
    half = z2 / 2
    if half > Fraction(1e308):
        return None
    return -half - Fraction(math.log(sd)) - Fraction(0.5 * math.log(2 * math.pi))


def _log_of(dist: dict[str, Any], x: float) -> Fraction | None | str:
    """The reference log density (exact rationals where floats overflow).

    "zero" outside a uniform's support.
    """
    if dist["dist"] == "normal":
        return _normal_log(x, dist["mean"], dist["sd"])
    if dist["dist"] == "lognormal":
        if x <= 0:
            return "zero"
        inner = _normal_log(math.log(x), math.log(dist["median"]), dist["sigma"])
        return None if inner is None else inner - Fraction(math.log(x))
    lo, hi = Fraction(dist["lower"]), Fraction(dist["upper"])
    if not lo <= Fraction(x) <= hi:
        return "zero"
    width = hi - lo
    return (
        -Fraction(math.log(float(width)))
        if float(width) < math.inf
        else -Fraction(math.log(float(width / 2)) + math.log(2))
    )


def _dists() -> st.SearchStrategy[dict[str, Any]]:
    normal = st.fixed_dictionaries({"dist": st.just("normal"), "mean": signed, "sd": positive})
    lognormal = st.fixed_dictionaries(
        {"dist": st.just("lognormal"), "median": positive, "sigma": positive}
    )
    uniform = (
        st.tuples(signed, signed)
        .filter(lambda t: t[0] < t[1])
        .map(lambda t: {"dist": "uniform", "lower": t[0], "upper": t[1]})
    )
    return normal | lognormal | uniform


def _flow(d: dict[str, Any]) -> str:
    return (
        "{"
        + ", ".join(f"{k}: {v if isinstance(v, str) else yaml_float(v)}" for k, v in d.items())
        + "}"
    )


@SLOW
@given(da=_dists(), db=_dists(), x=signed)
def test_quantity_items_with_extreme_numbers(
    tmp_path_factory: pytest.TempPathFactory, da: dict[str, Any], db: dict[str, Any], x: float
) -> None:
    """A quantity item's densities over float64's extremes.

    The exact posterior, or a located refusal.

    The reference is the log density in exact rational arithmetic (only the logs of the scales are
    floats). Tolerance: the engine rounds each log density to float64, an absolute error of a few
    ulp of its size, so the credences may differ by up to 8 eps x max |log density| (plus 1e-12); no
    larger error is allowed, and a hypothesis whose density is positive is never ruled out (credence
    exactly 0 needs a zero density or a log-ratio beyond float64).
    """
    ev = textwrap.dedent(f"""\
        evidence:
          - id: q1
            kind: quantity
            title: x
            observed: {yaml_float(x)}
            predictive:
              default:
                values:
                  a: {_flow(da)}
                  b: {_flow(db)}
        """)
    code, output, cred = _posterior(_case(tmp_path_factory.mktemp("q"), ev))
    la, lb = _log_of(da, x), _log_of(db, x)
    if code == 2:
        assert "item 'q1'" in output or "ev.yaml" in output, output
        # refused only where the reference cannot be held in float64 (or no hypothesis has a density
        # there)
        assert la is None or lb is None or la == lb == "zero", (la, lb, output)
        return
    assert cred is not None
    _sound(cred)
    assert la is not None and lb is not None
    if la == "zero" or lb == "zero":
        assert la != lb, "the evidence rules out every hypothesis: no posterior, it must be refused"
        assert cred["a" if la == "zero" else "b"] == 0.0
        return
    assert isinstance(la, Fraction) and isinstance(lb, Fraction)
    d = float(la - lb)  # log P(x | a) - log P(x | b), exact but for the rounding of this one number
    ref = 1.0 / (1.0 + math.exp(-d)) if d > -700 else 0.0
    tol = 1e-12 + 8 * np.finfo(float).eps * max(abs(float(la)), abs(float(lb)), 1.0)
    assert cred["a"] == pytest.approx(ref, abs=tol), (la, lb, cred)


def test_uniform_wider_than_float64_is_not_density_zero(tmp_path: Path) -> None:
    """[-1.7e308, 1.7e308] has a width of 3.4e308 (inf in float64).

    Read as density 0 it ruled both out.
    """
    ev = textwrap.dedent("""\
        evidence:
          - id: q1
            kind: quantity
            title: x
            observed: 0
            predictive:
              default:
                values:
                  a: {dist: uniform, lower: -1.7e308, upper: 1.7e308}
                  b: {dist: uniform, lower: -1.7e308, upper: 1.7e308}
        """)
    code, output, cred = _posterior(_case(tmp_path, ev))
    # to the engine's resolution (1e-12): at log weights near -710 the softmax is exp(w -
    # logsumexp(w)), whose error is the spacing of floats there (1.1e-13;
    # exact.likelihood.normalise)
    assert code == 0 and cred == {
        "a": pytest.approx(0.5, abs=1e-12),
        "b": pytest.approx(0.5, abs=1e-12),
    }, output


# --------------------------------------------------------------- timeline, ratios, decibans, priors


TIMELINE = """\
evidence:
  - id: t1
    kind: timeline
    title: x
    origin: {origin}
    sigma: {sigma}
    observations:
      - {{date: 2003-01-01, code: {code}}}
      - {{date: 2005-06-01, code: 2}}
    trends:
      default:
        values:
          a: {{intercept: {{mean: {im}, sd: {isd}}}, slope: {{mean: {sm}, sd: {ssd}}}}}
          b: {{intercept: {{mean: 1, sd: 0.5}}, slope: {{mean: 0.1, sd: 0.1}}}}
"""


@SLOW
@given(
    origin=signed,
    sigma=positive,
    code=signed,
    im=signed,
    isd=positive,
    sm=signed,
    ssd=positive,
    which=st.sampled_from(["origin", "sigma", "code", "im", "isd", "sm", "ssd"]),
)
def test_timeline_numbers_give_a_result_or_name_the_field(
    tmp_path_factory: pytest.TempPathFactory,
    origin: float,
    sigma: float,
    code: float,
    im: float,
    isd: float,
    sm: float,
    ssd: float,
    which: str,
) -> None:
    """One field of a timeline at an extreme (the others ordinary).

    Credences, or a refusal naming a field.

    The message must name a field of the item, and, where it names a number, that number must be the
    one written there (the old message blamed sigma for an origin of 1e308).
    """
    values = {
        "origin": 2002.0,
        "sigma": 0.75,
        "code": 1.0,
        "im": 0.0,
        "isd": 0.5,
        "sm": 0.0,
        "ssd": 0.1,
    }
    values[which] = {
        "origin": origin,
        "sigma": sigma,
        "code": code,
        "im": im,
        "isd": isd,
        "sm": sm,
        "ssd": ssd,
    }[which]
    code_, output, cred = _posterior(
        _case(
            tmp_path_factory.mktemp("t"),
            TIMELINE.format(**{k: yaml_float(v) for k, v in values.items()}),
        )
    )
    if code_ == 0:
        assert cred is not None
        _sound(cred)
        return
    flat = " ".join(output.split())
    assert "item 't1'" in flat, output
    fields = {
        "origin": "origin",
        "sigma": "sigma",
        "code": "observations.0.code",
        "im": "intercept.mean",
        "isd": "intercept.sd",
        "sm": "slope.mean",
        "ssd": "slope.sd",
    }
    m = re.search(r"field '([^']+)'", flat)
    assert m is not None, output
    if "overflows" in flat:  # the number named is the one that is out of scale
        assert fields[which] in m.group(1), (which, output)


@SLOW
@given(form=st.sampled_from(["ratios", "decibans"]), a=signed, b=signed)
def test_ratios_and_decibans_never_underflow_to_a_ruled_out_hypothesis(
    tmp_path_factory: pytest.TempPathFactory, form: str, a: float, b: float
) -> None:
    """A ratio or deciban that is not 0 gives a credence above 0.

    Or the row is refused as beyond float64.
    """
    if form == "ratios":
        a, b = abs(a), abs(b)
        assume(a > 0 or b > 0)
    ev = (
        f"evidence:\n  - id: e1\n    title: x\n    likelihoods:\n      default: {{{form}: "
        f"{{a: {yaml_float(a)}, b: {yaml_float(b)}}}}}\n"
    )
    code, output, cred = _posterior(_case(tmp_path_factory.mktemp("r"), ev))
    if code == 2:
        assert "too small to represent" in " ".join(output.split()) and "ev.yaml:" in output, output
        return
    assert cred is not None
    _sound(cred)
    if form == "ratios":
        ref = Fraction(a) / (Fraction(a) + Fraction(b))
    else:
        ref = (
            Fraction(1) / (1 + Fraction(10.0 ** ((b - a) / 10)))
            if abs(b - a) < 3000
            else Fraction(int(a > b))
        )
    assert cred["a"] == pytest.approx(float(ref), abs=1e-12)
    if (
        float(ref) > 1e-300 and float(1 - ref) > 1e-300
    ):  # neither likelihood is near float64's floor:
        assert cred["a"] > 0 and cred["b"] > 0, (
            cred
        )  # a ratio or deciban that is not 0 rules nothing out


@pytest.mark.parametrize("prior", ["a=-0.0,b=1", "a=0,b=1"])
def test_a_zero_prints_without_a_sign(tmp_path: Path, prior: str) -> None:
    """-0.0 is 0: no '-0.0000' in the table.

    YAML and --prior read it through the one number parser.
    """
    folder = _case(
        tmp_path,
        "evidence:\n  - id: e1\n    title: x\n    likelihoods: {a: 0.6, b: 0.3}\n",
        "  - {id: a, prior: -0.0}\n  - {id: b, prior: 1.0}\n",
    )
    for extra in ([], ["--prior", prior]):
        r = runner.invoke(app, ["posterior", str(folder), *extra], terminal_width=200)
        assert r.exit_code == 0 and "-0.0" not in r.output, r.output


@given(
    st.lists(
        st.sampled_from([-5e15, -1e300, -1e16, -745.0, 0.0]) | st.floats(-1e300, 0),
        min_size=2,
        max_size=6,
    )
)
def test_softmax_is_exact_where_log_weights_are_huge(logw: list[float]) -> None:
    """Posterior normalisation against exact rational arithmetic.

    Equal log weights of -5e15 are halves.
    """
    from motives.exact.likelihood import normalise

    got = normalise(np.array(logw))
    top = max(logw)
    ref = [math.exp(x - top) for x in logw]
    ref = [r / math.fsum(ref) for r in ref]
    assert got == pytest.approx(ref, rel=1e-12, abs=1e-300)
    assert math.fsum(got) == pytest.approx(1.0, abs=1e-12)


# ------------------------------------------------------------------ every command outside the guard


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", "MPLBACKEND": "Agg"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case, a spec (small sampler and analyses), a matrix.

    A network file and a lens file to run commands on.
    """
    root = tmp_path_factory.mktemp("commands")
    shutil.copytree(mv.examples.path("two_lenses"), root / "case")
    (root / "spec.yaml").write_text(
        "name: s\ncase: case\nmodel: exclusive\nsampler: {draws: 100, tune: 100, "
        "chains: 2, seed: 1}\nsensitivity: {sobol_samples: 64, sweep_points: 11}\n"
    )
    (root / "m.csv").write_text(
        "title,h1,h2,h3\n" + "".join(f"Item {i},C,I,N\n" for i in range(300))
    )
    r = runner.invoke(app, ["export", str(root / "case"), "--out", str(root / "n.bif")])
    assert r.exit_code == 0, r.output
    import yaml

    from motives.interactive import lens_file_from_edits

    lens = lens_file_from_edits(mv.load_case(root / "case"), {"weights": {"agreed": 0.5}})
    (root / "lens.yaml").write_text(yaml.safe_dump(lens), encoding="utf-8")
    return root


def _command_args(root: Path, out: Path) -> dict[str, list[str]]:
    """How each registered command is run.

    ``out`` is where it writes (a folder or a file inside it).
    """
    case, spec = str(root / "case"), str(root / "spec.yaml")
    return {
        "check": [case],
        "posterior": [case],
        "schema": [],
        "describe": [case, "--out", str(out / "d.md")],
        "export": [case, "--out", str(out / "n.bif")],
        "run": [spec, "--out", str(out / "fit")],
        "summary": [spec, str(root / "fit")],
        "sensitivity": [spec, "--out", str(out / "s")],
        "report": [spec, "--out", str(out / "r")],
        "appendix": [spec, "--out", str(out / "a")],
        "sbc": [
            spec,
            "--out",
            str(out / "sbc"),
            "--simulations",
            "2",
            "--keep",
            "10",
            "--scheduler",
            "serial",
        ],
        "import-matrix": [str(root / "m.csv"), "--out", str(out / "c")],
        "export-matrix": [case, "--out", str(out / "m.xlsx")],
        "import-bn": [str(root / "n.bif"), "--hypothesis", "hypothesis", "--out", str(out / "bn")],
        "add-lens": [case, str(root / "lens.yaml"), "--out", str(out / "al")],
    }


#: Commands that take MCMC draws (minutes on a loaded machine): their signal and disk checks are
#: slow tests.
MCMC = {"run", "summary", "sbc"}
#: Commands that write nothing.
READ_ONLY = {"check", "posterior", "schema", "summary"}


def _registered() -> list[str]:
    return [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]


def test_every_registered_command_is_attacked(tmp_path: Path) -> None:
    """A command added to the app must say here how it is run, so the attacks below reach it."""
    assert sorted(_registered()) == sorted(_command_args(tmp_path, tmp_path)), (
        "add the new command to _command_args"
    )


def _motives(args: list[str], **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "motives", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        **kw,
    )


def _hidden(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder)) for p in folder.rglob(".*") if p.name != ".motives-output"
    )


def _commands(slow: bool) -> list[Any]:
    return [
        pytest.param(c, marks=pytest.mark.slow) if (c in MCMC or slow) else c for c in _registered()
    ]


@pytest.fixture(scope="module")
def fitted(workspace: Path) -> Path:
    """``workspace`` with a saved fit (for ``summary``), made once, by the command."""
    if not (workspace / "fit").exists():
        p = _motives(
            [
                "run",
                str(workspace / "spec.yaml"),
                "--out",
                str(workspace / "fit"),
                "--allow-bad-diagnostics",
            ]
        )
        _, err = p.communicate(timeout=900)
        assert p.returncode == 0, err
    return workspace


@pytest.mark.slow
@pytest.mark.parametrize("name", _registered())
@pytest.mark.parametrize("delay", [0.15, 0.6, 1.5, 4.0])
def test_ctrl_c_at_any_moment(fitted: Path, tmp_path: Path, name: str, delay: float) -> None:
    """SIGINT during start-up, parsing or work.

    Exit 130 with one line (or 0 when it had finished), nothing left.
    """
    out = tmp_path / "out"
    out.mkdir()
    p = _motives([name, *_command_args(fitted, out)[name]])
    time.sleep(delay)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=900)
    # -SIGINT: the signal landed while the interpreter was finishing, after the command had
    # completed (Python puts the default handler back during finalisation, so the process ends by
    # the signal; a shell shows 130)
    assert p.returncode in (0, 130, -signal.SIGINT), (p.returncode, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    if p.returncode == 130:
        assert err.strip(), "exit 130 with nothing on stderr: a stop must say what it left"
        last = err.strip().splitlines()[-1]
        if last == "interrupted: nothing was written":
            assert list(out.iterdir()) == [], list(out.iterdir())
        # the signal came after the output was in place: the message names exactly what is there
        else:
            assert last.endswith(
                "had been written, whole, when the signal came; the command stopped there"
            ), err
            named = last.removeprefix("interrupted: ").split(" had been written")[0].split(", ")
            assert sorted(named) == sorted(str(q) for q in out.iterdir()), (
                named,
                list(out.iterdir()),
            )
    assert _hidden(out) == []


def test_ctrl_c_during_start_up_is_one_line() -> None:
    """Before the guard exists (importing the program, about a second).

    Exit 130, one line, no traceback.
    """
    args = ["posterior", str(mv.examples.path("burglary"))]
    whole, _ = _motives(args).communicate(timeout=120)  # the output of a run left alone
    for delay in (0.4, 0.8):
        p = _motives(args)
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=120)
        if p.returncode == 0:  # the machine was fast enough to finish first: nothing to check
            continue
        if p.returncode == -signal.SIGINT and err == "":
            # Death by SIGINT itself (a shell shows it as 130) with nothing said: the signal met
            # Python's default action, which only holds before the interpreter installs its
            # handler (no line of motives has run: nothing printed, nothing written) or after the
            # command has finished (the interpreter restores it as it exits: then the output is
            # all there). Seen once on CI (exit -2, stderr empty).
            assert out in ("", whole), out
            continue
        # otherwise exit 130 (or -2 after motives' line): one line, no traceback
        assert (
            p.returncode in (130, -signal.SIGINT)
            and err.strip() == "interrupted: nothing was written"
        ), (p.returncode, err, out)


def _limited(limit: int) -> Callable[[], None]:
    def set_limit() -> (
        None
    ):  # a full disk as a process meets it: writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return set_limit


def _full_disk_params() -> list[Any]:
    """The commands that write."""
    return [c for c in _commands(slow=False) if getattr(c, "values", [c])[0] not in READ_ONLY]


@pytest.mark.parametrize("name", _full_disk_params())
def test_a_full_disk_is_one_message_naming_the_output(
    workspace: Path, tmp_path: Path, name: str
) -> None:
    """Every command that writes, with at most 1 KiB per file.

    Exit 2 (or 0 if its files were that small), the
    message names what the user asked for (never a temporary sibling), and nothing is left."""
    out = tmp_path / "out"
    out.mkdir()
    p = _motives([name, *_command_args(workspace, out)[name]], preexec_fn=_limited(1024))
    _, err = p.communicate(timeout=900)
    assert p.returncode in (0, 2), (p.returncode, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    if p.returncode == 2:
        assert "File too large" in err and str(out) in " ".join(err.split()), err
        assert not re.search(r"\.(tmp|old)-\w{8}|\.\w{8}\.tmp", err), err  # no temporary name
        assert list(out.iterdir()) == [], list(out.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("scheduler", ["serial", "processes"])
def test_a_full_disk_under_the_compile_cache_ends_a_many_fit_job(
    workspace: Path, tmp_path: Path, scheduler: str
) -> None:
    """``sbc`` with a compile cache of its own (cold: the first module PyTensor compiles is written
    there) and 1 KiB per file: the first fit meets the full disk in the cache, outside the output.
    The job ends there (exit 2, not 3 with every task 'failed'), the message names the output asked
    for, says the write went to PyTensor's compile cache outside it and which task stopped the job,
    and nothing is left: no output, no partial fit in ``--fits``, no temporary name."""
    out, fits = tmp_path / "out", tmp_path / "fits"
    out.mkdir()
    args = _command_args(workspace, out)["sbc"]
    args[args.index("serial")] = scheduler
    p = subprocess.Popen(
        [sys.executable, "-m", "motives", "sbc", *args, "--fits", str(fits), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**_env(), "PYTENSOR_FLAGS": f"base_compiledir={tmp_path / 'cache'}"},
        preexec_fn=_limited(1024),
    )
    _, err = p.communicate(timeout=900)
    flat = " ".join(err.split())
    assert p.returncode == 2, (p.returncode, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert (
        f"{out / 'sbc'}: File too large (writing PyTensor's compile cache {tmp_path / 'cache'}"
        in (flat)
    ), flat
    assert "outside this command's output" in flat and "the job stopped at task" in flat, flat
    assert "no fit is kept" in flat and "failed:" not in flat, flat
    assert err.count("File too large") == 1, err  # PyTensor's own log line of it is not repeated
    assert not re.search(r"\.(tmp|old)-\w{8}|\.\w{8}\.tmp", err), err
    assert list(out.iterdir()) == []
    assert not fits.exists() or [q.name for q in fits.iterdir()] == []


@contextlib.contextmanager
def _read_only_disk(tmp_path: Path) -> Iterator[Path]:
    ro = tmp_path / "ro"
    ro.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a read-only tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {done.stderr.decode()[:200]}")
    try:
        yield ro
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)


@pytest.mark.parametrize("name", [c for c in _registered() if c not in READ_ONLY | MCMC])
def test_a_read_only_disk_is_one_message(workspace: Path, tmp_path: Path, name: str) -> None:
    """Root ignores file permissions.

    A read-only file system is what refuses root. One message, exit 2.
    """
    with _read_only_disk(tmp_path) as ro:
        r = runner.invoke(app, [name, *_command_args(workspace, ro)[name]], terminal_width=300)
        assert r.exit_code == 2, r.output
        flat = " ".join(r.output.split())
        assert str(ro) in flat and "Traceback" not in flat, r.output
        assert not re.search(r"\.(tmp|old)-\w{8}", flat), r.output


@given(
    st.sampled_from(["out", "report.md", "m.csv", "a b", ".x"]),
    st.sampled_from(["tmp", "old"]),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789_", min_size=8, max_size=8),
)
def test_published_name_maps_every_temporary_sibling(name: str, kind: str, tag: str) -> None:
    """The names files.temporary_folder and files.write_atomic give map back to their names."""
    assert published_name(f"/d/.{name}.{kind}-{tag}") == f"/d/{name}"
    assert published_name(f"/d/.{name}.{kind}-{tag}/figures/f.png") == f"/d/{name}/figures/f.png"
    assert published_name(f"/d/.{name}.{tag}.tmp") == f"/d/{name}"
    assert published_name(f"/d/{name}") == f"/d/{name}"


# ---------------------------------------------------------------- injection through the CSV outputs

FORMULAS = [
    '=HYPERLINK("http://x"&A1)',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "=1 :skull: [bold]b[/]",
]


def test_no_csv_a_command_writes_holds_a_formula_of_user_text(tmp_path: Path) -> None:
    """Report's tables and export-matrix.

    Every free-text field starts with a formula prefix; no cell does.
    """
    sys.path.insert(0, str(Path(__file__).parent))
    from test_injection import BASES, _write_folder, hostile_case

    case, values = hostile_case(BASES["burglary"], FORMULAS)
    folder = _write_folder(case, tmp_path / "case")
    (tmp_path / "s.yaml").write_text(
        "name: s\ncase: case\nmodel: exclusive\nsensitivity: {sobol_samples: 64, "
        "sweep_points: 11}\n"
    )
    r = runner.invoke(
        app, ["report", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "r")], terminal_width=300
    )
    assert r.exit_code == 0 and "Warning" not in r.output, (
        r.output
    )  # no glyph warning from a tab in a title
    r = runner.invoke(app, ["export-matrix", str(folder), "--out", str(tmp_path / "m.csv")])
    assert r.exit_code == 0, r.output
    seen = 0
    for f in [*(tmp_path / "r").rglob("*.csv"), tmp_path / "m.csv"]:
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for c in row:
                    seen += bool(re.search(r"t\d+<", c))
                    assert not (c[:1] in "=+-@\t\r" and re.search(r"t\d+<", c)), (f.name, c)
    assert seen > 0  # user text did reach the CSVs


# --------------------------------------------------------------------------- silent choices


@given(special=st.sampled_from(["#prior", "#PRIOR", " #prior ", "#Label", "#value"]))
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_a_special_row_without_an_id_column_is_refused(
    tmp_path_factory: pytest.TempPathFactory, special: str
) -> None:
    """A matrix without an id column.

    '#prior' in the title column became an item titled '#prior' (exit 0).
    """
    tmp = tmp_path_factory.mktemp("m")
    (tmp / "m.csv").write_text(f"title,h1,h2\n{special},0.5,0.5\nA,C,I\n", encoding="utf-8")
    r = runner.invoke(
        app, ["import-matrix", str(tmp / "m.csv"), "--out", str(tmp / "c")], terminal_width=300
    )
    assert r.exit_code == 2, r.output
    assert "m.csv:2" in r.output and "id column" in r.output and not (tmp / "c").exists(), r.output


SPEC_COMMANDS = [c for c in _registered() if c in {"sensitivity", "report", "appendix"}]


@pytest.mark.parametrize("name", SPEC_COMMANDS)
@pytest.mark.parametrize(
    ("lenses", "needle"), [("[a, nolens]", "unknown lens 'nolens'"), ("[a, a]", "listed twice")]
)
def test_a_pooled_specs_lenses_are_checked_by_every_command(
    workspace: Path, tmp_path: Path, name: str, lenses: str, needle: str
) -> None:
    """sensitivity, report and appendix accepted a pooled spec naming a lens the case lacks.

    Run refused it.
    """
    spec = tmp_path / "p.yaml"
    spec.write_text(f"name: p\ncase: {workspace / 'case'}\nmodel: pooled\nlenses: {lenses}\n")
    r = runner.invoke(app, [name, str(spec), "--out", str(tmp_path / "o")], terminal_width=300)
    assert r.exit_code == 2 and needle in r.output and "p.yaml:4" in r.output, r.output
    assert not (tmp_path / "o").exists()


def test_spec_commands_are_the_ones_taking_a_spec() -> None:
    """The list above: every command whose first argument is a spec and that writes without MCMC."""
    import inspect

    taking = {
        name
        for name, c in zip(_registered(), app.registered_commands, strict=True)
        if "spec_file" in inspect.signature(c.callback).parameters
    }  # type: ignore[arg-type]
    assert taking - MCMC == set(SPEC_COMMANDS)


# ----------------------------------------------------------------- shared appendix links (Chromium)

NUMBERS = [
    0.0,
    -0.0,
    5e-324,
    1e-308,
    0.5,
    1.0,
    2.0,
    1e308,
    1.7e308,
    -1.0,
    -50.0,
    math.inf,
    math.nan,
]


def _valid_sets(case: mv.Case) -> st.SearchStrategy[dict[str, Any]]:
    """Edit sets of every kind at float64's extremes.

    Prior, table cell, weight, discount, reliability, lens.
    """
    prob = st.sampled_from([0.0, 5e-324, 1e-300, 0.5, 1.0]) | st.floats(0, 1)
    weight = st.sampled_from([0.0, 5e-324, 1e308, 1.7e308, 1.0]) | st.floats(0, 1e308)
    tables = {
        p.id: st.dictionaries(
            st.sampled_from(case.parent_values(p.bears_on)),
            st.lists(weight, min_size=len(p.states), max_size=len(p.states)).filter(
                lambda r: any(x > 0 for x in r)
            ),
            max_size=2,
        )
        for p in case.propositions
    }
    return st.fixed_dictionaries(
        {},
        optional={
            "lens": st.sampled_from(case.lens_ids),
            "prior": st.dictionaries(
                st.sampled_from(case.hypothesis_ids), weight, min_size=1
            ).filter(lambda d: any(v > 0 for v in d.values()) or len(d) < len(case.hypothesis_ids)),
            "weights": st.dictionaries(
                st.sampled_from([e.id for e in case.evidence]), st.floats(0, 2), max_size=3
            ),
            "discount": prob,
            "reliability": st.dictionaries(st.sampled_from([s.key for s in case.sources]), prob),
            "tables": st.fixed_dictionaries({}, optional=tables),
        },
    )


@pytest.fixture(scope="module")
def link_page(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> tuple[mv.Case, Path, Any]:
    """The burglary appendix and the session's one Chromium.

    The one of tests/conftest.py: a second Playwright in the same process fails, "Sync API inside
    the asyncio loop".
    """
    from motives.interactive import appendix

    case = mv.examples.load("burglary")  # a prior, sources, propositions: every kind of edit
    path = appendix(case, tmp_path_factory.mktemp("links"))
    return case, path, browser


def test_extreme_valid_edits_give_pythons_numbers_in_the_page(
    link_page: tuple[mv.Case, Path, Any],
) -> None:
    """Valid edits of every kind at float64's extremes.

    The page's credences equal Python's to 1e-12 (the
    tolerance of the page's engine against Python's, tests/test_appendix.py), finite and summing to
    1."""
    from motives.interactive import check_edits, edited_posterior

    case, path, browser = link_page
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_valid_sets(case))
    def check(edits: dict[str, Any]) -> None:
        try:
            check_edits(case, edits)
        except mv.CaseError:
            assume(False)
        py = edited_posterior(case, edits)["hypotheses"]
        js = page.evaluate("e => window.motives.posterior(e)", edits)["hypotheses"]
        assert all(math.isfinite(v) for v in py.values()) and math.fsum(
            py.values()
        ) == pytest.approx(1, abs=1e-12)
        for h in py:
            assert js[h] == pytest.approx(py[h], abs=1e-12), (edits, py, js)

    check()
    assert errors == []
    page.close()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kind=st.sampled_from(["prior", "weights", "discount", "reliability", "tables", "lens"]),
    value=st.sampled_from(NUMBERS + ["1", None, [], "x"]),
)
def test_a_link_breaking_any_rule_shows_the_authors_numbers(
    link_page: tuple[mv.Case, Path, Any], kind: str, value: Any
) -> None:
    """One edit of each kind with a value from the extremes (or of the wrong type).

    Received as a link: when
    Python's check_edits refuses it the page shows the refusal and the author's numbers; otherwise
    Python's."""
    from motives.interactive import check_edits, edited_posterior
    from test_appendix import _credence_text, _fmt

    case, path, browser = link_page
    edits: dict[str, Any] = {
        "prior": {"prior": {"suspect": value, "someone_else": 0.5}},
        "weights": {"weights": {"fibres_match": value}},
        "discount": {"discount": value},
        "reliability": {"reliability": {"neighbour": value}},
        "tables": {"tables": {"at_scene": {"suspect": [value, 0.5]}}},
        "lens": {"lens": value if isinstance(value, str) else "no_such_lens"},
    }[kind]
    text = json.dumps(
        edits
    )  # NaN and Infinity as JavaScript's JSON.parse refuses them: an unreadable link
    try:
        check_edits(case, json.loads(text))
        refused = False
    except (mv.CaseError, ValueError):
        refused = True
    page = browser.new_page()
    page.goto(path.as_uri() + "#" + quote(text))
    box = page.locator("#refused")
    shown = edited_posterior(case, {}) if refused else edited_posterior(case, json.loads(text))
    assert box.is_visible() == refused, (edits, box.inner_text() if box.is_visible() else "")
    for h in case.hypotheses:
        assert _credence_text(page, h.name) == _fmt(shown["hypotheses"][h.id]), edits
    said = box.inner_text() if refused else ""  # the refusal quotes the link, NaN and all
    assert "NaN" not in page.locator("body").inner_text().replace(said, ""), edits
    page.close()
