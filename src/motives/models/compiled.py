"""The functions PyMC's NUTS compiles, compiled once and kept on disk across processes.

A fresh-process fit of the baseline spec spent most of its time compiling (profile in
``benchmarks/README.md``, "Many fits and the baseline fit"): PyTensor's graph rewrites of the
log density and its gradient, then the same rewrites of the trace's point function once per
chain (PyMC compiles it for every chain's ``NDArray`` trace of a model that is not frozen). Both
functions depend only on the model's graph, so :func:`nuts_functions`:

- compiles the trace's point function once and hands the same function to every chain (what
  PyMC does itself for a frozen model: the chains are recorded one after the other in the parent
  process, and each record copies the values out);
- pickles the two compiled functions under PyTensor's compile directory, keyed by a digest of
  the graphs themselves (every node's op and every constant's bytes) and the versions of PyMC,
  PyTensor and numba, so that a later process with the same graph skips the rewrites: unpickling
  a PyTensor function keeps its rewritten graph and only links it again (numba's own disk cache,
  ``pytensor.config.numba__cache``, serves the machine code).

The ``pm.Data`` knobs are shared variables inside the pickled graph; after loading, their values
are set from the model's own by name before every use, and a function whose shared inputs do not
all match the model's knobs is not used. Nothing here changes what is computed: the loaded
functions are the ones PyTensor compiled for the same graph (``tests/test_models_compiled.py``
checks values and gradients against a fresh compilation).

Why by hand: PyTensor caches compiled C modules and numba caches machine code, but neither keeps
the rewritten graph, which is the bulk of the cost here; PyMC has no cache of compiled models.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from motives.models.sampling import BuiltModel

#: Bumped when what is pickled changes shape.
_FORMAT = 1


def cache_dir() -> Path:
    """Where compiled functions are kept: ``motives_fits`` under PyTensor's compile directory.

    Clearing PyTensor's cache (``pytensor-cache clear`` or removing the directory) clears it too.
    """
    import pytensor

    return Path(pytensor.config.compiledir) / "motives_fits"


def graph_digest(outputs: list[Any], inputs: list[Any]) -> str:
    """Digest of a graph: every node's op in topological order and every constant's value.

    Two graphs with the same digest compute the same function of the same inputs, so one
    compilation serves both. Shared variables (``pm.Data``) enter by name, type and shape, not
    value: their values are set at each use.
    """
    from pytensor.graph.basic import Constant, Variable
    from pytensor.graph.traversal import io_toposort
    from pytensor.tensor.sharedvar import SharedVariable

    h = hashlib.sha256()
    ids: dict[Variable, int] = {}

    def name_of(v: Variable) -> str:
        if v in ids:
            return f"#{ids[v]}"
        if isinstance(v, Constant):
            data = np.asarray(v.data)
            # an object array's bytes are pointers: its values enter by their repr
            raw = repr(data.tolist()).encode() if data.dtype == object else data.tobytes()
            return f"const:{v.type}:{data.dtype}:{data.shape}:{hashlib.sha256(raw).hexdigest()}"
        if isinstance(v, SharedVariable):
            value = np.asarray(v.get_value(borrow=True))
            return f"shared:{v.name}:{v.type}:{value.dtype}:{value.shape}"
        return f"free:{v.name}:{v.type}"

    for i, v in enumerate(inputs):
        ids[v] = i
        h.update(f"in:{v.name}:{v.type};".encode())
    for node in io_toposort(list(inputs), list(outputs)):
        op = node.op
        props = op._props_dict() if hasattr(op, "_props_dict") else {}  # noqa: SLF001
        h.update(f"{type(op).__module__}.{type(op).__qualname__}:{op}:{props!r}(".encode())
        h.update(",".join(name_of(v) for v in node.inputs).encode())
        for out in node.outputs:
            ids[out] = len(ids)
        h.update(f")->{[str(o.type) for o in node.outputs]};".encode())
    h.update(",".join(name_of(v) for v in outputs).encode())
    return h.hexdigest()


def versions() -> str:
    """The versions and settings of the libraries that compile a model (part of every cache key)."""
    import numba
    import pymc
    import pytensor

    return (
        f"{_FORMAT}|pymc {pymc.__version__}|pytensor {pytensor.__version__}|"
        f"numba {numba.__version__}|numpy {np.__version__}|"
        f"mode {pytensor.config.mode}|linker {pytensor.config.linker}|"
        f"floatX {pytensor.config.floatX}|fastmath {pytensor.config.numba__fastmath}"
    )


def _point_outputs(model: Any) -> tuple[list[Any], list[Any]]:
    return list(model.unobserved_value_vars), list(model.value_vars)


def model_graph_key(model: Any) -> str:
    """The cache key of a model's two NUTS functions."""
    logp = model.logp(jacobian=True, sum=True)
    outs, ins = _point_outputs(model)
    return hashlib.sha256(
        "|".join(
            [versions(), graph_digest([logp], ins), graph_digest(outs, ins), str(ins)]
        ).encode()
    ).hexdigest()


def _compile_point_fn(model: Any) -> Any:
    """The trace's point function, compiled as PyMC's ``BaseTrace`` compiles it."""
    import pytensor

    outs, ins = _point_outputs(model)
    return model.compile_fn(
        outs=[pytensor.Out(v, borrow=True) for v in outs],
        inputs=[pytensor.In(v, borrow=True) for v in ins],
        point_fn=False,
        on_unused_input="ignore",
        trust_input=True,
    )


