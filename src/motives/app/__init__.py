"""The application layer: the workflow the ``motives`` command and a notebook both call.

check → compute → fit → analyse → draw → report → publish, each step one function that does the
work, writes its outputs atomically and returns what it wrote and found; none prints. The CLI
(:mod:`motives.cli`) only parses, prints and maps errors to exit codes.

- :mod:`motives.app.outputs`: output folders and files (checked before any work, written into a
  temporary sibling, published whole with the umask's permissions; :class:`OutputFolder`).
- :mod:`motives.app.summary`: the summary a command prints (:func:`posterior_summary`).
- :mod:`motives.app.networks`: a case as a Bayesian network file and back (``export``,
  ``import-bn``).
- :mod:`motives.app.workflow`: a spec's analyses, figures, report, appendix and fit
  (:func:`sensitivity_outputs`, :func:`fit_outputs`, :func:`appendix_outputs`) and the
  :class:`Progress` they report to.

Examples
--------
>>> import motives as mv
>>> from motives.app import posterior_summary
>>> summary, lines = posterior_summary(mv.examples.cookie_case(), prior="uniform")
>>> sorted(summary["hypotheses"])
['bowl1', 'bowl2']
"""

from motives.app.outputs import MARKER, OutputFolder, check_out, check_out_file
from motives.app.summary import parse_prior, posterior_summary
from motives.app.workflow import (
    FitOutputs,
    Progress,
    SensitivityOutputs,
    appendix_outputs,
    fit_outputs,
    sensitivity_outputs,
    spec_case,
)

__all__ = [
    "MARKER",
    "FitOutputs",
    "OutputFolder",
    "Progress",
    "SensitivityOutputs",
    "appendix_outputs",
    "check_out",
    "check_out_file",
    "fit_outputs",
    "parse_prior",
    "posterior_summary",
    "sensitivity_outputs",
    "spec_case",
]
