"""The CLI's conventions.

Every command behind the guard, --version, completion, checked choices, --json, progress with true
counts, outputs with the umask's permissions, and no temporary file left by any exit.
"""

from __future__ import annotations

import ast
import errno
import inspect
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives as mv
from motives.cli import Cells, Method, NetFormat, SchemaPart, app

runner = CliRunner()
SRC = Path(__file__).resolve().parents[1] / "src" / "motives"

#: Commands whose output is a result: each has --json. (schema prints JSON always.)
PRINTS_RESULTS = {c.name or c.callback.__name__ for c in app.registered_commands} - {"schema"}


def _names() -> list[str]:
    return [c.name or c.callback.__name__ for c in app.registered_commands]


def _hidden(folder: Path) -> list[str]:
    """Temporary or lock files a command may leave beside its output (none may stay)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _witness_spec(tmp_path: Path) -> Path:
    shutil.copytree(mv.examples.path("witness"), tmp_path / "witness")
    spec = tmp_path / "w.yaml"
    spec.write_text(
        "name: w\ncase: witness\nsampler: {draws: 20, tune: 20, chains: 1}\n"
        "sensitivity: {sobol_samples: 64, sweep_points: 11}\nfigures: [png]\n"
    )
    return spec


# --------------------------------------------------------------------------- the guard


def test_every_registered_command_is_guarded() -> None:
    assert (
        len(app.registered_commands) >= 14
    )  # every command motives had before the guard was enforced
    for c in app.registered_commands:
        assert getattr(c.callback, "motives_guarded", False), (
            f"{c.name}: registered without the guard"
        )


def test_commands_are_registered_only_through_command() -> None:
    """No ``@app.command`` in the CLI's source but inside :func:`motives.cli.command` itself."""
    tree = ast.parse((SRC / "cli.py").read_text(encoding="utf-8"))
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for dec in fn.decorator_list:
            text = ast.unparse(dec)
            assert not text.startswith("app.command"), (
                f"{fn.name} is registered with @{text}, not @command()"
            )
    assert "app.command(name)" in inspect.getsource(mv.cli.command)


