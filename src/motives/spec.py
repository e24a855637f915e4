"""Analysis specs.

Which case, lens, model, priors, sampler settings and outputs (``models/*.yaml``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from motives.schema import Id, Record
from motives.schema.forms import Flag, Integer, Number, strict_number

#: A target as written: an id, or ``grouping.group``.
TargetId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$", max_length=161)
]


class SamplerSettings(Record):
    """MCMC settings."""

    draws: Integer = Field(
        default=1000, ge=10, le=1_000_000, description="Draws per chain after tuning."
    )
    tune: Integer = Field(default=1000, ge=0, le=1_000_000, description="Tuning steps per chain.")
    chains: Integer = Field(
        default=4, ge=1, le=64, description="Independent chains (R-hat needs at least 2)."
    )
    seed: Integer = Field(
        default=1, ge=0, description="Random seed; the same seed gives the same draws."
    )
    target_accept: Number = Field(
        default=0.9,
        gt=0.5,
        lt=1.0,
        description="NUTS target acceptance rate; raise it (e.g. 0.95) on divergences.",
    )
    backend: Literal["auto", "nutpie", "pymc"] = Field(
        default="auto",
        description=(
            "auto: PyMC's NUTS for a one-off fit (nutpie when this process has compiled the "
            "model's structure with nutpie), nutpie for refits of a built model; nutpie: "
            "compiled once per model structure and kept on disk, the fastest from a "
            "structure's second fit on; pymc: PyMC's NUTS."
        ),
    )


class RefitSettings(Record):
    """A grid of full MCMC refits (:mod:`motives.models.grid`).

    ``motives sensitivity`` writes ``refits.csv``.
    """

    prior_power: list[Number] = Field(
        default_factory=lambda: [0.0, 0.5, 1.0, 2.0],
        min_length=1,
        max_length=100,
        description="Powers of the hypothesis prior (0 uniform, 1 as written).",
    )
    concentration: list[Number] = Field(
        default_factory=lambda: [1.0],
        min_length=1,
        max_length=100,
        description="Factors on every uncertain judgement's Beta concentration.",
    )

    @field_validator("prior_power", "concentration")
    @classmethod
    def _finite(cls, values: list[float], info: Any) -> list[float]:
        """Finite numbers: powers >= 0, factors > 0."""
        for v in values:
            if (
                not (float(v) < float("inf"))
                or float(v) < 0
                or (info.field_name == "concentration" and float(v) == 0)
            ):
                raise ValueError(
                    f"{info.field_name} values must be finite and "
                    f"{'> 0' if info.field_name == 'concentration' else '>= 0'}, got {v!r}"
                )
        return values


class SensitivitySettings(Record):
    """Settings of ``motives sensitivity``."""

    tornado_factor: Number = Field(
        default=3.0,
        gt=1.0,
        allow_inf_nan=False,
        description="Each item's likelihood ratio scaled by 1/f and f.",
    )
    sweep_points: Integer = Field(
        default=101, ge=3, le=100_000, description="Points of the prior sweep over [0, 1]."
    )
    sobol_samples: Integer = Field(
        default=1024, ge=16, le=1_000_000, description="Saltelli base sample size N."
    )
    seed: Integer = Field(default=1, ge=0, description="Random seed of the Sobol samples.")
    refits: RefitSettings | None = Field(
        default=None,
        description="Full MCMC refits over a grid of prior powers "
        "and concentrations, with the spec's sampler (none by default).",
    )


class AnalysisSpec(Record):
    """One analysis: ``motives run SPEC`` and ``motives sensitivity SPEC`` read it."""

    name: Id = Field(description="Name of the analysis (an id); shown in outputs.")
    description: str = Field(default="", description="Free text.")
    case: str = Field(description="Case folder, relative to the spec file.")
    model: Literal["exclusive", "mixture", "pooled"] = Field(
        default="exclusive",
        description="MCMC model of motives run: exclusive (one hypothesis is true), mixture "
        "(shares of several), pooled (several lenses).",
    )
    lens: Id | None = Field(default=None, description="Lens; default the case's default lens.")
    lenses: list[Id] | None = Field(
        default=None, description="Lenses pooled by the pooled model (default: all)."
    )
    prior: Any = Field(
        default=None,
        description="None (the case's), 'uniform', {hypothesis: p}, or {dirichlet: {hypothesis: "
        "alpha}}.",
    )
    target: TargetId | None = Field(
        default=None,
        description="What sensitivity and report analyse: a hypothesis id, a family id, or a "
        "group of a grouping "
        "(group, or grouping.group); default the leading family. Checked against the case.",
    )
    reliability: Flag = Field(default=True, description="Mix in source reliability.")
    sampler: SamplerSettings = Field(
        default_factory=SamplerSettings, description="MCMC settings of motives run."
    )
    sensitivity: SensitivitySettings = Field(
        default_factory=SensitivitySettings,
        description="Settings of motives sensitivity and motives report.",
    )
    figures: list[Literal["pdf", "png", "svg"]] = Field(
        default_factory=lambda: ["pdf", "png"],  # type: ignore[arg-type]
        description="Figure formats written.",
    )

    @field_validator("prior", mode="before")
    @classmethod
    def _prior_shape(cls, value: Any) -> Any:
        """The prior's form (its ids are checked against the case when the case is loaded)."""

        def numbers(x: Any, what: str) -> None:
            items = (
                x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else None
            )
            if items is None or not x:
                raise ValueError(
                    f"{what} must be a mapping hypothesis -> number or a list of numbers, got {x!r}"
                )
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
            raise ValueError(
                f"prior must be 'uniform', a mapping, a list or {{dirichlet: ...}}, got {value!r}"
            )
        if isinstance(value, dict) and set(value) == {"dirichlet"}:
            numbers(value["dirichlet"], "prior.dirichlet")
            return value
        numbers(value, "prior")
        return value

    @model_validator(mode="after")
    def _lenses_only_pooled(self) -> AnalysisSpec:
        if self.lenses is not None and self.model != "pooled":  # it would be silently ignored
            raise ValueError(
                f"lenses: is read by the pooled model only, and this spec's model is {self.model}: "
                "remove lenses: (use lens: to pick one lens) or set model: pooled"
            )
        return self

    def case_path(self, spec_file: str | Path) -> Path:
        """The case folder, resolved against the spec file's folder."""
        return (Path(spec_file).parent / self.case).resolve()


