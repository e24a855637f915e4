"""Pages generated at build time, from the code and data they describe.

On ``builder-inited`` this writes into ``docs/_generated/`` (git-ignored):

- ``schema.md``: the JSON Schema of the YAML formats and analysis specs
(:func:`motives.json_schema`), one table
  per record;
- ``evidence_base.md``: the Russia–Ukraine case item by item
(:func:`motives.casebook.case_markdown`);
- ``case_results.md``: Table 1, the exact credences under each lens (structured and independent) and
  the weight of each fact, computed from ``evidence/``;
- ``notebooks/*.ipynb``: the notebooks of ``notebooks/``, executed here with small draw counts
  (``MOTIVES_DOCS_EXECUTE=0`` copies them unexecuted), so the site shows their outputs and figures.

A file is rewritten only when its content changes, so incremental builds stay incremental.

The CLI page (``docs/cli.md``) is sphinxcontrib-typer's ``typer`` directive, which works with typer
0.29 (sphinx-click does not: typer builds its commands on its own copy of click, which sphinx-click
refuses).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GENERATED = "_generated"


def _write(path: Path, text: str) -> None:
    """Write atomically, and only when the content changed (two builds may run at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _cell(text: Any) -> str:
    """Make text safe inside a Markdown table cell."""
    s = " ".join(str(text).split())
    return s.replace("|", "\\|")


# --------------------------------------------------------------------------- JSON Schema


def _anchor(name: str) -> str:
    return "schema-" + name.lower()


def _type(node: dict[str, Any]) -> str:
    """A short, readable type for a JSON Schema node."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f"{{ref}}`{name} <{_anchor(name)}>`"
    if "anyOf" in node or "oneOf" in node:
        parts = [_type(n) for n in node.get("anyOf", node.get("oneOf", []))]
        return " or ".join(dict.fromkeys(parts))
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return " or ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    t = node.get("type")
    if t == "array":
        inner = _type(node["items"]) if "items" in node else "any"
        return f"list of {inner}"
    if t == "object":
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            return f"mapping to {_type(extra)}"
        return "mapping"
    if t is None:
        return "any"
    text = str(t)
    bounds = []
    for key, sym in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
    ):
        if key in node:
            bounds.append(f"{sym} {node[key]:g}")
    if "minLength" in node:
        bounds.append(f"length ≥ {node['minLength']}")
    if "minItems" in node:
        bounds.append(f"≥ {node['minItems']} items")
    if "pattern" in node:
        bounds.append(f"pattern `{node['pattern']}`")
    return text + (f" ({', '.join(bounds)})" if bounds else "")


#: Records whose YAML input is wider than their JSON Schema (pydantic "before" validators parse it).
WRITTEN_AS = {
    "Likelihood": "In YAML, write any likelihood form: a number in [0, 1], a verbal phrase "
    "(`likely`), an ACH rating (`C`), `{mean, concentration}`, `{beta: [a, b]}`, `{interval: [lo, "
    "hi]}` or `{p, confidence}` (see {doc}`formats <../formats>`); the loader reduces it to the "
    "record below.",
    "PartialDate": "In YAML, write `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; the loader turns it into "
    "the record below.",
}


def _rst_roles_to_myst(text: str) -> str:
    """Docstrings use reST roles (:func:`x`); MyST writes them {func}`x`."""
    return re.sub(r":(\w+):`", r"{\1}`", text)


def _constraints(node: dict[str, Any]) -> str:
    extra = []
    if "minItems" in node:
        extra.append(f"at least {node['minItems']} items")
    return "; ".join(extra)


def schema_markdown() -> str:
    """The JSON Schema as Markdown: the two files, then every record they use.

    Kept by hand rather than autodoc-pydantic's pages: this page documents the YAML a case author
    writes (the JSON Schema an editor validates with and ``motives schema`` prints: YAML key names,
    JSON types, the constraints as the schema states them), while autodoc-pydantic documents the
    Python records (attributes, validators), which it does on the API pages
    (``sphinxcontrib.autodoc_pydantic`` in conf.py). A Sphinx extension that renders a JSON Schema
    (sphinx-jsonschema) could replace this function; it has not been tried.
    """
    from motives.schema_json import json_schema

    schema = json_schema()
    defs = schema["$defs"]
    out = [
        "# Schema reference",
        "",
        "Generated at build time from {func}`motives.json_schema` (the same schema `motives "
        "schema` prints), so it always matches the code. The prose guide is {doc}`formats "
        "<../formats>`. Every record forbids unknown keys.",
        "",
        "Top level: `case.yaml` is a {ref}`CaseFile <schema-casefile>`; each evidence file is an "
        "{ref}`EvidenceFile <schema-evidencefile>`; an analysis spec (`models/*.yaml`) is an "
        "{ref}`AnalysisSpec <schema-analysisspec>` (`motives schema spec` prints its part alone).",
        "",
    ]
    first = ["CaseFile", "EvidenceFile", "AnalysisSpec"]
    order = first + sorted(n for n in defs if n not in first)
    for name in order:
        d = defs[name]
        out += [f"({_anchor(name)})=", f"## {name}", ""]
        if d.get("description"):
            out += [_rst_roles_to_myst(" ".join(d["description"].split())), ""]
        if name in WRITTEN_AS:
            out += [WRITTEN_AS[name], ""]
        props = d.get("properties")
        if not props:
            out += [f"Type: {_type(d)}.", ""]
            continue
        required = set(d.get("required", []))
        out += [
            "| key | type | required | default | description |",
            "| --- | --- | --- | --- | --- |",
        ]
        for key, p in props.items():
            default = "" if "default" not in p else f"`{json.dumps(p['default'])}`"
            desc = _rst_roles_to_myst(p.get("description", ""))
            cons = _constraints(p)
            if cons:
                desc = f"{desc} ({cons})" if desc else cons
            out.append(
                f"| `{key}` | {_cell(_type(p))} | {'yes' if key in required else ''} | "
                f"{_cell(default)} | {_cell(desc)} |"
            )
        out.append("")
    out += ["## Raw schema", "", "```{code-block} json", json.dumps(schema, indent=2), "```", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- the case


def case_results_markdown() -> str:
    """Table 1 and the exact credences per lens for the bundled case, computed now."""
    import motives as mv

    case = mv.load_case(ROOT / "evidence")
    H = case.hypothesis_ids
    labels = {h.id: h.name for h in case.hypotheses}
    table = case.implication_table()
    out = [
        "(table-1)=",
        "### Table 1: what each account predicts",
        "",
        "Built from the `implications:` of `evidence/case.yaml` by `case.implication_table()`.",
        "",
        "| implication | " + " | ".join(_cell(labels[h]) for h in H) + " |",
        "| --- " * (len(H) + 1) + "|",
    ]
    for _, r in table.iterrows():
        out.append(f"| {_cell(r['implication'])} | " + " | ".join(_cell(r[h]) for h in H) + " |")
    out += ["", "The items that test each row:", ""]
    for _, r in table.iterrows():
        out.append(
            f"- **{_cell(r['implication'])}**: "
            + (", ".join(f"`{i}`" for i in r["items"]) or "none")
            + "."
        )
    out += [
        "",
        "### Exact credences under each lens",
        "",
        f"Computed from `evidence/` at build time ({len(case.propositions)} propositions, "
        f"{len(case.evidence)} "
        "items) with `mv.exact_posterior(case, lens=...)` and the case's prior (the two families "
        "even). **Structured** is the headline: items that bear on one fact are counted through "
        "that fact. **Independent** (`structure=False`) multiplies every item as if each were a "
        "separate observation of the motive, for comparison.",
        "",
        "| | prior | "
        + " | ".join(f"`{lens}` structured | `{lens}` independent" for lens in case.lens_ids)
        + " |",
        "| --- " * (2 * len(case.lens_ids) + 2) + "|",
    ]
    tables = {
        (lens, st): mv.exact_posterior(case, lens=lens, structure=st)
        for lens in case.lens_ids
        for st in (True, False)
    }
    first = tables[(case.lens_ids[0], True)]
    for (level, key), row in first.iterrows():
        name = f"**{_cell(row['label'])}** (family)" if level == "family" else _cell(row["label"])
        out.append(
            f"| {name} | {row['prior']:.3f} | "
            + " | ".join(
                f"{tables[(lens, st)].loc[(level, key), 'credence']:.3g}"
                for lens in case.lens_ids
                for st in (True, False)
            )
            + " |"
        )
    out += [
        "",
        "(which-facts)=",
        "### Which facts carry the verdict",
        "",
        "The weight of each fact (a proposition with every item under it, or an item that bears on "
        "the hypotheses directly): its Bayes factor for the mean of the non-security accounts "
        "against national security, each fact alone. Values above 1 favour the non-security "
        "accounts.",
        "",
        "| fact | items | " + " | ".join(f"`{lens}`" for lens in case.lens_ids) + " |",
        "| --- " * (len(case.lens_ids) + 2) + "|",
    ]
    for key, items, factors in fact_weights(case):
        if all(abs(f - 1) < 1e-9 for f in factors.values()):
            continue
        out.append(
            f"| `{key}` | {len(items)} | "
            + " | ".join(f"{factors[lens]:.3g}" for lens in case.lens_ids)
            + " |"
        )
    nd = {lens: case.non_diagnostic(lens) for lens in case.lens_ids}
    out += [
        "",
        "Non-diagnostic items (equal likelihood under every parent value): "
        + "; ".join(
            f"`{lens}`: " + ", ".join(f"`{i}`" for i in ids) for lens, ids in nd.items() if ids
        )
        + ".",
        "",
    ]
    return "\n".join(out)


def fact_weights(case: Any) -> list[tuple[str, list[str], dict[str, float]]]:
    """(top-level node, its items, {lens: Bayes factor}) per top-level proposition or direct item.

    The Bayes factor is the mean non-security account's against the first security account; the
    nodes are each proposition bearing on the hypotheses and each direct item.
    """
    import numpy as np

    from motives import exact

    props = {p.id: p for p in case.propositions}

    def up(
        node: Any,
    ) -> list[str]:  # the proposition parents of a node (a network node may have several)
        b = node.bears_on
        return [p for p in (b if isinstance(b, list) else [b]) if p not in (None, "hypotheses")]

    def root(
        pid: str,
    ) -> str:  # the fact on the hypotheses a proposition hangs under (its first parent's line)
        while up(props[pid]):
            pid = up(props[pid])[0]
        return pid

    groups: dict[str, list[str]] = {}
    for e in case.evidence:
        key = root(up(e)[0]) if up(e) else e.id
        groups.setdefault(key, []).append(e.id)
    fam = {h.id: h.family_id for h in case.hypotheses}
    sec = [i for i, h in enumerate(case.hypothesis_ids) if fam[h] == "security"][0]
    non = [i for i, h in enumerate(case.hypothesis_ids) if fam[h] == "nonsecurity"]
    ids = [e.id for e in case.evidence]
    out = []
    for key, items in groups.items():
        factors = {}
        for lens in case.lens_ids:
            arr = exact.compile_case(case, lens).without([i for i in ids if i not in items])
            ll = exact.loglik(arr)
            factors[lens] = float(np.mean(np.exp(ll[non] - ll[sec])))
        out.append((key, items, factors))
    return out


def evidence_markdown() -> str:
    """The case item by item, one level down so it sits under the page title."""
    from motives.casebook import case_markdown
    from motives.io import load_case

    text = case_markdown(load_case(ROOT / "evidence"))
    lines = text.splitlines()  # the first line is the case's title; the page gets its own
    head = [
        "# The evidence base, item by item",
        "",
        "Generated at build time from `evidence/` by {func}`motives.casebook.case_markdown` "
        "(the same text `motives describe evidence` prints).",
        "",
    ]
    return "\n".join(head + lines[1:]) + "\n"


# --------------------------------------------------------------------------- hook


#: MCMC settings of the notebooks in the documentation build (small, as in the tests; the
#: environment overrides).
DOCS_NOTEBOOK_ENV = {
    "MOTIVES_DRAWS": "200",
    "MOTIVES_TUNE": "200",
    "MOTIVES_CHAINS": "2",
    "MOTIVES_SOBOL_N": "128",
}


#: Run in the documentation kernel before the notebook: loggers of the samplers at ERROR, no
#: progress bars.
SILENCE_SAMPLERS = [
    "import logging",
    "[logging.getLogger(n).setLevel(logging.ERROR) for n in ('pymc', 'pytensor', 'nutpie', "
    "'arviz')]",
]


#: The sampler's log lines, removed from a notebook page's stderr (tests/test_docs.py looks for
#: them).
SAMPLER_NOISE = re.compile(
    r"Auto-assigning NUTS|Initializing NUTS|Multiprocess sampling|Sequential sampling|"
    r"Sampling \d+ chains?|NUTS: \[|Sampling: \["
)


def _executed(path: Path) -> str:
    """The notebook executed in this interpreter (small draw counts), as JSON text.

    An error fails the build.
    """
    import sys
    import tempfile

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "kernels" / "motives-docs"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [
                        sys.executable,
                        "-m",
                        "ipykernel_launcher",
                        "-f",
                        "{connection_file}",
                        "--IPKernelApp.log_level=ERROR",
                        # the sampler's log lines ("Auto-assigning NUTS sampler...", "Sampling 2
                        # chains...") are noise on a documentation page: silenced at their source,
                        # PyMC's and PyTensor's loggers
                        f"--IPKernelApp.exec_lines={SILENCE_SAMPLERS!r}",
                    ],
                    "display_name": "motives (docs)",
                    "language": "python",
                }
            ),
            encoding="utf-8",
        )
        try:
            os.environ["JUPYTER_PATH"] = tmp + os.pathsep + os.environ.get("JUPYTER_PATH", "")
            for key, value in DOCS_NOTEBOOK_ENV.items():
                os.environ.setdefault(key, value)
            os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend, as for a reader
            NotebookClient(
                nb,
                kernel_name="motives-docs",
                timeout=900,
                allow_errors=False,
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
        finally:
            os.environ.clear()
            os.environ.update(saved)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if (
                out.get("output_type") == "stream"
                and out.get("name") == "stderr"
                and "Traceback" in out.get("text", "")
            ):
                raise RuntimeError(f"{path.name} cell {i} printed a traceback:\n{out['text']}")
        # what the loggers' levels do not reach (PyMC's sampling processes log on their own): the
        # sampler's progress lines taken out of stderr, everything else kept
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = "".join(
                    ln
                    for ln in out.get("text", "").splitlines(keepends=True)
                    if not SAMPLER_NOISE.search(ln)
                )
                if not text.strip():
                    continue
                out["text"] = text
            kept.append(out)
        if "outputs" in cell:
            cell["outputs"] = kept
    return nbformat.writes(nb)


def generate(app: Any) -> None:
    """Write every generated page into ``<srcdir>/_generated``."""
    out = Path(app.srcdir) / GENERATED
    _write(out / "schema.md", schema_markdown())
    _write(out / "evidence_base.md", evidence_markdown())
    _write(out / "case_results.md", case_results_markdown())
    from motives.interactive import appendix
    from motives.io import load_case
    from motives.spec import load_spec

    spec_file = ROOT / "models" / "baseline.yaml"
    spec = load_spec(spec_file)
    appendix(
        load_case(spec.case_path(spec_file)),
        out / "extra" / "appendix",
        lens=spec.lens,
        spec_name=spec_file.name,
    )
    nb_out = out / "notebooks"
    nb_out.mkdir(parents=True, exist_ok=True)
    wanted = sorted((ROOT / "notebooks").glob("*.ipynb"))
    execute = os.environ.get("MOTIVES_DOCS_EXECUTE", "1") != "0"
    for nb in wanted:
        _write(nb_out / nb.name, _executed(nb) if execute else nb.read_text(encoding="utf-8"))
    for stale in nb_out.glob("*.ipynb"):
        if stale.name not in {n.name for n in wanted}:
            stale.unlink(missing_ok=True)


# --------------------------------------------------------------------------- gallery


def figure_scraper(
    block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any], **kwargs: Any
) -> str:
    """sphinx-gallery image scraper for motives' figures.

    motives' plot functions return a ``Figure`` without touching pyplot's state, so sphinx-gallery's
    matplotlib scraper (which reads ``plt.get_fignums()``) sees none of them. This one saves every
    ``Figure`` the example's code left in its namespace, once, in the order they were made.
    """
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import figure_rst

    seen = block_vars.setdefault("motives_saved_figures", set())
    figures = [
        v
        for v in block_vars["example_globals"].values()
        if isinstance(v, Figure) and id(v) not in seen
    ]
    paths = []
    for fig, path in zip(figures, block_vars["image_path_iterator"], strict=False):
        fig.savefig(path, dpi=150)
        seen.add(id(fig))
        paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])


def _get_sg_image_scraper() -> Any:
    """What sphinx-gallery calls when ``image_scrapers`` names this module."""
    return figure_scraper


def setup(app: Any) -> dict[str, Any]:
    """Sphinx extension entry point."""
    app.connect("builder-inited", generate)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
