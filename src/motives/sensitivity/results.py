"""Typed results: a sensitivity table together with what it means (target, spacing, tie prior, ...).

Every sensitivity function returns a DataFrame whose ``attrs`` name what the
table is about. ``attrs`` do not survive a CSV, and a plot cannot tell a
missing entry from a default. :class:`SensitivityResult` holds the table
and a typed, validated ``meta`` record (one pydantic class per analysis,
:data:`META`); :meth:`SensitivityResult.save` writes the table as CSV and
the metadata, dtypes and index as a JSON sidecar, so that
:meth:`SensitivityResult.load` gives back an equal table and the same
figure. ``motives sensitivity`` writes every table this way.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from motives.errors import MotivesError

Level = Literal["hypothesis", "family"]

#: Written into every sidecar; :meth:`SensitivityResult.load` refuses other files.
FORMAT = "motives.sensitivity_result"
VERSION = 1


class Meta(BaseModel):
    """Metadata of one sensitivity table: frozen, typed, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="constants")


class NoMeta(Meta):
    """A table that needs nothing besides itself (lens comparison, information)."""


class LensMeta(Meta):
    """A table computed under one lens."""

    lens: str


class PosteriorMeta(LensMeta):
    """:func:`motives.exact.exact_posterior`: the method and the items the lens does not rate."""

    method: str
    fallbacks: list[str]


class WeightMeta(LensMeta):
    """Weight of evidence and proposition weight.

    :func:`~motives.sensitivity.weight_of_evidence`,
    :func:`~motives.sensitivity.proposition_weight`.
    """

    unit: str
    rest_weighted_by: str


class SourceOutMeta(LensMeta):
    """:func:`~motives.sensitivity.leave_one_source_out`: the items left out with each source."""

    items: dict[str, list[str]]


class LensOutMeta(Meta):
    """:func:`~motives.sensitivity.leave_one_lens_out`: the items left out with each lens."""

    left_out: dict[str, list[str]]


class TargetMeta(Meta):
    """A table about one target: a hypothesis or a family."""

    target: str
    target_level: Level


class LensTargetMeta(TargetMeta):
    """A table about one target under one lens."""

    lens: str


class PriorSweepMeta(LensTargetMeta):
    """:func:`~motives.sensitivity.prior_sweep`.

    The spacing, the case's prior of the target and the tie.
    """

    spacing: Literal["linear", "logit"]
    case_prior: float
    tie_prior: float | None


class CruxesMeta(LensTargetMeta):
    """:func:`~motives.sensitivity.cruxes`: the target's credence under the analysis lens."""

    credence: float


class TornadoMeta(LensTargetMeta):
    """:func:`~motives.sensitivity.tornado`: the factor f and what it scales."""

    factor: float
    mode: str


class DiscountMeta(LensTargetMeta):
    """:func:`~motives.sensitivity.evidence_discount`.

    The diagnostic items and the smallest gamma per level.
    """

    diagnostic_items: int
    gamma_for: dict[float, float | None]


class BreakEvenMeta(LensTargetMeta):
    """:func:`~motives.sensitivity.break_even`: the rival the target would tie with."""

    rival: str


class SobolMeta(LensTargetMeta):
    """:func:`~motives.sensitivity.global_sensitivity`: sample size, evaluations, scale."""

    n: int
    evaluations: int
    variance: float
    scale: Literal["log_odds", "credence"]
    credence: float
    noisy: list[
        str
    ] = []  # inputs whose S1 exceeds ST beyond sampling error: n too small (older files: none)
    # an empty or degenerate table, or judgements it leaves out, in words (older files: none)
    warning: str = ""
    not_inputs: list[
        str
    ] = []  # judgements the indices leave out: fixed or integrated reliabilities
    # the samples: a scrambled Sobol sequence, pseudo-random beyond the dimensions scipy's sequence
    # holds, or none (nothing uncertain) (older files: sobol)
    sampling: Literal["sobol", "random", "none"] = "sobol"


class TrajectoryMeta(LensMeta):
    """:func:`~motives.sensitivity.trajectory`: where undated items go, and which they are."""

    undated: str
    undated_items: list[str]


class GroupDiscountMeta(LensTargetMeta):
    """:func:`~motives.sensitivity.group_discount`: grouped by what, at which levels."""

    by: str
    levels: list[float]


class ConflictMeta(LensMeta):
    """:func:`~motives.sensitivity.conflict`: the threshold and whether sources were mixed in."""

    threshold_db: float
    reliability: bool