def _type_text(node: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in node:
        return "mapping (below)"
    if "anyOf" in node:
        kinds = [_type_text(n, defs) for n in node["anyOf"] if n.get("type") != "null"]
        return " or ".join(kinds) + (
            " or null" if any(n.get("type") == "null" for n in node["anyOf"]) else ""
        )
    if "enum" in node:
        return " | ".join(str(v) for v in node["enum"])
    t = node.get("type")
    if t == "array":
        return f"list of {_type_text(node.get('items', {}), defs)}"
    bounds = [
        f"{op} {node[k]}"
        for k, op in (
            ("minimum", ">="),
            ("exclusiveMinimum", ">"),
            ("maximum", "<="),
            ("exclusiveMaximum", "<"),
        )
        if k in node
    ]
    name = {
        "string": "text",
        "integer": "integer",
        "number": "number",
        "boolean": "true/false",
    }.get(t or "", "any")
    return name + (f" ({', '.join(bounds)})" if bounds else "")


def spec_fields() -> list[dict[str, str]]:
    """Every key of an analysis spec, sub-keys dotted (``sampler.draws``).

    Each with ``key``, ``type``, ``default`` and ``description``.

    What the API page's table of spec keys lists (a test compares the two).

    Examples
    --------
    >>> rows = {r["key"]: r for r in spec_fields()}
    >>> rows["sampler.draws"]["type"], rows["sampler.draws"]["default"]
    ('integer (>= 10, <= 1000000)', '1000')
    >>> rows["case"]["default"], rows["target"]["type"]
    ('required', 'id or grouping.group or null')
    """
    schema = AnalysisSpec.model_json_schema()
    defs = schema.get("$defs", {})
    rows: list[dict[str, str]] = []

    def walk(model: type[Record], props: dict[str, Any], prefix: str) -> None:
        for key, f in model.model_fields.items():
            node = props[key]
            if f.is_required():
                default = "required"
            else:
                value = f.get_default(call_default_factory=True)
                default = "" if isinstance(value, Record) else json.dumps(value)
            ann = str(model.__annotations__.get(key, ""))
            kind = (
                "id or grouping.group"
                if "TargetId" in ann
                else "id"
                if re.search(r"\bId\b", ann)
                else "text"
            )
            rows.append(
                {
                    "key": prefix + key,
                    "type": re.sub(r"\btext\b", kind, _type_text(node, defs)),
                    "default": default,
                    "description": " ".join((f.description or "").split()),
                }
            )
            sub = f.annotation
            if isinstance(sub, type) and issubclass(sub, Record):
                walk(sub, defs[sub.__name__]["properties"], f"{prefix}{key}.")

    walk(AnalysisSpec, schema["properties"], "")
    return rows


def spec_markdown() -> str:
    """:func:`spec_fields` as a Markdown table (the table on the API page).

    Examples
    --------
    >>> print(spec_markdown().splitlines()[0])
    | key | type | default | description |
    """

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| key | type | default | description |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `{r['key']}` | {cell(r['type'])} | "
        f"{('`' + cell(r['default']) + '`') if r['default'] else ''} | "
        f"{cell(r['description'])} |"
        for r in spec_fields()
    ]
    return "\n".join(lines) + "\n"


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
    >>> _ = spec_file.write_text(
    ...     "name: cookies\ncase: ../cookies\nprior: uniform\nsampler: {draws: 200, chains: 2}\n"
    ... )
    >>> spec = mv.load_spec(spec_file)
    >>> (
    ...     spec.model,
    ...     spec.prior,
    ...     spec.sampler.draws,
    ...     spec.sampler.tune,
    ... )  # unset fields take their defaults
    ('exclusive', 'uniform', 200, 1000)
    >>> mv.load_case(
    ...     spec.case_path(spec_file)
    ... ).hypothesis_ids  # the case, resolved against the spec's folder
    ['bowl1', 'bowl2']
    >>> _ = spec_file.write_text("name: cookies\ncase: ../cookies\nmodel: bayes\n")
    >>> try:
    ...     mv.load_spec(spec_file)
    ... except mv.CaseError as err:
    ...     print(err.problems[0].line, err.problems[0].field, "'bayes'" in err.problems[0].message)
    3 model True
    >>> tmp.cleanup()
    """
    from motives.located import validate
    from motives.yamlfile import read_yaml

    p = Path(path)
    data, lines = read_yaml(p)
    return validate(AnalysisSpec, data, str(p), lines)
