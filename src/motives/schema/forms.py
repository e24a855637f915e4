"""Single values of the case formats: ids, the record base, likelihood forms, partial dates."""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from motives import likelihood as _lk
from motives.errors import did_you_mean
from motives.numeric import MAX_CONCENTRATION


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"[:100]


def strict_number(value: Any) -> Any:
    """A number as written: int or float; a boolean or quoted text is an error, never coerced.

    Examples
    --------
    >>> strict_number(0.5), strict_number(2)
    (0.5, 2)
    >>> strict_number(True)
    Traceback (most recent call last):
        ...
    ValueError: expected a number, got the boolean true
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        hint = " (write numbers without quotes)" if isinstance(value, str) else ""
        raise ValueError(f"expected a number, got {_shown(value)}{hint}")
    if isinstance(value, int) and abs(value) > 10**300:
        raise ValueError(f"number {str(value)[:20]}... is too large")
    return value


def strict_int(value: Any) -> Any:
    """A whole number as written: a boolean, quoted text or a fraction is an error.

    Examples
    --------
    >>> strict_int(3), strict_int(3.0)
    (3, 3)
    >>> strict_int("3")
    Traceback (most recent call last):
        ...
    ValueError: expected a whole number, got the text '3' (write numbers without quotes)
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        hint = " (write numbers without quotes)" if isinstance(value, str) else ""
        raise ValueError(f"expected a whole number, got {_shown(value)}{hint}")
    if abs(value) > 2**63:
        raise ValueError(f"number {str(value)[:20]}... is too large")
    return value


def int_key(value: Any, info: ValidationInfo) -> Any:
    """A whole-number mapping key: strict in YAML and Python.

    In JSON (whose keys are always text), a string of digits.

    A case written with ``model_dump_json`` reads back with ``model_validate_json``.
    """
    if info.mode == "json" and isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value):
        return int(value)
    return strict_int(value)


def strict_bool(value: Any) -> Any:
    """A boolean as written (``true``/``false``).

    ``"no"``, ``"yes"``, 0 or 1 are errors, never coerced.
    """
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_shown(value)}")
    return value


def exact_text(value: Any) -> Any:
    """Text compared exactly (ids, keys): no leading or trailing whitespace, never stripped."""
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {_shown(value)}")
    if value != value.strip():
        raise ValueError(
            f"{value!r} has leading or trailing whitespace; ids and keys are compared exactly"
        )
    return value


#: Characters a BibTeX key may have so that LaTeX's \\cite takes it verbatim.
CITE_KEY_PATTERN = r"^[A-Za-z0-9_:.\-+/]+$"


def cite_key(value: Any) -> Any:
    r"""A BibTeX key as ``\cite`` takes it.

    ASCII letters, digits and ``_:.-+/`` (checked when the case loads).
    """
    value = exact_text(value)
    if not re.match(CITE_KEY_PATTERN, value):
        raise ValueError(
            f"BibTeX key {value!r} has characters \\cite cannot take (use ASCII letters, digits "
            "and _:.-+/)"
        )
    return value


#: Most words a quote may have (docs/formats.md: "short quote, at most 40 words").
MAX_QUOTE_WORDS = 40


def short_quote(value: str) -> str:
    """A quote of at most :data:`MAX_QUOTE_WORDS` words (words: runs of text between whitespace).

    Examples
    --------
    >>> short_quote("a serious provocation")
    'a serious provocation'
    >>> short_quote("word " * 41)
    Traceback (most recent call last):
        ...
    ValueError: a quote of 41 words; the formats allow at most 40: quote the key words and cite the
    rest
    """
    n = len(value.split())
    if n > MAX_QUOTE_WORDS:
        raise ValueError(
            f"a quote of {n} words; the formats allow at most {MAX_QUOTE_WORDS}: quote the key "
            "words and cite the rest"
        )
    return value


#: A number (int or float, never a boolean or quoted text).
Number = Annotated[float, BeforeValidator(strict_number)]
#: A short quote (at most MAX_QUOTE_WORDS words).
Quote = Annotated[str, AfterValidator(short_quote)]
#: A whole number (never a boolean, quoted text or fraction).
Integer = Annotated[int, BeforeValidator(strict_int)]
#: A whole number used as a mapping key (JSON text keys of digits accepted in JSON mode only).
IntegerKey = Annotated[int, BeforeValidator(int_key)]
#: true or false, nothing else.
Flag = Annotated[bool, BeforeValidator(strict_bool)]
#: Text used as a key or reference: compared exactly (no whitespace stripped).
Key = Annotated[str, BeforeValidator(exact_text)]
#: A BibTeX key (sources, reported_by).
CiteKey = Annotated[str, BeforeValidator(cite_key)]

#: A short label for figures and table headers: one line, at most 32 characters.
ShortLabel = Annotated[
    str,
    StringConstraints(min_length=1, max_length=32, pattern=r"^[^\n\r]+$"),
    Field(
        description="Short label for figures and table headers (one line, at most 32 characters); "
        "default: the full label."
    ),
]

Id = Annotated[
    str,
    BeforeValidator(exact_text),
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80),
    Field(
        description="Identifier: lowercase letters, digits and underscores, starting with a letter."
    ),
]
Confidence = Literal["low", "medium", "high"]
PRIOR_TOLERANCE = 1e-6


