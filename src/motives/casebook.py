"""A case written out as Markdown: hypotheses, Table 1, the propositions, every item with its likelihoods per lens.

``motives describe CASE --out FILE`` writes it; the Russia–Ukraine case's
``evidence/README.md`` is generated this way and a test keeps it current.
"""

from __future__ import annotations

from motives.conventions import md_text
from motives.schema import Case, LikelihoodItem, QuantityItem, TimelineItem


def _cell(text: object) -> str:
    """User text for the Markdown: escaped (no HTML, links or headings), one line."""
    return md_text(str(text).strip())


def _code(text: object) -> str:
    """A key or id in code style; text a code span cannot hold is escaped instead."""
    t = str(text)
    return f"`{t}`" if t and "`" not in t and "\n" not in t and t.strip() == t else _cell(t)


def _fmt_likelihood(v: object) -> str:
    mean = v.mean
    k = v.concentration
    return f"{mean:.2f}" if k is None else f"{mean:.2f} (κ={k:g})"


def _ratio(values: dict, hyps: list[str], families: dict[str, str]) -> str:
    by_fam: dict[str, list[float]] = {}
    for h in hyps:
        by_fam.setdefault(families[h], []).append(values[h].mean)
    if len(by_fam) != 2:
        return ""
    (fa, a), (fb, b) = by_fam.items()
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    if mb == 0:
        return "∞"
    return f"{ma / mb:.2f}"


def _keys(case: Case, node: object) -> list[str]:
    """The values a node's tables are keyed by: hypothesis ids, or the states of the proposition it bears on."""
    parent = getattr(node, "bears_on", None)
    if parent in (None, "hypotheses"):
        return case.hypothesis_ids
    return list(case.proposition(parent).states)


def _fmt_trend(tr: object) -> str:
    step = getattr(tr, "step", None)
    if step is None:
        return f"a ~ N({tr.intercept.mean:g}, {tr.intercept.sd:g}), b ~ N({tr.slope.mean:g}, {tr.slope.sd:g})"
    at = ", ".join(str(d) for d in step.break_dates)
    at = f"break at {at}" if len(step.break_dates) == 1 else f"break uniform over {{{at}}}"
    return (f"step: before ~ N({step.before.mean:g}, {step.before.sd:g}), "
            f"after ~ N({step.after.mean:g}, {step.after.sd:g}), {at}")


def _fmt_row(prop: object, j: object, v: str) -> str:
    probs, k = prop.row(j, v)
    body = ", ".join(f"{s} {p:.2f}" for s, p in zip(prop.states, probs, strict=True))
    return body + ("" if k is None else f" (κ={k:g})")


def _structure_lines(case: Case) -> list[str]:
    lines = ["## Structure: propositions", "",
             "Each proposition is a fact the items bear on; the motives enter once per fact, through "
             "P(state | parent value). Items under a proposition are rated P(E | state) and are conditionally "
             "independent given its state, so together they can move the odds between two hypotheses by no "
             "more than the proposition itself could.", ""]
    children: dict[str, list[str]] = {}
    for p in case.propositions:
        children.setdefault(p.bears_on, []).append(p.id)
    for e in case.evidence:
        children.setdefault(e.bears_on or "hypotheses", []).append(e.id)
    pids = {p.id for p in case.propositions}

    def walk(node: str, depth: int) -> None:
        for c in children.get(node, []):
            if c in pids:
                p = case.proposition(c)
                lines.append("  " * depth + f"- **`{c}`** [{', '.join(p.states)}] — {_cell(p.title)}")
                walk(c, depth + 1)
            elif depth > 0:
                lines.append("  " * depth + f"- `{c}`")

    lines.append("- **hypotheses**")
    walk("hypotheses", 1)
    direct = [c for c in children.get("hypotheses", []) if c not in pids]
    lines += ["", "Items bearing on the hypotheses directly: " + ", ".join(f"`{c}`" for c in direct) + ".", ""]
    for p in case.propositions:
        lines += [f"### `{p.id}` — {_cell(p.title)}", ""]
        meta = [f"states {', '.join(p.states)}", f"bears on {p.bears_on}"]
        if p.issue_area:
            meta.append(f"issue area {p.issue_area}")
        if p.implication:
            meta.append(f"Table 1 row `{p.implication}`")
        if p.footnotes:
            meta.append("footnotes " + ", ".join(str(f) for f in p.footnotes))
        if p.sources:
            meta.append("sources " + ", ".join(f"`{s}`" for s in p.sources))
        lines += ["; ".join(meta) + ".", ""]
        if p.quote:
            lines += [f"> {_cell(p.quote)}", ""]
        keys = _keys(case, p)
        for lens, j in p.judgements().items():
            rows = "; ".join(f"{v}: {_fmt_row(p, j, v)}" for v in keys)
            lines.append(f"- **{lens}**: {rows}. {_cell(j.rationale)}")
        lines.append("")
    return lines


