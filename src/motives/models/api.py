"""``fit`` and ``fit_spec``: build a fit's record and model, sample it, wrap the trace.

The trace is wrapped with the fit's config record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from motives.errors import MotivesError
from motives.models.config import FitConfig, case_hash, case_parts, draws_digest
from motives.models.result import FitResult
from motives.schema import Case

if TYPE_CHECKING:
    from motives.models.sampling import Backend, BuiltModel
    from motives.spec import AnalysisSpec

ModelKind = Literal["exclusive", "mixture", "pooled"]


def build(
    case: Case,
    *,
    model: ModelKind = "exclusive",
    lens: str | None = None,
    prior: Any = None,
    lenses: list[str] | None = None,
    reliability: bool = True,
) -> BuiltModel:
    """Build (but do not sample) one of the models of a case.

    Parameters are those of :func:`fit`.
    """
    if model == "exclusive":
        from motives.models.exclusive import build_exclusive

        return build_exclusive(case, lens=lens, prior=prior, reliability=reliability)
    if model == "mixture":
        from motives.models.mixture import build_mixture

        return build_mixture(case, lens=lens, prior=prior, reliability=reliability)
    if model == "pooled":
        from motives.models.pooled import build_pooled

        return build_pooled(case, lenses=lenses, prior=prior, reliability=reliability)
    raise MotivesError(f"model must be 'exclusive', 'mixture' or 'pooled', got {model!r}")


def fit(
    case: Case,
    *,
    model: ModelKind = "exclusive",
    lens: str | None = None,
    prior: Any = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 1,
    backend: Backend = "auto",
    lenses: list[str] | None = None,
    reliability: bool = True,
    progressbar: bool = False,
    target_accept: float = 0.9,
) -> FitResult:
    """Fit a PyMC model of a case by MCMC.

    Parameters
    ----------
    case
        The case (from :func:`motives.load_case`).
    model
        ``exclusive`` (one hypothesis is true), ``mixture`` (explanatory
        shares) or ``pooled`` (several lenses, consensus and per-lens credences).
    lens
        Whose likelihoods (exclusive, mixture); default the case's default lens.
    prior
        None (the case's), ``"uniform"``, ``{hypothesis: p}``, a list, or
        ``{"dirichlet": {hypothesis: alpha}}``.
    draws, tune, chains
        Draws kept per chain, tuning steps per chain, number of chains.
    seed
        Random seed; the same seed gives identical draws.
    backend
        ``auto``, ``nutpie`` or ``pymc``. ``auto`` is PyMC's NUTS for a one-off
        fit (nutpie's compilation costs more than it saves), nutpie when this
        process already compiled the same model structure (then a fit is a
        few seconds); see :mod:`motives.models.sampling`.
    lenses
        Lenses pooled by the pooled model (default: all of the case's).
    reliability
        Mix in source reliability.
    progressbar
        Show the sampler's progress bar.
    target_accept
        NUTS target acceptance rate.

    Returns
    -------
    FitResult
        ``.trace`` (DataTree with its :class:`~motives.models.config.FitConfig` record
        and the record's hash in its attrs),
        ``.summary()``, ``.diagnostics``, ``.summary_dict()``, ``.save(path)``.

    Examples
    --------
    The taxicab witness, with tiny sampler settings (a real fit keeps the defaults):

    >>> import motives as mv
    >>> case = mv.examples.load("witness")
    >>> res = mv.fit(case, draws=50, tune=50, chains=1, seed=1)
    >>> res.model, res.lens, res.config["draws"]
    ('exclusive', 'default', 50)
    >>> s = res.summary()
    >>> s.index.tolist()
    [('hypothesis', 'blue'), ('hypothesis', 'green'), ('family', 'blue'), ('family', 'green')]
    >>> list(s.columns)
    ['credence', 'lower', 'upper', 'mcse', 'r_hat', 'ess_bulk', 'exact', 'z']
    >>> exact = mv.exact_posterior(case).loc[("hypothesis", "blue"), "credence"]  # 0.4138
    >>> bool(abs(s.loc[("hypothesis", "blue"), "credence"] - exact) < 0.05)
    True
    >>> float(s.loc[("hypothesis", "blue"), "exact"]) == float(
    ...     exact
    ... )  # the exact cross-check, on every fit
    True
    >>> sorted(res.diagnostics)
    ['chains', 'divergences', 'draws', 'ess_bulk_min', 'exact_check_ok', 'ok', 'problems',
    'r_hat_max']
    >>> (
    ...     res.diagnostics["ok"],
    ...     res.exact_check["ok"],
    ... )  # nothing random here: the "fit" is the exact answer
    (True, True)
    >>> from motives.models.testing import random_case
    >>> uncertain = random_case(
    ...     7, n_items=3, n_hypotheses=3, n_sources=1
    ... )  # Beta judgements: sampled
    >>> bad = mv.fit(uncertain, draws=50, tune=50, chains=1, seed=1)
    >>> bad.diagnostics["ok"]
    False
    >>> for problem in bad.diagnostics["problems"][:2]:
    ...     print(problem)
    1 chain(s): at least 2 are needed to tell whether they agree
    50 draws per chain: at least 100 are needed to diagnose a fit
    """
    config = FitConfig.build(
        case,
        model=model,
        lens=lens,
        prior=prior,
        lenses=lenses,
        reliability=reliability,
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
        backend=backend,
        target_accept=target_accept,
    )
    return fit_from_config(case, config, progressbar=progressbar)


def fit_spec(
    spec: AnalysisSpec,
    spec_path: str | Path,
    *,
    progressbar: bool = False,
    case: Case | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> FitResult:
    r"""Fit an analysis spec.

    :func:`fit` with the spec's model, lens, prior, reliability and sampler settings.

    The fit's identity is the same :class:`~motives.models.config.FitConfig` record :func:`fit`
    builds (the spec's name, description, ``figures`` and ``sensitivity`` are not part of it);
    the spec itself is stored beside the trace (attr ``motives_spec``) for reference.

    Parameters
    ----------
    spec
        The spec (from :func:`motives.load_spec`).
    spec_path
        Its file: the case folder is resolved against it.
    progressbar
        Show the sampler's progress bar.
    case
        The case, when already loaded (default: load ``spec.case``).
    on_phase
        Called with a few words as each phase begins (building the model, compiling and sampling,
        the exact check), for a progress display.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> import motives as mv
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> _ = shutil.copytree(mv.examples.path("witness"), root / "witness")
    >>> spec_file = root / "witness.yaml"
    >>> _ = spec_file.write_text(
    ...     "name: w\ncase: witness\nsampler: {draws: 50, tune: 50, chains: 1}\n"
    ... )
    >>> res = fit_spec(mv.load_spec(spec_file), spec_file)
    >>> res.config_hash == fit(mv.examples.load("witness"), draws=50, tune=50, chains=1).config_hash
    True
    >>> tmp.cleanup()
    """
    from motives.io import load_case

    if case is None:
        case = load_case(spec.case_path(spec_path))
    return fit_from_config(
        case,
        FitConfig.from_spec(spec, case),
        progressbar=progressbar,
        extra={"motives_spec": json.dumps(spec.model_dump(mode="json"), sort_keys=True)},
        on_phase=on_phase,
    )


def fit_from_config(
    case: Case,
    config: FitConfig,
    *,
    progressbar: bool,
    extra: dict[str, str] | None = None,
    data: dict[str, Any] | None = None,
    cores: int | None = None,
    log_densities: bool = False,
    on_phase: Callable[[str], None] | None = None,
    auto_backend: str | None = None,
) -> FitResult:
    """Build and sample the model a :class:`FitConfig` describes.

    The record is the only input besides the case.

    ``data`` sets ``pm.Data`` knobs before sampling (a many-fit task's values, e.g. simulated
    ``observed`` items); ``cores`` caps the processes sampling the chains (1 in a many-fit worker);
    ``log_densities`` adds the ``log_prior`` and ``log_likelihood`` groups of every draw
    (:func:`motives.models.psense.add_log_densities`; what power-scaling sensitivity reads; off by
    default: :meth:`FitResult.add_log_densities` adds them later, with the model kept on the
    result); ``on_phase`` is told each phase as it begins; ``auto_backend`` is what the record's
    backend ``auto`` means here (default: :func:`~motives.models.sampling.auto_backend_for_fit`,
    which depends on what this process compiled before; a many-fit task fixes it).

    A write the machine refuses meanwhile (a full disk under PyTensor's compile cache) is an
    ``OSError`` saying where it went (:func:`motives.models.scratch.scratch_writes`).
    """
    from motives.models.scratch import scratch_writes

    with scratch_writes():
        return _fit_from_config(
            case,
            config,
            progressbar=progressbar,
            extra=extra,
            data=data,
            cores=cores,
            log_densities=log_densities,
            on_phase=on_phase,
            auto_backend=auto_backend,
        )


def _fit_from_config(
    case: Case,
    config: FitConfig,
    *,
    progressbar: bool,
    extra: dict[str, str] | None = None,
    data: dict[str, Any] | None = None,
    cores: int | None = None,
    log_densities: bool = False,
    on_phase: Callable[[str], None] | None = None,
    auto_backend: str | None = None,
) -> FitResult:
    """:func:`fit_from_config`'s work."""
    from motives.models.sampling import (
        auto_backend_for_fit,
        check_counts,
        sample,
        set_data,
    )
    from motives.models.trace_memory import check_trace_memory

    if config.case_hash != case_hash(
        case
    ):  # a record built for another case (or an edited copy of it)
        raise MotivesError(
            f"the fit config is for case '{config.case}' with content hash {config.case_hash}, "
            f"but the case given hashes to {case_hash(case)}"
        )
    check_counts(draws=config.draws, tune=config.tune, chains=config.chains)
    phase = on_phase or (lambda _text: None)
    phase("building the model (importing PyMC the first time)")
    built = build(
        case,
        model=config.model,
        lens=config.lens,
        prior=config.prior,
        lenses=list(config.lenses) if config.lenses is not None else None,
        reliability=config.reliability,
    )
    changed = _changed_knobs(built, data or {})
    if data:
        set_data(built, **data)
    check_trace_memory(built, draws=config.draws, chains=config.chains, log_densities=log_densities)
    backend: Any = config.backend  # "auto" resolved to the backend this fit uses
    if backend == "auto":
        backend = auto_backend or auto_backend_for_fit(built)
    phase(
        f"compiling and sampling ({backend}: {config.chains} chains x {config.tune} tuning + "
        f"{config.draws} "
        "draws)"
    )
    trace = sample(
        built,
        draws=config.draws,
        tune=config.tune,
        chains=config.chains,
        seed=config.seed,
        backend=backend,
        progressbar=progressbar,
        target_accept=config.target_accept,
        cores=cores,
    )
    if log_densities:  # the log_prior and log_likelihood groups power-scaling sensitivity reads
        from motives.models.psense import add_log_densities

        add_log_densities(built, trace)
    lens = built.settings.get("lens") or ""
    if isinstance(built.inputs, list):
        lens = "+".join(i.lens for i in built.inputs)
    fallbacks = sorted(
        {
            f
            for i in (built.inputs if isinstance(built.inputs, list) else [built.inputs])
            for f in i.fallbacks
        }
    )
    phase("diagnostics and the check against the exact engine")
    trace.attrs.update(
        {
            "motives_exact": json.dumps(_exact_for(case, config.as_dict(), changed)),
            "motives_model": built.kind,
            "motives_lens": lens,
            "motives_config": config.to_json(),
            "motives_config_hash": config.hash(),
            "motives_case_parts": json.dumps(case_parts(case), sort_keys=True),
            "motives_built": json.dumps(built.settings, sort_keys=True, default=str),
            "motives_fallbacks": json.dumps(fallbacks),
            **(extra or {}),
        }
    )
    trace.attrs["motives_draws_digest"] = json.dumps(
        draws_digest(trace), sort_keys=True
    )  # what came out
    res = FitResult(trace)
    res._built = (
        built  # for log densities asked for later (FitResult.add_log_densities), without a rebuild
    )
    return res


def _changed_knobs(built: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The ``pm.Data`` knobs ``data`` sets to values other than the built model's (the case's).

    With their values.

    Equal up to rounding (relative 1e-12) counts as the same: a prior renormalised after raising
    it to the power 1 is the case's prior.
    """
    import numpy as np

    defaults = built.data_values()
    out = {}
    for k, v in data.items():
        new, old = np.asarray(v, dtype=float), np.asarray(defaults.get(k, np.nan), dtype=float)
        if k in defaults and not (
            new.shape == old.shape and np.allclose(new, old, rtol=1e-12, atol=0.0)
        ):
            out[k] = new
    return out


def _exact_for(case: Case, settings: dict[str, Any], changed: dict[str, Any]) -> dict[str, Any]:
    """:func:`exact_reference` of a fit whose knobs ``changed`` differ from the case's.

    For example a many-fit task's values.

    A new fixed prior (the ``log_prior`` knob of a refit grid) has its closed form: the case's
    with that prior. Any other knob set to other values (simulated ``observed`` items, a
    concentration, weights) makes a fit of something the case's closed form does not describe;
    checking it against the case's answer would call a good fit failed, so there is no reference.
    """
    import numpy as np

    if not changed:
        return exact_reference(case, settings)
    if set(changed) == {"log_prior"} and settings["model"] == "exclusive":
        p = np.exp(changed["log_prior"])
        return exact_reference(case, {**settings, "prior": (p / p.sum()).tolist()})
    return {
        "available": False,
        "reason": f"the fit sets the model's {', '.join(sorted(changed))} to values other "
        "than the case's, which the case's closed form does not describe",
    }


def exact_reference(case: Case, settings: dict[str, Any]) -> dict[str, Any]:
    """The exact answer a fit is checked against (``exact_check``), or why there is none.

    The exclusive model's posterior mean credences equal the exact engine's
    (:func:`motives.exact.exact_posterior`); the mixture model's mean shares equal
    :func:`motives.exact_mixture.exact_mixture` unless a source of uncertain
    reliability couples items (or the expansion is too large); the pooled model
    has no closed form.

    Returns
    -------
    dict
        ``{"available": True, "hypothesis": {id: value}, "family": {id: value}}`` or
        ``{"available": False, "reason": str}``.
    """
    import numpy as np

    from motives.errors import MotivesError

    kind = settings["model"]
    try:
        if kind == "exclusive":
            from motives.exact import exact_posterior

            table = exact_posterior(
                case,
                lens=settings["lens"],
                prior=settings["prior"],
                reliability=settings["reliability"],
            )
            hyp = {
                str(k): float(v)
                for k, v in table.xs("hypothesis", level="level")["credence"].items()
            }
            fam = {
                str(k): float(v) for k, v in table.xs("family", level="level")["credence"].items()
            }
        elif kind == "mixture":
            from motives.exact_mixture import exact_mixture

            shares = exact_mixture(
                case,
                lens=settings["lens"],
                prior=settings["prior"],
                reliability=settings["reliability"],
            )
            hyp = {h.id: float(v) for h, v in zip(case.hypotheses, shares, strict=True)}
            fam = {}
            for h in case.hypotheses:
                fam[h.family_id] = fam.get(h.family_id, 0.0) + hyp[h.id]
        else:
            return {"available": False, "reason": f"the {kind} model has no closed form"}
    except MotivesError as exc:
        return {
            "available": False,
            "reason": f"no closed form for this case: {str(exc).splitlines()[0]}",
        }
    if not all(np.isfinite(v) for v in [*hyp.values(), *fam.values()]):
        return {"available": False, "reason": "the closed form is not finite for this case"}
    return {"available": True, "hypothesis": hyp, "family": fam}
