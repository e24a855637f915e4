"""Single values of the case formats: ids, the record base, likelihood forms, partial dates."""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from motives import likelihood as _lk

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80),
    Field(description="Identifier: lowercase letters, digits and underscores, starting with a letter."),
]
Confidence = Literal["low", "medium", "high"]
PRIOR_TOLERANCE = 1e-6


class Record(BaseModel):
    """Base of every record: frozen, unknown keys forbidden."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Likelihood(Record):
    """One judged probability, reduced to Beta(mean * k, (1 - mean) * k); a point when k is None.

    Written in YAML as any form of :func:`motives.likelihood.parse`.
    """

    mean: float = Field(ge=0.0, le=1.0, description="Mean of the judged probability.")
    concentration: float | None = Field(
        default=None, gt=0, description="Beta concentration alpha + beta; null for a point."
    )

    @model_validator(mode="before")
    @classmethod
    def _parse_form(cls, value: Any) -> Any:
        if isinstance(value, Likelihood):
            return value
        if isinstance(value, dict) and set(value) <= {"mean", "concentration"} and "concentration" not in value:
            return value
        b = _lk.parse(value)
        return {"mean": b.mean, "concentration": b.concentration}

    @property
    def belief(self) -> _lk.Belief:
        """The same judgement as a :class:`motives.likelihood.Belief`."""
        return _lk.Belief(self.mean, self.concentration)


class PartialDate(Record):
    """A date known to the year, month or day."""

    year: int = Field(ge=1, le=9999)
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)

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
                if d is not None:
                    _dt.date(y, mo, d)  # type: ignore[arg-type]  # raises ValueError if impossible
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


def _unknown(what: str, value: str, valid: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, valid, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    shown = ", ".join(valid[:12]) + (", ..." if len(valid) > 12 else "")
    return f"unknown {what} '{value}'.{hint} Valid: {shown}" if valid else f"unknown {what} '{value}' (none declared)"


def finite(x: float) -> bool:
    """True for a finite float (helper for validators)."""
    return math.isfinite(x)