class SurpriseMeta(LensMeta):
    """:func:`~motives.sensitivity.surprise`: the level, the simulations, the verdict."""

    all_surprising: bool
    level: float
    n: int


#: Kind (the function that computes the table) -> its metadata class.
META: dict[str, type[Meta]] = {
    "exact_posterior": PosteriorMeta,
    "reversal_priors": LensMeta,
    "prior_sweep": PriorSweepMeta,
    "weight_of_evidence": WeightMeta,
    "leave_one_out": LensMeta,
    "leave_one_source_out": SourceOutMeta,
    "lens_comparison": NoMeta,
    "leave_one_lens_out": LensOutMeta,
    "cruxes": CruxesMeta,
    "tornado": TornadoMeta,
    "evidence_discount": DiscountMeta,
    "break_even": BreakEvenMeta,
    "lens_break_even": TargetMeta,
    "global_sensitivity": SobolMeta,
    "item_information": NoMeta,
    "trajectory": TrajectoryMeta,
    "proposition_weight": WeightMeta,
    "proposition_information": NoMeta,
    "group_discount": GroupDiscountMeta,
    "conflict": ConflictMeta,
    "surprise": SurpriseMeta,
}

#: Table name of :func:`motives.sensitivity.run_all` -> kind.
KIND_OF: dict[str, str] = {
    "posterior": "exact_posterior",
    "sobol": "global_sensitivity",
    "sobol_credence": "global_sensitivity",
    "discount_by_proposition": "group_discount",
    "discount_by_issue_area": "group_discount",
} | {k: k for k in META}

_DTYPES = ("float64", "int64", "bool", "str", "object")


