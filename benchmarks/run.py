"""Run the motives benchmarks.

``python benchmarks/run.py [--quick] [--only NAME ...] [--json PATH]``.

Every benchmark measures its baseline in the same run and prints the ratio.
The full run writes ``benchmarks/results.json`` (the numbers recorded in
``benchmarks/README.md``); ``--quick`` uses tiny sizes (the smoke test) and
writes JSON only where ``--json`` says.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import BenchResult, fmt, loadavg, machine  # noqa: E402

BENCHES = {
    "pgmpy": "bench_pgmpy",
    "structured": "bench_structured",
    "network": "bench_network",
    "sweep": "bench_sweep",
    "import": "bench_import",
    "mcmc": "bench_mcmc",
    "refit": "bench_refit",
    "scale": "bench_scale",
    "public": "bench_public",
    "appendix": "bench_appendix",
    "many": "bench_many",
    "check": "bench_check",
    "report": "bench_report",
}


def run_one(name: str, quick: bool) -> BenchResult:
    mod = importlib.import_module(BENCHES[name])
    before = loadavg()
    t0 = time.perf_counter()
    try:
        res = mod.run(quick=quick)
    except Exception as exc:  # one broken benchmark must not hide the others
        res = BenchResult(name, getattr(mod, "TITLE", name), error=f"{type(exc).__name__}: {exc}")
        traceback.print_exc()
    res.seconds = time.perf_counter() - t0
    res.load_before, res.load_after = before, loadavg()
    return res


def print_result(res: BenchResult) -> None:
    print(
        f"\n## {res.name}: {res.title}  ({res.seconds:.1f} s; load {res.load_before} -> "
        f"{res.load_after})"
    )
    if res.error:
        print(f"  ERROR: {res.error}")
    rows = [("metric", "value", "baseline", "ratio", "target", "met")]
    for m in res.metrics:
        rows.append(
            (
                m.name,
                fmt(m.value, m.unit),
                fmt(m.baseline, m.unit if m.baseline is not None else ""),
                "—" if m.ratio is None else f"{m.ratio:,.1f}×",
                m.target or "—",
                "—" if m.ok is None else ("yes" if m.ok else "NO"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    widths[0] = min(widths[0], 90)
    for i, r in enumerate(rows):
        print("  " + " | ".join(c[: widths[j]].ljust(widths[j]) for j, c in enumerate(r)))
        if i == 0:
            print("  " + "-+-".join("-" * w for w in widths))
    for m in res.metrics:
        if m.baseline_label or m.note:
            print(
                f"  · {m.name}: "
                f"{'baseline = ' + m.baseline_label + '. ' if m.baseline_label else ''}{m.note}"
            )
    for title, table in res.tables.items():
        print(f"  {title}:")
        if table:
            cols = list(table[0])
            print("    " + " | ".join(cols))
            for row in table:
                print(
                    "    "
                    + " | ".join(fmt(v) if isinstance(v, float) else str(v) for v in row.values())
                )
    for note in res.notes:
        print(f"  note: {note}")


def markdown(doc: dict) -> str:
    """The recorded results as Markdown tables (for ``benchmarks/README.md``)."""
    m = doc["machine"]
    lines = [
        f"Recorded {doc['started']} – {doc['finished']} UTC "
        f"({'quick' if doc['quick'] else 'full'} run) on "
        f"{m.get('cpu')}, nproc {m['nproc']}, {m.get('mem_total_gb')} GB RAM; Python "
        f"{m['python']}, numpy "
        f"{m['numpy']}, scipy {m['scipy']}, pymc {m['pymc']}, pytensor {m['pytensor']}, nutpie "
        f"{m['nutpie']}, "
        f"numba {m['numba']}, pgmpy {m['pgmpy']}.",
        "",
    ]
    for r in doc["results"]:
        lines += [
            f"### {r['name']}: {r['title']}",
            "",
            f"Load average (1/5/15 min) before: {r['load_before']}, after: {r['load_after']}; "
            f"{r['seconds']:.0f} s.",
            "",
        ]
        if r["error"]:
            lines += [f"**Error:** {r['error']}", ""]
        lines += [
            "| metric | value | baseline | ratio | target | met |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for x in r["metrics"]:
            ratio = "—" if x["ratio"] is None else f"{x['ratio']:,.1f}×"
            met = "—" if x["ok"] is None else ("yes" if x["ok"] else "**no**")
            base = fmt(x["baseline"], x["unit"]) if x["baseline"] is not None else "—"
            name = x["name"].replace("|", "\\|")
            lines.append(
                f"| {name} | {fmt(x['value'], x['unit'])} | {base} | {ratio} | "
                f"{x['target'] or '—'} | {met} |"
            )
        notes = [
            f"- *{x['name']}*: "
            + (f"baseline = {x['baseline_label']}. " if x["baseline_label"] else "")
            + x["note"]
            for x in r["metrics"]
            if x["baseline_label"] or x["note"]
        ]
        lines += [""] + notes + [""] if notes else [""]
        for title, table in r["tables"].items():
            if not table:
                continue
            cols = list(table[0])
            lines += [f"{title}:", "", "| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
            for row in table:
                lines.append(
                    "| "
                    + " | ".join(fmt(v) if isinstance(v, float) else str(v) for v in row.values())
                    + " |"
                )
            lines.append("")
        lines += [f"- {n}" for n in r["notes"]] + ([""] if r["notes"] else [])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick", action="store_true", help="tiny sizes: checks that every benchmark runs (~1 min)"
    )
    ap.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHES),
        metavar="NAME",
        help=f"run only these (repeatable): {', '.join(BENCHES)}",
    )
    ap.add_argument(
        "--json",
        type=Path,
        default=None,
        help="where to write the JSON results (default: benchmarks/results.json for a full run, "
        "none for --quick)",
    )
    ap.add_argument(
        "--markdown",
        type=Path,
        metavar="JSON",
        help="print a results file as Markdown tables and exit",
    )
    args = ap.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return 0
    names = args.only or list(BENCHES)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    info = machine()
    print(f"motives benchmarks ({'quick' if args.quick else 'full'}), {started}")
    print(
        f"machine: {info.get('cpu')}, nproc {info['nproc']}, {info.get('mem_total_gb')} GB; "
        f"Python {info['python']}, "
        f"numpy {info['numpy']}, pymc {info['pymc']}, nutpie {info['nutpie']}, pgmpy "
        f"{info['pgmpy']}; "
        f"load {loadavg()}"
    )
    results = []
    for name in names:
        res = run_one(name, args.quick)
        print_result(res)
        sys.stdout.flush()
        results.append(res)
    out = args.json if args.json is not None else (None if args.quick else HERE / "results.json")
    if out is not None:
        doc = {
            "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "quick": args.quick,
            "machine": info,
            "results": [r.to_dict() for r in results],
        }
        if out.exists() and args.only and not args.quick:
            # --only on a full run updates those benchmarks in the recorded file, keeping the others
            old = json.loads(out.read_text())
            keep = [r for r in old.get("results", []) if r["name"] not in names]
            doc["results"] = keep + doc["results"]
            doc["results"].sort(
                key=lambda r: list(BENCHES).index(r["name"]) if r["name"] in BENCHES else 99
            )
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=1, default=str) + "\n")
        tmp.replace(out)
        print(f"\nwrote {out}")
    failed = [r.name for r in results if r.error]
    missed = [f"{r.name}: {m.name}" for r in results for m in r.metrics if m.ok is False]
    if missed:
        print("\ntargets missed:\n  " + "\n  ".join(missed))
    if failed:
        print(f"\nbenchmarks that failed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
