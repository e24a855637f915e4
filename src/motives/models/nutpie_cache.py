"""nutpie's compiled model, kept on disk across processes.

nutpie samples the baseline spec in a few seconds (its NUTS is Rust, and it calls the model's
log density as machine code, off the GIL, one thread per chain), but compiling the model costs
about 80 CPU seconds in every process: PyTensor's graph rewrites of the log density, its gradient
and the trace's expansion (about 10 s), then numba compiling two C callbacks around them (about
65 s: LLVM optimising the whole graph inlined into each callback). nutpie 0.16 keeps none of it.
numba can cache a C callback on disk (``cfunc(cache=True)``), but nutpie's callbacks cannot be
found again: numba keys a cached function by its bytecode and the pickled values of its closure,
and nutpie's closure holds the compiled graph with random (``uuid4``) names for the shared data.

Why by hand: this module builds the same two callbacks as nutpie's ``_compile_pymc_model_numba``
(the same graph functions from nutpie's ``_make_functions``, the same extraction of ``pm.Data``
values from nutpie's user data, the same bodies), with two changes:

- the shared data get names fixed by their order (``s0``, ``s1``, ...), not random ones;
- each callback's closure holds only the number of parameters and a key (:func:`model_key`: the
  model's structure, a digest of motives' source, and the versions of the compiling libraries,
  nutpie and this module's format). The compiled graph reaches the callback as a global, which
  numba does not put in its key; each callback is named after the key, so each model has its own
  numba index file.

So a later process with the same model structure finds both callbacks in numba's cache without
rewriting or compiling anything; what else nutpie needs (the parameters' names and shapes, the
names of the shared data, the initial point function) is pickled beside them under PyTensor's
compile directory. A callback numba does not find is never compiled from the placeholder
global: the placeholder cannot be typed, so a miss falls back to the full compilation. Nothing
here changes what is computed (``tests/test_models_nutpie_cache.py`` checks the cached model's
log density and gradient against nutpie's own compilation, and the draws with and without the
cache).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import tempfile
import types
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from motives.models.sampling import BuiltModel

#: Bumped when what is cached changes shape.
_FORMAT = 1


def cache_dir() -> Path:
    """Where the pickled parts of compiled models are kept (numba keeps the callbacks itself)."""
    from motives.models.compiled import cache_dir as fits_dir

    return fits_dir().parent / "motives_nutpie"


def model_key(built: BuiltModel) -> str:
    """The cache key of a built model's nutpie compilation.

    :func:`motives.models.sampling.structure_key` (everything the build bakes into the graph: the
    key under which one process already shares a compilation between builds), with a digest of
    motives' own source and the versions of the libraries that compile. A key from the graph
    itself (:func:`motives.models.compiled.model_graph_key`) is surer but builds the log density's
    graph to hash it, about 0.65 s of a 9 s fit; ``tests/test_models_nutpie_cache.py`` checks on
    generated cases that builds with one key have one graph.
    """
    import nutpie

    from motives.models.compiled import versions
    from motives.models.sampling import structure_key

    return hashlib.sha256(
        f"{structure_key(built)}|{_source_digest()}|{versions()}|nutpie {nutpie.__version__}|"
        f"format {_FORMAT}".encode()
    ).hexdigest()


@functools.cache
def _source_digest() -> str:
    """A digest of every module of motives (any change to the code that builds a model)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


# The two callbacks' bodies are nutpie's (compile_pymc._make_c_logp_func and
# _make_c_expand_func); ``extract`` is a global of each function made from them, ``n_dim``,
# ``n_expanded`` and ``key`` are their closure (what numba's cache key covers).


def _logp_template(n_dim: int, key: str) -> Any:
    def logp_numba(dim, x_, out_, logp_, user_data_):
        if dim != n_dim or len(key) == 0:
            return -1
        try:
            x = numba.carray(x_, (n_dim,))  # noqa: F821 - a global of the made function
            out = numba.carray(out_, (n_dim,))  # noqa: F821
            logp = numba.carray(logp_, ())  # noqa: F821
            logp_val, grad = extract(x, user_data_)  # noqa: F821
            logp[()] = logp_val
            out[...] = grad
            if not np.all(np.isfinite(out)):
                return 3
            if not np.isfinite(logp_val):
                return 4
        except Exception:  # noqa: BLE001
            return 1
        return 0

    return logp_numba


def _expand_template(n_dim: int, n_expanded: int, key: str) -> Any:
    def expand_numba(dim, expanded, x_, out_, user_data_):
        if dim != n_dim or len(key) == 0:
            return -1
        if expanded != n_expanded:
            return -1
        try:
            x = numba.carray(x_, (n_dim,))  # noqa: F821
            out = numba.carray(out_, (n_expanded,))  # noqa: F821
            (values,) = extract(x, user_data_)  # noqa: F821
            out[...] = values
        except Exception:  # noqa: BLE001
            return -2
        return 0

    return expand_numba


