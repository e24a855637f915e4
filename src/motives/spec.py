"""Analysis specs: which case, lens, model, priors, sampler settings and outputs (``models/*.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from motives.schema import Id, Record
from motives.schema.forms import Flag, Integer, Number, strict_number


class SamplerSettings(Record):
    """MCMC settings."""

    draws: Integer = Field(default=1000, ge=10, le=1_000_000, description="Draws per chain after tuning.")
    tune: Integer = Field(default=1000, ge=0, le=1_000_000, description="Tuning steps per chain.")
    chains: Integer = Field(default=4, ge=1, le=64)
    seed: Integer = Field(default=1, ge=0, description="Random seed; the same seed gives the same draws.")
    target_accept: Number = Field(default=0.9, gt=0.5, lt=1.0)
    backend: Literal["auto", "nutpie", "pymc"] = Field(
        default="auto", description="auto: nutpie when installed, else PyMC's NUTS."
    )


class SensitivitySettings(Record):
    """Settings of ``motives sensitivity``."""

    tornado_factor: Number = Field(default=3.0, gt=1.0, allow_inf_nan=False,
                                   description="Each item's likelihood ratio scaled by 1/f and f.")
    sweep_points: Integer = Field(default=101, ge=3, le=100_000)
    sobol_samples: Integer = Field(default=1024, ge=16, le=1_000_000, description="Saltelli base sample size N.")
    seed: Integer = Field(default=1, ge=0)


class AnalysisSpec(Record):
    """One analysis: ``motives run SPEC`` and ``motives sensitivity SPEC`` read it."""

    name: Id
    description: str = ""
    case: str = Field(description="Case folder, relative to the spec file.")
    model: Literal["exclusive", "mixture", "pooled"] = "exclusive"
    lens: Id | None = Field(default=None, description="Lens; default the case's default lens.")
    lenses: list[Id] | None = Field(default=None, description="Lenses pooled by the pooled model (default: all).")
    prior: Any = Field(
        default=None,
        description="None (the case's), 'uniform', {hypothesis: p}, or {dirichlet: {hypothesis: alpha}}.",
    )
    reliability: Flag = Field(default=True, description="Mix in source reliability.")
    sampler: SamplerSettings = Field(default_factory=SamplerSettings)
    sensitivity: SensitivitySettings = Field(default_factory=SensitivitySettings)
    figures: list[Literal["pdf", "png", "svg"]] = Field(default_factory=lambda: ["pdf", "png"])

    @field_validator("prior", mode="before")
    @classmethod
    def _prior_shape(cls, value: Any) -> Any:
        """The prior's form (its ids are checked against the case when the case is loaded)."""
        def numbers(x: Any, what: str) -> None:
            items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else None
            if items is None or not x:
                raise ValueError(f"{what} must be a mapping hypothesis -> number or a list of numbers, got {x!r}")
            for k, v in items:
                if isinstance(x, dict) and not isinstance(k, str):
                    raise ValueError(f"{what}: keys must be hypothesis ids, got {k!r}")
                try:
                    strict_number(v)
                except ValueError as exc:
                    raise ValueError(f"{what}, {k}: {exc}") from None
                if not (float(v) >= 0 and float(v) < float("inf")):
                    raise ValueError(f"{what}, {k}: must be a finite number >= 0, got {v!r}")

        if value is None or value == "uniform":
            return value
        if isinstance(value, str):
            raise ValueError(f"prior must be 'uniform', a mapping, a list or {{dirichlet: ...}}, got {value!r}")
        if isinstance(value, dict) and set(value) == {"dirichlet"}:
            numbers(value["dirichlet"], "prior.dirichlet")
            return value
        numbers(value, "prior")
        return value

    def case_path(self, spec_file: str | Path) -> Path:
        """The case folder, resolved against the spec file's folder."""
        return (Path(spec_file).parent / self.case).resolve()


def load_spec(path: str | Path) -> AnalysisSpec:
    r"""Load and validate an analysis spec YAML file.

    Raises
    ------
    CaseError
        With file, line and field for every problem.

    Examples
    --------
    A spec in ``models/`` naming a case folder next to it (written to a temporary folder here):

    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> import motives as mv
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> _ = shutil.copytree(mv.examples.path("cookies"), root / "cookies")
    >>> (root / "models").mkdir()
    >>> spec_file = root / "models" / "cookies.yaml"
    >>> _ = spec_file.write_text("name: cookies\ncase: ../cookies\nprior: uniform\nsampler: {draws: 200, chains: 2}\n")
    >>> spec = mv.load_spec(spec_file)
    >>> spec.model, spec.prior, spec.sampler.draws, spec.sampler.tune  # unset fields take their defaults
    ('exclusive', 'uniform', 200, 1000)
    >>> mv.load_case(spec.case_path(spec_file)).hypothesis_ids  # the case, resolved against the spec's folder
    ['bowl1', 'bowl2']
    >>> _ = spec_file.write_text("name: cookies\ncase: ../cookies\nmodel: bayes\n")
    >>> try:
    ...     mv.load_spec(spec_file)
    ... except mv.CaseError as err:
    ...     print(err.problems[0].line, err.problems[0].field, "'bayes'" in err.problems[0].message)
    3 model True
    >>> tmp.cleanup()
    """
    from motives.io import read_yaml, validate

    p = Path(path)
    data, lines = read_yaml(p)
    return validate(AnalysisSpec, data, str(p), lines)
