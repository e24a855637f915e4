"""Fit results: summaries with diagnostics, saving to netCDF, loading with a config check.

A :class:`FitResult` wraps the trace (an xarray DataTree). Everything needed to
read it back — model kind, lens, the fit's :class:`~motives.models.config.FitConfig`
record (``motives_config``) and its hash (``motives_config_hash``) — lives in the
trace's root attrs, so a saved ``trace.nc`` is self-describing, and
:func:`load_result` can tell whether it is still the fit of a spec and its case.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from motives.conventions import INTERVAL_MASS
from motives.errors import FailedFitWarning, MotivesError

if TYPE_CHECKING:
    import pandas as pd

    from motives.schema import Case
    from motives.spec import AnalysisSpec

#: Diagnostic thresholds: a fit fails when any is crossed.
RHAT_MAX = 1.01
ESS_BULK_MIN = 400
#: A fit of a model with anything random needs this many chains and draws per chain to be diagnosed.
MIN_CHAINS = 2
MIN_DRAWS = 100
#: The exact cross-check fails when a posterior mean is more than this many MCSEs from the exact
#: answer.
EXACT_Z_MAX = 4.0

#: Which posterior variable is summarised at which level, per model.
LEVELS: dict[str, list[tuple[str, str]]] = {
    "exclusive": [("hypothesis", "credence"), ("family", "family_credence")],
    "mixture": [("hypothesis", "share"), ("family", "family_share")],
    "pooled": [
        ("hypothesis", "credence"),
        ("family", "family_credence"),
        ("lens", "lens_credence"),
    ],
}


class FitResult(xr.DataTree):
    """An MCMC fit: the trace, its summary and diagnostics.

    To ArviZ, the DataTree of what the fit reports.

    A ``FitResult`` is an :class:`xarray.DataTree` holding the groups ArviZ 1.x reads
    (:func:`arviz_groups`): ``posterior`` with the quantities the summary reports (the credences and
    family credences; shares for the mixture model, and the lens credences for the pooled one),
    ``sample_stats``, and the other groups of the trace except the model's internals. So
    ``az.summary(res)``, ``azp.plot_forest(res)`` and ``azp.plot_dist(res)`` take it as it is and
    draw the credences. Every variable the sampler drew is in
    :attr:`trace` (``az.summary(res.trace)`` summarises them all).

    A fit whose diagnostics fail says so wherever it is shown: a
    :class:`~motives.errors.FailedFitWarning`
    when it is made (or loaded) and when it is summarised, ``FAILED`` in its text and in its
    notebook display.

    Parameters
    ----------
    trace
        The DataTree returned by sampling, with ``motives_*`` attrs (set by
        :func:`motives.models.fit`).
    """

    __slots__ = ("trace", "_diagnostics", "_exact", "_built")
    trace: xr.DataTree  # the sampler's whole tree (the FitResult itself for a node xarray made)

    def __init__(
        self, trace: xr.DataTree | None = None, children: Any = None, name: str | None = None
    ) -> None:
        if not isinstance(trace, xr.DataTree):
            # xarray itself makes nodes of a tree's own class (copies, deep copies): such a node is
            # its own trace
            super().__init__(trace, children, name)
            self.trace = self
        else:
            groups = arviz_groups(trace)
            super().__init__(
                groups.pop("/"), children={k: xr.DataTree(v) for k, v in groups.items()}
            )
            self.trace = trace
        self._diagnostics: dict[str, Any] | None = None
        self._exact: dict[str, Any] | None = None
        self._built: Any = (
            None  # the model this process built and sampled (kept by motives.models.fit)
        )
        if isinstance(trace, xr.DataTree) and "posterior" in trace.children:
            self._warn_if_failed("made")

    def __getstate__(self) -> Any:
        """The state to pickle, without this process's model (a PyMC model does not travel)."""
        state = super().__getstate__()
        if (
            isinstance(state, tuple)
            and len(state) == 2
            and isinstance(state[1], dict)
            and "_built" in state[1]
        ):
            return state[0], {**state[1], "_built": None}
        return state

    def _warn_if_failed(self, when: str) -> None:
        d = self.diagnostics
        if not d["ok"]:
            warnings.warn(
                f"this fit's diagnostics FAILED ({when} here): "
                + "; ".join(d["problems"])
                + ". Do not report its credences; refit with more draws or chains.",
                FailedFitWarning,
                stacklevel=3,
            )

    def __repr__(self) -> str:  # type: ignore[override]  # DataTree's takes no arguments either, typed loosely
        d = self.diagnostics
        verdict = (
            "ok"
            if d["ok"]
            else f"FAILED: {len(d['problems'])} problem(s), see .diagnostics['problems']"
        )
        return (
            f"FitResult(model={self.model!r}, lens={self.lens!r}, "
            f"draws={self.trace.posterior.sizes['draw']}, "
            f"chains={self.trace.posterior.sizes['chain']}, diagnostics {verdict})"
        )

    def __str__(self) -> str:
        return repr(self)

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
        """The fit's :class:`~motives.models.config.FitConfig` record, as a dict.

        It holds the case, the case hash, the settings and the version.
        """
        return dict(json.loads(self.trace.attrs.get("motives_config", "{}")))

    @property
    def config_hash(self) -> str:
        """The fit's identity (the hash of :attr:`config`).

        See :meth:`FitConfig.hash <motives.models.config.FitConfig.hash>`.
        """
        return str(self.trace.attrs.get("motives_config_hash", ""))

    @property
    def fallbacks(self) -> list[str]:
        """Items the lens does not rate (they used the default lens)."""
        return list(json.loads(self.trace.attrs.get("motives_fallbacks", "[]")))

    def _repr_html_(self) -> str:
        import html

        from motives.display import result_html

        d = self.diagnostics
        if d["ok"]:
            head = "<p><strong>Diagnostics ok</strong></p>"
        else:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in d["problems"])
            head = (
                "<div style='border:2px solid #b00020;padding:4px 8px;margin-bottom:4px'>"
                "<strong style='color:#b00020'>Diagnostics FAILED: do not report these "
                "credences.</strong>"
                f"<ul style='margin:2px 0'>{items}</ul></div>"
            )
        return head + result_html(self._summary())

    # ------------------------------------------------------------------ summaries

    def summary(self) -> pd.DataFrame:
        """Posterior credences (or shares) with a 90% central interval and diagnostics.

        A fit whose diagnostics failed warns (:class:`~motives.errors.FailedFitWarning`) and its
        table says so in ``df.attrs["diagnostics"]``.

        Returns
        -------
        pandas.DataFrame
            Indexed by (``level``, ``id``), level ``hypothesis``, ``family`` (and
            ``lens`` for the pooled model, ids ``lens/hypothesis``); columns
            ``credence`` (posterior mean), ``lower``, ``upper`` (central
            interval of mass :data:`motives.report.INTERVAL_MASS`), ``mcse`` (of
            the mean), ``r_hat``, ``ess_bulk``, and the exact cross-check:
            ``exact`` (the closed-form answer; NaN where the model has none)
            and ``z`` = (credence − exact) / mcse. ``df.attrs`` holds the
            diagnostics, the :attr:`exact_check`, the interval mass and the fallbacks.
        """
        self._warn_if_failed("summarised")
        return self._summary()

    def _summary(self) -> pd.DataFrame:
        """The summary table, unchecked.

        One row per level and id (mean, sd, interval, ESS, R-hat).
        """
        import pandas as pd

        rows = []
        check = self.exact_check
        post = self.trace.posterior
        tail = (1 - INTERVAL_MASS) / 2
        for level, var in LEVELS.get(self.model, LEVELS["exclusive"]):
            if var not in post:
                continue
            da = post[var]
            other = [d for d in da.dims if d not in ("chain", "draw")]
            x = da.transpose("chain", "draw", *other).values.reshape(
                da.sizes["chain"], da.sizes["draw"], -1
            )
            ids = _flat_ids(da, other)
            mean = x.mean(axis=(0, 1))
            lo, hi = np.quantile(x, [tail, 1 - tail], axis=(0, 1))
            rhat, ess, mcse = _element_stats(x)
            ref = check.get({"hypothesis": "hypotheses", "family": "families"}.get(level, ""), {})
            for j, i in enumerate(ids):
                e = ref.get(i, {})
                z = e.get("z")
                if e and z is None and e.get("mean") is not None:  # mcse 0 and a different value
                    z = float("inf")
                rows.append(
                    (
                        level,
                        i,
                        mean[j],
                        lo[j],
                        hi[j],
                        mcse[j],
                        rhat[j],
                        ess[j],
                        e.get("exact", np.nan),
                        np.nan if z is None else z,
                    )
                )
        df = pd.DataFrame(
            rows,
            columns=[
                "level",
                "id",
                "credence",
                "lower",
                "upper",
                "mcse",
                "r_hat",
                "ess_bulk",
                "exact",
                "z",
            ],
        )
        df = df.set_index(["level", "id"])
        df.attrs.update(
            {
                "method": "mcmc",
                "model": self.model,
                "lens": self.lens,
                "interval_mass": INTERVAL_MASS,
                "diagnostics": self.diagnostics,
                "exact_check": check,
                "fallbacks": self.fallbacks,
            }
        )
        return df

    @property
    def diagnostics(self) -> dict[str, Any]:
        """The fit's diagnostics as a dict.

        Its keys: ``r_hat_max``, ``ess_bulk_min``, ``divergences``, ``chains``, ``draws``,
        ``exact_check_ok``, ``ok``, ``problems``.

        A fit of a model with anything random is clean only when

        - it has at least :data:`MIN_CHAINS` chains of at least :data:`MIN_DRAWS`
          draws, and every chain holds all the draws asked for;
        - every draw is a number, and every sampled quantity moved in every chain;
        - r̂ ≤ 1.01 and bulk ESS ≥ 400 for every quantity that varies, and neither is NaN;
        - no transition diverged;
        - the posterior means agree with the exact answer within
          :data:`EXACT_Z_MAX` Monte Carlo standard errors (:attr:`exact_check`),
          where the model has one.

        ``problems`` says, for each rule broken, what and why. A model with
        nothing random (every cell a point, a fixed prior) is its exact answer.
        """
        if self._diagnostics is None:
            self._diagnostics = compute_diagnostics(self.trace)
        return self._diagnostics

    @property
    def exact_check(self) -> dict[str, Any]:
        """The posterior means against the exact engine's answer; see :func:`exact_check`."""
        if self._exact is None:
            self._exact = exact_check(self.trace)
        return self._exact

    def summary_dict(self) -> dict[str, Any]:
        """The summary JSON (DESIGN.md shape), with diagnostics."""
        from motives.conventions import summary_dict

        extra: dict[str, Any] = {"model": self.model, "exact_check": self.exact_check}
        if self.model == "mixture":
            extra["quantity"] = (
                "share: posterior mean of the Dirichlet weights w (motives need not be exclusive)"
            )
        table = self._summary()
        if self.model == "pooled":
            lens_rows = table.xs("lens", level="level")
            extra["lenses"] = {
                i: {
                    "credence": float(r["credence"]),
                    "lower": float(r["lower"]),
                    "upper": float(r["upper"]),
                }
                for i, r in lens_rows.iterrows()
            }
        return summary_dict(
            table,
            method="mcmc",
            lens=self.lens,
            diagnostics=self.diagnostics,
            fallbacks=self.fallbacks,
            extra=extra,
        )

    @property
    def has_log_densities(self) -> bool:
        """True when the trace holds the ``log_prior`` and ``log_likelihood`` groups.

        See :meth:`add_log_densities`.
        """
        return "log_prior" in self.trace.children and "log_likelihood" in self.trace.children

    def add_log_densities(self, case: Case | None = None) -> bool:
        """Compute the ``log_prior`` and ``log_likelihood`` groups of every draw, once.

        They are kept on the fit.

        A fit does not compute them (they cost a compilation and an evaluation over all the draws,
        and only power-scaling sensitivity reads them):
        :func:`motives.models.psense.power_sensitivity` and ``motives run --psense`` ask for them.
        ``log_prior`` holds, per draw, the log density of each judgement's prior (its uncertain
        cells' Betas summed; a source's reliability; a proposition's table rows); ``log_likelihood``
        (variable ``evidence``) the log density of all the evidence given the judgements, summed
        over the hypotheses: one joint term per draw, which is what arviz-stats' ``psense`` reads,
        not one term per observation (ArviZ's ``loo`` and ``waic`` have nothing to leave out).

        The fit's identity (:attr:`config_hash`) and the digest of its draws cover neither group, so
        a fit is the same fit with or without them. Saved with :meth:`save`, they are read back by
        :func:`load_result`.

        Parameters
        ----------
        case
            The case the fit was made of, needed only when this result was not made in this process
            (a loaded fit): the model is rebuilt from it and the fit's record, and refused when the
            case's content is not the fit's.

        Returns
        -------
        bool
            True when the groups are there (added now or before); False for a model that has none
            (nothing random, or the mixture and pooled models, whose potentials mix prior and
            evidence terms).

        Examples
        --------
        >>> import motives as mv
        >>> from motives.models.testing import random_case
        >>> res = mv.fit(
        ...     random_case(11, n_items=2, n_hypotheses=2, n_sources=1),
        ...     draws=100,
        ...     tune=100,
        ...     chains=2,
        ... )
        >>> res.has_log_densities
        False
        >>> res.add_log_densities(), res.has_log_densities
        (True, True)
        >>> [str(j) for j in res.trace["log_prior"]["judgement"].values]
        ['e0', 'e1', 'reliability of s0']
        """
        from motives.models.psense import add_log_densities

        if self.has_log_densities:
            return True
        built = self._built
        if built is None:
            if case is None:
                raise MotivesError(
                    "this fit has no log densities and was not made in this process: pass the case "
                    "it was made of (res.add_log_densities(case)) to rebuild its model"
                )
            built = _rebuild(self, case)
        added = add_log_densities(built, self.trace)
        if added:
            for group in ("log_prior", "log_likelihood"):
                self[group] = xr.DataTree(self.trace[group].to_dataset())
        return added

    # ------------------------------------------------------------------ io

    def save(self, path: str | Path) -> Path:
        """Write the trace (with its config) to a netCDF file through h5netcdf.

        The file is made in memory and written by Python: HDF5 writing to a full disk itself crashes
        the process (a segmentation fault in h5py's clean-up, leaving the temporary folder and lock
        behind), where a Python write raises an ``OSError`` the command reports.
        """
        p = Path(path)
        with local_file_locks():
            data = _clean_for_netcdf(self.trace).to_netcdf(engine="h5netcdf")
        try:
            p.write_bytes(bytes(data))
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(p)) from None
        return p