def case_markdown(case: Case) -> str:
    """Render a whole case as Markdown (deterministic: the same case gives the same text)."""
    H = case.hypothesis_ids
    fam = {h.id: h.family_id for h in case.hypotheses}
    lines = [f"# {_cell(case.title or case.name)}", "",
             "<!-- Generated by `motives describe` from the YAML in this folder; do not edit by hand. -->", ""]
    if case.description:
        lines += [case.description, ""]
    kinds: dict[str, int] = {}
    for e in case.evidence:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    props = f"{len(case.propositions)} propositions, " if case.propositions else ""
    lines += [f"{props}{len(case.evidence)} evidence items (" + ", ".join(f"{n} {k}" for k, n in kinds.items())
              + f"), {len(case.lens_ids)} lenses, {len(case.references or {})} references.", ""]
    lines += ["## Hypotheses", "", "| id | label | family | description |", "| --- | --- | --- | --- |"]
    lines += [f"| `{h.id}` | {_cell(h.name)} | {h.family_id} | {_cell(h.description)} |" for h in case.hypotheses]
    lines += ["", "## Lenses", ""]
    lines += [f"- **{ln.id}** — {_cell(ln.name or ln.id)}: {_cell(ln.description)}" for ln in case.lenses]
    lines.append("")
    if case.implications:
        lines += ["## Table 1: what each hypothesis predicts", "",
                  "| implication | " + " | ".join(H) + " | propositions and items that test it |",
                  "| --- " * (len(H) + 2) + "|"]
        t = case.implication_table()
        for _, r in t.iterrows():
            lines.append(f"| {_cell(r['implication'])} | " + " | ".join(_cell(r[h]) for h in H)
                         + " | " + ", ".join(f"`{i}`" for i in r["items"]) + " |")
        lines.append("")
    if case.propositions:
        lines += _structure_lines(case)
    fams = list(dict.fromkeys(fam.values()))
    ratio_head = f"{fams[0]}:{fams[1]}" if len(fams) == 2 else ""
    areas = [a.id for a in case.issue_areas]
    ordered = sorted(case.evidence, key=lambda e: (areas.index(e.issue_area) if e.issue_area in areas else len(areas)))
    direct = [e for e in ordered if isinstance(e, LikelihoodItem) and e.bears_on in (None, "hypotheses")]
    if direct:
        lines += ["## Likelihood table: items on the hypotheses", "",
                  "Means of P(E | h) per lens (κ: Beta concentration). "
                  + (f"The last column is the ratio of the mean likelihood of the {fams[0]} hypotheses to the mean "
                     f"of the {fams[1]} hypotheses (>1 favours {fams[0]})." if ratio_head else ""), ""]
        head = "| item | area | lens | " + " | ".join(H) + (f" | {ratio_head}" if ratio_head else "") + " |"
        lines += [head, "| --- " * (3 + len(H) + bool(ratio_head)) + "|"]
        for e in direct:
            for lens in case.lens_ids:
                if lens not in e.likelihoods:
                    continue
                j = e.likelihoods[lens]
                row = f"| `{e.id}` | {e.issue_area or ''} | {lens} | " + " | ".join(
                    _fmt_likelihood(j.values[h]) for h in H)
                if ratio_head:
                    row += f" | {_ratio(j.values, H, fam)}"
                lines.append(row + " |")
        lines.append("")
    for p in case.propositions:
        under = [e for e in ordered if isinstance(e, LikelihoodItem) and e.bears_on == p.id]
        if not under:
            continue
        lines += [f"## Likelihood table: items on `{p.id}`", "",
                  "Means of P(E | state) per lens (κ: Beta concentration).", "",
                  "| item | area | lens | " + " | ".join(p.states) + " |",
                  "| --- " * (3 + len(p.states)) + "|"]
        for e in under:
            for lens in case.lens_ids:
                if lens in e.likelihoods:
                    j = e.likelihoods[lens]
                    lines.append(f"| `{e.id}` | {e.issue_area or ''} | {lens} | "
                                 + " | ".join(_fmt_likelihood(j.values[s]) for s in p.states) + " |")
        lines.append("")
    nd = {lens: case.non_diagnostic(lens) for lens in case.lens_ids}
    if any(nd.values()):
        lines += ["Non-diagnostic items (equal likelihoods under every parent value; they change nothing): "
                  + "; ".join(f"{lens}: " + ", ".join(f"`{i}`" for i in ids) for lens, ids in nd.items() if ids), ""]
    lines += ["## Items", ""]
    for e in ordered:
        lines += [f"### `{e.id}` — {_cell(e.title)}", ""]
        meta = [f"kind {e.kind}"]
        if e.bears_on not in (None, "hypotheses"):
            meta.append(f"bears on `{e.bears_on}`")
        if e.date:
            meta.append(f"date {e.date}")
        if e.issue_area:
            meta.append(f"issue area {e.issue_area}")
        if e.implication:
            meta.append(f"tests `{e.implication}`")
        if e.footnotes:
            meta.append("footnotes " + ", ".join(_cell(f) for f in e.footnotes))
        if e.sources:
            meta.append("sources " + ", ".join(_code(s) for s in e.sources))
        if e.reported_by:
            src = case.source(e.reported_by)
            rel = f" (reliability {src.reliability.mean:.2f})" if src else ""
            meta.append(f"reported by {_code(e.reported_by)}{rel}")
        if e.given:
            meta.append("given " + ", ".join(f"`{g}`" for g in e.given))
        lines += ["; ".join(meta) + ".", ""]
        if e.quote:
            lines += [f"> {_cell(e.quote)}", ""]
        if isinstance(e, TimelineItem):
            lines += [f"Timeline: codes y ~ Normal(trend(t), σ = {e.sigma:g}), t in years from {e.origin:g}; each "
                      "parent value predicts a linear trend or a step.", "",
                      "| date | code | quote | note |", "| --- | --- | --- | --- |"]
            lines += [f"| {o.date} | {o.code:g} | {_cell(o.quote)} | {_cell(o.note)} |" for o in e.observations]
            lines.append("")
            if e.scale:
                lines += ["Coding rule: " + "; ".join(f"{k} = {_cell(v)}" for k, v in sorted(e.scale.items())), ""]
        keys = _keys(case, e)
        for lens, j in e.judgements().items():
            if isinstance(e, TimelineItem):
                vals = "; ".join(f"{h}: {_fmt_trend(j.values[h])}" for h in keys)
            elif isinstance(e, QuantityItem):
                vals = f"observed {e.observed:g} {_cell(e.unit)}; " + "; ".join(
                    f"{h}: {j.values[h].model_dump(exclude={'dist'})} ({j.values[h].dist})" for h in keys)
            else:
                vals = ", ".join(f"{h} {_fmt_likelihood(j.values[h])}" for h in keys)
            lines.append(f"- **{lens}**: {vals}. {_cell(j.rationale)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
