"""A fit's identity: one frozen record of everything a fit depends on, and its one hash.

:class:`FitConfig` holds the case (its name and a hash of its content), the
model, lens, prior, reliability, the sampler settings and the motives version.
:func:`motives.models.fit` and :func:`motives.models.fit_spec` both build one,
it is the only thing they pass to the fitting code, and :meth:`FitConfig.hash`
is the only hash a fit carries. A saved fit stores the record (trace attr
``motives_config``) and its hash (``motives_config_hash``);
:func:`motives.models.load_result` rebuilds the record from the spec and the
case as they are now and refuses the fit, saying what changed, when they differ.

The record says what was asked for; :func:`draws_digest` says what came out: a
digest of every numeric variable of the posterior and the sampler statistics,
values with their dimensions and coordinates (trace attr ``motives_draws_digest``,
written when the fit is made). :func:`motives.models.load_result` recomputes it
and refuses a fit whose draws were edited since (two hypotheses' draws swapped, a
chain replaced), naming the variable. It is a check against edited files, not a
signature: whoever edits the draws and recomputes the digest is not detected.

What is *not* in the record cannot change the fit: a spec's name,
description, ``figures`` and ``sensitivity`` settings, the progress bar.
The case's content is hashed whole (every field of the loaded case, after
``extends`` and ``amend`` are applied): a rule "hash only what the model
reads" would have to be kept by hand, and a field it missed would let a stale
fit through. So an edited rationale or quote also asks for a refit.

Examples
--------
>>> import motives as mv
>>> case = mv.examples.load("witness")
>>> cfg = FitConfig.build(case, draws=500, chains=2)
>>> cfg.case, cfg.model, cfg.lens, cfg.draws, cfg.motives_version == mv.__version__
('witness', 'exclusive', 'default', 500, True)
>>> len(cfg.hash()), cfg.hash() == FitConfig.build(case, draws=500, chains=2).hash()
(16, True)
>>> cfg.hash() == FitConfig.build(case, draws=1000, chains=2).hash()
False
>>> [line for line in cfg.differences(FitConfig.build(case, draws=1000, chains=2))]
['sampler.draws 500 -> 1000']
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from motives.errors import MotivesError

if TYPE_CHECKING:
    from motives.schema import Case
    from motives.spec import AnalysisSpec

ModelKind = Literal["exclusive", "mixture", "pooled"]
Backend = Literal["auto", "nutpie", "pymc"]

#: Record fields that come from a spec's ``sampler:`` section (named ``sampler.<field>`` in
#: messages).
SAMPLER_FIELDS = ("draws", "tune", "chains", "seed", "backend", "target_accept")


def stable_hash(value: Any) -> str:
    """SHA-256 (first 16 hex digits) of JSON-able data, with sorted keys: the same in every process.

    Examples
    --------
    >>> stable_hash({"b": 1, "a": [1.5, "x"]}) == stable_hash({"a": [1.5, "x"], "b": 1})
    True
    >>> stable_hash({"a": 1})
    '015abd7f5cc57a2d'
    """
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(blob.encode("ascii")).hexdigest()[:16]


#: The trace groups whose draws :func:`draws_digest` covers.
DIGEST_GROUPS = ("posterior", "sample_stats")


def draws_digest(trace: Any) -> dict[str, str]:
    """A digest per numeric variable of a fit's draws: ``{"posterior/credence": "3f...", ...}``.

    Each digest covers the variable's dimensions, its coordinates (the hypothesis ids in their
    order) and its values as little-endian float64, so a swap of two hypotheses' draws, a changed
    value or relabelled coordinates each change it; saving to netCDF and reading back does not
    (variables netCDF cannot store, such as text, are left out, as the save leaves them out).

    Examples
    --------
    >>> from motives.testing import fake_fit, two_hypothesis_case
    >>> trace = fake_fit(two_hypothesis_case(), seed=1).trace
    >>> d = draws_digest(trace)
    >>> sorted(d), len(d["posterior/credence"])
    (['posterior/credence', 'posterior/family_credence', 'sample_stats/diverging'], 16)
    >>> x = trace.posterior["credence"].values
    >>> x[..., [0, 1]] = x[..., [1, 0]]  # two hypotheses' draws swapped
    >>> draws_digest(trace)["posterior/credence"] == d["posterior/credence"]
    False
    """
    import numpy as np

    out: dict[str, str] = {}
    for group in DIGEST_GROUPS:
        if group not in trace.children:
            continue
        ds = trace[group].to_dataset()
        for name in sorted(map(str, ds.data_vars)):
            v = ds[name]
            if v.dtype.kind not in "biuf":
                continue
            coords = {
                str(d): [str(c) for c in np.asarray(ds[d].values).ravel()]
                for d in v.dims
                if d in ds.coords
            }
            h = hashlib.sha256(
                json.dumps(
                    {"dims": [str(d) for d in v.dims], "shape": list(v.shape), "coords": coords},
                    sort_keys=True,
                ).encode("utf-8")
            )
            h.update(np.ascontiguousarray(np.asarray(v.values), dtype="<f8").tobytes())
            out[f"{group}/{name}"] = h.hexdigest()[:16]
    return out


def draws_changed(stored: dict[str, str], now: dict[str, str]) -> list[str]:
    """The variables whose draws differ from their recorded digest (or are gone), as message parts.

    Examples
    --------
    >>> draws_changed({"posterior/credence": "a", "posterior/x": "b"}, {"posterior/credence": "c"})
    ["the draws of 'posterior/credence' differ from those recorded when the fit was made",
    "'posterior/x' is gone"]
    """
    out = []
    for key, digest in stored.items():
        if key not in now:
            out.append(f"'{key}' is gone")
        elif now[key] != digest:
            out.append(f"the draws of '{key}' differ from those recorded when the fit was made")
    return out


def case_content(case: Case) -> dict[str, Any]:
    """Everything in a loaded case, as JSON-able data (the input of :func:`case_hash`).

    Every field of :class:`motives.schema.Case` is dumped: hypotheses, priors,
    lenses, sources and their reliability, propositions with their tables,
    evidence with every judgement, references. ``extends`` and ``amend`` have
    been applied by :func:`motives.load_case`, so their effect is in here.
    """
    return case.model_dump(mode="json")


def case_hash(case: Case) -> str:
    """Stable hash of a case's content (:func:`case_content`).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("cookies")
    >>> h = case_hash(case)
    >>> h == case_hash(mv.examples.load("cookies")), len(h)
    (True, 16)
    >>> case_hash(case.without_items([case.evidence[0].id])) == h  # any edit changes it
    False
    """
    return stable_hash(case_content(case))


def case_parts(case: Case) -> dict[str, str]:
    """A hash per part of a case (``evidence/<id>``, ``propositions/<id>``, ``hypotheses``, ...).

    Stored beside a fit (not hashed into it) so that a refusal can say which
    parts of the case changed.

    Examples
    --------
    >>> import motives as mv
    >>> parts = case_parts(mv.examples.load("witness"))
    >>> [k for k in sorted(parts) if "/" in k], "hypotheses" in parts, "sources" in parts
    (['evidence/says_blue'], True, True)
    """
    parts: dict[str, str] = {}
    for field, value in case_content(case).items():
        if field in ("evidence", "propositions") and isinstance(value, list):
            for row in value:
                parts[f"{field}/{row.get('id', '?')}"] = stable_hash(row)
        else:
            parts[field] = stable_hash(value)
    return parts


def parts_changed(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """What differs between two :func:`case_parts`, in words (``evidence item 'e3' edited``).

    Examples
    --------
    >>> parts_changed(
    ...     {"hypotheses": "1", "evidence/e1": "2"},
    ...     {"hypotheses": "1", "evidence/e1": "3", "evidence/e2": "4"},
    ... )
    ["evidence item 'e1' edited", "evidence item 'e2' added"]
    """
    out = []
    for key in sorted(set(old) | set(new), key=lambda k: (k.count("/"), k)):
        what = key
        if "/" in key:
            field, ident = key.split("/", 1)
            what = f"{'evidence item' if field == 'evidence' else 'proposition'} '{ident}'"
        if key not in old:
            out.append(f"{what} added")
        elif key not in new:
            out.append(f"{what} removed")
        elif old[key] != new[key]:
            out.append(f"{what} edited")
    return out


class FitConfig(BaseModel):
    """Everything a fit depends on; :meth:`hash` is the fit's identity.

    Build it with :meth:`build` (from :func:`motives.models.fit`'s arguments)
    or :meth:`from_spec`; both resolve the lens (and the pooled lenses) the way
    the models do, so equivalent settings give the same record. Fields the model kind ignores are
    left out (``lenses`` of a single-lens model, ``lens`` of the pooled model).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("two_lenses")
    >>> pooled = FitConfig.build(case, model="pooled", lens="ignored")
    >>> (
    ...     pooled.lens is None,
    ...     pooled.lenses == tuple(case.lens_ids),
    ... )  # the pooled model pools every lens by default
    (True, True)
    >>> FitConfig.build(case).lens == case.default_lens  # None means the case's default lens
    True
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    case: str
    case_hash: str
    model: ModelKind
    lens: str | None
    lenses: tuple[str, ...] | None
    prior: Any
    reliability: bool
    draws: int
    tune: int
    chains: int
    seed: int
    backend: Backend
    target_accept: float
    motives_version: str

    @classmethod
    def build(
        cls,
        case: Case,
        *,
        model: ModelKind = "exclusive",
        lens: str | None = None,
        prior: Any = None,
        lenses: list[str] | tuple[str, ...] | None = None,
        reliability: bool = True,
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 4,
        seed: int = 1,
        backend: Backend = "auto",
        target_accept: float = 0.9,
    ) -> FitConfig:
        """The record of a fit of ``case`` with these settings.

        The settings are the parameters of :func:`motives.models.fit`.

        Examples
        --------
        >>> import motives as mv
        >>> FitConfig.build(mv.examples.load("cookies"), prior="uniform", seed=3).seed
        3
        """
        import motives

        if model not in ("exclusive", "mixture", "pooled"):
            raise MotivesError(f"model must be 'exclusive', 'mixture' or 'pooled', got {model!r}")
        if (
            model == "pooled"
        ):  # None (or none given) pools every lens of the case, as the pooled model does
            lens, lenses = None, tuple(case.resolve_lens(x) for x in (lenses or case.lens_ids))
        else:
            lens, lenses = case.resolve_lens(lens), None
        try:
            return cls(
                case=case.name,
                case_hash=case_hash(case),
                model=model,
                lens=lens,
                lenses=lenses,
                prior=_plain(prior),
                reliability=reliability,
                draws=draws,
                tune=tune,
                chains=chains,
                seed=seed,
                backend=backend,
                target_accept=target_accept,
                motives_version=motives.__version__,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise MotivesError(
                f"fit setting {where}: {first['msg']} (got {first.get('input')!r})"
            ) from None

    @classmethod
    def from_spec(cls, spec: AnalysisSpec, case: Case) -> FitConfig:
        """The record of fitting ``spec`` to ``case``.

        Its model, lens(es), prior, reliability and sampler.

        A spec's name, description, ``figures`` and ``sensitivity`` are not in it.

        Examples
        --------
        >>> import motives as mv
        >>> from motives.spec import AnalysisSpec
        >>> case = mv.examples.load("witness")
        >>> spec = AnalysisSpec(name="w", case="witness", sampler={"draws": 200, "chains": 2})
        >>> FitConfig.from_spec(spec, case) == FitConfig.build(case, draws=200, chains=2)
        True
        """
        s = spec.sampler
        return cls.build(
            case,
            model=spec.model,
            lens=spec.lens,
            prior=spec.prior,
            lenses=spec.lenses,
            reliability=spec.reliability,
            draws=s.draws,
            tune=s.tune,
            chains=s.chains,
            seed=s.seed,
            backend=s.backend,
            target_accept=s.target_accept,
        )

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-able data (what is hashed and stored).

        Examples
        --------
        >>> import motives as mv
        >>> sorted(FitConfig.build(mv.examples.load("cookies")).as_dict())[:4]
        ['backend', 'case', 'case_hash', 'chains']
        """
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        """The record as JSON with sorted keys (stored in the trace attr ``motives_config``).

        Examples
        --------
        >>> import motives as mv
        >>> cfg = FitConfig.build(mv.examples.load("cookies"))
        >>> FitConfig.from_stored(json.loads(cfg.to_json())) == cfg
        True
        """
        return json.dumps(self.as_dict(), sort_keys=True)

    def hash(self) -> str:
        """The fit's identity: :func:`stable_hash` of :meth:`as_dict`.

        Examples
        --------
        >>> import motives as mv
        >>> cfg = FitConfig.build(mv.examples.load("cookies"))
        >>> (
        ...     cfg.hash() == stable_hash(cfg.as_dict()),
        ...     cfg.hash() == cfg.model_copy(update={"seed": 2}).hash(),
        ... )
        (True, False)
        """
        return stable_hash(self.as_dict())

    @classmethod
    def from_stored(cls, data: Any) -> FitConfig:
        """Read a stored record back.

        A :class:`MotivesError` when it is not one (e.g. an older motives wrote it).

        Examples
        --------
        >>> try:
        ...     FitConfig.from_stored({"draws": 1000, "chains": 4})
        ... except MotivesError as err:
        ...     print(str(err)[:46])
        the fit record lacks case, case_hash, model, l
        """
        if not isinstance(data, dict):
            raise MotivesError("the fit record is not a JSON object")
        missing = [f for f in cls.model_fields if f not in data]
        if missing:
            raise MotivesError(f"the fit record lacks {', '.join(missing)}")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise MotivesError(f"the fit record is not valid: {where}: {first['msg']}") from None

    def differences(self, other: FitConfig) -> list[str]:
        """What changed from this record to ``other``, one line per field, in words.

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.load("witness")
        >>> FitConfig.build(case).differences(FitConfig.build(case, prior="uniform", seed=2))
        ["prior None -> 'uniform'", 'sampler.seed 1 -> 2']
        """
        out = []
        mine, theirs = self.as_dict(), other.as_dict()
        for name in type(self).model_fields:
            a, b = mine[name], theirs[name]
            if a == b:
                continue
            if name == "case_hash":
                out.append(
                    f"case content changed (hash {a} -> {b}): the evidence was edited since the fit"
                )
            elif name == "motives_version":
                out.append(f"motives version {a} -> {b}: a fit is not carried across versions")
            else:
                label = f"sampler.{name}" if name in SAMPLER_FIELDS else name
                out.append(f"{label} {a!r} -> {b!r}")
        return out


def _plain(value: Any) -> Any:
    """A prior as plain JSON data, so equal priors hash equally.

    Lists, not tuples; floats, not ints or numpy scalars.

    Examples
    --------
    >>> import numpy as np
    >>> _plain({"dirichlet": {"a": 1, "b": np.float64(2)}}), _plain((1, 0.5)), _plain("uniform")
    ({'dirichlet': {'a': 1.0, 'b': 2.0}}, [1.0, 0.5], 'uniform')
    """

    def convert(x: Any) -> Any:
        if hasattr(x, "tolist"):  # numpy scalars and arrays
            return x.tolist()
        raise MotivesError(
            f"prior: cannot store {type(x).__name__} {x!r}; give numbers, a list or a mapping"
        )

    def floats(x: Any) -> Any:  # a prior's numbers are weights: 1 and 1.0 are the same prior
        if isinstance(x, dict):
            return {k: floats(v) for k, v in x.items()}
        if isinstance(x, list):
            return [floats(v) for v in x]
        return float(x) if isinstance(x, int) and not isinstance(x, bool) else x

    return floats(json.loads(json.dumps(value, default=convert))) if value is not None else None