def local_file_locks() -> Any:
    """A context in which xarray reads and writes a file under this process's own locks.

    With a ``dask.distributed.Client`` open in the process (``run_fits`` on a cluster), xarray takes
    a cluster-wide lock for every netCDF write, named after the target; for an in-memory target that
    name is an object's address, and after a worker dies the scheduler may have forgotten the lock
    ("Semaphore or Lock ... not known"). A fit's data is in memory, so the file is written and read
    here, under dask's synchronous scheduler, with a local lock. Without dask imported, nothing to
    do.

    Examples
    --------
    >>> with local_file_locks():
    ...     pass
    """
    import contextlib
    import sys

    if "dask" not in sys.modules:
        return contextlib.nullcontext()
    import dask

    return dask.config.set(scheduler="synchronous")


def _rebuild(res: FitResult, case: Case) -> Any:
    """The model a fit was sampled from, built again from its case and its record.

    It is refused for another case.
    """
    from motives.models.api import build
    from motives.models.config import case_hash

    cfg = res.config
    if cfg.get("case_hash") != case_hash(case):
        raise MotivesError(
            f"the fit is of case '{cfg.get('case')}' with content hash {cfg.get('case_hash')}, but "
            f"the case given hashes to {case_hash(case)}: its model cannot be rebuilt from it"
        )
    lenses = cfg.get("lenses")
    return build(
        case,
        model=cfg["model"],
        lens=cfg.get("lens"),
        prior=cfg.get("prior"),
        lenses=list(lenses) if lenses is not None else None,
        reliability=cfg.get("reliability", True),
    )


