"""Fit results: summaries with diagnostics, saving to netCDF, loading with a config check.

A :class:`FitResult` wraps the trace (an xarray DataTree). Everything needed to
read it back — model kind, lens, settings, the config hash — lives in the
trace's root attrs, so a saved ``trace.nc`` is self-describing.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.conventions import INTERVAL_MASS
from motives.errors import MotivesError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from motives.spec import AnalysisSpec

#: Diagnostic thresholds: a fit fails when any is crossed.
RHAT_MAX = 1.01
ESS_BULK_MIN = 400

#: Which posterior variable is summarised at which level, per model.
LEVELS: dict[str, list[tuple[str, str]]] = {
    "exclusive": [("hypothesis", "credence"), ("family", "family_credence")],
    "mixture": [("hypothesis", "share"), ("family", "family_share")],
    "pooled": [("hypothesis", "credence"), ("family", "family_credence"), ("lens", "lens_credence")],
}


class FitResult:
    """An MCMC fit: the trace, its summary and diagnostics.

    Parameters
    ----------
    trace
        The DataTree returned by sampling, with ``motives_*`` attrs (set by :func:`motives.models.fit`).
    """

    def __init__(self, trace: xr.DataTree) -> None:
        self.trace = trace
        self._diagnostics: dict[str, Any] | None = None

    def __repr__(self) -> str:
        d = self.diagnostics
        return (f"FitResult(model={self.model!r}, lens={self.lens!r}, draws={self.trace.posterior.sizes['draw']}, "
                f"chains={self.trace.posterior.sizes['chain']}, diagnostics {'ok' if d['ok'] else 'FAILED'})")

    @property
    def model(self) -> str:
        """``exclusive``, ``mixture`` or ``pooled``."""
        return str(self.trace.attrs.get("motives_model", "exclusive"))

    @property
    def lens(self) -> str:
        """The lens fitted (for ``pooled``, the lenses joined by ``+``)."""
        return str(self.trace.attrs.get("motives_lens", ""))

    @property
    def config(self) -> dict[str, Any]:
        """The settings (or analysis spec) the fit was made with."""
        return dict(json.loads(self.trace.attrs.get("motives_config", "{}")))

    @property
    def config_hash(self) -> str:
        """Hash of :attr:`config`; :func:`load_result` compares it with a spec's."""
        return str(self.trace.attrs.get("motives_config_hash", ""))

    @property
    def fallbacks(self) -> list[str]:
        """Items the lens does not rate (they used the default lens)."""
        return list(json.loads(self.trace.attrs.get("motives_fallbacks", "[]")))

    def _repr_html_(self) -> str:
        from motives.display import result_html

        return result_html(self.summary())

    # ------------------------------------------------------------------ summaries

    def summary(self) -> pd.DataFrame:
        """Posterior credences (or shares) with a 90% central interval and diagnostics.

        Returns
        -------
        pandas.DataFrame
            Indexed by (``level``, ``id``), level ``hypothesis``, ``family`` (and
            ``lens`` for the pooled model, ids ``lens/hypothesis``); columns
            ``credence`` (posterior mean), ``lower``, ``upper`` (central
            interval of mass :data:`motives.report.INTERVAL_MASS`), ``mcse`` (of
            the mean), ``r_hat``, ``ess_bulk``. ``df.attrs`` holds the
            diagnostics, the interval mass and the fallbacks.
        """
        import pandas as pd

        rows = []
        post = self.trace.posterior
        tail = (1 - INTERVAL_MASS) / 2
        for level, var in LEVELS.get(self.model, LEVELS["exclusive"]):
            if var not in post:
                continue
            da = post[var]
            other = [d for d in da.dims if d not in ("chain", "draw")]
            x = da.transpose("chain", "draw", *other).values.reshape(da.sizes["chain"], da.sizes["draw"], -1)
            ids = _flat_ids(da, other)
            mean = x.mean(axis=(0, 1))
            lo, hi = np.quantile(x, [tail, 1 - tail], axis=(0, 1))
            rhat, ess, mcse = _element_stats(x)
            for j, i in enumerate(ids):
                rows.append((level, i, mean[j], lo[j], hi[j], mcse[j], rhat[j], ess[j]))
        df = pd.DataFrame(rows, columns=["level", "id", "credence", "lower", "upper", "mcse", "r_hat", "ess_bulk"])
        df = df.set_index(["level", "id"])
        df.attrs.update({"method": "mcmc", "model": self.model, "lens": self.lens, "interval_mass": INTERVAL_MASS,
                         "diagnostics": self.diagnostics, "fallbacks": self.fallbacks})
        return df

    @property
    def diagnostics(self) -> dict[str, Any]:
        """``r_hat_max``, ``ess_bulk_min``, ``divergences``, ``ok`` and ``problems`` (list of str).

        A fit fails when r̂ > 1.01 for any quantity, bulk ESS < 400 for any
        quantity, or any transition diverged. Quantities that do not vary
        (fixed by the model) are left out.
        """
        if self._diagnostics is None:
            self._diagnostics = compute_diagnostics(self.trace)
        return self._diagnostics

    def summary_dict(self) -> dict[str, Any]:
        """The summary JSON (DESIGN.md shape), with diagnostics."""
        from motives.conventions import summary_dict

        extra: dict[str, Any] = {"model": self.model}
        if self.model == "mixture":
            extra["quantity"] = "share: posterior mean of the Dirichlet weights w (motives need not be exclusive)"
        table = self.summary()
        if self.model == "pooled":
            lens_rows = table.xs("lens", level="level")
            extra["lenses"] = {i: {"credence": float(r["credence"]), "lower": float(r["lower"]),
                                   "upper": float(r["upper"])} for i, r in lens_rows.iterrows()}
        return summary_dict(table, method="mcmc", lens=self.lens, diagnostics=self.diagnostics,
                            fallbacks=self.fallbacks, extra=extra)

    # ------------------------------------------------------------------ io

    def save(self, path: str | Path) -> Path:
        """Write the trace (with its config) to a netCDF file through h5netcdf."""
        p = Path(path)
        _clean_for_netcdf(self.trace).to_netcdf(p, engine="h5netcdf")
        return p


