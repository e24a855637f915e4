"""An interactive appendix.

One self-contained HTML page a paper's reader opens to change the judgements.

:func:`appendix` writes ``index.html``: the case (credences, ledger, structure,
evidence with quotes, sources and each lens's rationale) and controls to switch
the lens, set the prior, weight or drop an item, set a source's reliability,
change a proposition's table and discount all evidence at once. The page
computes posteriors with a small engine of its own (``engine.js``) over arrays
exported here; nothing leaves the page (no request, works from ``file://``).
Edits live in the URL fragment, so a link reproduces them.

The edits have one meaning, shared by the page and by :func:`edited_posterior`
(the Python reference the page is tested against):

``lens``
    Whose judgements (default: the case's default lens).
``prior``
    Hypothesis id -> relative prior weight (normalised; missing ids keep the case's prior share).
``weights``
    Item id -> factor in [0, 2] on its weight of evidence: the item's likelihoods
    become λ^γ (a zero stays zero), a timeline's or quantity's log density is multiplied by γ.
``drop``
    Item ids left out entirely (also out of their source's reliability).
``discount``
    A factor in [0, 1] on every item's weight, on top of ``weights``.
``reliability``
    Source key -> a fixed reliability ρ in [0, 1] (replacing the case's judgement).
``tables``
    Proposition id -> {parent value: P(state) for each state} (rows normalised). With several
    parents the parent value is the flat key of the row (the parents' values joined by ``.`` in the
    listed order, ``"burglary.yes"``); a root fact's one row is ``"*"``.

On a network (root facts, facts or items with several parents, observed facts) the page runs the
elimination plan the exact engine made for the structure (:attr:`motives.exact.CaseArrays.plan`),
exported with the arrays, so the page and Python sum the facts out in the same order.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from motives import escape
from motives.citations import Bibliography
from motives.errors import CaseError, Problem
from motives.numeric import proportions
from motives.schema import Case

EDIT_KEYS = ("lens", "prior", "weights", "drop", "discount", "reliability", "tables")


# --------------------------------------------------------------------------- the edits, in Python


def check_edits(case: Case, edits: dict[str, Any] | None) -> dict[str, Any]:  # noqa: C901 - one check per kind of edit, mirrored in the appendix's JavaScript
    """Validate an edit set against the case; return it with defaults filled in.

    The page applies the same rules, message for message, to the edits in its address
    (``checkEdits`` in ``engine.js``; the browser tests compare the two on generated edit sets): a
    link whose edits break one is refused with this message and the page shows the author's numbers.

    Raises
    ------
    motives.errors.CaseError
        For the first rule an edit breaks (field ``edits.<key>``).

    Examples
    --------
    >>> import motives as mv
    >>> check_edits(mv.examples.cookie_case(), {"weights": {"vanilla": 2}})["lens"]
    'default'
    """

    def bad(msg: str, field: str) -> CaseError:
        return CaseError([Problem(msg, field=f"edits.{field}" if field else "edits")])

    if edits is None:
        edits = {}
    if not isinstance(edits, dict):
        raise bad("the edits must be a mapping of edit -> value", "")
    edits = dict(edits)
    unknown = sorted(set(edits) - set(EDIT_KEYS))
    if unknown:
        raise bad(f"unknown edit(s) {unknown}; valid: {', '.join(EDIT_KEYS)}", "")
    lens = edits.get("lens")
    if lens is not None and (not isinstance(lens, str) or lens not in case.lens_ids):
        raise bad(f"lens: no lens {_shown(lens)}; valid: {', '.join(case.lens_ids)}", "lens")
    lens = case.resolve_lens(lens)
    items = {e.id for e in case.evidence}
    props = {p.id: p for p in case.propositions}
    sources = {s.key for s in case.sources}
    for key in ("prior", "weights", "reliability", "tables"):
        if edits.get(key) is not None and not isinstance(edits[key], dict):
            raise bad(f"{key} must be a mapping", key)
    if edits.get("drop") is not None and not isinstance(edits["drop"], list):
        raise bad("drop must be a list of item ids", "drop")

    prior = edits.get("prior") or {}
    for h, v in prior.items():
        if h not in case.hypothesis_ids or not _num(v) or v < 0:
            raise bad(f"prior: '{h}' must be a hypothesis with a non-negative weight", "prior")
    if prior and not any(
        prior.get(h, share) > 0
        for h, share in zip(case.hypothesis_ids, case.prior_vector(), strict=True)
    ):
        raise bad("prior: the weights must not all be 0", "prior")
    for e, v in (edits.get("weights") or {}).items():
        if e not in items or not _num(v) or not 0 <= v <= 2:
            raise bad(f"weights: '{e}' must be an item with a factor in [0, 2]", "weights")
    for e in edits.get("drop") or []:
        if not isinstance(e, str) or e not in items:
            raise bad(f"drop: no item {_shown(e)}", "drop")
    d = 1.0 if edits.get("discount") is None else edits["discount"]
    if not _num(d) or not 0 <= d <= 1:
        raise bad("discount must be a number in [0, 1]", "discount")
    for s, v in (edits.get("reliability") or {}).items():
        if s not in sources or not _num(v) or not 0 <= v <= 1:
            raise bad(
                f"reliability: '{s}' must be a declared source with a value in [0, 1]",
                "reliability",
            )
    for p, rows in (edits.get("tables") or {}).items():
        if p not in props or not isinstance(rows, dict):
            raise bad(f"tables: no proposition '{p}'", "tables")
        pv = case.parent_values(props[p].bears_on)
        for v, row in rows.items():
            if (
                v not in pv
                or not isinstance(row, list | tuple)
                or len(row) != len(props[p].states)
                or not all(_num(x) and x >= 0 for x in row)
                or sum(row) <= 0
            ):
                raise bad(
                    f"tables: '{p}' row '{v}' must give {len(props[p].states)} non-negative "
                    "numbers, not all 0",
                    "tables",
                )
    return {
        "lens": lens,
        "prior": dict(prior),
        "weights": dict(edits.get("weights") or {}),
        "drop": list(edits.get("drop") or []),
        "discount": float(d),
        "reliability": dict(edits.get("reliability") or {}),
        "tables": dict(edits.get("tables") or {}),
    }


def switch_lens(case: Case, edits: dict[str, Any] | None, lens: str | None) -> dict[str, Any]:
    """The edit set after the reader switches to ``lens``: the one rule of the page and the widget.

    A table edit is a value of the lens it was set under, so a switch to another lens drops the
    table edits and the tables show the new lens's own values; the other edits (prior, weights,
    dropped items, discount, source reliabilities) belong to no lens and stay. Choosing the lens
    already shown changes nothing. ``switchLens`` in ``engine.js`` is the same rule for the appendix
    page and the widget (the browser tests compare the two). An edit set written whole (a link,
    ``Explorer.edits = {...}``) is taken as written: its tables are values of its own lens.

    Raises
    ------
    motives.errors.CaseError
        If ``edits`` or ``lens`` is not valid for the case (:func:`check_edits`).

    Examples
    --------
    >>> from motives.testing import random_structured_case
    >>> case = random_structured_case(7, depth=2, lenses=("a", "b"))
    >>> e = {"prior": {"h0": 2.0}, "tables": {"p0": {"h0": [0.5, 0.5]}}}
    >>> switch_lens(case, e, "b")
    {'prior': {'h0': 2.0}, 'lens': 'b'}
    >>> switch_lens(case, e, "a") == {**e, "lens": "a"}  # the lens already shown: nothing changes
    True
    """
    check_edits(case, edits)
    edits = dict(edits or {})
    lens = case.resolve_lens(lens)
    check_edits(case, {"lens": lens})
    if lens != case.resolve_lens(edits.get("lens")):
        edits.pop("tables", None)
    edits["lens"] = lens
    return edits


def _shown(v: Any) -> str:
    """A value in a message as the page shows it: a string in quotes, anything else as JSON."""
    return f"'{v}'" if isinstance(v, str) else json.dumps(v)


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _temper(lam: np.ndarray, g: np.ndarray) -> np.ndarray:
    with np.errstate(
        divide="ignore", invalid="ignore"
    ):  # a zero stays zero, also at g = 0 (0 * -inf unused)
        ll = np.log(lam)
        return np.where(np.isfinite(ll), np.exp(g[:, None] * ll), 0.0)


def _temper_log(ll: np.ndarray, g: np.ndarray) -> np.ndarray:
    """γ times a log density; -inf (a logical exclusion) stays -inf."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(ll), g[:, None] * ll, ll)