def load_result(
    path: str | Path, spec: AnalysisSpec | str | Path | None = None, *, case: Case | None = None
) -> FitResult:
    r"""Read a saved fit.

    With ``spec`` (or ``case``), refuse it unless it is the fit they ask for now.

    The fit's stored :class:`~motives.models.config.FitConfig` record is compared
    with the one the spec and the case give today: a changed case content (an
    evidence file edited), changed fit settings or another motives version each
    refuse the fit, with a message that says what changed and the command that
    refits. A spec's name, description, ``figures`` and ``sensitivity`` are not
    part of a fit and may change freely.

    Parameters
    ----------
    path
        A ``trace.nc`` written by :meth:`FitResult.save` (or ``motives run``).
    spec
        The analysis spec the result should belong to: its file (the case is then
        loaded from it, and the refusal names the exact ``motives run`` command),
        or an :class:`~motives.spec.AnalysisSpec` together with ``case``.
    case
        The case as it is now. Alone (no ``spec``), only the case content and
        the motives version are compared.

    Raises
    ------
    MotivesError
        When the file cannot be read or is inconsistent, when it was written by a
        motives too old to record its fit, or when the case, the settings or the
        version differ from the fit's.

    Examples
    --------
    Fit a spec (tiny sampler settings), save the result, read it back, and
    see it refused once the spec's settings or the evidence have changed:

    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> import motives as mv
    >>> from motives.models import fit_spec
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> _ = shutil.copytree(mv.examples.path("witness"), root / "witness")
    >>> spec_file = root / "witness.yaml"
    >>> _ = spec_file.write_text(
    ...     "name: witness\ncase: witness\nsampler: {draws: 50, tune: 50, chains: 1}\n"
    ... )
    >>> spec = mv.load_spec(spec_file)
    >>> saved = fit_spec(spec, spec_file).save(root / "trace.nc")
    >>> res = load_result(saved, spec_file)
    >>> res.model, res.config["draws"], res.trace.posterior.sizes["draw"]
    ('exclusive', 50, 50)
    >>> bool(
    ...     abs(res.summary().loc[("hypothesis", "blue"), "credence"] - 0.4138) < 0.05
    ... )  # exact: 0.4138
    True
    >>> case = mv.load_case(root / "witness")
    >>> load_result(
    ...     saved, spec.model_copy(update={"figures": ["svg"]}), case=case
    ... ).config_hash == res.config_hash
    True
    >>> try:
    ...     load_result(saved, spec.model_copy(update={"prior": "uniform"}), case=case)
    ... except MotivesError as err:
    ...     print(str(err).splitlines()[1])
    - prior None -> 'uniform'
    >>> report = root / "witness" / "report.yaml"
    >>> _ = report.write_text(report.read_text().replace("base_rate: 0.5", "base_rate: 0.4"))
    >>> try:
    ...     load_result(saved, spec_file)
    ... except MotivesError as err:
    ...     lines = str(err).splitlines()
    ...     print(
    ...         lines[1][:29],
    ...         lines[2],
    ...         lines[-1].startswith(f"Refit: motives run {spec_file} --out "),
    ...         sep="\n",
    ...     )
    - case content changed (hash
      (evidence item 'says_blue' edited)
    True
    >>> tmp.cleanup()
    """
    import xarray as xr

    p = Path(path)
    if not p.is_file():
        raise MotivesError(f"{p}: no such result file")
    try:
        with local_file_locks(), xr.open_datatree(p, engine="h5netcdf") as dt:
            trace = dt.load()
    except Exception as exc:  # h5py/netCDF raise many kinds on a damaged file
        raise MotivesError(
            f"{p}: not a readable result file ({type(exc).__name__}: {exc})"
        ) from None
    problems = check_trace(trace)
    if problems:
        raise MotivesError(
            f"{p}: not a consistent motives result (was it edited or cut short?): "
            + "; ".join(problems)
        )
    res = FitResult(trace)
    if spec is not None or case is not None:
        check_identity(res, p, spec, case)
    return res


