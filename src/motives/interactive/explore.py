"""``mv.explore(case)``: the appendix's what-if controls as one anywidget.

The widget is computed by the appendix's own engine.

The widget is an `anywidget <https://anywidget.dev>`_ (the widget standard that JupyterLab, Notebook
7, VS Code, Colab and marimo all render), so one front end serves every notebook; the tests run it
in Notebook 7, marimo and an exported page (VS Code and Colab cannot be run where it is tested). Its
front end is ``widget.js`` with the appendix's ``engine.js`` prepended: the page and the widget
compute with one engine, run on the arrays
:func:`widget_data` exports (the appendix's, per lens, at full precision). Its state is three synced
traits:

``data``
    The case's arrays (read only).
``edits``
    The reader's edit set, with the keys and meaning of :mod:`motives.interactive` (``lens``,
    ``prior``, ``weights``, ``drop``, ``discount``, ``reliability``, ``tables``). The controls write
    it; Python validates it (:func:`motives.interactive.check_edits`) and recomputes
    :attr:`Explorer.result` with
    :func:`motives.interactive.edited_posterior`, the Python reference of the engine.
``computed``
    What the front end's engine computed, with the edits it computed it for (empty until a front end
    renders).

A lens switch follows the one rule of the appendix page (:func:`motives.interactive.switch_lens`,
``switchLens`` in ``engine.js``): it drops the table edits (a table edit is a value of the lens it
was made under) and keeps the rest (prior, weights, dropped items, reliabilities and the discount
belong to no lens); the tables then show the new lens's own values, and a line under the credences
says how many edited rows were dropped. The edits come back to Python as a lens file
(:meth:`Explorer.lens_file`, the format of the appendix's "Download my judgements") or as the case
with that lens added (:meth:`Explorer.case_with_lens`).
:meth:`Explorer.to_html` writes a page that recomputes offline, with no kernel.

anywidget is an optional dependency (the ``lab`` extra); without it :func:`explore` says how to
install it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from motives.errors import CaseError, MotivesError
from motives.schema import Case

MISSING = (
    "mv.explore needs the anywidget package, which is not installed: pip install 'motives[lab]' "
    "(or pip install anywidget)"
)

try:  # optional: the lab extra
    import anywidget
    import traitlets
except ImportError:  # pragma: no cover - exercised by a test that hides the module
    anywidget = None  # type: ignore[assignment]
    traitlets = None  # type: ignore[assignment]

CSS = """
.motives-explorer { font: 13px/1.4 system-ui, sans-serif; color: inherit; max-width: 60rem; }
.motives-explorer .mx-head { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin-bottom: .5rem; }
.motives-explorer .mx-body { display: flex; gap: 2rem; flex-wrap: wrap; }
.motives-explorer .mx-col { flex: 1 1 20rem; }
.motives-explorer h4 { margin: .4rem 0; font-size: 13px; }
.motives-explorer table { border-collapse: collapse; }
.motives-explorer td, .motives-explorer th { padding: 1px 6px; text-align: left; vertical-align: middle; }
.motives-explorer input[type=number] { width: 9em; }
.motives-explorer input, .motives-explorer select, .motives-explorer button {
  border: 1px solid rgba(128, 128, 128, .6); border-radius: 3px; padding: 1px 4px; font: inherit; color: inherit;
  background: transparent; }