def edited_posterior(
    case: Case, edits: dict[str, Any] | None = None
) -> dict[str, dict[str, float]]:
    """Credences under a set of reader's edits — the Python reference of the page's engine.

    Parameters
    ----------
    case
        The case.
    edits
        See the module docstring.

    Returns
    -------
    dict
        ``{"hypotheses": {id: credence}, "families": {id: credence}}``.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.cookie_case()
    >>> edited_posterior(case)["hypotheses"]
    {'bowl1': 0.6, 'bowl2': 0.4}
    >>> edited_posterior(case, {"weights": {"vanilla": 0}})["hypotheses"]  # the item says nothing
    {'bowl1': 0.5, 'bowl2': 0.5}
    """
    from motives.exact import compiled, family_credence, posterior

    ed = check_edits(case, edits)
    if ed["reliability"]:
        case = case.model_copy(
            update={
                "sources": [
                    s.model_copy(
                        update={
                            "reliability": s.reliability.model_copy(
                                update={
                                    "mean": float(ed["reliability"][s.key]),
                                    "concentration": None,
                                }
                            )
                        }
                    )
                    if s.key in ed["reliability"]
                    else s
                    for s in case.sources
                ]
            }
        )
        from motives.exact import compile_case

        arr = compile_case(case, ed["lens"])
    else:
        arr = compiled(case, ed["lens"])
    w, d = ed["weights"], ed["discount"]
    gam = lambda ids: np.array([w.get(e, 1.0) * d for e in ids], dtype=float)  # noqa: E731
    arr = replace(
        arr,
        lam=_temper(arr.lam, gam(arr.items)) if len(arr.items) else arr.lam,
        other_loglik=_temper_log(arr.other_loglik, gam(arr.other_items)),
        propositions=tuple(
            replace(
                p,
                lam=_temper(p.lam, gam(p.items)) if len(p.items) else p.lam,
                other_loglik=_temper_log(p.other_loglik, gam(p.other_items)),
            )
            for p in arr.propositions
        ),
        joint=tuple(replace(j, lam=_temper(j.lam[None, :], gam([j.id]))[0]) for j in arr.joint),
    )
    if ed["drop"]:
        arr = arr.without(ed["drop"])
    tables = {}
    for pid, rows in ed["tables"].items():
        pa = next(p for p in arr.propositions if p.id == pid)
        T = pa.table.copy()
        pv = case.parent_values(case.proposition(pid).bears_on)
        for v, row in rows.items():
            r = np.asarray(row, dtype=float)
            T[pv.index(v)] = proportions(r)
        tables[pid] = T
    pri = np.array(case.prior_vector())
    if ed["prior"]:
        pri = np.array(
            [ed["prior"].get(h, p) for h, p in zip(case.hypothesis_ids, pri, strict=True)],
            dtype=float,
        )
        if not (pri > 0).any():
            raise CaseError(
                [Problem("the edited prior gives every hypothesis weight 0", field="edits.prior")]
            )
        pri = proportions(pri)
    post = posterior(arr, pri, tables=tables or None)
    fam = family_credence(arr, post)
    return {
        "hypotheses": {h: float(x) for h, x in zip(arr.hypotheses, post, strict=True)},
        "families": {f: float(x) for f, x in zip(arr.families, fam, strict=True)},
    }


