"""The what-if widget (``mv.explore``, an anywidget).

Its state against the exact engine, in Python and in browsers.

Tolerance 1e-12: the widget's result and :func:`motives.exact_posterior` are both exact computations
in double precision (the same arrays, summed in another order), as in ``tests/test_appendix.py``.

- In Python: the synced ``edits`` trait is what a front end writes; :attr:`Explorer.result` (the
  Python reference) after a lens switch, a prior edit or a table edit must equal ``exact_posterior``
  of the case so edited (``with_prior``, ``with_judgement``) and of the case with the edits added as
  a lens.
- In headless Chromium: the page :meth:`Explorer.to_html` exports (the widget's own module, its
  state embedded) computes with the appendix's engine; its numbers after the same clicks must equal
  ``exact_posterior``.
- In Notebook 7: a notebook served by a headless ``jupyter notebook`` renders the widget; a lens
  switch in the browser gives the new lens's exact numbers and reaches the kernel (a second cell
  prints the kernel's lens). VS Code and Colab cannot be run here (no network); the exported page
  above is what can be tested of them: the widget's own ES module, loaded with no Jupyter,
  recomputing exactly.
- In marimo: a notebook served by ``marimo run`` renders the widget; a lens switch in the browser
  reaches the Python kernel (a second cell shows the lens the kernel holds) and the browser's
  numbers equal the exact ones.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import motives as mv
from _browser import CHROMIUM, change, lens_switch_edits, needs_browser  # noqa: F401
from _structured_cases import random_structured_case
from motives.errors import MotivesError
from motives.interactive import edited_posterior
from motives.interactive.explore import widget_data

pytest.importorskip("anywidget")

TOL = 1e-12


def _exact(case: mv.Case, lens: str | None = None, prior: Any = None) -> dict[str, float]:
    df = mv.exact_posterior(case, lens, prior)
    return {i: float(x) for i, x in df.xs("hypothesis", level="level")["credence"].items()}


def _close(got: dict[str, float], want: dict[str, float], tol: float = TOL) -> None:
    assert set(got) == set(want)
    diff = max(abs(got[k] - want[k]) for k in want)
    assert diff <= tol, (diff, got, want)


# ---------------------------------------------------------------- Python: traitlets state -> engine


def test_opening_values_are_full_precision(bundled_case: mv.Case) -> None:
    """Before any click the widget shows the exact posterior.

    Its prior is the case's, not a rounded copy.
    """
    ex = mv.explore(bundled_case)
    assert ex.edits == {"lens": bundled_case.resolve_lens(None)}
    assert ex.data["prior"] == [float(p) for p in bundled_case.prior_vector()]
    _close(ex.result["hypotheses"], _exact(bundled_case))


def test_lens_switch_recomputes_from_the_new_lens_only(bundled_case: mv.Case) -> None:
    """Every lens, switched to from another lens with table edits.

    The credences are that lens's exact ones.
    """
    ex = mv.explore(bundled_case)
    prop = bundled_case.propositions[0]
    row = bundled_case.parent_values(prop.parents)[0]
    ids = bundled_case.lens_ids
    start = ids.index(ex.lens)
    for lens in (
        ids[start + 1 :] + ids[: start + 1]
    ):  # each switch is to another lens, ending where it began
        ex.set_table(prop.id, row, [0.3] + [0.7 / (len(prop.states) - 1)] * (len(prop.states) - 1))
        assert "tables" in ex.edits
        ex.set_lens(lens)
        assert ex.edits == {"lens": lens}  # no table edit survives, none is invented
        _close(ex.result["hypotheses"], _exact(bundled_case, lens))


def test_lens_switch_keeps_the_edits_of_no_lens(bundled_case: mv.Case) -> None:
    """The one rule (``switch_lens``).

    Table edits go, the prior, weights and drops stay; the credences are the
    new lens's exact ones under the reader's prior (dropping an item is ``weights`` 0 in the exact
    engine's terms,
    so the check with a drop is against the Python reference)."""
    case = bundled_case
    first, other = case.lens_ids[0], case.lens_ids[1]
    ex = mv.explore(case, first)
    h0 = case.hypothesis_ids[0]
    ex.set_prior(h0, 0.5)
    prop = case.propositions[0]
    ex.set_table(
        prop.id,
        case.parent_values(prop.bears_on)[0],
        [0.2] + [0.8 / (len(prop.states) - 1)] * (len(prop.states) - 1),
    )
    ex.set_lens(other)
    assert ex.edits == {"lens": other, "prior": {h0: 0.5}}
    pri = dict(zip(case.hypothesis_ids, case.prior_vector(), strict=True))
    pri[h0] = 0.5
    _close(
        ex.result["hypotheses"],
        _exact(case, other, {k: v / sum(pri.values()) for k, v in pri.items()}),
    )
    ex.drop(case.evidence[0].id)
    ex.set_table(
        prop.id, case.parent_values(prop.bears_on)[0], [1.0] + [0.0] * (len(prop.states) - 1)
    )
    ex.set_lens(other)  # the lens already shown: nothing changes, the table edit stays
    assert set(ex.edits) == {"lens", "prior", "drop", "tables"}
    ex.set_lens(first)
    assert ex.edits == {"lens": first, "prior": {h0: 0.5}, "drop": [case.evidence[0].id]}
    _close(
        ex.result["hypotheses"],
        edited_posterior(case, {"lens": first, "prior": {h0: 0.5}, "drop": [case.evidence[0].id]})[
            "hypotheses"
        ],
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_switch_lens_rule_on_generated_edits(seed: int) -> None:
    """On generated cases and edit sets.

    To another lens exactly the ``tables`` key goes; to the same lens
    nothing changes; the edit set given is never changed in place."""
    from motives.interactive import switch_lens

    rng = random.Random(seed)
    case = random_structured_case(seed % 40, depth=2, lenses=("a", "b", "c"))
    e = _lens_edits(case, rng)
    e["prior"] = {h: rng.uniform(0.1, 2) for h in case.hypothesis_ids if rng.random() < 0.5}
    before = json.dumps(e, sort_keys=True)
    target = rng.choice(case.lens_ids)
    got = switch_lens(case, e, target)
    assert json.dumps(e, sort_keys=True) == before
    if target == e["lens"]:
        assert got == e
    else:
        assert got == {k: v for k, v in e.items() if k != "tables"} | {"lens": target}
    with pytest.raises(mv.CaseError, match="lens"):
        switch_lens(case, e, "no_such_lens")


def test_prior_and_table_edits_equal_the_edited_case(bundled_case: mv.Case) -> None:
    case = bundled_case
    lens = case.lens_ids[-1]
    ex = mv.explore(case, lens)
    h0, h1 = case.hypothesis_ids[:2]
    ex.set_prior(h0, 0.5)
    ex.set_prior(h1, 1 / 7)
    pri = dict(zip(case.hypothesis_ids, case.prior_vector(), strict=True))
    pri.update({h0: 0.5, h1: 1 / 7})
    _close(
        ex.result["hypotheses"],
        _exact(case, lens, {k: v / sum(pri.values()) for k, v in pri.items()}),
    )
    ex.reset()
    prop = next(p for p in case.propositions if p.parents)
    row = case.parent_values(prop.parents)[-1]
    new = [1.0 / len(prop.states)] * len(prop.states)
    ex.set_table(prop.id, row, new)
    edited = case.with_judgement(prop.id, lens, {row: dict(zip(prop.states, new, strict=True))})
    _close(ex.result["hypotheses"], _exact(edited, lens))


def test_edits_from_a_front_end_are_validated(example_case: Any) -> None:
    """A front end writes the ``edits`` trait.

    A valid set recomputes, an invalid one is refused and says why.
    """
    case = example_case("burglary")
    ex = mv.explore(case)
    ex.edits = {"lens": "default", "weights": {"fibres_match": 0.0}}
    _close(
        ex.result["hypotheses"],
        edited_posterior(case, {"weights": {"fibres_match": 0.0}})["hypotheses"],
    )
    before = dict(ex.edits)
    ex.edits = {"lens": "default", "weights": {"no_such_item": 0.5}}
    assert ex.edits == before and "no_such_item" in ex.error
    ex.edits = {
        "lens": "default",
        "discount": 1.0,
        "prior": {},
    }  # defaults are dropped, not kept as edits
    assert ex.edits == {"lens": "default"} and ex.error == ""
    with pytest.raises(mv.CaseError, match="weights"):
        ex.set_weight("fibres_match", 3.0)
    with pytest.raises(MotivesError, match="weight 0|must not all be 0"):
        ex.set_prior("suspect", 0)
        ex.set_prior("someone_else", 0)
    assert ex.edits == {"lens": "default", "prior": {"suspect": 0}}  # the last valid state


def _lens_edits(case: mv.Case, rng: random.Random) -> dict[str, Any]:
    """Random edits a lens can hold.

    Weights of likelihood items, a discount (when every item is a likelihood item: a timeline's or
    quantity's weight is not a lens's judgement), table rows.
    """
    items = [x.id for x in case.evidence if x.kind == "likelihood"]
    e: dict[str, Any] = {"lens": rng.choice(case.lens_ids)}
    e["weights"] = {i: round(rng.uniform(0, 2), 3) for i in rng.sample(items, min(3, len(items)))}
    if len(items) == len(case.evidence) and rng.random() < 0.5:
        e["discount"] = round(rng.uniform(0.1, 1), 3)
    tables = {}
    for p in case.propositions:
        if rng.random() < 0.6:
            pv = case.parent_values(p.bears_on)
            tables[p.id] = {
                v: [round(rng.random(), 3) + 0.01 for _ in p.states] for v in rng.sample(pv, 1)
            }
    e["tables"] = tables
    return e


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000))
def test_edits_come_back_as_a_lens(seed: int) -> None:
    """Generated structured cases and edits.

    The case with the widget's edits as a new lens gives, under that lens, the widget's credences
    (the lens file route of the appendix's "Download my judgements").
    """
    rng = random.Random(seed)
    case = random_structured_case(seed % 50, depth=2, lenses=("a", "b"))
    ex = mv.explore(case)
    ex.edits = _lens_edits(case, rng)
    assert ex.error == ""
    lf = ex.lens_file(name="Ann")
    assert lf.lens.id == "reader_ann" and lf.based_on == ex.lens
    assert (
        lf.not_applied.model_dump(exclude_defaults=True) == {}
    )  # every edit here is a lens's judgement
    new = ex.case_with_lens(name="Ann")
    # 1e-9, not 1e-12: the tempered cells λ^γ are written into the new lens and validated again (a
    # case's table rows are renormalised on load), a few more roundings than the engine's own
    _close(ex.result["hypotheses"], _exact(new, "reader_ann"), 1e-9)
    _close(ex.result["hypotheses"], edited_posterior(case, ex.edits)["hypotheses"])


def test_without_anywidget_a_clear_message() -> None:
    code = (
        "import sys; sys.modules['anywidget'] = None\n"
        "import motives as mv\ntry:\n    mv.explore(mv.examples.cookie_case())\n"
        "except mv.MotivesError as e:\n    print('MSG', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert (
        "MSG mv.explore needs the anywidget package" in out.stdout and "motives[lab]" in out.stdout
    )
    assert "Traceback" not in out.stderr


def test_missing_anywidget_message_is_a_motives_error() -> None:
    from motives.interactive import explore as mod

    assert issubclass(MotivesError, Exception) and "pip install" in mod.MISSING


# ---------------------------------------------------------------------- Chromium: the exported page


def _shown(page: Any) -> dict[str, float]:
    rows = page.eval_on_selector_all(
        ".mx-value[data-level=hypothesis]",
        "els => els.map(e => [e.dataset.id, Number(e.dataset.value)])",
    )
    return dict(rows)


@needs_browser
def test_exported_page_recomputes_like_the_exact_engine(
    browser: Any, bundled_case: mv.Case, tmp_path: Path
) -> None:
    case = bundled_case
    ex = mv.explore(case)
    path = ex.to_html(tmp_path)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith(("file:", "blob:", "data:")) else None
        ),
    )
    page.goto(path.as_uri())
    page.wait_for_selector(".mx-value[data-value]")
    _close(_shown(page), _exact(case))
    for lens in case.lens_ids[::-1]:  # a lens switch in the page: that lens's exact credences
        page.select_option(".mx-lens", lens)
        _close(_shown(page), _exact(case, lens))
        assert json.loads(page.evaluate("JSON.stringify(window.motivesModel.get('edits'))")) == {
            "lens": lens
        }
    lens = case.lens_ids[0]
    page.select_option(".mx-lens", lens)
    h0 = case.hypothesis_ids[0]
    page.fill(f".mx-prior-input[data-id={h0}]", "0.5")
    page.dispatch_event(f".mx-prior-input[data-id={h0}]", "change")
    pri = dict(zip(case.hypothesis_ids, case.prior_vector(), strict=True))
    pri[h0] = 0.5
    _close(_shown(page), _exact(case, lens, {k: v / sum(pri.values()) for k, v in pri.items()}))
    prop = next(p for p in case.propositions if p.parents and len(p.states) == 2)
    row = case.parent_values(prop.parents)[0]
    sel = f".mx-cell[data-prop={prop.id}][data-row='{row}'][data-state='{prop.states[0]}']"
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.fill(sel, "0.25")
    page.dispatch_event(sel, "change")
    edits = json.loads(page.evaluate("JSON.stringify(window.motivesModel.get('edits'))"))
    got = edits["tables"][prop.id][row]
    assert got == [0.25, 0.75]  # a two-state row: the other state takes the rest
    assert page.input_value(sel.replace(prop.states[0], prop.states[1])) == "0.75"
    edited = case.with_judgement(prop.id, lens, {row: dict(zip(prop.states, got, strict=True))})
    _close(
        _shown(page),
        _exact(edited.with_prior({k: v / sum(pri.values()) for k, v in pri.items()}), lens),
    )
    # what the page's engine computed is what the Python reference computes for the same edits
    computed = json.loads(page.evaluate("JSON.stringify(window.motivesModel.get('computed'))"))
    _close(computed["hypotheses"], edited_posterior(case, computed["edits"])["hypotheses"])
    assert errors == [] and outside == []
    page.screenshot(path=str(tmp_path / "explore.png"), full_page=True)
    page.close()


def _prior_exact(case: mv.Case, lens: str, weights: dict[str, float]) -> dict[str, float]:
    pri = dict(zip(case.hypothesis_ids, case.prior_vector(), strict=True)) | weights
    return _exact(case, lens, {k: v / sum(pri.values()) for k, v in pri.items()})


@needs_browser
def test_exported_page_lens_switch_follows_the_rule(
    browser: Any, bundled_case: mv.Case, tmp_path: Path
) -> None:
    """The lens menu in the widget's page.

    A table edit goes, the prior stays, the tables show the new lens's
    values, a line says what was dropped, and the numbers are the new lens's exact ones under that
    prior
    (the same scenario as ``test_appendix.py::test_page_lens_switch_follows_the_rule``)."""
    case = bundled_case
    first, other = case.lens_ids[0], case.lens_ids[1]
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(mv.explore(case, first).to_html(tmp_path).as_uri())
    page.wait_for_selector(".mx-value[data-value]")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    h0, prop, row = lens_switch_edits(case)
    change(page, f".mx-prior-input[data-id={h0}]", "0.5")
    sel = f".mx-cell[data-prop={prop.id}][data-row='{row}'][data-state='{prop.states[0]}']"
    change(page, sel, "0.125")
    assert "tables" in json.loads(page.evaluate("JSON.stringify(window.motivesModel.get('edits'))"))
    page.select_option(".mx-lens", other)
    assert json.loads(page.evaluate("JSON.stringify(window.motivesModel.get('edits'))")) == {
        "lens": other,
        "prior": {h0: 0.5},
    }
    _close(_shown(page), _prior_exact(case, other, {h0: 0.5}))
    arrays = next(q for q in widget_data(case)["engine"][other]["props"] if q["id"] == prop.id)
    assert float(page.input_value(sel)) == pytest.approx(
        arrays["table"][0][0], rel=1e-11
    )  # 12 digits shown
    assert (
        page.inner_text(".mx-note")
        == "Lens switched: 1 edited table row was dropped (table values belong "
        "to the lens they were set under)."
    )
    page.select_option(".mx-lens", first)  # back: no table edit to drop, nothing said
    assert page.inner_text(".mx-note") == ""
    _close(_shown(page), _prior_exact(case, first, {h0: 0.5}))
    assert errors == []
    page.close()


@needs_browser
def test_page_shows_text_as_text(browser: Any, tmp_path: Path) -> None:
    """A label with markup is shown as written, never run."""
    case = mv.examples.cookie_case()
    case = case.model_copy(
        update={
            "hypotheses": [
                h.model_copy(update={"label": "<img src=x onerror=alert(1)>"}) if i == 0 else h
                for i, h in enumerate(case.hypotheses)
            ]
        }
    )
    path = mv.explore(case).to_html(tmp_path)
    page = browser.new_page()
    page.goto(path.as_uri())
    page.wait_for_selector(".mx-value[data-value]")
    assert page.locator("img").count() == 0
    assert page.get_by_text("<img src=x onerror=alert(1)>").count() >= 1
    page.close()


# --------------------------------------------------------------------------- marimo


NOTEBOOK = """import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo

    import motives as mv

    widget = mo.ui.anywidget(mv.explore(mv.examples.load("two_lenses")))
    widget
    return mo, widget


@app.cell
def _(mo, widget):
    mo.md(f"kernel lens: {widget.value['edits']['lens']}")
    return


if __name__ == "__main__":
    app.run()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"no server on port {port} after {seconds} s")