def check_identity(
    res: FitResult, path: Path, spec: AnalysisSpec | str | Path | None, case: Case | None
) -> None:
    """Refuse ``res`` unless its stored fit record equals the one ``spec`` and ``case`` give now.

    See :func:`load_result` (which calls it after reading ``path``); raises
    :class:`MotivesError` saying what changed and how to refit.

    Examples
    --------
    >>> import motives as mv
    >>> from pathlib import Path
    >>> res = mv.fit(mv.examples.load("cookies"), draws=20, chains=2)
    >>> check_identity(
    ...     res, Path("trace.nc"), None, mv.examples.load("cookies")
    ... )  # the same case: no error
    >>> try:
    ...     check_identity(res, Path("trace.nc"), None, mv.examples.load("dice"))
    ... except MotivesError as err:
    ...     print(str(err).splitlines()[1])
    - case 'cookies' -> 'dice'
    """
    from motives.models.config import FitConfig, case_hash, case_parts, parts_changed

    spec_file: Path | None = None
    if isinstance(spec, str | Path):
        from motives.spec import load_spec

        spec_file = Path(spec)
        spec = load_spec(spec_file)
        if case is None:
            from motives.io import load_case

            case = load_case(spec.case_path(spec_file))
    if spec is not None and case is None:
        raise MotivesError(
            f"{path}: to check a saved fit against spec '{spec.name}', pass its case too "
            "(load_result(path, spec, case=...)) or pass the spec file instead of the spec"
        )
    assert case is not None
    import shlex

    # a trace motives run wrote sits in its output folder; one saved by hand elsewhere is not
    # replaced
    out = f"{shlex.quote(str(path.parent))} --force" if path.name == "trace.nc" else "NEW_FOLDER"
    if spec_file is not None:
        refit = f"Refit: motives run {shlex.quote(str(spec_file))} --out {out}"
    else:
        refit = f"Refit: motives run SPEC --out {out}" + (
            f" (SPEC: the file of spec '{spec.name}')" if spec is not None else ""
        )
    try:
        stored = FitConfig.from_stored(res.config)
    except MotivesError as exc:
        written = res.config.get("motives_version")
        who = (
            f"motives {written} (this is {_version()}), whose fit record this version cannot read"
            if isinstance(written, str) and written != _version()
            else "an older motives, from before fits recorded their case content and version"
        )
        raise MotivesError(
            f"{path}: this result was written by {who}, so it cannot be checked against the "
            f"case ({exc}); refit it.\n{refit}"
        ) from None
    if res.config_hash != stored.hash():
        raise MotivesError(
            f"{path}: the stored fit record does not match its hash {res.config_hash} "
            f"(the file was edited); refit it.\n{refit}"
        )
    if spec is not None:
        now = FitConfig.from_spec(spec, case)
        changes = stored.differences(now)
    else:  # the case alone: its content, and the version
        changes = stored.differences(
            stored.model_copy(
                update={
                    "case": case.name,
                    "case_hash": case_hash(case),
                    "motives_version": _version(),
                }
            )
        )
    if not changes:
        return
    details = []
    for line in changes:
        details.append(f"- {line}")
        if line.startswith("case content changed"):
            old = res.trace.attrs.get("motives_case_parts")
            try:
                parts = (
                    parts_changed(json.loads(old), case_parts(case)) if isinstance(old, str) else []
                )
            except (TypeError, ValueError, AttributeError):
                parts = []
            if parts:
                shown = parts[:8] + ([f"and {len(parts) - 8} more"] if len(parts) > 8 else [])
                details.append("  (" + "; ".join(shown) + ")")
    raise MotivesError(
        f"{path}: this saved fit no longer matches "
        + (f"spec '{spec.name}' and its case" if spec is not None else f"case '{case.name}'")
        + ":\n"
        + "\n".join(details)
        + f"\n{refit}"
    )


