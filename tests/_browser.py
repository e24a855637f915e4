"""Chromium for the tests that open pages: where it is, and the mark that skips without it.

The browser itself is the session fixture ``browser`` of ``conftest.py``: one headless Chromium per
test process.
"""

from __future__ import annotations

import shutil

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