def reader_lens_id(name: str | None, taken: list[str]) -> str:
    """The id of a reader's lens.

    ``reader`` or ``reader_<name>`` (lowercase, digits, _), not one already taken.

    Examples
    --------
    >>> reader_lens_id("Ann O'Neil", ["default"]), reader_lens_id(None, ["reader"])
    ('reader_ann_o_neil', 'reader_2')
    """
    slug = re.sub(r"[^a-z0-9]+", "_", (name or "").lower()).strip("_")[:40].strip("_")
    base = f"reader_{slug}" if slug else "reader"
    lens, n = base, 2
    while lens in taken:
        lens, n = f"{base}_{n}", n + 1
    return lens


def lens_file_from_edits(
    case: Case, edits: dict[str, Any] | None = None, *, name: str | None = None
) -> dict[str, Any]:
    """The lens file the page's "Download my judgements" writes for a set of edits.

    This is the page's Python reference.

    What each edit becomes (see :mod:`motives.lensfile` for the format): a proposition row the
    reader set makes that proposition's table (every row: the lens's, the reader's where set) a
    changed judgement; a factor γ on a likelihood item's weight (its own times the discount) makes
    its likelihoods λ^γ, a zero staying zero; an item left out gets the same likelihood for every
    parent value, its base rate if it has one, else 1 (it then says nothing, also through its
    source's uncertain reliability). The prior and source reliabilities belong to the case: they go
    under ``case_judgements``, which
    :func:`motives.lensfile.add_lens` applies to the case. The posterior under the new lens of that
    case equals :func:`edited_posterior` with those edits. Edits of timeline or quantity items are
    no judgement a lens can hold: they go under ``not_applied``.

    Examples
    --------
    >>> import motives as mv
    >>> lf = lens_file_from_edits(
    ...     mv.examples.load("student"), {"weights": {"sat_high": 0.5}}, name="Ann"
    ... )
    >>> lf["lens"]["id"], [round(x, 6) for x in lf["changed"]["sat_high"]["values"].values()]
    ('reader_ann', [0.894427, 0.223607])
    """
    from motives.exact import compiled

    ed = check_edits(case, edits)
    base = ed["lens"]
    arr = compiled(case, base)
    w, d, drop = ed["weights"], ed["discount"], set(ed["drop"])
    changed: dict[str, Any] = {}
    rows: list[tuple[str, np.ndarray, float]] = list(zip(arr.items, arr.lam, arr.base, strict=True))
    for p in arr.propositions:
        rows += list(zip(p.items, p.lam, p.base, strict=True))
    rows += [(j.id, j.lam, j.base) for j in arr.joint]
    cannot_drop = []
    for iid, lam, rate in rows:
        g = w.get(iid, 1.0) * d
        if iid in drop:
            # says nothing, also through its source: x * b + (1 - x) * b = b for every reliability x
            if rate == 0 and case.item(iid).reported_by:
                cannot_drop.append(iid)  # a base rate of 0 makes every constant row depend on x
                continue
            new = np.full(len(lam), 1.0 if math.isnan(rate) else float(rate))
        elif g != 1:
            new = _temper(np.asarray(lam, dtype=float)[None, :], np.array([g]))[0]
        else:
            continue
        keys = case.parent_values(case.item(iid).parents)
        changed[iid] = {"values": {k: float(v) for k, v in zip(keys, new, strict=True)}}
    for pid, edited in ed["tables"].items():
        pa = next(p for p in arr.propositions if p.id == pid)
        keys = case.parent_values(case.proposition(pid).parents)
        table = {}
        for k, row in zip(keys, pa.table, strict=True):
            r = np.asarray(edited.get(k, row), dtype=float)
            table[k] = {s: float(x) for s, x in zip(pa.states, proportions(r), strict=True)}
        changed[pid] = {"values": table}
    other = [*arr.other_items, *(i for p in arr.propositions for i in p.other_items)]
    case_judgements: dict[str, Any] = {}
    if ed["prior"]:
        case_judgements["prior"] = dict(ed["prior"])
    if ed["reliability"]:
        case_judgements["reliability"] = dict(ed["reliability"])
    not_applied: dict[str, Any] = {}
    ow = {i: w.get(i, 1.0) * d for i in other if i not in drop and w.get(i, 1.0) * d != 1}
    if ow:
        not_applied["weights"] = ow
    od = [i for i in other if i in drop] + cannot_drop
    if od:
        not_applied["drop"] = od
    ids = [*(p.id for p in case.propositions), *(e.id for e in case.evidence)]
    lens: dict[str, Any] = {"id": reader_lens_id(name, case.lens_ids)}
    if name:
        lens["name"] = name
    return {
        "motives": "lens file",
        "case": case.name,
        "based_on": base,
        "lens": lens,
        "changed": changed,
        "unchanged": [i for i in ids if i not in changed],
        "case_judgements": case_judgements,
        "not_applied": not_applied,
    }