def _version() -> str:
    import motives

    return motives.__version__


def check_trace(trace: xr.DataTree) -> list[str]:  # noqa: C901 - one check per part of a saved fit's identity
    """What is inconsistent in a saved trace: its attributes, its shape, or its credences.

    The attributes must parse (config JSON with the chains and draws asked for, a known
    model, the lists); the posterior must hold the model's quantities with every chain
    complete; credences (or shares) lie in [0, 1] and sum to 1 in every draw, and so do
    the family credences. The draws must match the digest recorded when the fit was made
    (:func:`motives.models.config.draws_digest`).
    """
    problems: list[str] = []
    attrs = trace.attrs
    model = attrs.get("motives_model")
    if model not in LEVELS:
        problems.append(f"attribute motives_model is {model!r}, not one of {', '.join(LEVELS)}")
        model = "exclusive"
    parsed: dict[str, Any] = {}
    for name, kind in (
        ("motives_config", dict),
        ("motives_fallbacks", list),
        ("motives_exact", dict),
        ("motives_deterministics", list),
        ("motives_draws_digest", dict),
    ):
        raw = attrs.get(name)
        if raw is None:
            if name == "motives_draws_digest":
                problems.append(
                    "attribute motives_draws_digest is missing (a fit of a motives from before "
                    "fits recorded a digest of their draws, or an edited file): refit it"
                )
            elif name in ("motives_config", "motives_fallbacks"):
                problems.append(f"attribute {name} is missing")
            continue
        try:
            parsed[name] = json.loads(raw)
        except (TypeError, ValueError):
            problems.append(f"attribute {name} is not valid JSON")
            continue
        if not isinstance(parsed[name], kind):
            problems.append(f"attribute {name} is not a JSON {kind.__name__}")
            parsed.pop(name)
    if not isinstance(attrs.get("motives_config_hash"), str):
        problems.append("attribute motives_config_hash is missing")
    if "posterior" not in trace.children:
        return [*problems, "no posterior group"]
    post = trace.posterior
    sizes = (int(post.sizes.get("chain", 0)), int(post.sizes.get("draw", 0)))
    config = parsed.get("motives_config", {})
    want = (config.get("chains"), config.get("draws"))
    if not all(isinstance(w, int) for w in want):
        problems.append("the config does not say how many chains and draws were asked for")
    elif want != sizes:
        problems.append(
            f"the posterior holds {sizes[0]} chain(s) x {sizes[1]} draws, but {want[0]} x "
            f"{want[1]} "
            "were asked for"
        )
    for _level, var in LEVELS[model]:
        if var not in post:
            problems.append(f"the posterior has no '{var}'")
            continue
        if var.startswith("lens_"):
            continue
        x = np.asarray(post[var].values, dtype=float)
        if x.ndim != 3:
            problems.append(
                f"'{var}' has dimensions {post[var].dims}, expected (chain, draw, one more)"
            )
            continue
        if not np.isfinite(x).all() or (x < -1e-9).any() or (x > 1 + 1e-9).any():
            problems.append(f"'{var}' has values outside [0, 1]")
        elif not np.allclose(x.sum(axis=-1), 1.0, atol=1e-6):
            bad = int((np.abs(x.sum(axis=-1) - 1.0) > 1e-6).sum())
            problems.append(f"'{var}' does not sum to 1 in {bad} draw(s)")
    if (
        "motives_draws_digest" in parsed
    ):  # last: a draw edited within the rules above is caught here
        from motives.models.config import draws_changed, draws_digest

        problems += draws_changed(
            {str(k): str(v) for k, v in parsed["motives_draws_digest"].items()}, draws_digest(trace)
        )
    return problems