@contextlib.contextmanager
def _server(
    cmd: list[str], log_path: Path, port: int, seconds: float, **popen: Any
) -> Iterator[None]:
    """A server run from ``cmd`` (its output in ``log_path``), up on ``port`` within ``seconds``.

    Stopped when the block ends.
    """
    log = log_path.open("w")
    # its own process group: the server and the kernels it starts are stopped together
    srv = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **popen
    )
    try:
        _wait_for_port(port, seconds)
        yield
    finally:
        # Asked to stop, the server shuts its kernels down first; on a loaded machine that took
        # more than 30 s (the test had passed and failed in its teardown). What the test checks is
        # done by then, so after 30 s the group is killed.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(srv.pid, signal.SIGTERM)
        try:
            srv.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(srv.pid, signal.SIGKILL)
            srv.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(srv.pid, signal.SIGKILL)  # a kernel the server left behind
        log.close()


def _finish(page: Any, errors: list[str], shot: Path) -> None:
    """A screenshot of the page, no page error, the page closed."""
    page.screenshot(path=str(shot), full_page=True)
    assert errors == []
    page.close()


@needs_browser
@pytest.mark.slow
def test_marimo_renders_the_widget_and_talks_to_the_kernel(browser: Any, tmp_path: Path) -> None:
    pytest.importorskip("marimo")
    nb = tmp_path / "explore_nb.py"
    nb.write_text(NOTEBOOK, encoding="utf-8")
    port = _free_port()
    marimo = [
        sys.executable,
        "-m",
        "marimo",
        "run",
        str(nb),
        "--headless",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-token",
    ]
    with _server(
        marimo, tmp_path / "marimo.log", port, 90, env={**os.environ, "MPLBACKEND": "Agg"}
    ):
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector(".mx-value[data-value]", timeout=90_000)
        case = mv.examples.load("two_lenses")
        _close(_shown(page), _exact(case))
        first = case.resolve_lens(None)
        other = next(ln for ln in case.lens_ids if ln != first)
        page.get_by_text(f"kernel lens: {first}").wait_for(timeout=60_000)
        page.select_option(".mx-lens", other)
        page.get_by_text(f"kernel lens: {other}").wait_for(
            timeout=60_000
        )  # the edit reached Python and back
        _close(_shown(page), _exact(case, other))
        _finish(page, errors, tmp_path / "marimo.png")


