"""JSON Schema of the formats.

``case.yaml``, evidence files and analysis specs (above :mod:`motives.spec`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from motives.schema import CaseFile, EvidenceFile
from motives.spec import AnalysisSpec


def json_schema(what: str = "all") -> dict[str, Any]:
    """JSON Schema of ``case.yaml``, of evidence files or of analysis specs.

    ``what``: ``"case"`` (``case.yaml``), ``"evidence"`` (an evidence file) or ``"spec"`` (an
    analysis spec) give a schema whose root is that file, for a validator or an editor; ``"all"``
    gives the three side by side (``$defs`` shared), for reading.

    Examples
    --------
    >>> sorted(json_schema()["properties"])
    ['analysis spec', 'case.yaml', 'evidence file']
    >>> spec = json_schema("spec")
    >>> sorted(spec["properties"])[:4], spec["additionalProperties"]  # the root is the spec itself
    (['case', 'description', 'figures', 'lens'], False)
    """
    from pydantic.json_schema import models_json_schema

    roots: dict[str, type[BaseModel]] = {
        "case": CaseFile,
        "evidence": EvidenceFile,
        "spec": AnalysisSpec,
    }
    if what in roots:
        return roots[what].model_json_schema(mode="validation")
    if what != "all":
        raise ValueError(f"what must be 'all', 'case', 'evidence' or 'spec', got {what!r}")
    parts: dict[str, type[BaseModel]] = {
        "case.yaml": CaseFile,
        "evidence file": EvidenceFile,
        "analysis spec": AnalysisSpec,
    }
    _, top = models_json_schema(
        [(m, "validation") for m in parts.values()], title="motives formats"
    )
    top["type"] = "object"
    top["properties"] = {k: {"$ref": f"#/$defs/{m.__name__}"} for k, m in parts.items()}
    return top
