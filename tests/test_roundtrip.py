"""A case survives ``model_dump``/``model_validate`` and a JSON round trip unchanged.

Its posterior is unchanged too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import motives as mv
from _structured_cases import random_structured_case
from motives.exact import exact_posterior
from motives.io import load_case

ROOT = Path(__file__).resolve().parents[1]


def _cases():
    for name in mv.examples.NAMES:
        yield name, mv.examples.load(name)
    yield "bundled", load_case(ROOT / "evidence")
    yield "extended", load_case(ROOT / "evidence_extended")
    for seed in range(6):
        yield f"random{seed}", random_structured_case(seed, multi_state=True)


@pytest.mark.parametrize(
    ("name", "case"), list(_cases()), ids=lambda x: x if isinstance(x, str) else ""
)
def test_round_trips(name, case):
    again = mv.Case.model_validate(case.model_dump())
    from_json = mv.Case.model_validate_json(case.model_dump_json())
    assert again == case
    assert from_json == case
    p0 = exact_posterior(case)["credence"].to_numpy()
    p1 = exact_posterior(from_json)["credence"].to_numpy()
    np.testing.assert_array_equal(p0, p1)  # the same numbers, not just an equal-looking record


def test_quoted_integer_keys_still_rejected_outside_json():
    """JSON mode accepts digit keys (JSON has no other); Python/YAML input keeps the strict rule."""
    case = load_case(ROOT / "evidence")
    data = case.model_dump()
    timeline = next(e for e in data["evidence"] if e.get("scale"))
    timeline["scale"] = {str(k): v for k, v in timeline["scale"].items()}
    with pytest.raises(ValueError, match="whole number"):
        mv.Case.model_validate(data)
