"""The registry of sensitivity analyses.

Each one registered once, under the name of the table it computes.

An analysis is a function ``fn(case, settings) -> DataFrame`` decorated with :func:`analysis`, which
records its name (the table name ``motives sensitivity`` writes, ``<name>.csv``), its typed metadata
class (:class:`~motives.sensitivity.results.Meta`; :class:`~motives.sensitivity.SensitivityResult`
validates the table's ``attrs`` against it, saves and loads it) and a line on what the table holds.
:func:`motives.sensitivity.run_all` loops over :data:`ANALYSES` in registration order; the standard
figures (:func:`motives.plots.figure`) and the report's sections (:func:`motives.report.section`)
name the analyses they draw on, each in its own layer.

A user's own analysis, outside the package, registers itself the same way when its module is
imported; to have ``motives sensitivity`` and ``motives report`` import it, declare the module in
the entry point group ``motives.analyses`` of a package's metadata (:data:`ENTRY_POINTS`;
``pyproject.toml``: ``[project.entry-points."motives.analyses"] my_analysis =
"my_package.my_analysis"``).
:func:`load_plugins` imports every such module once.

Examples
--------
>>> import pandas as pd
>>> from motives.sensitivity.results import NoMeta
>>> @analysis("item_count_demo", meta=NoMeta, description="the number of items")
... def item_count(case, settings):
...     return pd.DataFrame({"items": [len(case.evidence)]}, index=pd.Index(["all"], name="what"))
>>> import motives as mv
>>> ANALYSES["item_count_demo"].compute(mv.examples.load("dice"), Settings())["items"].tolist()
[2]
>>> unregister("item_count_demo")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from motives.sensitivity.results import KIND_OF, META, Meta

if TYPE_CHECKING:
    import pandas as pd

    from motives.schema import Case

#: Entry point group of analyses (and their figures and report sections) outside the package.
ENTRY_POINTS = "motives.analyses"


@dataclass(frozen=True)
class Settings:
    """The settings every analysis reads (those of an analysis spec, ``motives sensitivity``).

    ``target`` is a hypothesis or family id (default: the leading family); ``lens`` and ``prior`` as
    in
    :func:`motives.exact.exact_posterior`.
    """

    lens: str | None = None
    prior: Any = None
    reliability: bool = True
    target: str | None = None
    tornado_factor: float = 3.0
    sweep_points: int = 101
    sobol_samples: int = 1024
    seed: int = 1

    @property
    def common(self) -> dict[str, Any]:
        """``prior`` and ``reliability`` (the keywords of every analysis)."""
        return {"prior": self.prior, "reliability": self.reliability}

    @property
    def lensed(self) -> dict[str, Any]:
        """:attr:`common` and ``lens``."""
        return {**self.common, "lens": self.lens}

    @property
    def targeted(self) -> dict[str, Any]:
        """:attr:`lensed` and ``target``."""
        return {**self.lensed, "target": self.target}


@dataclass(frozen=True)
class Analysis:
    """One registered analysis.

    Its table name, metadata class, computation and what the table holds.
    """

    name: str
    meta: type[Meta]
    compute: Callable[[Case, Settings], pd.DataFrame] = field(repr=False)
    description: str
    kind: str
    structured: bool = False

    @property
    def targeted(self) -> bool:
        """Whether the table is about one target (its metadata has a ``target``)."""
        return "target" in self.meta.model_fields

    def applies(self, case: Case) -> bool:
        """Whether :func:`~motives.sensitivity.run_all` computes it for this case.

        Structured ones need propositions.
        """
        return bool(case.propositions) or not self.structured


#: Name -> analysis, in registration order (the order of :func:`motives.sensitivity.run_all`'s
#: tables).
ANALYSES: dict[str, Analysis] = {}


def analysis(
    name: str,
    *,
    meta: type[Meta],
    description: str,
    kind: str | None = None,
    structured: bool = False,
) -> Callable[[Callable[[Case, Settings], pd.DataFrame]], Callable[[Case, Settings], pd.DataFrame]]:
    """Register ``fn(case, settings) -> DataFrame`` as the analysis ``name``.

    A decorator; returns ``fn``.

    Parameters
    ----------
    name
        The table name (``motives sensitivity`` writes ``<name>.csv``); unique.
    meta
        Its metadata class: the table's ``attrs`` must validate against it.
    description
        What the table holds, in a line (``motives.sensitivity.run.TABLES``).
    kind
        The metadata kind when several tables share one (``"global_sensitivity"`` for ``sobol`` and
        ``sobol_credence``); default ``name``.
    structured
        Computed only for a structured case (one with propositions).

    Examples
    --------
    >>> from motives.sensitivity.results import NoMeta
    >>> try:
    ...     analysis("tornado", meta=NoMeta, description="again")(lambda case, s: None)
    ... except ValueError as exc:
    ...     print(exc)
    an analysis named 'tornado' is registered already (unregister it first to replace it)
    """
    import motives.sensitivity.run  # noqa: F401  (the built-in analyses first, so that their order is stable)

    kind = kind or name

    def register(
        fn: Callable[[Case, Settings], pd.DataFrame],
    ) -> Callable[[Case, Settings], pd.DataFrame]:
        if name in ANALYSES:
            raise ValueError(
                f"an analysis named {name!r} is registered already (unregister it first to "
                "replace it)"
            )
        if kind in META and META[kind] is not meta:
            raise ValueError(
                f"kind {kind!r} has metadata {META[kind].__name__} already, not {meta.__name__}"
            )
        if not (isinstance(meta, type) and issubclass(meta, Meta)):
            raise TypeError(
                f"meta of analysis {name!r} must be a subclass of motives.sensitivity.results.Meta"
            )
        META[kind] = meta
        KIND_OF[name] = kind
        ANALYSES[name] = Analysis(name, meta, fn, description, kind, structured)
        return fn

    return register


def unregister(name: str) -> None:
    """Remove the analysis ``name`` (its metadata kind too when no other analysis shares it)."""
    a = ANALYSES.pop(name)
    if a.kind != name or any(b.kind == a.kind for b in ANALYSES.values()):
        KIND_OF.pop(name, None)
        return
    KIND_OF.pop(name, None)
    if a.kind not in _BUILTIN_KINDS:
        META.pop(a.kind, None)


_BUILTIN_KINDS = frozenset(META)
_loaded: list[str] = []


def _import_package_modules() -> None:
    """Import every module of :mod:`motives.sensitivity` (once each: Python keeps them imported).

    So a module of the package that registers an analysis needs no line anywhere else:
    ``sensitivity/__init__.py`` imports only what it exports.
    """
    import importlib
    import pkgutil

    import motives.sensitivity as package

    for m in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{m.name}")


def load_plugins() -> list[str]:
    """Import every module of this package and of :data:`ENTRY_POINTS` once; the latter's names.

    A module of the package registers its analyses when it is imported (:func:`analysis`), whether
    or not ``motives.sensitivity`` exports it. A module of the entry point group that fails to
    import raises
    :class:`~motives.errors.MotivesError` naming the entry point.
    """
    from importlib.metadata import entry_points

    from motives.errors import MotivesError

    _import_package_modules()
    for ep in entry_points(group=ENTRY_POINTS):
        if ep.value in _loaded:
            continue
        try:
            ep.load()
        except Exception as exc:  # a user's module: any failure, said in one line
            raise MotivesError(
                f"entry point {ep.name} = {ep.value} (group {ENTRY_POINTS}) failed to import: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        _loaded.append(ep.value)
    return list(_loaded)


def reset_plugins() -> None:
    """Forget which plugin modules :func:`load_plugins` imported (for tests that install one)."""
    _loaded.clear()


__all__ = [
    "ANALYSES",
    "ENTRY_POINTS",
    "Analysis",
    "Settings",
    "analysis",
    "load_plugins",
    "reset_plugins",
    "unregister",
]