.motives-explorer .mx-bar-cell { width: 12rem; }
.motives-explorer .mx-bar { height: .8em; background: currentColor; opacity: .7; }
.motives-explorer .mx-value { text-align: right; font-variant-numeric: tabular-nums; }
.motives-explorer details { margin-top: .6rem; }
.motives-explorer .mx-prop-title { margin-top: .4rem; font-weight: 600; }
.motives-explorer .mx-status { color: #b00020; }
.motives-explorer .mx-note { opacity: .8; }
"""


def esm() -> str:
    """The widget's front end.

    The appendix's ``engine.js`` followed by ``widget.js`` (one ES module).

    Examples
    --------
    >>> src = esm()
    >>> "motivesEngine" in src and src.rstrip().endswith("export default { render };")
    True
    """
    pkg = resources.files("motives.interactive")
    return (
        (pkg / "engine.js").read_text(encoding="utf-8")
        + "\n"
        + (pkg / "widget.js").read_text(encoding="utf-8")
    )


def widget_data(case: Case) -> dict[str, Any]:
    """What the widget's engine computes with.

    The appendix's arrays for every lens, and the labels it shows.

    The same arrays as the appendix (:func:`motives.interactive.appendix_data`), without the page's
    quotes, ledger and citations.

    Examples
    --------
    >>> import motives as mv
    >>> d = widget_data(mv.examples.load("burglary"))
    >>> sorted(d["engine"]), d["propositions"][0]["id"], d["prior"]
    (['default'], 'at_scene', [0.1, 0.9])
    """
    from motives.interactive import lens_data, row_labels, source_data

    return {
        "case": case.name,
        "hypotheses": [
            {"id": h.id, "label": h.name, "family": h.family_id} for h in case.hypotheses
        ],
        "families": [
            {"id": f, "label": next((x.label or x.id for x in case.families if x.id == f), f)}
            for f in case.family_ids
        ],
        "prior": [float(p) for p in case.prior_vector()],
        "default_lens": case.resolve_lens(None),
        # the engine's checkEdits tells an unknown lens from one not exported
        "lens_ids": case.lens_ids,
        "lenses": [{"id": ln.id, "name": ln.name or ln.id} for ln in case.lenses],
        "sources": source_data(case),
        "items": [{"id": e.id, "title": e.title, "kind": e.kind} for e in case.evidence],
        "propositions": [
            {
                "id": p.id,
                "title": p.title,
                "states": list(p.states),
                "parent_values": case.parent_values(p.parents),
                "parent_labels": row_labels(case, p.parents),
            }
            for p in case.propositions
        ],
        "engine": {ln: lens_data(case, ln) for ln in case.lens_ids},
    }


def _clean(edits: dict[str, Any]) -> dict[str, Any]:
    """An edit set as the widget holds it: the lens, and only what differs from the default."""
    out: dict[str, Any] = {"lens": edits["lens"]}
    for k, v in edits.items():
        if k == "lens" or v in ({}, [], None) or (k == "discount" and v == 1.0):
            continue
        out[k] = v
    return out


if anywidget is not None:

    class Explorer(anywidget.AnyWidget):
        """The what-if widget: change the lens, prior, weights, reliabilities and tables.

        The credences follow.

        Build it with :func:`explore`. The controls write :attr:`edits`; the ``set_*`` methods
        change the same state from Python (each validated first). :attr:`result` holds the credences
        under the current edits.

        Examples
        --------
        >>> import motives as mv
        >>> ex = explore(mv.examples.cookie_case())
        >>> ex.set_weight("vanilla", 0.0)
        >>> ex.result["hypotheses"]
        {'bowl1': 0.5, 'bowl2': 0.5}
        """

        _esm = esm()
        _css = CSS
        data = traitlets.Dict().tag(sync=True)
        edits = traitlets.Dict().tag(sync=True)
        computed = traitlets.Dict().tag(sync=True)
        error = traitlets.Unicode("").tag(sync=True)

        def __init__(self, case: Case, lens: str | None = None) -> None:
            from motives.interactive import edited_posterior

            self.case = case
            start = _clean({"lens": case.resolve_lens(lens)})
            self.result: dict[str, dict[str, float]] = edited_posterior(case, start)
            super().__init__(data=widget_data(case), edits=start)

        @traitlets.observe("edits")
        def _edits_changed(self, change: dict[str, Any]) -> None:
            """Validate edits (from the front end or Python) and recompute.

            Refuse invalid ones, saying why.
            """
            from motives.interactive import check_edits, edited_posterior

            try:
                ed = check_edits(self.case, change["new"])
                result = edited_posterior(self.case, ed)
            except (CaseError, MotivesError) as exc:
                self.edits = change["old"]  # back to the last valid state (the front end follows)
                self.error = str(exc)
                return
            self.error = ""
            self.result = result
            cleaned = _clean(ed)
            if cleaned != change["new"]:
                self.edits = cleaned

        # ---------------------------------------------------------- changing the state from Python

        def _update(self, **changes: Any) -> None:
            from motives.interactive import check_edits

            ed = {**self.edits, **changes}
            check_edits(self.case, ed)  # raises CaseError naming the edit before anything changes
            self.edits = _clean({k: v for k, v in ed.items() if v is not None})
            # valid edits the engine still refuses (a prior of weight 0 everywhere): refused, said
            if self.error:
                raise MotivesError(self.error)

        def _set_in(self, key: str, name: str, value: Any) -> None:
            sub = dict(self.edits.get(key) or {})
            if value is None:
                sub.pop(name, None)
            else:
                sub[name] = value
            self._update(**{key: sub})

        @property
        def lens(self) -> str:
            """The lens the widget computes with."""
            return str(self.edits["lens"])

        def set_lens(self, lens: str) -> None:
            """Switch the lens as the lens menu does (:func:`motives.interactive.switch_lens`).

            To another lens the table edits go (they were values of the old lens) and the other
            edits stay.
            """
            from motives.interactive import switch_lens

            new = switch_lens(self.case, self.edits, lens)
            self._update(**{**new, "tables": new.get("tables")})  # None: the table edits removed

        def set_prior(self, hypothesis: str, weight: float | None) -> None:
            """Set a hypothesis's relative prior weight (``None``: back to the case's)."""
            self._set_in("prior", hypothesis, weight)

        def set_weight(self, item: str, factor: float | None) -> None:
            """Set an item's weight factor in [0, 2] (``None`` or 1: as judged)."""
            self._set_in("weights", item, None if factor == 1 else factor)

        def set_reliability(self, source: str, reliability: float | None) -> None:
            """Fix a source's reliability in [0, 1] (``None``: the case's judgement)."""
            self._set_in("reliability", source, reliability)

        def set_table(self, proposition: str, row: str, values: list[float] | None) -> None:
            """Set one row of a proposition's table.

            ``row`` is its flat key, ``"*"`` for a root; ``values=None`` undoes the edit.
            """
            tables = {k: dict(v) for k, v in (self.edits.get("tables") or {}).items()}
            rows = tables.setdefault(proposition, {})
            if values is None:
                rows.pop(row, None)
            else:
                rows[row] = [float(x) for x in values]
            self._update(tables={k: v for k, v in tables.items() if v})

        def set_discount(self, discount: float) -> None:
            """Set the discount on all evidence, in [0, 1]."""
            self._update(discount=float(discount))

        def drop(self, item: str, dropped: bool = True) -> None:
            """Leave an item out entirely (or put it back)."""
            items = [i for i in self.edits.get("drop") or [] if i != item] + (
                [item] if dropped else []
            )
            self._update(drop=items)

        def reset(self) -> None:
            """Undo every edit; keep the lens."""
            self.edits = {"lens": self.lens}

        # ---------------------------------------------------------- the edits back in Python

        def lens_file(self, name: str | None = None) -> Any:
            """The edits as a lens file, what the appendix downloads.

            It is a :class:`motives.lensfile.LensFile`.

            The prior and source reliabilities belong to the case: they go under
            ``case_judgements``, which
            :meth:`case_with_lens` (:func:`motives.lensfile.add_lens`) applies.
            """
            from motives.interactive import lens_file_from_edits
            from motives.lensfile import LensFile

            return LensFile.model_validate(lens_file_from_edits(self.case, self.edits, name=name))

        def case_with_lens(self, name: str | None = None) -> Case:
            """The case with the edits added as a new lens, and the prior and reliabilities set.

            See :func:`motives.lensfile.add_lens`. The new lens's id is the lens file's (``reader``
            or ``reader_<name>``).
            """
            from motives.lensfile import add_lens

            return add_lens(self.case, self.lens_file(name))

        def to_html(self, path: str | Path) -> Path:
            """Write a self-contained page with this widget and its current state.

            It recomputes offline.
            """
            return write_page(self, Path(path))

