"""Sampling a built model: backend choice (nutpie or PyMC's NUTS), seeds, refits with new knobs.

Measured on the baseline case (4 chains x (500 tune + 1000 draws), 2 cores; benchmarks/README.md):
nutpie compiles the model with numba in 80-160 s the first time a structure is seen (its two
C callbacks and the rest of the compiled model are then kept on disk,
:mod:`motives.models.nutpie_cache`, and a later process loads them in about 2 s) and samples in
about 5 s; PyMC's own NUTS
(``nuts_sampler="pymc"``; its functions kept on disk by :mod:`motives.models.compiled`) takes
20-26 s per fit, about 13 s of it sampling. Hence ``backend="auto"``:

- :func:`sample` and :func:`refit` of a built model (sensitivity sweeps, SBC,
  notebooks that refit) use nutpie, compiled once per model structure and
  kept for the process, so a refit only swaps ``pm.Data`` values
  (``CompiledPyMCModel.with_data``);
- a one-off :func:`motives.fit` uses PyMC's NUTS, unless nutpie already holds
  a compilation of the same structure in this process (the choice never depends on what is on
  disk, so a spec's draws do not depend on the state of a cache). A spec that is fitted again
  and again (the bundled ``models/baseline.yaml``) says ``backend: nutpie``.

PyMC's NUTS gets its two compiled functions (log density + gradient, the trace's point function)
from :mod:`motives.models.compiled`: compiled once for all chains and kept on disk across
processes.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from motives.errors import MotivesError

if TYPE_CHECKING:
    import pymc as pm
    import xarray as xr

Backend = Literal["auto", "nutpie", "pymc"]


@dataclass
class BuiltModel:
    """A PyMC model with the inputs it was built from.

    Attributes
    ----------
    kind
        ``exclusive``, ``mixture`` or ``pooled``.
    model
        The ``pm.Model``.
    inputs
        :class:`motives.models.evidence.ModelInputs` (a list of them, one per lens, for ``pooled``).
    settings
        JSON-able description of how it was built (stored with every fit).
    """

    kind: str
    model: pm.Model
    inputs: Any
    settings: dict[str, Any]
    compiled: dict[str, Any] = field(default_factory=dict, repr=False)

    def data_values(self) -> dict[str, np.ndarray]:
        """Current values of the ``pm.Data`` knobs."""
        return {v.name: np.asarray(v.get_value()) for v in self.model.data_vars}


def choose_backend(backend: Backend = "auto") -> Literal["nutpie", "pymc"]:
    """Resolve ``auto`` to ``nutpie`` when it is installed, else ``pymc``."""
    if backend not in ("auto", "nutpie", "pymc"):
        raise MotivesError(f"backend must be 'auto', 'nutpie' or 'pymc', got {backend!r}")
    has_nutpie = importlib.util.find_spec("nutpie") is not None
    if backend == "nutpie" and not has_nutpie:
        raise MotivesError(
            "backend 'nutpie' was asked for but nutpie is not installed (pip install nutpie)"
        )
    if backend == "auto":
        return "nutpie" if has_nutpie else "pymc"
    return backend


def set_data(built: BuiltModel, **values: Any) -> None:
    """Set ``pm.Data`` knobs (same shapes); the next sample uses them without recompiling."""
    import pymc as pm

    known = {v.name: v for v in built.model.data_vars}
    for name, value in values.items():
        if name not in known:
            raise MotivesError(f"unknown model input {name!r}; inputs: {', '.join(sorted(known))}")
        old = np.asarray(known[name].get_value())
        new = np.asarray(value, dtype=old.dtype)
        if new.shape != old.shape:
            raise MotivesError(f"model input {name!r} must have shape {old.shape}, got {new.shape}")
    pm.set_data(
        {k: np.asarray(v, dtype=np.asarray(known[k].get_value()).dtype) for k, v in values.items()},
        model=built.model,
    )


def sample(
    built: BuiltModel,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 1,
    backend: Backend = "auto",
    progressbar: bool = False,
    target_accept: float = 0.9,
    cores: int | None = None,
) -> xr.DataTree:
    """Sample the posterior of a built model.

    Parameters
    ----------
    built
        From ``build_exclusive``, ``build_mixture`` or ``build_pooled``.
    draws, tune, chains
        Draws kept per chain, tuning steps per chain, number of chains.
    seed
        Random seed: the same seed gives the same draws.
    backend
        ``auto`` (nutpie when installed), ``nutpie`` or ``pymc``.
    progressbar
        Show a progress bar.
    target_accept
        NUTS target acceptance rate.
    cores
        Chains sampled at once (default: one per chain, up to the CPUs); a many-fit worker
        (:mod:`motives.models.many`) uses 1. The draws do not depend on it.

    Returns
    -------
    xarray.DataTree
        With ``posterior`` and ``sample_stats`` groups.
    """
    model = built.model
    check_counts(draws=draws, tune=tune, chains=chains)
    if not model.free_RVs:
        trace = _constant_trace(built, draws=draws, chains=chains)
        trace.attrs["motives_deterministics"] = json.dumps([v.name for v in model.deterministics])
        return trace
    which = choose_backend(backend)
    if which == "nutpie" and tune < 1:
        if backend == "nutpie":
            raise MotivesError(
                "nutpie needs at least one tuning step (tune >= 1); use backend='pymc' for tune=0"
            )
        which = "pymc"
    if which == "nutpie":
        import nutpie

        compiled = _nutpie_compiled(built)
        shared = {v.name for v in compiled.shared_var_keys}
        data = {
            k: v for k, v in built.data_values().items() if k in shared
        }  # unused knobs are compiled away
        if data:
            compiled = compiled.with_data(**data)
        with _interrupts() as interrupted:
            trace = nutpie.sample(
                compiled,
                draws=draws,
                tune=tune,
                chains=chains,
                seed=seed,
                progress_bar=progressbar,
                target_accept=target_accept,
                save_warmup=False,
                cores=_cores(chains, cores),
            )
    else:
        import pymc as pm

        from motives.models.compiled import using_nuts_functions

        with (
            using_nuts_functions(built),
            _interrupts() as interrupted,
            warnings.catch_warnings(),
        ):
            # more chains than draws is a (failed) fit the diagnostics report, not a naming mistake
            warnings.filterwarnings(
                "ignore", message="Found chain dimension to be longer than draw"
            )
            trace = pm.sample(
                model=model,
                draws=draws,
                tune=tune,
                chains=chains,
                random_seed=seed,
                progressbar=progressbar,
                target_accept=target_accept,
                nuts_sampler="pymc",
                cores=_cores(chains, cores),
                compute_convergence_checks=False,
            )
    if interrupted:
        # PyMC and nutpie catch KeyboardInterrupt and return the draws made so far: a fit that was
        # interrupted must not look like a (short) result, so the interrupt goes on to the caller.
        raise KeyboardInterrupt("sampling was interrupted")
    got = (trace.posterior.sizes.get("chain", 0), trace.posterior.sizes.get("draw", 0))
    if got != (chains, draws):
        raise IncompleteSampling(
            f"the sampler returned {got[0]} chain(s) x {got[1]} draws of the {chains} x "
            f"{draws} asked for; nothing of this fit is usable"
        )
    trace.attrs["sampler"] = which
    trace.attrs["motives_deterministics"] = json.dumps([v.name for v in model.deterministics])
    return trace


class IncompleteSampling(MotivesError):
    """The sampler returned fewer chains or draws than asked for (it was stopped early)."""


def check_counts(*, draws: Any, tune: Any, chains: Any) -> None:
    """Refuse sampler settings that cannot give a fit.

    Clear messages instead of errors deep in the sampler.
    """
    for name, value, least in (("draws", draws, 1), ("tune", tune, 0), ("chains", chains, 1)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise MotivesError(f"{name} must be a whole number, got {value!r}")
        if value < least:
            raise MotivesError(f"{name} must be at least {least}, got {value}")
        if value > 10_000_000:
            raise MotivesError(f"{name} must be at most 10000000, got {value}")


@contextlib.contextmanager
def _interrupts() -> Iterator[list[bool]]:
    """Note whether SIGINT arrived while the block ran.

    The samplers swallow the KeyboardInterrupt it raises.

    The yielded list is true once an interrupt was seen. Outside the main thread signals cannot be
    watched; there the block runs unchanged.
    """
    import signal
    import threading

    seen: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        yield seen
        return

    def handler(signum: int, frame: Any) -> None:
        seen.append(True)
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield seen
    except KeyboardInterrupt:
        seen.append(True)
        raise
    finally:
        signal.signal(signal.SIGINT, previous)


#: Compiled nutpie models by structure key, so that a case refitted with changed values (same
#: items, hypotheses, point cells, sources) skips the numba compilation.
_COMPILED: dict[str, Any] = {}


def _nutpie_compiled(built: BuiltModel) -> Any:
    from motives.models.nutpie_cache import cached_compiled

    if "nutpie" in built.compiled:
        return built.compiled["nutpie"]
    key = structure_key(built)
    if key not in _COMPILED:
        # nutpie's compile_pymc_model, kept on disk across processes (models.nutpie_cache)
        _COMPILED[key] = cached_compiled(built)[0]
    built.compiled["nutpie"] = _COMPILED[key]
    return _COMPILED[key]


def auto_backend_for_fit(built: BuiltModel) -> Literal["nutpie", "pymc"]:
    """Backend ``auto`` resolves to for a one-off fit (see the module docstring)."""
    if choose_backend("auto") == "nutpie" and (
        "nutpie" in built.compiled or structure_key(built) in _COMPILED
    ):
        return "nutpie"
    return "pymc"


def structure_key(built: BuiltModel) -> str:
    """Hash of everything a built model bakes into its graph (all but its ``pm.Data`` values).

    Two models with the same key compute the same function of their data, so
    one compilation serves both.
    """
    import hashlib
    import json

    from motives.models.evidence import ModelInputs

    def part(inp: ModelInputs) -> dict[str, Any]:
        return {
            "ids": [
                inp.hypotheses,
                inp.families,
                inp.items,
                inp.quantities,
                [t.id for t in inp.timelines],
            ],
            "family_index": inp.family_index.tolist(),
            "free": inp.free_cells.tolist(),
            "base_given": np.isfinite(inp.base).tolist(),
            "source_index": inp.source_index.tolist(),
            "sources": [
                (k, bool(np.isfinite(c)), None if np.isfinite(c) else m) for k, m, c in inp.sources
            ],
            "timelines": [t.key() for t in inp.timelines],
            "quantity": inp.quantity_loglik.tolist(),
            "pooled_means": inp.lam_mean.tolist() if built.kind == "pooled" else None,
            **(
                {"structure": inp.structure_part(pooled=built.kind == "pooled")}
                if inp.structured
                else {}
            ),
        }

    inps = built.inputs if isinstance(built.inputs, list) else [built.inputs]
    data_shapes = {k: list(v.shape) for k, v in built.data_values().items()}
    blob = json.dumps(
        {
            "kind": built.kind,
            "settings": {k: v for k, v in built.settings.items() if k != "prior"},
            "prior_kind": "prior" in built.model.named_vars,
            "data": data_shapes,
            "inputs": [part(i) for i in inps],
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def refit(
    built: BuiltModel,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 1,
    backend: Backend = "auto",
    progressbar: bool = False,
    target_accept: float = 0.9,
    **data: Any,
) -> xr.DataTree:
    """Set knobs and sample again.

    The knobs include ``log_prior``, ``log_scale``, ``weight`` and ``concentration``.

    The compiled model is re-used: only the data change.

    Examples
    --------
    >>> import numpy as np, motives as mv
    >>> from motives.models.exclusive import build_exclusive
    >>> built = build_exclusive(mv.examples.load("cookies"))
    >>> tr = refit(built, log_prior=np.log([0.2, 0.8]), draws=10, chains=1)
    >>> round(float(tr.posterior["credence"].sel(hypothesis="bowl1").mean()), 4)
    0.2727
    """
    set_data(built, **data)
    return sample(
        built,
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
        backend=backend,
        progressbar=progressbar,
        target_accept=target_accept,
    )


def _cores(chains: int, cores: int | None) -> int:
    return max(1, min(chains, _cpu_count() if cores is None else int(cores)))


def _cpu_count() -> int:
    import os

    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def _constant_trace(built: BuiltModel, *, draws: int, chains: int) -> xr.DataTree:
    """A model with nothing random: its Deterministics are numbers; repeat them as draws."""
    import xarray as xr

    model = built.model
    # Nothing to differentiate or repeat: the quick-to-compile Python linker is enough.
    fn = model.compile_fn(
        model.deterministics,
        inputs=[],
        on_unused_input="ignore",
        point_fn=False,
        mode="FAST_COMPILE",
    )
    values = fn()
    coords = {k: list(v) for k, v in model.coords.items()}
    data = {}
    for var, val in zip(model.deterministics, values, strict=True):
        dims = ("chain", "draw") + tuple(model.named_vars_to_dims.get(var.name, ()))
        arr = np.broadcast_to(np.asarray(val, dtype=float), (chains, draws) + np.shape(val))
        data[var.name] = (dims, np.array(arr))
    post = xr.Dataset(
        data,
        coords={
            "chain": np.arange(chains),
            "draw": np.arange(draws),
            **{k: v for k, v in coords.items() if any(k in d[0] for d in data.values())},
        },
    )
    stats = xr.Dataset(
        {"diverging": (("chain", "draw"), np.zeros((chains, draws), dtype=bool))},
        coords={"chain": np.arange(chains), "draw": np.arange(draws)},
    )
    trace = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    trace.attrs["sampler"] = "none (nothing random: the posterior is a point)"
    return trace