def _plain(v: Any) -> Any:
    """Turn numpy scalars and containers into Python values (pydantic takes them as they are)."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, dict):
        return {_plain(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


def meta_of(kind: str, attrs: dict[str, Any]) -> Meta:
    """The typed metadata of a table of ``kind`` from its ``attrs``.

    A clear error when a field is missing or wrong.

    Examples
    --------
    >>> meta_of(
    ...     "tornado",
    ...     {
    ...         "lens": "a",
    ...         "target": "h1",
    ...         "target_level": "family",
    ...         "factor": 3,
    ...         "mode": "strength",
    ...     },
    ... )
    TornadoMeta(target='h1', target_level='family', lens='a', factor=3.0, mode='strength')
    >>> try:
    ...     meta_of("tornado", {"lens": "a"})
    ... except ValueError as exc:
    ...     print(str(exc).split(" (")[0], "|", str(exc).split("missing: ")[1].split(")")[0])
    a tornado table needs target, target_level, lens, factor, mode in its metadata | target,
    target_level, factor, mode
    """
    if kind not in META:
        raise ValueError(f"unknown kind of sensitivity table {kind!r}; known: {', '.join(META)}")
    cls = META[kind]
    try:
        return cls.model_validate(_plain(dict(attrs)))
    except ValidationError as exc:
        missing = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "missing"]
        wrong = [
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
            for e in exc.errors()
            if e["type"] != "missing"
        ]
        raise ValueError(
            f"a {kind} table needs {', '.join(cls.model_fields)} in its metadata"
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + (f" ({'; '.join(wrong)})" if wrong else "")
            + f". Pass the result of motives.sensitivity.{kind} (its DataFrame keeps them in "
            ".attrs) or a SensitivityResult (SensitivityResult.load reads a saved one)"
        ) from None


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """A sensitivity table and its typed metadata.

    Parameters
    ----------
    kind
        The analysis that computed the table (a key of :data:`META`, e.g. ``"prior_sweep"``).
    table
        The table, as the analysis returns it.
    meta
        Its metadata, an instance of ``META[kind]``.

    Examples
    --------
    >>> import tempfile
    >>> import motives as mv
    >>> from motives.sensitivity import SensitivityResult, prior_sweep
    >>> r = SensitivityResult.of(
    ...     "prior_sweep", prior_sweep(mv.examples.load("cookies"), "bowl1", points=11)
    ... )
    >>> r.meta.target, r.meta.spacing, round(r.meta.tie_prior, 6)
    ('bowl1', 'linear', 0.4)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = r.save(d)
    ...     back = SensitivityResult.load(d, "prior_sweep")
    >>> back.equals(r), back.meta == r.meta
    (True, True)
    """

    kind: str
    table: pd.DataFrame
    meta: Meta

    def __post_init__(self) -> None:
        if self.kind not in META:
            raise ValueError(
                f"unknown kind of sensitivity table {self.kind!r}; known: {', '.join(META)}"
            )
        if not isinstance(self.table, pd.DataFrame):
            raise TypeError(f"table must be a DataFrame, got {type(self.table).__name__}")
        if type(self.meta) is not META[self.kind]:
            raise TypeError(
                f"a {self.kind} result needs meta of type {META[self.kind].__name__}, "
                f"got {type(self.meta).__name__}"
            )

    @classmethod
    def of(cls, kind: str, table: pd.DataFrame) -> SensitivityResult:
        """Wrap a table a sensitivity function returned (its ``attrs`` become the typed ``meta``).

        ``kind`` may also be a table name of :func:`motives.sensitivity.run_all` (``"sobol"``,
        ``"posterior"``).

        Examples
        --------
        >>> import motives as mv
        >>> from motives.sensitivity import tornado
        >>> SensitivityResult.of("tornado", tornado(mv.examples.load("dice"))).meta.factor
        3.0
        """
        kind = KIND_OF.get(kind, kind)
        return cls(kind, table, meta_of(kind, table.attrs))

    def frame(self) -> pd.DataFrame:
        """The table with its metadata in ``attrs`` (what the sensitivity function returned).

        Examples
        --------
        >>> import motives as mv
        >>> from motives.sensitivity import break_even
        >>> r = SensitivityResult.of("break_even", break_even(mv.examples.load("dice")))
        >>> r.frame().attrs["rival"]
        'd12'
        """
        df = self.table.copy()
        df.attrs = self.meta.model_dump()
        return df

    def equals(self, other: object) -> bool:
        """Same kind, equal metadata and an equal table (values, dtypes, index; NaN equal to NaN).

        Examples
        --------
        >>> import motives as mv
        >>> from motives.sensitivity import tornado
        >>> a = SensitivityResult.of("tornado", tornado(mv.examples.load("dice")))
        >>> (
        ...     a.equals(a),
        ...     a.equals(
        ...         SensitivityResult.of("tornado", tornado(mv.examples.load("dice"), factor=2))
        ...     ),
        ... )
        (True, False)
        """
        if not isinstance(other, SensitivityResult) or other.kind != self.kind:
            return False
        if other.meta.model_dump_json() != self.meta.model_dump_json():  # NaN equal to NaN here too
            return False
        try:
            pd.testing.assert_frame_equal(self.table, other.table, check_exact=True)
        except AssertionError:
            return False
        return True

    def save(self, folder: str | Path, name: str | None = None) -> Path:
        """Write ``<folder>/<name>.csv`` (the table) and ``<name>.json``.

        The JSON holds kind, metadata, dtypes, index.

        ``name`` defaults to the kind; the folder is created if it does not exist. Returns the CSV's
        path.

        Examples
        --------
        >>> import tempfile
        >>> import motives as mv
        >>> from motives.sensitivity import evidence_discount
        >>> r = SensitivityResult.of(
        ...     "evidence_discount", evidence_discount(mv.examples.load("dice"), points=5)
        ... )
        >>> with tempfile.TemporaryDirectory() as d:
        ...     print(r.save(d, "discount").name, sorted(p.name for p in Path(d).iterdir()))
        discount.csv ['discount.csv', 'discount.json']
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        name = name or self.kind
        t = self.table
        cols = [str(c) for c in t.columns]
        if len(set(cols)) != len(cols) or isinstance(t.columns, pd.MultiIndex):
            raise ValueError(
                f"cannot save {name}: its columns must be distinct single names, got "
                f"{list(t.columns)}"
            )
        levels = [t.index.get_level_values(i) for i in range(t.index.nlevels)]
        side = {
            "format": FORMAT,
            "version": VERSION,
            "kind": self.kind,
            "name": name,
            "meta": json.loads(self.meta.model_dump_json()),
            "index": {
                "names": list(t.index.names),
                "dtypes": [_dtype(v, f"index level {v.name}") for v in levels],
                "na": [_na_rows(v) for v in levels],
            },
            "columns": {
                "names": cols,
                "dtype": str(t.columns.dtype),
                "dtypes": [_dtype(t[c], f"column {c}") for c in t.columns],
                "na": [_na_rows(t[c]) for c in t.columns],
            },
        }
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(
                fh, lineterminator="\r\n"
            )  # RFC 4180; a lone \r or \n in a cell is quoted too
            w.writerow([("" if n is None else str(n)) for n in t.index.names] + cols)
            arrays = [list(map(_cell, v)) for v in levels] + [
                list(map(_cell, t[c])) for c in t.columns
            ]
            for row in zip(*arrays, strict=True):
                w.writerow(row)
        (folder / f"{name}.json").write_text(
            json.dumps(side, indent=2, allow_nan=True) + "\n", encoding="utf-8"
        )
        return path

    @classmethod
    def load(cls, folder: str | Path, name: str) -> SensitivityResult:
        """Read a result :meth:`save` wrote.

        An equal table (dtypes, index, NaN and infinities) and equal metadata.

        A missing, foreign or edited file raises :class:`~motives.errors.MotivesError` naming the
        file and what is wrong.

        Examples
        --------
        >>> import tempfile
        >>> import motives as mv
        >>> from motives.sensitivity import trajectory
        >>> r = SensitivityResult.of("trajectory", trajectory(mv.examples.load("dice")))
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = r.save(d)
        ...     back = SensitivityResult.load(d, "trajectory")
        >>> back.meta.undated_items, back.equals(r)
        (['roll_6', 'roll_8'], True)
        """
        folder = Path(folder)
        jpath, cpath = folder / f"{name}.json", folder / f"{name}.csv"
        try:
            side = json.loads(jpath.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise MotivesError(
                f"{jpath}: no such file (a saved sensitivity result is <name>.csv and <name>.json)"
            ) from None
        except json.JSONDecodeError as exc:
            raise MotivesError(f"{jpath}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(side, dict) or side.get("format") != FORMAT:
            raise MotivesError(
                f'{jpath}: not a motives sensitivity result (no "format": "{FORMAT}")'
            )
        if side.get("version") != VERSION:
            raise MotivesError(
                f"{jpath}: version {side.get('version')!r} of the format; this motives reads "
                f"{VERSION}"
            )
        try:
            kind = side["kind"]
            meta = meta_of(kind, side["meta"])
            table = _read_table(cpath, side["index"], side["columns"])
        except (KeyError, TypeError, ValueError) as exc:
            raise MotivesError(f"{jpath} / {cpath.name}: {exc}") from None
        return cls(kind, table, meta)


def load_results(folder: str | Path) -> dict[str, SensitivityResult]:
    """Every result saved in ``folder``, by name, in name order.

    Each is a ``<name>.json`` sidecar and its CSV.

    Examples
    --------
    >>> import tempfile
    >>> import motives as mv
    >>> from motives.sensitivity import run_all
    >>> tables = run_all(mv.examples.load("dice"), sweep_points=5, sobol_samples=16)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for name, df in tables.items():
    ...         _ = SensitivityResult.of(name, df).save(d, name)
    ...     back = load_results(d)
    >>> sorted(back) == sorted(tables), back["sobol"].kind, back["sobol"].meta.scale
    (True, 'global_sensitivity', 'log_odds')
    """
    folder = Path(folder)
    out = {}
    for p in sorted(folder.glob("*.json")):
        try:
            fmt = json.loads(p.read_text(encoding="utf-8")).get("format")
        except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
            continue
        if fmt == FORMAT:
            out[p.stem] = SensitivityResult.load(folder, p.stem)
    return out


def unpack(obj: SensitivityResult | pd.DataFrame, kind: str) -> tuple[pd.DataFrame, Any]:
    """``(table, meta)`` of a result or of a DataFrame carrying its ``attrs``.

    The plot functions' intake.

    A DataFrame without the metadata a figure needs, or with a value of the wrong type, raises
    ``ValueError`` naming the field (never a silent default); other ``attrs`` keys are left aside; a
    result of another kind raises too.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.sensitivity import tornado
    >>> tor = tornado(mv.examples.load("dice"))
    >>> table, meta = unpack(tor, "tornado")
    >>> meta.target, meta.factor
    ('d8', 3.0)
    >>> bare = tor.copy()
    >>> bare.attrs = {}
    >>> try:
    ...     unpack(bare, "tornado")
    ... except ValueError as exc:
    ...     print(str(exc).split(" in its")[0])
    a tornado table needs target, target_level, lens, factor, mode
    """
    kind = KIND_OF.get(kind, kind)
    if isinstance(obj, SensitivityResult):
        if obj.kind != kind:
            raise ValueError(f"expected a {kind} result, got a {obj.kind} result")
        return obj.table, obj.meta
    if isinstance(
        obj, pd.DataFrame
    ):  # keys of the user's own beside the metadata change no figure: left aside
        known = META[kind].model_fields if kind in META else {}
        return obj, meta_of(kind, {k: v for k, v in obj.attrs.items() if k in known})
    raise TypeError(
        f"expected a SensitivityResult or a DataFrame of {kind}, got {type(obj).__name__}"
    )


def table_of(obj: SensitivityResult | pd.DataFrame) -> pd.DataFrame:
    """The DataFrame of a result (a DataFrame as it is): for figures that need no metadata.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.sensitivity import item_information
    >>> t = item_information(mv.examples.load("dice"))
    >>> table_of(SensitivityResult.of("item_information", t)) is t, table_of(t) is t
    (True, True)
    """
    if isinstance(obj, SensitivityResult):
        return obj.table
    if isinstance(obj, pd.DataFrame):
        return obj
    raise TypeError(f"expected a SensitivityResult or a DataFrame, got {type(obj).__name__}")


# --------------------------------------------------------------------------- CSV cells


def _dtype(values: pd.Index | pd.Series, what: str) -> str:
    d = str(values.dtype)
    if d not in _DTYPES:
        raise ValueError(f"cannot save {what}: dtype {d} (saved: {', '.join(_DTYPES)})")
    if d == "object":
        bad = {type(v).__name__ for v in values if not (isinstance(v, str) or _missing(v))}
        if bad:
            raise ValueError(
                f"cannot save {what}: an object column of {', '.join(sorted(bad))} values "
                "(saved: text, or a float/int/bool dtype)"
            )
    return d


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _na_rows(values: pd.Index | pd.Series) -> list[int]:
    """Rows holding a missing value in a text column.

    A float NaN is written as ``nan`` and needs no list.
    """
    if str(values.dtype) not in ("str", "object"):
        return []
    return [i for i, v in enumerate(values) if _missing(v) or v is pd.NA]


def _cell(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "True" if v else "False"
    if isinstance(v, float | np.floating):
        return repr(
            float(v)
        )  # shortest text that reads back as the same double (nan, inf, -inf too)
    if _missing(v) or v is pd.NA:
        return ""
    return str(v)


def _parse(values: list[str], dtype: str, na: list[int], what: str) -> list[Any] | np.ndarray:
    if dtype == "float64":
        try:
            return np.array([float(v) for v in values], dtype="float64")
        except ValueError as exc:
            raise ValueError(f"{what}: not a number ({exc})") from None
    if dtype == "int64":
        try:
            return np.array([int(v) for v in values], dtype="int64")
        except ValueError as exc:
            raise ValueError(f"{what}: not an integer ({exc})") from None
    if dtype == "bool":
        bad = sorted(set(values) - {"True", "False"})
        if bad:
            raise ValueError(f"{what}: not True/False: {bad[0]!r}")
        return np.array([v == "True" for v in values], dtype=bool)
    if dtype not in ("str", "object"):
        raise ValueError(f"{what}: unknown dtype {dtype!r}")
    out: list[Any] = list(values)
    for i in na:
        out[i] = np.nan
    return out


def _read_table(path: Path, index: dict[str, Any], columns: dict[str, Any]) -> pd.DataFrame:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    names, dtypes = list(index["names"]), list(index["dtypes"])
    cols, cdt = list(columns["names"]), list(columns["dtypes"])
    nl = len(names)
    header = [("" if n is None else str(n)) for n in names] + cols
    if not rows or rows[0] != header:
        raise ValueError(
            f"{path.name}, line 1: header {rows[0] if rows else []} is not the saved one {header}"
        )
    body = rows[1:]
    for k, r in enumerate(body, start=2):
        if len(r) != len(header):
            raise ValueError(f"{path.name}, line {k}: {len(r)} cells, expected {len(header)}")
    by_col = list(zip(*body, strict=True)) if body else [()] * len(header)
    arrays = [
        _parse(list(by_col[i]), dtypes[i], index["na"][i], f"{path.name}, index level {names[i]}")
        for i in range(nl)
    ]
    idx_parts = [
        pd.Index(a, dtype=d, name=n) for a, d, n in zip(arrays, dtypes, names, strict=True)
    ]
    idx = pd.MultiIndex.from_arrays(idx_parts, names=names) if nl > 1 else idx_parts[0]
    data = {}
    for j, (c, d) in enumerate(zip(cols, cdt, strict=True)):
        data[c] = pd.Series(
            _parse(list(by_col[nl + j]), d, columns["na"][j], f"{path.name}, column {c}"),
            dtype=d,
            index=idx,
        )
    df = pd.DataFrame(data, index=idx)
    df.columns = pd.Index(cols, dtype=columns["dtype"])
    return df


__all__ = [
    "META",
    "KIND_OF",
    "Meta",
    "SensitivityResult",
    "load_results",
    "meta_of",
    "table_of",
    "unpack",
]
