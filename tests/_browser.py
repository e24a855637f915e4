"""Chromium for the tests that open pages: where it is, and the mark that skips without it.

The browser itself is the session fixture ``browser`` of ``conftest.py``: one headless Chromium per
test process.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

#: The Chromium executable, or None on a machine without one.
CHROMIUM: str | None = next(
    (
        p
        for p in (
            shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome", "chrome")
        )
        if p
    ),
    None,
)
#: Skips a test when there is no Chromium.
needs_browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on this machine (.ci/run installs Debian's "
    "chromium package; apt-get install chromium)",
)


def change(page: Any, selector: str, value: str) -> None:
    """Type ``value`` into the input ``selector`` and fire its ``change`` event.

    As a reader does.
    """
    page.fill(selector, value)
    page.dispatch_event(selector, "change")


def lens_switch_edits(case: Any) -> tuple[str, Any, str]:
    """What the lens-switch scenario edits (the appendix page and the widget run the same one).

    The first hypothesis (its prior is set), the first proposition of two states and the first
    value of its parents (a cell of its table is set).
    """
    prop = next(p for p in case.propositions if len(p.states) == 2)
    return case.hypothesis_ids[0], prop, case.parent_values(prop.bears_on)[0]