# --------------------------------------------------------------------------- what ArviZ reads


def arviz_groups(trace: xr.DataTree) -> dict[str, xr.Dataset]:
    """The groups a :class:`FitResult` shows ArviZ, by path.

    ``"/"`` is the root, with the trace's attributes.

    ``posterior`` keeps the quantities the summary reports (:data:`LEVELS` of the fit's model:
    credences and family credences, or shares; lens credences for the pooled model), so ArviZ's
    plots and summaries speak of them by default; every other group of the trace (``sample_stats``,
    and ``log_likelihood`` or ``log_prior`` where the model records them) is passed on as it is.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.testing import fake_fit
    >>> res = fake_fit(mv.examples.load("cookies"))
    >>> sorted(arviz_groups(res.trace)), list(arviz_groups(res.trace)["posterior"].data_vars)
    (['/', 'posterior', 'sample_stats'], ['credence', 'family_credence'])
    """
    model = str(trace.attrs.get("motives_model", "exclusive"))
    out: dict[str, xr.Dataset] = {"/": xr.Dataset(attrs=dict(trace.attrs))}
    for name, node in trace.children.items():
        ds = node.to_dataset()
        if name == "posterior":
            keep = [
                var for _level, var in LEVELS.get(model, LEVELS["exclusive"]) if var in ds.data_vars
            ]
            ds = ds[keep] if keep else ds
        out[str(name)] = ds
    return out