# --------------------------------------------------------------------------- Jupyter Notebook 7


@needs_browser
@pytest.mark.slow
def test_notebook7_renders_the_widget_and_talks_to_the_kernel(browser: Any, tmp_path: Path) -> None:
    """Notebook 7 (``jupyter notebook``, headless).

    A notebook calling ``mv.explore(case)`` shows the widget with
    the exact credences; a lens switch in the browser changes them to the new lens's exact ones and
    reaches the
    kernel (a second cell, run after the switch, prints the lens the kernel holds)."""
    pytest.importorskip("notebook")
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            'import motives as mv\nex = mv.explore(mv.examples.load("two_lenses"))\nex'
        ),
        nbformat.v4.new_code_cell('print("kernel lens:", ex.lens)'),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }  # no picker
    nbformat.write(nb, tmp_path / "explore.ipynb")
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "notebook",
        "--no-browser",
        "--expose-app-in-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={tmp_path}",
        "--ServerApp.disable_check_xsrf=True",
    ]
    if (
        hasattr(os, "geteuid") and os.geteuid() == 0
    ):  # CI runs as root; the server refuses root without it
        cmd.append("--allow-root")
    with _server(
        cmd,
        tmp_path / "notebook.log",
        port,
        120,
        cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg", "JUPYTER_PLATFORM_DIRS": "1"},
    ):
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        errors: list[str] = []
        # Notebook 7.6's own start-up throws "Cannot read properties of undefined (reading
        # 'schema')" in its settings loader (notebook_core.js, as the page loads, before any cell
        # runs): not ours, left out; any other error (the widget's module, anywidget, the widget
        # manager) fails the test.
        page.on(
            "pageerror",
            lambda e: (
                errors.append(f"{e}\n{e.stack}")
                if "/static/notebook/notebook_core." not in (e.stack or "").split("\n", 2)[1]
                else None
            ),
        )
        page.goto(f"http://127.0.0.1:{port}/notebooks/explore.ipynb")
        page.wait_for_function(
            "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " const k = w && w.sessionContext && w.sessionContext.session &&"
            " w.sessionContext.session.kernel; return k && k.status === 'idle'; }",
            timeout=120_000,
        )
        page.evaluate(
            "() => { const nb = window.jupyterapp.shell.currentWidget.content; nb.activeCellIndex "
            "= 0;"
            " return window.jupyterapp.commands.execute('notebook:run-cell'); }"
        )
        page.wait_for_selector(".mx-value[data-value]", timeout=120_000)
        case = mv.examples.load("two_lenses")
        first = case.resolve_lens(None)
        other = next(ln for ln in case.lens_ids if ln != first)
        _close(_shown(page), _exact(case, first))
        page.select_option(".mx-lens", other)
        page.wait_for_function(
            "lens => document.querySelector('.motives-explorer').dataset.computedFor"
            " === JSON.stringify({lens: lens})",
            arg=other,
        )
        _close(_shown(page), _exact(case, other))
        assert _exact(case, other) != _exact(case, first)  # the switch changed the numbers
        # The edit reached Python. A widget's edit and a cell run are not ordered (ipywidgets
        # holds a model's update back while an earlier one is unanswered), and once on a loaded
        # CI machine the new lens was not printed within 60 s (cause not found). So cell 1 runs
        # until it prints the new lens (each run replaces its output), for at most 60 s.
        said = _kernel_says(page, f"kernel lens: {other}", 60.0)
        assert said == f"kernel lens: {other}", f"after 60 s the kernel still says {said!r}"
        _finish(page, errors, tmp_path / "notebook7.png")