else:

    class Explorer:  # type: ignore[no-redef]
        """The what-if widget (needs anywidget: ``pip install 'motives[lab]'``)."""

        def __init__(self, *_args: Any, **_kwargs: Any) -> None:
            raise MotivesError(MISSING)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>body { margin: 1.5rem; } __CSS__</style></head>
<body><h1 style="font: 600 16px system-ui">__HEADING__</h1><div id="explorer"></div>
<script type="module">
// A stand-in for a notebook's widget model (get/set/on/off/save_changes), holding the saved state, so the
// widget's own module runs here unchanged and recomputes in the page.
const state = __STATE__;
const esm = __ESM__;
const listeners = {};
const model = {
  get: (k) => state[k],
  set: (k, v) => { state[k] = v; (listeners["change:" + k] || []).slice().forEach((f) => f()); },
  on: (ev, f) => { (listeners[ev] = listeners[ev] || []).push(f); },
  off: (ev, f) => { listeners[ev] = (listeners[ev] || []).filter((g) => g !== f); },
  save_changes: () => {},
  send: () => {},
};
window.motivesModel = model;
const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
const mod = await import(url);
mod.default.render({ model, el: document.getElementById("explorer") });
</script></body></html>
"""


def write_page(ex: Any, path: Path) -> Path:
    """Write ``ex`` (an :class:`Explorer`) as one offline HTML page at ``path``.

    ``path`` is a file, or a folder for index.html.
    """
    import html

    if path.is_dir() or not path.suffix:
        path.mkdir(parents=True, exist_ok=True)
        path = path / "index.html"

    def js(x: Any) -> str:  # JSON inside a script: nothing can close the script element early
        return json.dumps(x, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")

    from motives.interactive import fill_template

    state = {"data": ex.data, "edits": ex.edits, "computed": {}, "error": ""}
    # one pass over the template (fill_template), as the appendix: a title holding "__STATE__" stays
    # text
    title = html.escape(f"What if: {ex.case.title or ex.case.name}")
    page = fill_template(
        PAGE,
        {
            "__CSS__": CSS,
            "__TITLE__": title,
            "__HEADING__": title,
            "__STATE__": js(state),
            "__ESM__": js(esm()),
        },
    )
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def explore(case: Case, lens: str | None = None) -> Explorer:
    """A what-if widget for any notebook: change the prior, weights, reliabilities and tables.

    The credences follow.

    Parameters
    ----------
    case
        The case.
    lens
        The lens to start with (default: the case's default lens).

    Returns
    -------
    Explorer
        An anywidget (displayed by JupyterLab, Notebook 7, VS Code, Colab; in marimo wrap it in
        ``mo.ui.anywidget``); ``.edits`` and ``.result`` hold the state.

    Raises
    ------
    MotivesError
        When anywidget is not installed (it says how to install it).

    Examples
    --------
    >>> import motives as mv
    >>> ex = explore(mv.examples.load("burglary"))
    >>> ex.set_table(
    ...     "at_scene", "suspect", [0.1, 0.9]
    ... )  # being at the scene no longer points to the suspect
    >>> round(ex.result["hypotheses"]["suspect"], 4) < 0.66
    True
    """
    if anywidget is None:
        raise MotivesError(MISSING)
    return Explorer(case, lens)