def test_an_internal_error_in_any_command_is_one_line_and_exit_70(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """import-matrix and export-matrix too (they bypassed the guard).

    A bug is exit 70, never a traceback.
    """
    import motives.ach as ach

    def boom(*a: Any, **k: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(ach, "import_matrix", boom)
    monkeypatch.setattr(ach, "export_matrix", boom)
    (tmp_path / "m.csv").write_text("title,h1,h2\nA,C,I\n")
    for args in (
        ["import-matrix", str(tmp_path / "m.csv"), "--out", str(tmp_path / "c")],
        ["export-matrix", str(mv.examples.path("cookies")), "--out", str(tmp_path / "m2.csv")],
    ):
        r = runner.invoke(app, args)
        assert r.exit_code == 70, r.output
        assert "internal error" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("signal_", [KeyboardInterrupt, "terminated"])
def test_a_signal_after_the_output_is_in_place_says_what_was_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, signal_: Any
) -> None:
    """A signal after the command has put its output in place never says "nothing was written".

    Any command, any output: here import-matrix, stopped while it reads back the folder it has just
    published, and export, stopped after its file is in place; before any output, "nothing was
    written".
    """
    import motives.io as io
    from motives import stopping

    exc = KeyboardInterrupt if signal_ is KeyboardInterrupt else stopping.Terminated
    word = "interrupted" if signal_ is KeyboardInterrupt else "terminated"

    def stop(*a: Any, **k: Any) -> Any:
        raise exc()

    (tmp_path / "m.csv").write_text("title,h1,h2\nA,C,I\n")
    out = tmp_path / "c"
    real = io.load_case

    def load_then_stop(folder: Any, *a: Any, **k: Any) -> Any:
        if Path(folder) == out:  # the CLI's read-back of the published folder
            stop()
        return real(folder, *a, **k)

    monkeypatch.setattr(io, "load_case", load_then_stop)
    r = runner.invoke(app, ["import-matrix", str(tmp_path / "m.csv"), "--out", str(out)])
    assert r.exit_code == (130 if word == "interrupted" else 143), r.output
    assert r.output.strip().splitlines()[-1] == (
        f"{word}: {out} had been written, whole, when the signal came; the command stopped there"
    )
    assert sorted(p.name for p in out.iterdir()) == ["case.yaml", "evidence.yaml"]
    monkeypatch.setattr(io, "load_case", real)
    # before anything is in place: the same command says nothing was written, and nothing is
    import motives.ach as ach

    monkeypatch.setattr(ach, "matrix_to_case", stop)
    r = runner.invoke(app, ["import-matrix", str(tmp_path / "m.csv"), "--out", str(tmp_path / "d")])
    assert r.output.strip().splitlines()[-1] == f"{word}: nothing was written"
    assert not (tmp_path / "d").exists()


# --------------------------------------------------------------------------- --version, completion


def test_version() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"motives {mv.__version__}"


def test_shell_completion_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--show-completion`` prints the completion script.

    typer finds the shell among the process's ancestors (shellingham); a test run with no shell
    above it (started detached) finds none, so the shell is given here.
    """
    import typer.completion

    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: "bash")
    r = runner.invoke(app, ["--show-completion", "bash"])
    assert r.exit_code == 0, r.output
    assert "_MOTIVES_COMPLETE" in r.output and "complete" in r.output


def test_completion_completes_commands_and_choices() -> None:
    exe = Path(sys.executable).parent / "motives"
    if not exe.exists():
        pytest.skip("the motives script is not installed beside this Python")

    def complete(words: str) -> list[str]:
        env = {
            **os.environ,
            "_MOTIVES_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split(" ")) - 1),
        }
        return subprocess.run(
            [str(exe)], env=env, capture_output=True, text=True, timeout=120
        ).stdout.split()

    assert complete("motives po") == ["posterior"]
    assert complete("motives posterior case --method ") == ["exact", "mcmc"]


# --------------------------------------------------------------------------- choices


CHOICES = [
    (["posterior", "CASE"], "--method", Method),
    (["export", "CASE", "--out", "x.bif"], "--format", NetFormat),
    (["export-matrix", "CASE", "--out", "x.csv"], "--cells", Cells),
    (["schema"], None, SchemaPart),
]


@pytest.mark.parametrize(("args", "option", "enum"), CHOICES, ids=[c[0][0] for c in CHOICES])
def test_fixed_choices_are_listed_and_checked(
    args: list[str], option: str | None, enum: Any
) -> None:
    case = str(mv.examples.path("cookies"))
    args = [case if a == "CASE" else a for a in args]
    helptext = runner.invoke(app, [args[0], "--help"], env={"COLUMNS": "200"}).output
    assert "|".join(e.value for e in enum) in helptext, helptext
    r = runner.invoke(app, [*args, *([option] if option else []), "nonsense"])
    assert r.exit_code == 2, r.output
    assert "nonsense" in r.output and all(repr(e.value) in r.output for e in enum), r.output


# --------------------------------------------------------------------------- --json


def test_every_command_that_prints_results_has_json() -> None:
    for c in app.registered_commands:
        name = c.name or c.callback.__name__
        if name in PRINTS_RESULTS:
            params = inspect.signature(c.callback).parameters
            assert "as_json" in params, f"{name} prints results but has no --json"


def test_json_outputs_parse_and_say_what_was_written(tmp_path: Path) -> None:
    cookies = str(mv.examples.path("cookies"))
    out = {}
    for name, args in {
        "check": ["check", cookies],
        "posterior": ["posterior", cookies],
        "describe": ["describe", cookies, "--out", str(tmp_path / "c.md")],
        "export": ["export", cookies, "--out", str(tmp_path / "c.bif")],
        "export-matrix": ["export-matrix", cookies, "--out", str(tmp_path / "c.csv")],
        "import-matrix": [
            "import-matrix",
            str(tmp_path / "c.csv"),
            "--out",
            str(tmp_path / "imported"),
        ],
    }.items():
        r = runner.invoke(app, [*args, "--json"])
        assert r.exit_code == 0, (name, r.output)
        out[name] = json.loads(r.stdout)
    assert out["check"]["counts"]["hypotheses"] == 2 and out["check"]["ok"] is True
    assert set(out["posterior"]["hypotheses"]) == {"bowl1", "bowl2"}
    for name in ("describe", "export", "export-matrix"):
        assert Path(out[name]["wrote"]).is_file()
    assert out["import-matrix"]["hypotheses"] == 2 and all(
        Path(p).is_file() for p in out["import-matrix"]["wrote"]
    )


def test_sensitivity_and_appendix_json(tmp_path: Path) -> None:
    spec = _witness_spec(tmp_path)
    r = runner.invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "s"), "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert sorted(res["tables"]) == sorted(p.name for p in (tmp_path / "s").glob("*.csv"))
    assert len(res["figures"]) == len(list((tmp_path / "s" / "figures").glob("*.png")))
    r = runner.invoke(app, ["appendix", str(spec), "--out", str(tmp_path / "a"), "--json"])
    assert r.exit_code == 0, r.output
    page = json.loads(r.stdout)
    assert Path(page["wrote"]).stat().st_size == page["bytes"]


# --------------------------------------------------------------------------- progress


def _counts(text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+)", text)]


def test_sensitivity_progress_counts_are_true(tmp_path: Path) -> None:
    """Every 'done/total' the bars show has done <= total.

    The tables' total is what run_all computes.
    """
    from motives.sensitivity.run import tables_for

    spec = _witness_spec(tmp_path)
    r = runner.invoke(
        app, ["report", str(spec), "--out", str(tmp_path / "r")], env={"COLUMNS": "200"}
    )
    assert r.exit_code == 0, r.output
    counts = _counts(r.stderr)
    assert counts and all(a <= b for a, b in counts), counts
    n = len(tables_for(mv.examples.load("witness")))
    assert (n, n) in counts
    figures = len(list((tmp_path / "r" / "figures").glob("*.png")))
    assert (figures, figures) in counts  # the figure phase closes at what it drew


def test_run_announces_every_phase(tmp_path: Path, mock_sample: None) -> None:
    spec = _witness_spec(tmp_path)
    r = runner.invoke(
        app,
        ["run", str(spec), "--out", str(tmp_path / "f"), "--allow-bad-diagnostics"],
        env={"COLUMNS": "200"},
    )
    assert r.exit_code == 0, r.output
    said = r.stderr
    phases = [
        "loading the case",
        "building the model",
        "compiling and sampling",
        "exact engine",
        "saving",
    ]
    at = [said.find(p) for p in phases]
    assert all(i >= 0 for i in at) and at == sorted(at), said
    assert all(a <= b for a, b in _counts(said)), said


# --------------------------------------------------------------------- permissions follow the umask


@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Any:
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _modes(root: Path) -> set[tuple[str, int]]:
    found = {("dir" if root.is_dir() else "file", stat.S_IMODE(root.stat().st_mode))}
    if root.is_dir():
        for p in root.rglob("*"):
            found.add(("dir" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode)))
    return found


def test_outputs_follow_the_umask(tmp_path: Path, umask: int) -> None:
    spec = _witness_spec(tmp_path)
    cookies = str(mv.examples.path("cookies"))
    runs = {
        "appendix": (["appendix", str(spec), "--out", str(tmp_path / "a")], tmp_path / "a"),
        "describe": (["describe", cookies, "--out", str(tmp_path / "c.md")], tmp_path / "c.md"),
        "export": (["export", cookies, "--out", str(tmp_path / "c.net")], tmp_path / "c.net"),
        "export-matrix csv": (
            ["export-matrix", cookies, "--out", str(tmp_path / "c.csv")],
            tmp_path / "c.csv",
        ),
        "export-matrix xlsx": (
            ["export-matrix", cookies, "--out", str(tmp_path / "c.xlsx")],
            tmp_path / "c.xlsx",
        ),
        "import-matrix": (
            ["import-matrix", str(tmp_path / "c.csv"), "--out", str(tmp_path / "m")],
            tmp_path / "m",
        ),
        "import-bn": (
            [
                "import-bn",
                str(tmp_path / "c.net"),
                "--hypothesis",
                "hypothesis",
                "--out",
                str(tmp_path / "bn"),
            ],
            tmp_path / "bn",
        ),
    }
    want = {"dir": 0o777 & ~umask, "file": 0o666 & ~umask}
    for name, (args, path) in runs.items():
        r = runner.invoke(app, args)
        assert r.exit_code == 0, (name, r.output)
        for kind, mode in _modes(path):
            assert mode == want[kind], (
                f"{name}: a {kind} is {oct(mode)}, the umask {oct(umask)} gives {oct(want[kind])}"
            )
    assert _hidden(tmp_path) == []


# ------------------------------------------------------------------------ import-matrix's bad files


def test_old_mac_line_endings_import(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_bytes(b"title,h1,h2\rA report,C,I\rAnother,++,0\r")
    r = runner.invoke(app, ["import-matrix", str(tmp_path / "m.csv"), "--out", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    assert len(mv.load_case(tmp_path / "c").evidence) == 2


def test_a_cell_over_the_csv_limit_is_a_located_message(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("title,h1,h2\nA,C,I\nB," + "x" * 131_073 + ",I\n")
    r = runner.invoke(app, ["import-matrix", str(tmp_path / "m.csv"), "--out", str(tmp_path / "c")])
    assert r.exit_code == 2, r.output
    assert (
        "m.csv:3:" in r.output and "131,072 characters" in r.output and "Traceback" not in r.output
    )
    assert not (tmp_path / "c").exists() and _hidden(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_one_message(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("title,h1,h2\nA,C,I\n")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        r = runner.invoke(app, ["import-matrix", str(tmp_path / "m.csv"), "--out", str(ro / "c")])
    finally:
        ro.chmod(0o755)
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert list(ro.iterdir()) == []


def test_a_full_disk_names_the_output_not_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "m.csv").write_text("title,h1,h2\nA,C,I\n")
    real = Path.write_text

    def full(self: Path, *a: Any, **k: Any) -> int:
        if self.name == "evidence.yaml":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "write_text", full)
    r = runner.invoke(app, ["import-matrix", str(tmp_path / "m.csv"), "--out", str(tmp_path / "c")])
    assert r.exit_code == 2, r.output
    assert "No space left on device" in r.output and str(tmp_path / "c") in r.output
    assert ".c." not in r.output  # not the temporary folder, gone by then
    assert not (tmp_path / "c").exists() and _hidden(tmp_path) == []


def test_a_problem_in_the_written_case_names_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import motives.io

    real = motives.io.load_case

    def picky(path: Any, *a: Any, **k: Any) -> Any:
        from motives.errors import CaseError, Problem

        raise CaseError([Problem("a problem", file=str(Path(path) / "evidence.yaml"), line=3)])

    monkeypatch.setattr(motives.io, "load_case", picky)
    (tmp_path / "m.csv").write_text("title,h1,h2\nA,C,I\n")
    r = runner.invoke(app, ["import-matrix", str(tmp_path / "m.csv"), "--out", str(tmp_path / "c")])
    monkeypatch.setattr(motives.io, "load_case", real)
    assert r.exit_code == 2, r.output
    assert str(tmp_path / "c" / "evidence.yaml") in r.output and _hidden(tmp_path) == []


# --------------------------------------------------------------------------- signals


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_a_signal_during_import_matrix_leaves_nothing(tmp_path: Path, sig: int, code: int) -> None:
    """Signalled while its temporary folder exists, import-matrix exits 130/143.

    It leaves no folder behind.
    """
    rows = "".join(f"Item {i},C,I,N\n" for i in range(3000))
    (tmp_path / "m.csv").write_text("title,h1,h2,h3\n" + rows)
    out = tmp_path / "c"
    p = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from motives.cli import main; sys.argv[0] = 'motives'; main()",
            "import-matrix",
            str(tmp_path / "m.csv"),
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    seen = False
    deadline = time.monotonic() + 240
    while p.poll() is None and time.monotonic() < deadline:
        if any(n.startswith(".c.") for n in os.listdir(tmp_path)):
            seen = True
            p.send_signal(sig)
            break
        time.sleep(0.005)
    _, stderr = p.communicate(timeout=240)
    assert seen, "the import ended before its temporary folder was seen; make the matrix larger"
    if p.returncode == 0:  # the signal came as it published: then the output is whole
        assert mv.load_case(out)
    else:
        assert p.returncode == code, stderr
        assert "Traceback" not in stderr and not out.exists()
    assert _hidden(tmp_path) == []


# --------------------------------------------------------------------------- the thin CLI


def test_cli_and_app_modules_are_small() -> None:
    """At most 500 lines each, or named in ARCHITECTURE.md's list of exceptions with the reason.

    ``cli.py`` and ``app/workflow.py`` are named there: they crossed 500 lines only when the
    formatter put each argument of a long call on its own line (their code did not grow).
    """
    text = (SRC.parent.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = text.split("Modules over 500 lines", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"^- `([^`]+\.py)`", block, re.M))
    for p in [
        SRC / "cli.py",
        SRC / "terminal.py",
        SRC / "files.py",
        *sorted((SRC / "app").glob("*.py")),
    ]:
        n = len(p.read_text(encoding="utf-8").splitlines())
        assert n <= 500 or p.relative_to(SRC).as_posix() in named, f"{p.name}: {n} lines"


def test_the_cli_does_no_work_of_its_own() -> None:
    """The CLI imports the library's workflow.

    It opens no file, makes no folder and runs no engine itself.
    """
    text = (SRC / "cli.py").read_text(encoding="utf-8")
    for word in (
        "mkdtemp",
        "mkstemp",
        "write_text(",
        "open(",
        "exact_posterior(",
        "run_all(",
        "shutil",
    ):
        assert word not in text, word


# --------------------------------------------------------------------------- generated cases


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mask=st.integers(0, 0o777))
def test_written_files_and_published_folders_follow_any_umask(tmp_path: Path, mask: int) -> None:
    from motives.files import follow_umask, temporary_folder, write_atomic

    old = os.umask(mask)
    try:
        f = write_atomic(tmp_path / f"f{mask}.txt", "x")
        d = temporary_folder(tmp_path, f"d{mask}")
        (d / "inner.txt").write_text("y")
        follow_umask(d)
    finally:
        os.umask(old)
    assert stat.S_IMODE(f.stat().st_mode) == 0o666 & ~mask
    assert stat.S_IMODE(d.stat().st_mode) == 0o777 & ~mask
    d.chmod(0o700)  # a umask may leave the folder unreadable even to us
    assert stat.S_IMODE((d / "inner.txt").stat().st_mode) == 0o666 & ~mask
    assert [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".f")
    ] == []  # no temporary file left


_CELL = st.text(
    st.characters(whitelist_categories=("L", "N", "Zs"), whitelist_characters=",;'\"-()"),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() and not t.strip().startswith("#"))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            _CELL,
            st.sampled_from(["CC", "C", "N", "I", "II"]),
            st.sampled_from(["CC", "C", "N", "I", "II"]),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda r: r[0].strip().casefold(),
    ),
    end=st.sampled_from(["\r", "\r\n", "\n"]),
)
def test_any_line_end_reads_as_unix_line_ends(
    tmp_path: Path, rows: list[tuple[str, str, str]], end: str
) -> None:
    """Old Mac (CR), Windows (CRLF) and Unix (LF) files give the same matrix.

    Quoted cells and all.
    """
    import csv
    import io

    from motives.ach import read_matrix

    def text(terminator: str) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator=terminator).writerows([("title", "h1", "h2"), *rows])
        return buf.getvalue()

    (tmp_path / "unix.csv").write_bytes(text("\n").encode())
    (tmp_path / "other.csv").write_bytes(text(end).encode())
    assert read_matrix(tmp_path / "other.csv") == read_matrix(tmp_path / "unix.csv")


def test_a_signal_wrapped_by_a_library_still_exits_as_the_signal():
    """A handler's exception that a library wraps (pydantic's SchemaError) is still the signal."""
    from motives import stopping, terminal

    def command() -> None:
        try:
            stopping.raise_terminated(15, None)
        except BaseException as exc:
            raise RuntimeError("Error building validator") from exc

    import typer

    with pytest.raises(typer.Exit) as got:
        terminal.guarded(command)()
    assert got.value.exit_code == terminal.EXIT_TERMINATED


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_that_lands_in_a_weakref_callback_is_not_lost(
    signum: int, capfd: pytest.CaptureFixture[str]
) -> None:
    """A signal whose handler runs in a weakref callback (or ``__del__``) still stops the command.

    Python cannot raise there: it prints "Exception ignored in ..." with a traceback and carries on.
    The guard sends the signal again, so the command exits as the signal, with no traceback.
    """
    import weakref

    import typer

    from motives import stopping, terminal

    handler = dict(stopping.HANDLERS)[signal.Signals(signum)]
    went_on = []

    class Thing:
        pass

    def command() -> None:
        thing = Thing()
        ref = weakref.ref(thing, lambda _: handler(signum, None))
        del thing  # the callback runs here; its exception cannot propagate
        assert ref() is None
        for i in range(1000):  # the signal sent again stops the command in this loop
            went_on.append(i)
        went_on.append("finished")

    with pytest.raises(typer.Exit) as got:
        terminal.guarded(command)()
    want = terminal.EXIT_INTERRUPTED if signum == signal.SIGINT else terminal.EXIT_TERMINATED
    assert got.value.exit_code == want
    assert "finished" not in went_on
    err = capfd.readouterr().err
    assert "Exception ignored" not in err and "Traceback" not in err
    assert ("interrupted" if signum == signal.SIGINT else "terminated") in err


def test_other_exceptions_in_a_weakref_callback_are_left_to_python(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Only the guard's own signal exceptions are sent again; others go to the previous hook."""
    import sys
    import weakref

    from motives import terminal

    seen: list[type[BaseException]] = []
    before = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(type(u.exc_value))

    class Thing:
        pass

    def fail(_: Any) -> None:
        raise ValueError("a bug in a callback")

    def command() -> str:
        thing = Thing()
        ref = weakref.ref(thing, fail)
        del thing
        assert ref() is None
        return "finished"

    try:
        assert terminal.guarded(command)() == "finished"
    finally:
        sys.unraisablehook = before
    assert seen == [ValueError]
    assert sys.getprofile() is None