def _made(template_fn: Any, extract: Any, key: str) -> Any:
    """``template_fn`` with ``extract`` (and numba, numpy) as globals, its closure unchanged.

    Named after the key: numba keeps one index file per function name, so each model has its own
    (two processes writing one shared index at once could pair one model's key with another's
    machine code).
    """
    import numba

    g = {"numba": numba, "np": np, "extract": extract, "__name__": __name__}
    fn = types.FunctionType(
        template_fn.__code__,
        g,
        template_fn.__name__,
        template_fn.__defaults__,
        template_fn.__closure__,
    )
    fn.__qualname__ = f"{template_fn.__name__}_{key[:32]}"
    return fn


def _signatures() -> tuple[Any, Any]:
    import numba

    t = numba.types
    logp = t.int64(
        t.uint64, t.CPointer(t.double), t.CPointer(t.double), t.CPointer(t.double), t.voidptr
    )
    expand = t.int64(t.uint64, t.uint64, t.CPointer(t.double), t.CPointer(t.double), t.voidptr)
    return logp, expand


def _cfunc(sig: Any, fn: Any) -> Any:
    import numba

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", numba.NumbaWarning)
        return numba.cfunc(sig, cache=True)(fn)


class _NotCached(Exception):
    """numba's cache does not hold the callback."""


def _callbacks(meta: dict[str, Any], key: str, extracts: tuple[Any, Any] | None) -> tuple[Any, Any]:
    """The two C callbacks; with ``extracts`` None only from numba's cache (else ``_NotCached``)."""
    sig_logp, sig_expand = _signatures()
    logp_ex, expand_ex = extracts if extracts is not None else (None, None)
    fns = (
        _made(_logp_template(meta["n_dim"], key), logp_ex, key),
        _made(_expand_template(meta["n_dim"], meta["n_expanded"], key), expand_ex, key),
    )
    out = []
    for sig, fn in zip((sig_logp, sig_expand), fns, strict=True):
        try:
            cf = _cfunc(sig, fn)
        except Exception as exc:  # noqa: BLE001 - a placeholder global cannot be typed: a miss
            if extracts is None:
                raise _NotCached from exc
            raise
        out.append(cf)
    return out[0], out[1]


def _knobs(model: Any) -> dict[str, Any]:
    """The model's shared variables by name: its ``pm.Data`` and its mutable dimension lengths."""
    from pytensor.tensor.sharedvar import SharedVariable

    known = {name: v for name, v in model.dim_lengths.items() if isinstance(v, SharedVariable)}
    known.update({v.name: v for v in model.data_vars})
    return known


def _record_dtype(shared: list[tuple[str, str, int]]) -> np.dtype:
    return np.dtype(
        [
            (
                "shared",
                [
                    ("data", [(k, np.uintp) for k, _, _ in shared]),
                    ("size", [(k, np.uintp) for k, _, _ in shared]),
                    ("shape", [(k, np.uint, (ndim,)) for k, _, ndim in shared]),
                ],
            )
        ]
    )


def _shared_data(
    model: Any, shared: list[tuple[str, str, int]]
) -> tuple[dict[str, Any], dict[Any, str]]:
    """The model's ``pm.Data`` values under the cached names, and nutpie's variable -> name map."""
    by_name = _knobs(model)
    data: dict[str, np.ndarray] = {}
    keys: dict[Any, str] = {}
    for k, name, ndim in shared:
        var = by_name[name]
        value = np.array(var.get_value(), order="C", copy=True)
        if value.ndim != ndim:
            raise _NotCached
        value.flags.writeable = False
        data[k] = value
        keys[var] = k
    return data, keys


def _assemble(model: Any, meta: dict[str, Any], cfuncs: tuple[Any, Any], raw_ip: Any) -> Any:
    from nutpie.compile_pymc import (
        CompiledPyMCModel,
        _prepare_dims_and_coords,
        update_user_data,
    )

    data, keys = _shared_data(model, meta["shared"])
    user_data = update_user_data(np.zeros((), dtype=_record_dtype(meta["shared"])), data)
    shape_info = meta["shape_info"]
    dims, coords = _prepare_dims_and_coords(model, shape_info, meta["reparameterized"])
    return CompiledPyMCModel(
        _n_dim=meta["n_dim"],
        dims=dims,
        _coords=coords,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info, strict=True)},
        compiled_logp_func=cfuncs[0],
        compiled_expand_func=cfuncs[1],
        initial_point_func=_flat_initial_point(raw_ip, meta["start_names"], meta["start_shapes"]),
        shared_data=data,
        shared_var_keys=keys,
        user_data=user_data,
        n_expanded=meta["n_expanded"],
        shape_info=shape_info,
        logp_func=None,
        expand_func=None,
        reparameterized_names=meta["reparameterized"],
    )


def _initial_point_fn(model: Any) -> Any:
    """PyMC's initial point function as nutpie's ``compile_pymc_model`` makes it (its defaults).

    Without nutpie's lock (which cannot be pickled); :func:`_flat_initial_point` adds it.
    """
    from pymc.initial_point import make_initial_point_fn

    return make_initial_point_fn(
        model=model,
        default_strategy="support_point",
        jitter_rvs=set(model.free_RVs),
        return_transformed=True,
    )