# --------------------------------------------------------------------------- what the page carries


def lens_data(case: Case, lens: str) -> dict[str, Any]:
    """One lens's arrays as the page's and the widget's engine reads them."""
    from motives.exact import compile_case

    arr = compile_case(case, lens)
    src_keys = [s.key for s in case.sources]
    by_id = {e.id: e for e in case.evidence}

    def src(item: str) -> int:
        key = by_id[item].reported_by
        return src_keys.index(key) if key in src_keys else -1

    def nan(x: np.ndarray) -> list[float | None]:
        return [None if math.isnan(v) else float(v) for v in x]

    props = arr.propositions
    out: dict[str, Any] = {
        "direct": {
            "items": arr.items,
            "lam": arr.lam.tolist(),
            "base": nan(arr.base),
            "src": [src(e) for e in arr.items],
        },
        "other": {"items": arr.other_items, "ll": _finite(arr.other_loglik)},
        "props": [
            {
                "id": p.id,
                "parents": list(p.parents),
                "cards": list(p.cards),
                "states": p.states,
                "table": p.table.tolist(),
                "observed": p.observed,
                "items": p.items,
                "lam": p.lam.tolist(),
                "base": nan(p.base),
                "src": [src(e) for e in p.items],
                "other_items": p.other_items,
                "other_ll": _finite(p.other_loglik),
            }
            for p in props
        ],
        "joint": [
            {
                "id": j.id,
                "parents": list(j.parents),
                "lam": j.lam.tolist(),
                "base": None if math.isnan(j.base) else float(j.base),
                "src": src(j.id),
            }
            for j in arr.joint
        ],
    }
    if props:
        out["plan"] = _plan_data(arr.plan)
    return out


