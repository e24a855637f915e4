"""The interactive appendix.

How long the page takes to recompute the credences after an edit, in Chromium.

Measured in the page itself (``performance.now()`` around ``window.motives.posterior`` on random
edit sets, and around a whole user edit: the value set on a control, the engine, the redraw).
Baseline in the same run: the Python reference of the same edits
(:func:`motives.interactive.edited_posterior`). Also the page's size.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from pathlib import Path

from _common import CASE, ROOT, BenchResult, best_time

NAME = "appendix"
TITLE = "Interactive appendix: recomputation per edit in the browser, page size"


def run(quick: bool = False) -> BenchResult:
    import motives as mv
    from motives.interactive import appendix, edited_posterior

    sys.path.insert(0, str(ROOT / "tests"))
    from test_appendix import _random_edits  # the tests' edit generator

    res = BenchResult(NAME, TITLE)
    case = mv.load_case(CASE)
    out = Path(tempfile.mkdtemp())
    path = appendix(case, out)
    res.add(
        "page size (bundled case)",
        path.stat().st_size / 1024,
        "KiB",
        target="≤ 2048 KiB",
        ok=path.stat().st_size <= 2 * 2**20,
        note="one self-contained file",
    )
    chromium = next(
        (
            shutil.which(n)
            for n in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(n)
        ),
        None,
    )
    rng = random.Random(0)
    edits = [_random_edits(case, rng) for _ in range(20 if quick else 200)]
    t_py = best_time(
        lambda: [edited_posterior(case, e) for e in edits], repeat=2 if quick else 5
    ) / len(edits)
    if chromium is None:
        res.notes.append("no Chromium here: the browser figures were not measured")
        return res
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page()
        page.goto(path.as_uri())
        reps = 3 if quick else 20
        t_js = page.evaluate(
            """([sets, reps]) => { let best = Infinity;
            for (let r = 0; r < reps; r++) { const t0 = performance.now();
              for (const e of sets) window.motives.posterior(e);
              best = Math.min(best, (performance.now() - t0) / sets.length); }
            return best; }""",
            [edits, reps],
        )
        item = case.evidence[0].id
        t_ui = page.evaluate(
            """([item, reps]) => { const inp = document.querySelector('input[data-weight="' + item + '"]');
            let best = Infinity;
            for (let r = 0; r < reps; r++) { const t0 = performance.now();
              for (let k = 0; k < 20; k++) { inp.value = String((k % 40) * 0.05); inp.dispatchEvent(new Event('input')); }
              best = Math.min(best, (performance.now() - t0) / 20); }
            return best; }""",
            [item, reps],
        )
        b.close()
    res.add(
        "engine per edit (window.motives.posterior)",
        t_js,
        "ms",
        baseline=t_py * 1e3,
        baseline_label="Python reference of the same edits",
        ratio=t_py * 1e3 / t_js,
        target="≤ 1 ms",
        ok=t_js <= 1.0,
        note="ratio = Python / page",
    )
    res.add(
        "a user's edit: slider, engine, redraw",
        t_ui,
        "ms",
        target="≤ 1 ms per edit (engine)",
        note="includes the URL update and the credence table redraw",
    )
    res.notes.append(
        f"{len(edits)} random edit sets (lens, prior, weights, drops, discount, reliability, "
        "tables); best of several rounds; browser timer resolution about 0.1 ms per round"
    )
    return res
