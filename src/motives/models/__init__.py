"""PyMC models of a case: exclusive, mixture and pooled.

Importing this package is cheap: PyMC is imported only when a model is built.

- :func:`fit` fits a case and returns a :class:`FitResult`;
- :func:`fit_spec` fits an analysis spec (``models/*.yaml``);
- :class:`FitConfig` is a fit's identity (case content hash, settings, motives
  version); :func:`load_result` reads a saved fit, refusing one whose case,
  settings or version changed;
- ``build_exclusive`` / ``build_mixture`` / ``build_pooled`` build a model
  without sampling, and :func:`motives.models.sampling.refit` re-samples it
  with new ``pm.Data`` knobs (priors, likelihood scale factors, concentration).
"""

from __future__ import annotations

from motives.models.api import fit, fit_spec
from motives.models.config import FitConfig
from motives.models.result import FitResult, load_result

__all__ = ["FitConfig", "FitResult", "fit", "fit_spec", "load_result"]