def _plan_data(plan: Any) -> dict[str, Any]:
    """The elimination plan (:func:`motives.exact.contract.plan_elimination`) as JSON.

    The page runs these steps.

    Variables are 0 (the hypotheses) and ``i + 1`` for proposition ``i``; the first factor slots are
    the propositions' (scope: parents, then the fact), then the items of several parents; each step
    fills the next slot with its inputs' product summed over ``var`` (the last variable of
    ``union``).
    """
    return {
        "card": list(plan.card),
        "scopes": [list(sc) for sc in plan.scopes],
        "steps": [
            {
                "var": st.var,
                "inputs": list(st.inputs),
                "union": list(st.union),
                "spec": [list(sp) for sp in st.spec],
            }
            for st in plan.steps
        ],
        "final": list(plan.final),
        "final_scopes": [list(sc) for sc in plan.final_scopes],
    }


def _finite(a: np.ndarray) -> list[list[float | None]]:
    """Log values for JSON: -inf as None (JSON has no infinities)."""
    return [[None if not math.isfinite(v) else float(v) for v in row] for row in a]


def source_data(case: Case) -> list[dict[str, Any]]:
    """Each source's reliability as the engine reads it.

    An uncertain one comes with its Gauss-Jacobi nodes.
    """
    from motives.exact import jacobi_nodes

    out = []
    structured = {e.reported_by for e in case.evidence if e.parents != ("hypotheses",)}
    for s in case.sources:
        n = sum(1 for e in case.evidence if e.reported_by == s.key and e.kind == "likelihood")
        rel = s.reliability
        x, w = jacobi_nodes(rel.mean, rel.concentration, n // 2 + 1)
        out.append(
            {
                "key": s.key,
                "mean": rel.mean,
                "concentration": rel.concentration,
                "nodes": x.tolist(),
                "weights": w.tolist(),
                "structured": s.key in structured,
                "items": n,
                "description": s.description,
            }
        )
    return out


def appendix_target(
    case: Case, target: str | None = None, lens: str | None = None
) -> dict[str, Any]:
    """The target the page's weights of evidence speak of.

    The spec's, else the leading family (as the report's).

    One sign convention across the page: a positive weight favours the target against the rest (all
    other hypotheses, weighted by the prior), the convention of the report's figures
    (:func:`motives.sensitivity.weight_of_evidence` for the target).

    Examples
    --------
    >>> import motives as mv
    >>> appendix_target(mv.examples.load("student"), "low")["hypotheses"]
    ['low']
    >>> appendix_target(mv.examples.load("student"))[
    ...     "from_spec"
    ... ]  # the leading family under the default lens
    False
    """
    if target is None:
        fam = edited_posterior(case, {"lens": case.resolve_lens(lens)})["families"]
        target, from_spec = max(fam, key=lambda f: fam[f]), False
    else:
        from_spec = True
    t = case.resolve_target(target)
    if t.level == "hypothesis":
        label = next(h.name for h in case.hypotheses if h.id == t.id)
    elif t.level == "family":
        label = next((f.label or f.id for f in case.families if f.id == t.id), t.id)
    else:
        grp = next(
            g for gg in case.groupings if gg.id == t.grouping for g in gg.groups if g.id == t.id
        )
        label = grp.label or grp.id
    return {
        "id": t.id,
        "name": t.name,
        "level": t.level,
        "grouping": t.grouping,
        "label": label,
        "hypotheses": list(t.hypotheses),
        "from_spec": from_spec,
    }


def appendix_data(
    case: Case,
    *,
    lenses: list[str] | None = None,
    lens: str | None = None,
    spec_name: str = "",
    target: str | None = None,
) -> dict[str, Any]:
    """Everything the page shows and computes with, as JSON-ready data.

    ``target`` (a hypothesis, family or group, as in a spec) is what the ledger's weights of
    evidence are for; default: the leading family under the opening lens, as in the report.

    Examples
    --------
    >>> import motives as mv
    >>> data = appendix_data(mv.examples.load("burglary"))
    >>> sorted(data["engine"]), data["engine"]["default"]["props"][0]["id"]
    (['default'], 'at_scene')
    """
    from motives import sensitivity as S

    lenses = lenses or case.lens_ids
    start = case.resolve_lens(lens)
    if start not in lenses:
        lenses = [start, *lenses]
    bib = Bibliography(
        case.references
    )  # the one citation formatter (author-year; missing fields left out)

    def cites(keys: list[str]) -> list[dict[str, str]]:
        return [{"key": k, "text": bib.reference(k)} for k in keys]

    tgt = appendix_target(case, target, start)
    woe_case, lvl = (
        (case.regrouped(tgt["grouping"]), "family")
        if tgt["level"] == "group"
        else (case, tgt["level"])
    )
    woe = {}
    for lens in lenses:
        try:
            df = S.weight_of_evidence(woe_case, lens=lens)
        except Exception:  # noqa: BLE001 - the ledger is a display aid; the engine does not depend on it
            woe[lens] = {"__unavailable__": True}  # the page says the weights are not shown
            continue
        col = df.xs((lvl, tgt["id"]), level=["level", "id"])["decibans"] if len(df) else None
        weights: dict[str, Any] = (
            {str(k): (float(v) if math.isfinite(v) else None) for k, v in col.items()}
            if col is not None
            else {}
        )
        woe[lens] = weights
        woe[lens]["__target__"] = tgt["id"]
    return {
        "case": {
            "name": case.name,
            "title": case.title or case.name,
            "description": case.description,
            "spec": spec_name,
        },
        "hypotheses": [
            {"id": h.id, "label": h.name, "family": h.family_id} for h in case.hypotheses
        ],
        "families": [
            {"id": f, "label": next((x.label or x.id for x in case.families if x.id == f), f)}
            for f in case.family_ids
        ],
        "prior": case.prior_vector(),
        "default_lens": start,
        "lens_ids": case.lens_ids,
        "lenses": [
            {"id": ln.id, "name": ln.name or ln.id, "description": ln.description}
            for ln in case.lenses
            if ln.id in lenses
        ],
        "sources": source_data(case),
        "propositions": [
            {
                "id": p.id,
                "title": p.title,
                "states": p.states,
                "bears_on": p.bears_on,
                "parents": list(p.parents),
                "parent_values": case.parent_values(p.parents),
                "parent_labels": row_labels(case, p.parents),
                "observed": p.observed,
                "quote": p.quote,
                "footnotes": p.footnotes,
                "sources": cites(p.sources),
                "description": p.description,
                "rationale": {
                    ln: p.likelihoods[ln].rationale for ln in p.likelihoods if ln in lenses
                },
            }
            for p in case.propositions
        ],
        "items": [
            {
                "id": e.id,
                "title": e.title,
                "kind": e.kind,
                "quote": e.quote,
                "footnotes": e.footnotes,
                "sources": cites(e.sources),
                "date": str(e.date) if e.date else "",
                "issue_area": e.issue_area or "",
                "bears_on": e.bears_on or "hypotheses",
                "parents": list(e.parents),
                "parent_values": case.parent_values(e.parents),
                "reported_by": e.reported_by or "",
                "rationale": {ln: j.rationale for ln, j in e.judgements().items() if ln in lenses},
            }
            for e in case.evidence
        ],
        "engine": {lens: lens_data(case, lens) for lens in lenses},
        "woe": woe,
        "target": tgt,
    }


def row_labels(case: Case, parents: tuple[str, ...]) -> list[str]:
    """Readable labels of a table's rows: hypothesis labels and states, "prior" for a root.

    For example "Burglary, yes".
    """
    if not parents:
        return ["prior"]
    import itertools

    names = {h.id: h.name for h in case.hypotheses}
    axes = [
        [names[h] for h in case.hypothesis_ids] if b == "hypotheses" else case.proposition(b).states
        for b in parents
    ]
    return [", ".join(c) for c in itertools.product(*axes)]


def render(data: dict[str, Any], structure_svg: str = "") -> str:
    """The page: the template with the data, the engine and the structure diagram inlined.

    The markers are replaced in one pass over the template (:func:`fill_template`), so nothing
    inserted (user text in the data, the title or the diagram) is ever scanned for markers again;
    the data is JSON in which no ``</script>`` or ``<!--`` can appear
    (:func:`motives.escape.json_script`).

    Examples
    --------
    >>> page = render({"case": {"title": "__TITLE__ /*__SCRIPT__*/"}})
    >>> page.count(
    ...     "/*__SCRIPT__*/"
    ... )  # in the title and in the data, never replaced by the page's code
    2
    >>> "<title>__TITLE__ /*__SCRIPT__*/ — interactive appendix</title>" in page
    True
    """
    pkg = resources.files("motives.interactive")
    template = (pkg / "page.html").read_text(encoding="utf-8")
    js = (
        (pkg / "engine.js").read_text(encoding="utf-8")
        + "\n"
        + (pkg / "ui.js").read_text(encoding="utf-8")
    )
    return fill_template(
        template,
        {
            "/*__DATA__*/null": escape.json_script(data),
            "/*__SCRIPT__*/": js.replace("</", "<\\/"),
            "<!--__STRUCTURE__-->": structure_svg,
            "__TITLE__": escape.html(data["case"]["title"]),
        },
    )


def fill_template(template: str, values: dict[str, str]) -> str:
    """Each marker of ``template`` replaced by its value in one pass.

    A value is never scanned for markers.

    Written here rather than with jinja2: the page has four markers, each filled with text already
    escaped for where it goes (JSON inside a script by :func:`motives.escape.json_script`, the title
    by
    :func:`motives.escape.html`, our own SVG), which jinja2's HTML autoescaping would escape wrongly
    (a script's
    JSON is not HTML text); and jinja2 is not a dependency of the core.

    Raises
    ------
    ValueError
        If the template lacks a marker, or holds one twice (the page would be built wrong).

    Examples
    --------
    >>> fill_template("<b>__A__</b><i>__B__</i>", {"__A__": "__B__", "__B__": "x"})
    '<b>__B__</b><i>x</i>'
    """
    counts = {m: template.count(m) for m in values}
    wrong = {m: n for m, n in counts.items() if n != 1}
    if wrong:
        raise ValueError(f"the page template must hold each marker once: {wrong}")
    pattern = re.compile("|".join(re.escape(m) for m in sorted(values, key=len, reverse=True)))
    return pattern.sub(lambda m: values[m.group()], template)


def structure_svg(case: Case, lens: str | None = None) -> str:
    """The structure diagram as inline SVG.

    It is empty for a case without propositions or without the figure.
    """
    if not case.propositions:
        return ""
    try:
        import io

        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        from motives import plots

        fig, _ax = plots.plot_structure(case, lens=lens)
    except (
        ImportError,
        AttributeError,
        ValueError,
    ):  # no figure (e.g. one that cannot draw this structure):
        return ""  # the page lists the structure as text instead
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    # the RDF metadata block names the creator's web site and namespaces: nothing the page needs
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return re.sub(r'\s+xmlns:(?:dc|cc|rdf)="[^"]*"', "", svg)


def appendix(
    case: Case,
    out: str | Path,
    *,
    lens: str | None = None,
    lenses: list[str] | None = None,
    spec_name: str = "",
    target: str | None = None,
) -> Path:
    """Write the interactive appendix ``out/index.html`` for a case; return its path.

    Parameters
    ----------
    case
        The case.
    out
        Folder to write ``index.html`` into (created if needed).
    lens
        The lens the page opens with (default: the case's default lens).
    lenses
        Lenses the reader can switch between (default: all).
    spec_name
        Name of the analysis spec, shown on the page.
    target
        What the ledger's weights of evidence are for (a hypothesis, family or group; a spec's
        ``target``); default: the leading family under the opening lens, as in the report. A
        positive weight favours it.

    Examples
    --------
    >>> import tempfile, motives as mv
    >>> path = appendix(mv.examples.load("burglary"), tempfile.mkdtemp())
    >>> path.name, path.stat().st_size < 2_000_000
    ('index.html', True)
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    page = render(
        appendix_data(case, lenses=lenses, lens=lens, spec_name=spec_name, target=target),
        structure_svg(case, lens),
    )
    path = out / "index.html"
    tmp = out / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