def load_result(path: str | Path, spec: AnalysisSpec | None = None) -> FitResult:
    r"""Read a saved fit; with ``spec``, refuse it when the spec has changed since.

    Parameters
    ----------
    path
        A ``trace.nc`` written by :meth:`FitResult.save` (or ``motives run``).
    spec
        The analysis spec the result should belong to.

    Raises
    ------
    MotivesError
        When the file cannot be read, or its stored config hash differs from ``spec``'s.

    Examples
    --------
    Fit a spec (tiny sampler settings), save the result, read it back, and
    see it refused once the spec has changed:

    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> import motives as mv
    >>> from motives.models import fit_spec
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> _ = shutil.copytree(mv.examples.path("witness"), root / "witness")
    >>> spec_file = root / "witness.yaml"
    >>> _ = spec_file.write_text("name: witness\ncase: witness\nsampler: {draws: 50, tune: 50, chains: 1}\n")
    >>> spec = mv.load_spec(spec_file)
    >>> saved = fit_spec(spec, spec_file).save(root / "trace.nc")
    >>> res = load_result(saved, spec)
    >>> res.model, res.config_hash == spec.config_hash(), res.trace.posterior.sizes["draw"]
    ('exclusive', True, 50)
    >>> bool(abs(res.summary().loc[("hypothesis", "blue"), "credence"] - 0.4138) < 0.05)  # exact: 0.4138
    True
    >>> changed = spec.model_copy(update={"prior": "uniform"})
    >>> try:
    ...     load_result(saved, changed)
    ... except MotivesError as err:
    ...     print("the spec changed since the fit" in str(err))
    True
    >>> tmp.cleanup()
    """
    import xarray as xr

    p = Path(path)
    if not p.is_file():
        raise MotivesError(f"{p}: no such result file")
    try:
        with xr.open_datatree(p, engine="h5netcdf") as dt:
            trace = dt.load()
    except (OSError, ValueError) as exc:
        raise MotivesError(f"{p}: not a readable result file ({exc})") from None
    res = FitResult(trace)
    if spec is not None:
        want = spec.config_hash()
        if res.config_hash != want:
            raise MotivesError(
                f"{p}: this result was fitted with config hash {res.config_hash or '(none)'}, but spec "
                f"'{spec.name}' now hashes to {want}: the spec changed since the fit. "
                f"Refit it (motives run SPEC --out DIR --force) instead of reusing the old result."
            )
    return res


