"""Small synthetic cases for the sensitivity, plot, report and CLI tests.

They now live in :mod:`motives.testing` (shipped, with running examples); this
module keeps the old import path working for tests that use it.
"""

from __future__ import annotations

from motives.testing import H4, rich_case, two_hypothesis_case

__all__ = ["H4", "rich_case", "two_hypothesis_case"]
