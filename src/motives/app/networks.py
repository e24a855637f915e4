"""A case as a Bayesian network file, and a network file as a case.

What ``export`` and ``import-bn`` do.

Each function writes its output atomically and returns what it wrote (a dictionary, what ``--json``
prints) and the lines that say so; it prints nothing.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> import motives as mv
>>> from motives.app.networks import export_network
>>> root = Path(tempfile.mkdtemp())
>>> wrote, lines = export_network(mv.examples.path("witness"), root / "w.bif")
>>> wrote["format"], lines[0].startswith(f"wrote {root / 'w.bif'} (bif")
('bif', True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from motives.conventions import plural
from motives.errors import MotivesError

__all__ = ["export_network", "import_network"]


def export_network(
    case_dir: Path,
    out_file: Path,
    fmt: str | None = None,
    lens: str | None = None,
    *,
    reliability: bool = True,
    force: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    """Write a case under one lens as a network file.

    ``fmt`` is bif, xmlbif or net; by default it comes from the extension.

    ``fmt`` is refused when the file name's extension names another format (the file would hold text
    its name does not say).
    """
    from motives import bn
    from motives.app.outputs import case_folders, check_out_file
    from motives.io import load_case

    if (
        fmt is not None
    ):  # a file name whose extension names another format would hold text it does not say
        try:
            named = bn.format_of(Path(out_file))
        except MotivesError:
            named = fmt
        if named != fmt:
            raise MotivesError(
                f"--format {fmt} but the file name {Path(out_file).name} says {named}: give the "
                f"file the extension of {fmt}, or leave --format out"
            )
    kind = fmt or bn.format_of(out_file)
    target = check_out_file(out_file, force, case_folders(Path(case_dir)))
    case = load_case(case_dir)
    net = bn.network(case, lens, reliability=reliability)
    bn.write(net, target, kind, force=force)
    model = net.model
    facts = {
        n: st for n, st in net.evidence.items() if st != "observed"
    }  # observed facts: their state
    renamed = {
        k: v
        for k, v in net.names.items()
        if k != "hypotheses" and v != (f"reliability_{k[7:]}" if k.startswith("source:") else k)
    }
    wrote = {
        "wrote": str(target),
        "format": kind,
        "lens": net.lens,
        "nodes": len(model.nodes()),
        "edges": len(model.edges()),
        "evidence": dict(net.evidence),
        "query": net.query,
        "reliability_nodes": list(net.reliability),
        "log_scale": list(net.log_scale),
        "renamed": renamed,
    }
    found = "; ".join(f"{n} to '{st}'" for n, st in facts.items())
    lines = [
        f"wrote {target} ({kind}, lens {net.lens}): {plural(len(model.nodes()), 'node')}, "
        f"{plural(len(model.edges()), 'edge')}",
        f"evidence: set the {plural(len(net.evidence) - len(facts), 'item node')} to 'observed'"
        + (f" and the observed {plural(len(facts), 'fact')}: {found}" if facts else "")
        + f"; query node '{net.query}'",
    ]
    if net.reliability:
        lines.append(
            "reliability nodes (states are quadrature points rho, probabilities their weights): "
            + ", ".join(net.reliability)
        )
    if net.log_scale:
        lines.append(
            "timeline/quantity items as binary nodes, P(observed | parent) = marginal likelihood "
            "rescaled "
            "so the largest is 1 (the posterior is unchanged): " + ", ".join(net.log_scale)
        )
    if renamed:
        lines.append(
            "renamed to valid identifiers: " + ", ".join(f"{k} -> {v}" for k, v in renamed.items())
        )
    return wrote, lines


def import_network(
    network_file: Path,
    hypothesis: str,
    out_dir: Path,
    evidence: str | None = None,
    *,
    force: bool = False,
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Write a network file as a case folder.

    Return (what was written, lines that say so, notes).
    """
    from motives.bn_import import read_bn, write_case

    imp = read_bn(network_file, hypothesis, evidence)
    folder = write_case(imp, out_dir, force=force)
    props = imp.data.get("propositions", [])
    roots = sum(1 for p in props if p["bears_on"] == [])
    observed = sum(1 for p in props if "observed" in p)
    files = sorted(p.name for p in folder.iterdir() if p.suffix == ".yaml")
    renames = list(imp.renames())
    wrote = {
        "wrote": [str(folder / f) for f in files],
        "source": str(imp.source),
        "reader": imp.reader,
        "hypotheses": len(imp.data["hypotheses"]),
        "propositions": len(props),
        "root": roots,
        "observed": observed,
        "items": len(imp.data.get("evidence", [])),
        "renames": renames,
    }
    lines = [
        f"wrote {folder}/ ({' and '.join(files)}) from {imp.source}, read by {imp.reader}: "
        f"{plural(len(imp.data['hypotheses']), 'hypothesis', 'hypotheses')} (the states of "
        f"{imp.hypothesis}), {plural(len(props), 'proposition')} ({roots} root, {observed} "
        "observed), "
        f"{plural(len(imp.data.get('evidence', [])), 'item')}"
    ]
    if renames:
        lines += ["names made ids (network name -> id):", *(f"  {line}" for line in renames)]
    return wrote, lines, list(imp.notes)