def _shared_inputs(fn: Any) -> list[Any]:
    from pytensor.tensor.sharedvar import SharedVariable

    fn = getattr(fn, "_pytensor_function", fn)  # a ValueGradFunction wraps a Function
    return [i.variable for i in fn.maker.inputs if isinstance(i.variable, SharedVariable)]


def _sync_data(model: Any, fns: tuple[Any, Any]) -> bool:
    """Give the functions' shared inputs the model's ``pm.Data`` values; False if one is unknown."""
    known = {v.name: v for v in model.data_vars}
    pairs = []
    for fn in fns:
        for sv in _shared_inputs(fn):
            if sv.name not in known:
                return False
            value = np.asarray(known[sv.name].get_value())
            if value.shape != np.shape(sv.get_value(borrow=True)):
                return False
            pairs.append((sv, value))
    for sv, value in pairs:
        if sv is not known[sv.name]:
            sv.set_value(value.copy())
    return True


def _load(path: Path) -> tuple[Any, Any] | None:
    try:
        with path.open("rb") as f:
            got = pickle.load(f)  # noqa: S301 - our own cache, as trusted as PyTensor's compiledir
    except Exception:  # noqa: BLE001 - a damaged or foreign cache entry is a miss, not an error
        return None
    if not (isinstance(got, dict) and got.get("format") == _FORMAT):
        return None
    return got["logp_dlogp"], got["point"]


def _save(path: Path, fns: tuple[Any, Any]) -> None:
    """Write atomically (a temporary file renamed); a cache that cannot be written is skipped."""
    import cloudpickle

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        blob = cloudpickle.dumps({"format": _FORMAT, "logp_dlogp": fns[0], "point": fns[1]})
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - e.g. a read-only or full disk: the fit goes on uncached
        with contextlib.suppress(Exception):
            os.unlink(tmp)


def nuts_functions(built: BuiltModel, *, use_disk: bool = True) -> tuple[Any, Any]:
    """The log density and gradient function NUTS uses, and the trace's point function.

    From the built model's memo, else from the disk cache, else compiled (and saved). The
    ``pm.Data`` values of the model are copied into them each time.

    Returns
    -------
    tuple
        ``(ValueGradFunction, pytensor Function)``.
    """
    model = built.model
    fns = built.compiled.get("pymc")
    if fns is not None and _sync_data(model, fns):
        return fns
    path = cache_dir() / f"{model_graph_key(model)}.pkl" if use_disk else None
    fns = _load(path) if path is not None and path.exists() else None
    if fns is not None and not _sync_data(model, fns):
        fns = None
    if fns is None:
        vgf = model.logp_dlogp_function(ravel_inputs=True)
        fns = (vgf, _compile_point_fn(model))
        if path is not None:
            _save(path, fns)
    fns[0].trust_input = True
    built.compiled["pymc"] = fns
    return fns


@contextlib.contextmanager
def using_nuts_functions(built: BuiltModel, *, use_disk: bool = True) -> Iterator[None]:
    """Within the block, ``pm.sample`` on this model gets the functions of :func:`nuts_functions`.

    PyMC asks the model for them (``model.logp_dlogp_function`` in ``init_nuts``,
    ``model.compile_fn`` in every chain's trace); the model instance answers those two calls
    from the functions, and any other call as before.
    """
    import pytensor

    model = built.model
    if any(v.type.dtype not in ("float32", "float64") for v in model.value_vars):
        yield  # a discrete variable: PyMC does not use NUTS alone, nothing to serve
        return
    vgf, point = nuts_functions(built, use_disk=use_disk)
    point_outs, point_ins = _point_outputs(model)
    orig_logp, orig_compile = model.logp_dlogp_function, model.compile_fn

    def logp_dlogp_function(grad_vars: Any = None, tempered: bool = False, **kwargs: Any) -> Any:
        if grad_vars is None and not tempered and kwargs == {"ravel_inputs": True}:
            return vgf
        return orig_logp(grad_vars, tempered, **kwargs)

    def is_point_call(outputs: Any, inputs: Any, kwargs: dict[str, Any]) -> bool:
        if kwargs != {"point_fn": False, "on_unused_input": "ignore", "trust_input": True}:
            return False
        if not (isinstance(outputs, list) and isinstance(inputs, list)):
            return False
        return (
            all(isinstance(o, pytensor.Out) and o.borrow for o in outputs)
            # PyMC rebuilds the deterministics' graphs on every call: the same names, new objects
            and [o.variable.name for o in outputs] == [v.name for v in point_outs]
            and all(isinstance(i, pytensor.In) and i.borrow for i in inputs)
            and [i.variable for i in inputs] == point_ins
        )

    def compile_fn(outs: Any, *, inputs: Any = None, mode: Any = None, **kwargs: Any) -> Any:
        if mode is None and is_point_call(outs, inputs, kwargs):
            return point
        return orig_compile(outs, inputs=inputs, mode=mode, **kwargs)

    # instance attributes over the class's methods, put back as they were afterwards
    names = ("logp_dlogp_function", "compile_fn")
    saved = {n: vars(model)[n] for n in names if n in vars(model)}
    model.logp_dlogp_function = logp_dlogp_function
    model.compile_fn = compile_fn
    try:
        yield
    finally:
        for n in names:
            if n in saved:
                setattr(model, n, saved[n])
            else:
                delattr(model, n)