# --------------------------------------------------------------------------- helpers


def _flat_ids(da: xr.DataArray, dims: list[str]) -> list[str]:
    if not dims:
        return [da.name]
    import itertools

    labels = [[str(v) for v in da[d].values] for d in dims]
    return ["/".join(t) for t in itertools.product(*labels)]


def _element_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """r̂, bulk ESS and MCSE of the mean for each column of x (chain, draw, n); NaN where x is constant."""
    import arviz_stats as azs

    n = x.shape[-1]
    rhat, ess, mcse = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    varying = np.ptp(x.reshape(-1, n), axis=0) > 0
    if varying.any():
        xv = x[..., varying]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            rhat[varying] = _stat(azs.rhat, xv)
            ess[varying] = _stat(azs.ess, xv, method="bulk")
            mcse[varying] = _stat(azs.mcse, xv, method="mean")
    mcse[~varying] = 0.0
    return rhat, ess, mcse


def _stat(fn: Any, x: np.ndarray, **kw: Any) -> np.ndarray:
    import xarray as xr

    out = fn(xr.DataArray(x, dims=("chain", "draw", "k")), sample_dims=["chain", "draw"], **kw)
    return np.asarray(getattr(out, "values", out), dtype=float)


def compute_diagnostics(trace: xr.DataTree) -> dict[str, Any]:
    """Convergence diagnostics over every varying posterior quantity; see :attr:`FitResult.diagnostics`."""
    post = trace.posterior
    rh, es = [], []
    for da in post.data_vars.values():
        if not np.issubdtype(da.dtype, np.floating):
            continue
        other = [d for d in da.dims if d not in ("chain", "draw")]
        x = da.transpose("chain", "draw", *other).values.reshape(da.sizes["chain"], da.sizes["draw"], -1)
        r, e, _ = _element_stats(x)
        rh.append(r)
        es.append(e)
    r_all = np.concatenate(rh) if rh else np.array([])
    e_all = np.concatenate(es) if es else np.array([])
    r_all, e_all = r_all[np.isfinite(r_all)], e_all[np.isfinite(e_all)]
    divergences = 0
    if "sample_stats" in trace.children and "diverging" in trace.sample_stats:
        divergences = int(np.asarray(trace.sample_stats["diverging"]).sum())
    r_max = float(r_all.max()) if r_all.size else None
    e_min = float(e_all.min()) if e_all.size else None
    problems = []
    if r_max is not None and r_max > RHAT_MAX:
        problems.append(f"r_hat max {r_max:.3f} > {RHAT_MAX} (chains disagree: run longer or reparametrise)")
    if e_min is not None and e_min < ESS_BULK_MIN:
        problems.append(f"bulk ESS min {e_min:.0f} < {ESS_BULK_MIN} (too few effective draws: raise draws)")
    if divergences:
        problems.append(f"{divergences} divergent transition(s) (the sampler missed part of the posterior; "
                        "raise target_accept or reparametrise)")
    return {"r_hat_max": r_max, "ess_bulk_min": e_min, "divergences": divergences, "ok": not problems,
            "problems": problems}


def _clean_for_netcdf(trace: xr.DataTree) -> xr.DataTree:
    """Drop object-typed variables (e.g. nutpie's divergence messages) that netCDF cannot store."""
    import xarray as xr

    groups = {}
    for node in trace.subtree:
        ds = node.to_dataset()
        drop = [n for n, v in ds.variables.items() if v.dtype == object and n not in ds.coords]
        ds = ds.drop_vars(drop)
        for c in ds.coords:
            if ds[c].dtype == object:
                ds = ds.assign_coords({c: ds[c].values.astype(str)})
        groups[node.path] = ds
    out = xr.DataTree.from_dict(groups)
    out.attrs.update({k: v for k, v in trace.attrs.items() if isinstance(v, str | int | float)})
    return out
