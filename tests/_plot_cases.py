"""Seeded generators of cases for the figure tests.

Sentence-long labels, many hypotheses, many items.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

import motives as mv

WORDS = (
    "the regime sought to secure its borders against a perceived threat from western alliance "
    "expansion while domestic legitimacy mattered more than anything Überlegung naïve"
).split()


def sentence(rng: np.random.Generator, n: int) -> str:
    """A label of exactly ``n`` characters (1-120) made of words.

    Sometimes one long unbroken word.
    """
    if rng.random() < 0.15:
        return ("x" * n)[:n]
    s = ""
    while len(s) < n:
        s += str(rng.choice(WORDS)) + " "
    return s[:n].strip() or "x"


def case_data(
    seed: int,
    n_hyp: int,
    n_items: int,
    label_len: int,
    *,
    lenses: int = 1,
    families: int = 0,
    value: bool = False,
    confidence: bool = True,
) -> dict[str, Any]:
    """The dict of a flat case.

    ``n_hyp`` hypotheses with labels ``label_len`` long, ``n_items`` rated items.
    """
    rng = np.random.default_rng(seed)
    hyps: list[dict[str, Any]] = []
    for i in range(n_hyp):
        h: dict[str, Any] = {"id": f"h{i}", "label": sentence(rng, label_len)}
        if families:
            h["family"] = f"f{i % families}"
        if value:
            h["value"] = i / max(n_hyp - 1, 1)
        hyps.append(h)
    lens_ids = ["default"] if lenses == 1 else [f"l{j}" for j in range(lenses)]
    ev = []
    for k in range(n_items):
        lk: dict[str, Any] = {}
        for j, lens in enumerate(lens_ids):
            if j and rng.random() < 0.5:
                continue
            vals = {h["id"]: round(float(rng.uniform(0.05, 0.95)), 3) for h in hyps}
            lk[lens] = {"values": vals, **({"confidence": "medium"} if confidence else {})}
        tail = re.sub(
            r"[^a-z0-9_]", "", sentence(rng, int(rng.integers(1, 30))).lower().replace(" ", "_")
        )
        ev.append(
            {
                "id": f"item_{k}_{tail}",
                "title": sentence(rng, label_len),
                "date": f"{2000 + k % 20}",
                "likelihoods": lk,
            }
        )
    data: dict[str, Any] = {"name": "generated", "hypotheses": hyps, "evidence": ev}
    if lenses > 1:
        data["lenses"] = [{"id": lens, "name": sentence(rng, label_len)} for lens in lens_ids]
        data["default_lens"] = lens_ids[0]
    if families:
        data["families"] = [
            {"id": f"f{j}", "label": sentence(rng, label_len)} for j in range(families)
        ]
    return data


def gen_case(seed: int, n_hyp: int, n_items: int, label_len: int, **kw: Any) -> mv.Case:
    """A validated case from :func:`case_data`."""
    return mv.Case.model_validate(case_data(seed, n_hyp, n_items, label_len, **kw))
