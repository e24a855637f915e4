"""Digests of every output of the bundled case and examples.

A regression check that a refactor changes nothing.

For the bundled Russia-Ukraine case (``models/baseline.yaml``, exact engine only: no MCMC fit) and
every bundled example (:data:`motives.examples.NAMES`), this runs every sensitivity analysis
(:func:`motives.sensitivity.run_all`), saves each table as ``motives sensitivity`` does (CSV + JSON
sidecar), draws every standard figure as SVG (no date, a fixed hash salt: the same drawing gives the
same bytes) and writes the Markdown report, and records the sha256 of each in
``benchmarks/digests.json``.

Usage (from the repository root)::

    .venv/bin/python benchmarks/digests.py                # check: every output that changed, exit 1
    .venv/bin/python benchmarks/digests.py --write        # regenerate digests.json (on purpose)
    .venv/bin/python benchmarks/digests.py --only cookies alarm   # a subset (check or write)

A branch that changes an output on purpose regenerates the file with ``--write`` and says so in its
commit. The digests depend on the installed matplotlib and pandas (SVG and CSV bytes): compare on
one environment.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILE = Path(__file__).with_name("digests.json")
#: Settings of the analyses (fixed here so that the digests do not depend on a spec's heavier
#: defaults).
SETTINGS = {"tornado_factor": 3.0, "sweep_points": 41, "sobol_samples": 128, "seed": 1}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cases() -> dict[str, tuple[object, str | None, object]]:
    """Name -> (case, lens, prior) of the bundled case and of every bundled example.

    The bundled case is taken with its baseline spec.
    """
    from motives import examples
    from motives.io import load_case
    from motives.spec import load_spec

    spec = load_spec(ROOT / "models" / "baseline.yaml")
    out: dict[str, tuple[object, str | None, object]] = {
        "baseline": (
            load_case(spec.case_path(ROOT / "models" / "baseline.yaml")),
            spec.lens,
            spec.prior,
        )
    }
    for name in examples.NAMES:
        out[name] = (examples.load(name), None, None)
    return out


def digests_of(case: object, lens: str | None, prior: object, name: str) -> dict[str, str]:
    """sha256 of every table, every figure (SVG) and the report of one case.

    Each table as its CSV and JSON sidecar.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from motives.plots import standard_figures
    from motives.report import report_markdown
    from motives.sensitivity import run_all
    from motives.sensitivity.results import SensitivityResult

    plt.rcParams["svg.hashsalt"] = "motives-digests"
    tables = run_all(case, lens=lens, prior=prior, **SETTINGS)  # type: ignore[arg-type]
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as d:
        for t, df in tables.items():
            SensitivityResult.of(t, df).save(d, t)
            out[f"table:{t}"] = _sha(
                Path(d, f"{t}.csv").read_bytes() + Path(d, f"{t}.json").read_bytes()
            )
    results = {t: SensitivityResult.of(t, df) for t, df in tables.items()}
    figures = []
    for fname, fig, _ax in standard_figures(case, results, lens=lens):  # type: ignore[arg-type]
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
        out[f"figure:{fname}"] = _sha(buf.getvalue())
        figures.append(fname)
    md = report_markdown(
        case,
        tables,
        {f: f"figures/{f}.png" for f in figures},  # type: ignore[arg-type]
        spec={"name": name, "file": f"{name}.yaml", "prior": prior, **SETTINGS},
    )
    out["report"] = _sha(md.encode())
    return out


def main(argv: list[str] | None = None) -> int:
    """Check (default) or ``--write`` the digests; the exit code is 1 when an output changed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--write", action="store_true", help="regenerate digests.json instead of checking it"
    )
    ap.add_argument("--only", nargs="*", help="only these cases (baseline or example names)")
    args = ap.parse_args(argv)
    known = json.loads(FILE.read_text()) if FILE.exists() else {}
    cases = _cases()
    names = args.only or list(cases)
    changed = 0
    for name in names:
        case, lens, prior = cases[name]
        got = digests_of(case, lens, prior, name)
        if args.write:
            known[name] = got
            print(f"{name}: {len(got)} digests")
            continue
        was = known.get(name, {})
        diff = sorted(k for k in set(got) | set(was) if got.get(k) != was.get(k))
        for k in diff:
            state = "new" if k not in was else "gone" if k not in got else "changed"
            print(f"{name}: {k} {state}")
        changed += len(diff)
        print(f"{name}: {len(got)} outputs, {len(diff)} differ")
    if args.write:
        FILE.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")
        print(f"wrote {FILE.relative_to(ROOT)}")
        return 0
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
