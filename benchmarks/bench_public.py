"""The public call a user makes: ``mv.exact_posterior(case, lens=...)``, per call.

Baselines in the same run: the engine alone (``posterior`` on arrays compiled
once) — the floor — and the public call as it was before propositions
(compile the case afresh, build the table row by row and ``set_index``).
Measured on the bundled case as it stands in ``evidence/``, on the flat copy of
the case kept in the tests (``tests/data/flat/evidence``), and on the small
structured ``burglary`` example.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import CASE, ROOT, BenchResult, best_time

NAME = "public"
TITLE = "The public call mv.exact_posterior(case, lens) vs the engine alone and the call as it was"


def _before(case: Any, lens: str) -> Any:
    """exact_posterior as it was before propositions: compile afresh, rows, set_index."""
    import pandas as pd

    from motives import exact as X

    arr = X.compile_case(case, lens)
    pri = X.prior_from(case, None)
    post = X.posterior(arr, pri)
    labels = {h.id: h.name for h in case.hypotheses}
    flabels = {f.id: f.label or f.id for f in case.families}
    rows = [("hypothesis", h, labels[h], pri[k], post[k]) for k, h in enumerate(arr.hypotheses)]
    fp, fc = X.family_credence(arr, pri), X.family_credence(arr, post)
    rows += [("family", f, flabels.get(f, f), fp[i], fc[i]) for i, f in enumerate(arr.families)]
    df = pd.DataFrame(rows, columns=["level", "id", "label", "prior", "credence"]).set_index(
        ["level", "id"]
    )
    df.attrs.update({"method": "exact", "lens": arr.lens, "fallbacks": arr.fallbacks})
    return df


def run(quick: bool = False) -> BenchResult:
    import motives as mv
    from motives import exact as X

    res = BenchResult(NAME, TITLE)
    cases = [
        ("evidence/ (hughes)", mv.load_case(CASE), "hughes"),
        (
            "flat copy (hughes)",
            mv.load_case(ROOT / "tests" / "data" / "flat" / "evidence"),
            "hughes",
        ),
        ("burglary", mv.examples.load("burglary"), None),
    ]
    repeat, min_s = (2, 0.01) if quick else (7, 0.2)
    for label, case, lens in cases:
        public = mv.exact_posterior(case, lens=lens)
        if not case.structured:
            np.testing.assert_allclose(
                public["credence"].to_numpy(),
                _before(case, lens or case.default_lens)["credence"].to_numpy(),
                rtol=0,
                atol=1e-15,
            )
        arr = X.compiled(case, lens)
        t_pub = best_time(
            lambda c=case, ln=lens: mv.exact_posterior(c, lens=ln), repeat=repeat, min_seconds=min_s
        )
        t_eng = best_time(lambda a=arr: X.posterior(a), repeat=repeat, min_seconds=min_s)
        res.add(
            f"exact_posterior, {label}",
            t_pub * 1e3,
            "ms",
            baseline=t_eng * 1e3,
            baseline_label="engine alone (posterior on compiled arrays)",
            ratio=t_pub / t_eng,
            target="≤ 0.2 ms" if label.startswith("evidence") else "",
            ok=(t_pub <= 2e-4) if label.startswith("evidence") else None,
            note="ratio = public / engine (overhead factor)",
        )
        if not case.structured:
            t_old = best_time(
                lambda c=case, ln=lens or case.default_lens: _before(c, ln),
                repeat=repeat,
                min_seconds=min_s,
            )
            res.add(
                f"as before propositions, {label}",
                t_old * 1e3,
                "ms",
                baseline=t_pub * 1e3,
                baseline_label="exact_posterior now",
                ratio=t_old / t_pub,
                note="ratio = before / now (speed-up)",
            )
    res.notes.append("best of several rounds, each at least 0.2 s of calls; one thread")
    return res