def _kernel_says(page: Any, wanted: str, seconds: float) -> str:
    """Run cell 1 of the open notebook until its output is ``wanted`` or ``seconds`` pass.

    A run that has not finished after 20 s is asked for again. Returns the last output (stripped),
    or, if no run finished, the notebook's state (active cell, execution counts, outputs).
    """
    said = ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        count = page.evaluate(
            "() => { const nb = window.jupyterapp.shell.currentWidget.content;"
            " const n = nb.widgets[1].model.executionCount; nb.activeCellIndex = 1;"
            " window.jupyterapp.commands.execute('notebook:run-cell'); return n; }"
        )
        try:
            page.wait_for_function(  # the run is over: its reply and all its output are in
                "n => { const m = window.jupyterapp.shell.currentWidget.content.widgets[1].model;"
                " return typeof m.executionCount === 'number' && m.executionCount !== n; }",
                arg=count,
                timeout=max(1.0, min(20.0, deadline - time.monotonic())) * 1000,
            )
        except Exception:  # noqa: BLE001 - Playwright's timeout: ask again, say the state at the end
            said = page.evaluate(
                "() => { const nb = window.jupyterapp.shell.currentWidget.content;"
                " return JSON.stringify({active: nb.activeCellIndex,"
                " counts: nb.widgets.map(w => w.model.executionCount),"
                " outputs: nb.widgets[1].model.outputs.toJSON()}); }"
            )
            continue
        said = page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.content.widgets[1].model.outputs"
            ".toJSON().map(o => [].concat(o.text || '').join('')).join('')"
        ).strip()
        if said == wanted:
            break
        time.sleep(0.5)
    return said


def test_exported_page_is_filled_in_one_pass(tmp_path: Path) -> None:
    """A title holding the page template's markers stays text.

    The state and module are inserted once.
    """
    case = mv.examples.cookie_case()
    case = case.model_copy(update={"title": "__STATE__ __ESM__ __CSS__"})
    page = mv.explore(case).to_html(tmp_path).read_text(encoding="utf-8")
    assert (
        page.count("What if: __STATE__ __ESM__ __CSS__") == 2
    )  # the title and the heading, as written
    assert page.count("export default { render };") == 1