class Record(BaseModel):
    """Base of every record: frozen, unknown keys forbidden."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


#: The shapes a likelihood cell may take as written (:func:`motives.likelihood.parse` checks each
#: form).
LIKELIHOOD_AS_WRITTEN = (
    {"type": "number", "minimum": 0, "maximum": 1},
    {"type": "string"},
    {"type": "object"},
)


def _likelihood_as_written(schema: dict[str, Any]) -> None:
    """The JSON Schema of a likelihood as written.

    A number, a phrase or percentage, or a mapping form.

    The record itself ({mean, concentration}) is one of the mapping forms;
    :func:`motives.likelihood.parse`
    checks each form, so the schema only says which shapes a cell may take.
    """
    description = schema.get("description", "")
    schema.clear()
    schema.update(
        {
            "description": description + " A number in [0, 1], a phrase, percentage or ACH rating "
            "(text), or a mapping form ({mean, concentration}, {low, high}, {icd203: ...}, ...).",
            "anyOf": list(LIKELIHOOD_AS_WRITTEN),
            "title": "Likelihood",
        }
    )


def shorthand_schema(schema: dict[str, Any]) -> None:
    """``likelihoods:`` as written.

    Lens -> judgement, or the default lens's row {key: likelihood} directly.
    """
    field = schema.get("properties", {}).get("likelihoods")
    if field is None:
        return
    row = {
        "type": "object",
        "additionalProperties": {"anyOf": [*LIKELIHOOD_AS_WRITTEN, {"type": "object"}]},
        "description": "Shorthand: the default lens's row, {hypothesis or state: likelihood}.",
    }
    schema["properties"]["likelihoods"] = {
        "anyOf": [field, row],
        "description": field.get("description", ""),
    }


class Likelihood(Record):
    """One judged probability, reduced to Beta(mean * k, (1 - mean) * k); a point when k is None.

    Written in YAML as any form of :func:`motives.likelihood.parse`.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra=_likelihood_as_written,
    )

    mean: Number = Field(ge=0.0, le=1.0, description="Mean of the judged probability.")
    concentration: Number | None = Field(
        default=None,
        gt=0,
        le=MAX_CONCENTRATION,
        description="Beta concentration alpha + beta; null for a point.",
    )

    @model_validator(mode="before")
    @classmethod
    def _parse_form(cls, value: Any) -> Any:
        if isinstance(value, Likelihood):
            return value
        if (
            isinstance(value, dict)
            and set(value) <= {"mean", "concentration"}
            and "concentration" not in value
        ):
            return value
        b = _lk.parse(value)
        return {"mean": b.mean, "concentration": b.concentration}

    @property
    def belief(self) -> _lk.Belief:
        """The same judgement as a :class:`motives.likelihood.Belief`."""
        return _lk.Belief(self.mean, self.concentration)


def _date_as_written(schema: dict[str, Any]) -> None:
    """The JSON Schema of a date as written.

    A year, or text YYYY, YYYY-MM or YYYY-MM-DD (or the record).
    """
    record = dict(schema)
    schema.clear()
    schema.update(
        {
            "title": "PartialDate",
            "description": "YYYY, YYYY-MM or YYYY-MM-DD.",
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 9999},
                {"type": "string", "pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"},
                {k: v for k, v in record.items() if k not in ("title", "description")},
            ],
        }
    )


class PartialDate(Record):
    """A date known to the year, month or day."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, json_schema_extra=_date_as_written
    )

    year: Integer = Field(ge=1, le=9999)
    month: Integer | None = Field(default=None, ge=1, le=12)
    day: Integer | None = Field(default=None, ge=1, le=31)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, PartialDate | dict):
            return value
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return {"year": value.year, "month": value.month, "day": value.day}
        if isinstance(value, int) and not isinstance(value, bool):
            return {"year": value}
        if isinstance(value, str):
            m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
            if m:
                y, mo, d = (int(g) if g else None for g in m.groups())
                try:  # an impossible month or day: the calendar's reason, with the value
                    _dt.date(max(y or 1, 1), mo or 1, d or 1)
                except ValueError as exc:
                    raise ValueError(
                        f"{exc}, got {value.strip()!r} (YYYY, YYYY-MM or YYYY-MM-DD)"
                    ) from None
                return {"year": y, "month": mo, "day": d}
        raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")

    def __str__(self) -> str:
        s = f"{self.year:04d}"
        if self.month:
            s += f"-{self.month:02d}"
        if self.day:
            s += f"-{self.day:02d}"
        return s

    @property
    def decimal_year(self) -> float:
        """Year as a number; a missing month or day is taken as the middle of the period.

        Examples
        --------
        >>> PartialDate.model_validate("2002").decimal_year
        2002.5
        """
        if self.month is None:
            return self.year + 0.5
        start = _dt.date(self.year, self.month, 1)
        days_in_year = (_dt.date(self.year + 1, 1, 1) - _dt.date(self.year, 1, 1)).days
        if self.day is None:
            nxt = _dt.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
            mid = (start - _dt.date(self.year, 1, 1)).days + (nxt - start).days / 2
            return self.year + mid / days_in_year
        d = _dt.date(self.year, self.month, self.day)
        return self.year + ((d - _dt.date(self.year, 1, 1)).days + 0.5) / days_in_year


DateField = Annotated[
    PartialDate | None, Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD.")
]


def unknown_message(what: str, value: str, valid: list[str]) -> str:
    """The message for an unknown name.

    What it is, what would be valid (the first twelve) and the nearest valid one.
    """
    hint = did_you_mean(value, valid)
    shown = ", ".join(valid[:12]) + (", ..." if len(valid) > 12 else "")
    return (
        f"unknown {what} '{value}'.{hint} Valid: {shown}"
        if valid
        else f"unknown {what} '{value}' (none declared)"
    )


def finite(x: float) -> bool:
    """True for a finite float (helper for validators)."""
    return math.isfinite(x)