def _flat_initial_point(raw: Any, names: list[str], shapes: list[tuple[int, ...]]) -> Any:
    """The seed -> flat array function nutpie samples from (as ``_make_functions`` wraps it)."""
    from nutpie.compile_pymc import _rv_dict_to_flat_array_wrapper, _wrap_with_lock

    return _rv_dict_to_flat_array_wrapper(_wrap_with_lock(raw), names=names, shapes=shapes)


def _sync_initial_point(raw: Any, model: Any) -> None:
    """Give a loaded initial point function the model's ``pm.Data`` values (by name).

    PyMC's function (``functools.wraps`` of a PyTensor function) reads the support points from
    the knobs; its random generators are reseeded at each call. Any other shared input is a miss.
    """
    from pytensor.tensor.random.type import RandomType
    from pytensor.tensor.sharedvar import SharedVariable

    fn = getattr(raw, "__wrapped__", None)
    if fn is None or not hasattr(fn, "maker"):
        raise _NotCached
    known = _knobs(model)
    for i in fn.maker.inputs:
        var = i.variable
        if not isinstance(var, SharedVariable) or isinstance(var.type, RandomType):
            continue
        if var.name not in known:
            raise _NotCached
        value = np.asarray(known[var.name].get_value())
        if value.shape != np.shape(var.get_value(borrow=True)):
            raise _NotCached
        var.set_value(value.copy())


def _compile(model: Any, key: str) -> tuple[Any, dict[str, Any], Any]:
    """Compile as nutpie does, with fixed shared-data names and keyed callbacks."""
    from nutpie.compile_pymc import _make_functions, make_extraction_fn

    raw_ip = _initial_point_fn(model)
    start = raw_ip(0)
    names = list(start)
    shapes = [tuple(np.shape(start[n])) for n in names]
    n_dim, n_expanded, logp_pt, expand_pt, _, shape_info, reparam = _make_functions(
        model,
        mode="NUMBA",
        compute_grad=True,
        join_expanded=True,
        pymc_initial_point_fn=raw_ip,
        var_names=None,
    )
    order: list[Any] = []
    for v in [*logp_pt.get_shared(), *expand_pt.get_shared()]:
        if v not in order:
            order.append(v)
    shared_names = [v.name for v in order]
    if len(set(shared_names)) != len(shared_names) or None in shared_names:
        raise _NotCached  # shared data must be found again by name
    shared = [(f"s{i}", v.name, int(np.ndim(v.get_value()))) for i, v in enumerate(order)]
    meta = {
        "format": _FORMAT,
        "n_dim": n_dim,
        "n_expanded": n_expanded,
        "shape_info": shape_info,
        "reparameterized": list(reparam),
        "shared": shared,
        "start_names": names,
        "start_shapes": shapes,
    }
    data, _ = _shared_data(model, shared)
    dtype = _record_dtype(shared)
    key_of = {v: k for v, (k, _, _) in zip(order, shared, strict=True)}
    extracts = (
        make_extraction_fn(
            logp_pt.vm.jit_fn, data, [key_of[v] for v in logp_pt.get_shared()], dtype
        ),
        make_extraction_fn(
            expand_pt.vm.jit_fn, data, [key_of[v] for v in expand_pt.get_shared()], dtype
        ),
    )
    cfuncs = _callbacks(meta, key, extracts)
    return cfuncs, meta, raw_ip


def _load_meta(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as f:
            got = pickle.load(f)  # noqa: S301 - our own cache, as trusted as PyTensor's compiledir
    except Exception:  # noqa: BLE001 - a damaged or foreign entry is a miss, not an error
        return None
    return got if isinstance(got, dict) and got.get("format") == _FORMAT else None


def _save_meta(path: Path, meta: dict[str, Any], raw_ip: Any) -> None:
    """Write atomically; a cache that cannot be written is skipped."""
    import cloudpickle

    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        blob = cloudpickle.dumps({**meta, "initial_point": raw_ip})
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - e.g. a read-only or full disk: the next fit compiles again
        if tmp is not None:
            with contextlib.suppress(Exception):
                os.unlink(tmp)


def cached_compiled(built: BuiltModel, *, use_disk: bool = True) -> tuple[Any, bool]:
    """The compiled nutpie model of ``built``, and whether it came from the disk cache."""
    model = built.model
    key = model_key(built)
    path = cache_dir() / f"{key}.pkl"
    if use_disk:
        meta = _load_meta(path) if path.exists() else None
        if meta is not None:
            try:
                raw_ip = meta["initial_point"]
                _sync_initial_point(raw_ip, model)
                cfuncs = _callbacks(meta, key, None)
                return _assemble(model, meta, cfuncs, raw_ip), True
            except (_NotCached, KeyError):
                pass
    cfuncs, meta, raw_ip = _compile(model, key)
    if use_disk:
        _save_meta(path, meta, raw_ip)
    return _assemble(model, meta, cfuncs, raw_ip), False
