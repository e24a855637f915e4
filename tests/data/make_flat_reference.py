"""Record exact-engine outputs on flat cases (no propositions) as SHA-256 of their float64 bytes.

The reference was written with the engine as it was before propositions
(commit b7d8f6f); ``tests/test_structure.py`` recomputes every entry with the
current engine and requires the same bytes: flat cases are bit-for-bit
unchanged. Usage: ``python tests/data/make_flat_reference.py OUT.json``.
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

import motives as mv
from motives import exact as X
from motives import sensitivity as S

FLAT = (
    Path(__file__).resolve().parent / "flat"
)  # the Russia-Ukraine case as it was before propositions
EXAMPLES = ("cookies", "dice", "monty_hall", "diagnostic_test", "witness", "two_lenses")
ANALYSES = (
    "weight_of_evidence",
    "leave_one_out",
    "tornado",
    "break_even",
    "evidence_discount",
    "prior_sweep",
    "leave_one_source_out",
)


def digest(a: object) -> dict[str, object]:
    """Shape and SHA-256 of an array's float64 bytes."""
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
    return {"shape": list(a.shape), "sha256": hashlib.sha256(a.tobytes()).hexdigest()}


def outputs() -> dict[str, dict[str, object]]:
    """Every recorded output, by name."""
    out = {}
    cases = {
        "evidence": mv.load_case(FLAT / "evidence"),
        "evidence_extended": mv.load_case(FLAT / "evidence_extended"),
    }
    cases.update({n: mv.examples.load(n) for n in EXAMPLES})
    for name, case in cases.items():
        for lens in case.lens_ids:
            arr = X.compile_case(case, lens)
            for rel in (True, False):
                out[f"{name}/{lens}/{rel}/loglik"] = digest(X.loglik(arr, reliability=rel))
                out[f"{name}/{lens}/{rel}/posterior"] = digest(X.posterior(arr, reliability=rel))
            out[f"{name}/{lens}/exact_posterior"] = digest(
                mv.exact_posterior(case, lens=lens)["credence"]
            )
            rng = np.random.default_rng(5)
            lam = np.clip(arr.lam * rng.uniform(0.5, 1.5, size=(7, *arr.lam.shape)), 0, 1)
            out[f"{name}/{lens}/sweep"] = digest(X.posterior(arr, lam=lam))
            if len(arr.items) > 1:
                out[f"{name}/{lens}/without"] = digest(X.posterior(arr.without(arr.items[:1])))
            for fn in ANALYSES:
                df = getattr(S, fn)(case, lens=lens)
                if (
                    fn == "tornado"
                ):  # its sign column: since issue 13 a change below the resolution is direction 0
                    df = df.drop(columns="direction")
                if fn in ("tornado", "break_even") and "kind" in df.columns:
                    # since issue 22 these tables also move sources, base rates and the prior (rows
                    # of other kinds) and give each row's kind and judged value: the items' rows and
                    # columns are compared as before
                    df = df[df["kind"] == "item"].drop(
                        columns=[c for c in ("value", "value_needed") if c in df]
                    )
                out[f"{name}/{lens}/{fn}"] = digest(df.select_dtypes("number").to_numpy())
    return out


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(
        json.dumps(outputs(), indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )
