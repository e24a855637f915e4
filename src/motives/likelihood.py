"""Every likelihood form reduced to a Beta distribution (or a point).

A judgement of P(E | h) may be written as a number, a verbal phrase, an ACH
consistency rating, ``{mean, concentration}``, ``{beta: [a, b]}``,
``{interval: [lo, hi]}`` (a central 90% interval) or ``{p: ..., confidence: ...}``.
All become a :class:`Belief`: a mean and a Beta concentration ``alpha + beta``
(``None`` for a point).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: Verbal probability scale (point values), from the project's conventions.
VERBAL_SCALE: dict[str, float] = {
    "almost certain": 0.95,
    "very likely": 0.85,
    "likely": 0.70,
    "even chance": 0.50,
    "unlikely": 0.30,
    "very unlikely": 0.15,
    "almost no chance": 0.05,
}

#: Analysis of Competing Hypotheses consistency ratings -> P(E | h).
#: Very consistent .9, consistent .7, neutral .5, inconsistent .3, very inconsistent .1:
#: symmetric about .5, so C vs I is a likelihood ratio of 7:3 and CC vs II 9:1.
ACH_SCALE: dict[str, float] = {"CC": 0.90, "C": 0.70, "N": 0.50, "I": 0.30, "II": 0.10}

#: ``confidence`` -> Beta concentration (alpha + beta) around the stated mean.
CONFIDENCE: dict[str, float] = {"low": 5.0, "medium": 20.0, "high": 80.0}

#: Mass of the interval in ``{interval: [lo, hi]}``.
INTERVAL_MASS = 0.90


@dataclass(frozen=True)
class Belief:
    """A judgement of a probability: Beta(mean * k, (1 - mean) * k), or a point if k is None.

    Examples
    --------
    >>> Belief(0.7, 20.0).alpha, Belief(0.7, 20.0).beta
    (14.0, 6.0)
    >>> Belief(0.7).is_point
    True
    """

    mean: float
    concentration: float | None = None

    @property
    def is_point(self) -> bool:
        """True when the judgement is a fixed number rather than a distribution."""
        return self.concentration is None

    @property
    def alpha(self) -> float:
        """Beta alpha (infinite for a point)."""
        return math.inf if self.concentration is None else self.mean * self.concentration

    @property
    def beta(self) -> float:
        """Beta beta (infinite for a point)."""
        return math.inf if self.concentration is None else (1 - self.mean) * self.concentration

    @property
    def sd(self) -> float:
        """Standard deviation of the Beta (0 for a point)."""
        if self.concentration is None:
            return 0.0
        return math.sqrt(self.mean * (1 - self.mean) / (self.concentration + 1))


def _probability(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number in [0, 1], got {value!r}")
    x = float(value)
    if not math.isfinite(x) or not 0.0 <= x <= 1.0:
        raise ValueError(f"{what} must be a number in [0, 1], got {value!r}")
    return x


def phrase_value(text: str) -> float:
    """Return the point value of a verbal phrase or ACH rating.

    Examples
    --------
    >>> phrase_value("very likely")
    0.85
    >>> phrase_value("II")
    0.1
    """
    key = " ".join(text.strip().split())
    if key in ACH_SCALE:
        return ACH_SCALE[key]
    if key.lower() in VERBAL_SCALE:
        return VERBAL_SCALE[key.lower()]
    import difflib

    options = list(VERBAL_SCALE) + list(ACH_SCALE)
    close = difflib.get_close_matches(key.lower(), options, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ValueError(
        f"unknown likelihood phrase {text!r}.{hint} Valid phrases: "
        + ", ".join(f"'{p}'" for p in VERBAL_SCALE)
        + "; ACH ratings: "
        + ", ".join(ACH_SCALE)
    )


def point_value(value: Any, what: str = "likelihood") -> float:
    """Return the probability a number, phrase or rating stands for.

    Examples
    --------
    >>> point_value(0.25), point_value("unlikely"), point_value("CC")
    (0.25, 0.3, 0.9)
    >>> point_value(1.5, what="base_rate")
    Traceback (most recent call last):
        ...
    ValueError: base_rate must be a number in [0, 1], got 1.5
    """
    if isinstance(value, str):
        return phrase_value(value)
    return _probability(value, what)


def confidence_concentration(confidence: str) -> float:
    """Map ``low | medium | high`` to a Beta concentration.

    Examples
    --------
    >>> confidence_concentration("low"), confidence_concentration("medium"), confidence_concentration("high")
    (5.0, 20.0, 80.0)
    >>> confidence_concentration("very high")
    Traceback (most recent call last):
        ...
    ValueError: confidence must be one of low, medium, high, got 'very high'
    """
    if confidence not in CONFIDENCE:
        raise ValueError(f"confidence must be one of {', '.join(CONFIDENCE)}, got {confidence!r}")
    return CONFIDENCE[confidence]


def with_concentration(mean: float, concentration: float | None) -> Belief:
    """Make a Belief; means of exactly 0 or 1 stay points (no Beta has them as its mean).

    Examples
    --------
    >>> b = with_concentration(0.7, 20)
    >>> b, (b.alpha, b.beta)
    (Belief(mean=0.7, concentration=20.0), (14.0, 6.0))
    >>> with_concentration(1.0, 20)  # a certainty stays a point
    Belief(mean=1.0, concentration=None)
    >>> with_concentration(0.7, None).is_point
    True
    """
    if concentration is None or mean in (0.0, 1.0):
        return Belief(mean, None)
    if isinstance(concentration, bool) or not (isinstance(concentration, int | float) and math.isfinite(concentration)
                                               and concentration > 0):
        raise ValueError(f"concentration must be a positive number, got {concentration!r}")
    return Belief(mean, float(concentration))


def fit_interval(lo: float, hi: float, mass: float = INTERVAL_MASS) -> Belief:
    """Fit the Beta whose central ``mass`` interval is [lo, hi].

    Examples
    --------
    >>> b = fit_interval(0.5, 0.9)
    >>> round(b.mean, 3), round(b.concentration, 1)
    (0.721, 12.4)
    """
    if not (0.0 < lo < hi < 1.0):
        raise ValueError(f"interval must satisfy 0 < lo < hi < 1, got [{lo}, {hi}]")
    from scipy import optimize, stats

    tail = (1 - mass) / 2
    mid = (lo + hi) / 2
    sd = (hi - lo) / (2 * stats.norm.ppf(1 - tail))
    k0 = max(mid * (1 - mid) / sd**2 - 1, 1.0)

    def resid(x: Any) -> Any:
        a, b = math.exp(x[0]), math.exp(x[1])
        return [stats.beta.ppf(tail, a, b) - lo, stats.beta.ppf(1 - tail, a, b) - hi]

    sol = optimize.least_squares(resid, [math.log(mid * k0), math.log((1 - mid) * k0)])
    if max(abs(r) for r in sol.fun) > 1e-6:
        raise ValueError(f"no Beta distribution has [{lo}, {hi}] as its central {mass:.0%} interval")
    a, b = math.exp(sol.x[0]), math.exp(sol.x[1])
    return Belief(a / (a + b), a + b)


def parse(value: Any, confidence: str | None = None) -> Belief:
    """Reduce any likelihood form to a :class:`Belief`.

    Parameters
    ----------
    value
        The form as written in YAML.
    confidence
        Lens-level ``confidence``, used when the form itself states no spread.

    Examples
    --------
    >>> parse("likely")
    Belief(mean=0.7, concentration=None)
    >>> parse(0.3, confidence="low")
    Belief(mean=0.3, concentration=5.0)
    >>> parse({"beta": [2, 6]})
    Belief(mean=0.25, concentration=8.0)
    """
    default_k = None if confidence is None else confidence_concentration(confidence)
    if isinstance(value, Belief):
        return value
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return with_concentration(point_value(value), default_k)
    if isinstance(value, dict):
        keys = set(value)
        if keys <= {"p", "confidence"} and "p" in keys:
            k = confidence_concentration(value["confidence"]) if "confidence" in value else default_k
            return with_concentration(point_value(value["p"]), k)
        if keys == {"mean", "concentration"}:
            return with_concentration(_probability(value["mean"], "mean"), value["concentration"])
        if keys == {"beta"}:
            ab = value["beta"]
            if not (isinstance(ab, list) and len(ab) == 2):
                raise ValueError(f"beta must be a list [alpha, beta] of two positive numbers, got {ab!r}")
            a, b = ab
            for v in (a, b):
                if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
                    raise ValueError(f"beta must be a list [alpha, beta] of two positive numbers, got {ab!r}")
            return Belief(a / (a + b), float(a + b))
        if keys == {"interval"}:
            iv = value["interval"]
            if not (isinstance(iv, list) and len(iv) == 2):
                raise ValueError(f"interval must be a list [lo, hi], got {iv!r}")
            lo, hi = (_probability(v, "interval bound") for v in iv)
            if lo >= hi:
                raise ValueError(f"interval must have lo < hi, got [{lo}, {hi}]")
            return fit_interval(lo, hi)
    raise ValueError(
        f"not a likelihood form: {value!r}. Valid: a number in [0, 1]; a phrase "
        "('likely', ...); an ACH rating (CC, C, N, I, II); {mean, concentration}; "
        "{beta: [a, b]}; {interval: [lo, hi]}; {p: ..., confidence: low|medium|high}"
    )