# --------------------------------------------------------------------------- helpers


def _flat_ids(da: xr.DataArray, dims: list[str]) -> list[str]:
    if not dims:
        return [str(da.name)]
    import itertools

    labels = [[str(v) for v in da[d].values] for d in dims]
    return ["/".join(t) for t in itertools.product(*labels)]


def _element_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """r̂, bulk ESS and MCSE of the mean for each column of x (chain, draw, n).

    NaN where x is constant. arviz-stats' numbers, every column at once
    (:mod:`motives.models.chain_stats`).
    """
    from motives.models.chain_stats import element_stats

    n = x.shape[-1]
    rhat, ess, mcse = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    varying = np.ptp(x.reshape(-1, n), axis=0) > 0
    if varying.any():
        rhat[varying], ess[varying], mcse[varying] = element_stats(x[..., varying])
    mcse[~varying] = 0.0
    return rhat, ess, mcse


def compute_diagnostics(trace: xr.DataTree) -> dict[str, Any]:  # noqa: C901 - one branch per diagnostic and model kind
    """Is a fit clean? See :attr:`FitResult.diagnostics` for the rules."""
    post = trace.posterior
    n_chains, n_draws = int(post.sizes.get("chain", 0)), int(post.sizes.get("draw", 0))
    random = not str(trace.attrs.get("sampler", "")).startswith("none")
    deterministic = set(_json_attr(trace, "motives_deterministics", []))
    problems: list[str] = []
    if random:
        if n_chains < MIN_CHAINS:
            problems.append(
                f"{n_chains} chain(s): at least {MIN_CHAINS} are needed to tell whether they agree"
            )
        if n_draws < MIN_DRAWS:
            problems.append(
                f"{n_draws} draws per chain: at least {MIN_DRAWS} are needed to diagnose a fit"
            )
    config = _json_attr(trace, "motives_config", {})
    want = (config.get("chains"), config.get("draws")) if isinstance(config, dict) else (None, None)
    if all(isinstance(w, int) for w in want) and want != (n_chains, n_draws):
        problems.append(
            f"incomplete: {n_chains} chain(s) x {n_draws} draws of the {want[0]} x {want[1]} "
            "asked for"
        )
    rh, es, stuck, nan_stat, nonfinite = [], [], [], [], []
    columns: list[tuple[str, np.ndarray]] = []
    for name, da in post.data_vars.items():
        if not np.issubdtype(da.dtype, np.floating):
            continue
        other = [d for d in da.dims if d not in ("chain", "draw")]
        x = da.transpose("chain", "draw", *other).values.reshape(
            da.sizes["chain"], da.sizes["draw"], -1
        )
        if x.size == 0:
            continue
        if not np.isfinite(x).all():
            nonfinite.append(str(name))
            continue
        columns.append((str(name), x))
    # one call per statistic over every variable's columns side by side (a call per variable
    # cost about a second of a baseline fit); the same numbers, split back per variable
    joined = np.concatenate([x for _, x in columns], axis=-1) if columns else np.empty((0, 0, 0))
    r_cols, e_cols, _ = _element_stats(joined) if columns else (joined, joined, joined)
    start = 0
    for name, x in columns:
        n = x.shape[-1]
        r, e = r_cols[start : start + n], e_cols[start : start + n]
        start += n
        rh.append(r)
        es.append(e)
        if not random:
            continue
        varying = np.ptp(x.reshape(-1, x.shape[-1]), axis=0) > 0
        if (
            not deterministic or name not in deterministic
        ):  # a sampled quantity: it must move in every chain
            if x.shape[1] > 1 and (np.ptp(x, axis=1) == 0).any():
                stuck.append(name)
        if (
            varying.any()
            and x.shape[0] * x.shape[1] >= 4
            and not (np.isfinite(r[varying]).all() and np.isfinite(e[varying]).all())
        ):
            nan_stat.append(name)
    r_all = np.concatenate(rh) if rh else np.array([])
    e_all = np.concatenate(es) if es else np.array([])
    r_all, e_all = r_all[np.isfinite(r_all)], e_all[np.isfinite(e_all)]
    divergences = 0
    if "sample_stats" in trace.children and "diverging" in trace.sample_stats:
        divergences = int(np.asarray(trace.sample_stats["diverging"]).sum())
    r_max = float(r_all.max()) if r_all.size else None
    e_min = float(e_all.min()) if e_all.size else None
    if nonfinite:
        problems.append(f"draws that are not numbers (NaN or infinite) in {', '.join(nonfinite)}")
    if stuck:
        problems.append(f"a chain never moved for {', '.join(stuck)} (the sampler is stuck)")
    if nan_stat:
        problems.append(
            f"r_hat or ESS is not a number for {', '.join(nan_stat)} (too few draws to diagnose)"
        )
    if r_max is not None and r_max > RHAT_MAX:
        problems.append(
            f"r_hat max {r_max:.3f} > {RHAT_MAX} (chains disagree: run longer or reparametrise)"
        )
    if e_min is not None and e_min < ESS_BULK_MIN:
        problems.append(
            f"bulk ESS min {e_min:.0f} < {ESS_BULK_MIN} (too few effective draws: raise draws)"
        )
    if divergences:
        problems.append(
            f"{divergences} divergent transition(s) (the sampler missed part of the posterior; "
            "raise target_accept or reparametrise)"
        )
    check = exact_check(trace)
    if check["available"] and not check["ok"]:
        bad = [
            f"{lvl} {i} {_mean_text(v)}"
            for lvl, key in (("hypothesis", "hypotheses"), ("family", "families"))
            for i, v in check[key].items()
            if not v["ok"]
        ]
        problems.append(
            f"posterior means disagree with the exact answer by more than {EXACT_Z_MAX:g} Monte "
            "Carlo "
            f"standard errors: {', '.join(bad)} (the sampler has not explored the posterior)"
        )
    return {
        "r_hat_max": r_max,
        "ess_bulk_min": e_min,
        "divergences": divergences,
        "chains": n_chains,
        "draws": n_draws,
        "exact_check_ok": check["ok"] if check["available"] else None,
        "ok": not problems,
        "problems": problems,
    }


def _mean_text(row: dict[str, Any]) -> str:
    mean = "not a number" if row["mean"] is None else f"{row['mean']:.4f}"
    z = "" if row["z"] is None else f", z = {row['z']:+.1f}"
    return f"(MCMC {mean}, exact {row['exact']:.4f}{z})"


def _json_attr(trace: xr.DataTree, name: str, default: Any) -> Any:
    raw = trace.attrs.get(name)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return default


def exact_check(trace: xr.DataTree) -> dict[str, Any]:
    """The fit's posterior means against the exact answer stored with it (``motives_exact``).

    Returns
    -------
    dict
        ``available`` (False with a ``reason`` when the model has no closed form
        for this case), ``ok``, ``z_max`` (the threshold, :data:`EXACT_Z_MAX`), and
        per ``hypotheses`` and ``families`` id: ``exact``, ``mean`` (MCMC),
        ``mcse`` (of the mean), ``z`` = (mean − exact) / mcse and ``ok`` (|z| ≤ z_max).
        A quantity that does not vary has mcse 0; it passes only when it equals
        the exact value (to 1e-9).
    """
    ref = _json_attr(trace, "motives_exact", None)
    if not isinstance(ref, dict) or not ref.get("available"):
        reason = (
            ref.get("reason")
            if isinstance(ref, dict)
            else "no exact answer was stored with this fit"
        )
        return {"available": False, "reason": str(reason), "ok": None, "z_max": EXACT_Z_MAX}
    model = str(trace.attrs.get("motives_model", "exclusive"))
    post = trace.posterior
    out: dict[str, Any] = {"available": True, "ok": True, "z_max": EXACT_Z_MAX}
    for (level, var), key in zip(
        LEVELS.get(model, LEVELS["exclusive"])[:2], ("hypotheses", "families"), strict=True
    ):
        want = ref.get(level) or {}
        rows: dict[str, Any] = {}
        if var in post:
            da = post[var]
            dim = next((d for d in da.dims if d not in ("chain", "draw")), None)
            if dim is not None:
                labels = [str(v) for v in da[dim].values]
                x = da.transpose("chain", "draw", dim).values.reshape(
                    da.sizes["chain"], da.sizes["draw"], -1
                )
                _, _, mcse = _element_stats(x)
                mean = x.mean(axis=(0, 1))
                for j, i in enumerate(labels):
                    if i not in want:
                        continue
                    rows[i] = _z_row(float(want[i]), float(mean[j]), float(mcse[j]))
        missing = sorted(set(want) - set(rows))
        for i in missing:
            rows[i] = {"exact": float(want[i]), "mean": None, "mcse": None, "z": None, "ok": False}
        out[key] = rows
        out["ok"] = out["ok"] and all(v["ok"] for v in rows.values())
    return out


def _z_row(exact: float, mean: float, mcse: float) -> dict[str, Any]:
    diff = mean - exact
    if not (np.isfinite(mean) and np.isfinite(mcse)):
        z = None
    elif mcse > 0:
        z = diff / mcse
    else:
        z = 0.0 if abs(diff) <= 1e-9 else (float("inf") if diff > 0 else float("-inf"))
    ok = z is not None and abs(z) <= EXACT_Z_MAX
    zs = None if z is None or not np.isfinite(z) else float(z)
    return {
        "exact": exact,
        "mean": mean if np.isfinite(mean) else None,
        "mcse": mcse if np.isfinite(mcse) else None,
        "z": zs,
        "ok": bool(ok),
    }


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
