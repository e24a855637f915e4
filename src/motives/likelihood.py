"""Every likelihood form reduced to a Beta distribution (or a point).

A judgement of P(E | h) may be written as a number, a verbal phrase, an ACH
consistency rating (letters or symbols), ``{mean, concentration}``, ``{beta: [a, b]}``,
``{interval: [lo, hi]}`` (a central 90% interval), ``{icd203: term}`` (an ICD 203
range as a Beta) or ``{p: ..., confidence: ...}``. Whole rows may also be written
as ratios, decibans or one of Van Evera's tests (see the functions at the end).
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
    if (
        isinstance(value, int) and abs(value) > 1
    ):  # never float() an int past float's range (OverflowError)
        raise ValueError(
            f"{what} must be a number in [0, 1], got "
            f"{str(value)[:20]}{'...' if len(str(value)) > 20 else ''}"
        )
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
    >>> phrase_value("++"), phrase_value("-")  # ACH symbols: ++ + 0 - -- are CC C N I II
    (0.9, 0.3)
    """
    key = " ".join(text.strip().split())
    key = ACH_SYMBOLS.get(key, key)
    if key in ACH_SCALE:
        return ACH_SCALE[key]
    if key.upper() == NOT_APPLICABLE:
        raise ValueError(
            "NA (not applicable) stands only in an item's values, where it takes the mean of the "
            "row's other cells"
        )
    if key.lower() in VERBAL_SCALE:
        return VERBAL_SCALE[key.lower()]
    raise ValueError(unknown_phrase(text))


def unknown_phrase(text: str, icd203_form: str = "{{icd203: {}}}") -> str:
    """The message for a phrase that is not on the point scale.

    It names the nearest phrase, rating or ICD 203 term.

    An ICD 203 term that is not also one of the point phrases (``highly probable``, ``roughly even
    chance``) is a range, not a point, and is never read as a phrase: the message says to write it
    as an ICD 203 term. ``icd203_form`` is how that is written where the message is read (``{icd203:
    ...}`` in YAML, ``icd203: ...`` in a matrix cell).

    Examples
    --------
    >>> unknown_phrase("highly probable")
    "'highly probable' is an ICD 203 term (a range, not a point): write {icd203: highly probable}"
    >>> unknown_phrase("roughly even chanse", "icd203: {}")[:92]
    "unknown likelihood phrase 'roughly even chanse'. Did you mean 'icd203: roughly even chance'?"
    """
    import difflib

    key = " ".join(text.strip().split()).lower()
    if key in ICD203_RANGES or key in ICD203_SYNONYMS:
        return (
            f"{text!r} is an ICD 203 term (a range, not a point): write {icd203_form.format(key)}"
        )
    icd = [t for t in [*ICD203_RANGES, *ICD203_SYNONYMS] if t not in VERBAL_SCALE]
    options = list(VERBAL_SCALE) + list(ACH_SCALE) + icd
    close = difflib.get_close_matches(key, options, n=1)
    if close and close[0] in icd:
        hint = f" Did you mean '{icd203_form.format(close[0])}'?"
    else:
        hint = f" Did you mean '{close[0]}'?" if close else ""
    return (
        f"unknown likelihood phrase {text!r}.{hint} Valid phrases: "
        + ", ".join(f"'{p}'" for p in VERBAL_SCALE)
        + "; ACH ratings: "
        + ", ".join(ACH_SCALE)
        + " (or "
        + " ".join(ACH_SYMBOLS)
        + "); ICD 203 terms as "
        + icd203_form.format("likely")
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
    >>> (
    ...     confidence_concentration("low"),
    ...     confidence_concentration("medium"),
    ...     confidence_concentration("high"),
    ... )
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
    from motives.numeric import check_concentration

    return Belief(mean, check_concentration(mean, concentration))


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
    import numpy as np
    from scipy import optimize, stats

    from motives.numeric import MAX_CONCENTRATION, check_concentration

    def logit(q: float) -> float:
        return math.log(q) - math.log1p(-q)

    tail = (1 - mass) / 2
    target = np.array([logit(lo), logit(hi)])

    def resid(x: Any) -> Any:
        # on the log-odds scale, each quantile's complement from the mirrored Beta: an interval near
        # 0 or 1 ([0.999999, 0.9999999]) is matched to its own precision, not to an absolute 1e-6
        # (which it is inside)
        a, b = math.exp(x[0]), math.exp(x[1])
        q = [stats.beta.ppf(tail, a, b), stats.beta.ppf(1 - tail, a, b)]
        c = [stats.beta.ppf(1 - tail, b, a), stats.beta.ppf(tail, b, a)]
        return np.log(q) - np.log(c) - target

    mid = (lo + hi) / 2
    sd = (hi - lo) / (2 * float(stats.norm.ppf(1 - tail)))
    k0 = (
        MAX_CONCENTRATION
        if sd < 1e-150
        else min(max(mid * (1 - mid) / sd / sd - 1, 1.0), MAX_CONCENTRATION)
    )
    refusal = (
        f"no Beta distribution the engine can compute with has [{lo!r}, {hi!r}] as its central "
        f"{mass:.0%} interval (an interval this narrow, or this close to 0 or 1, needs a "
        f"concentration above {MAX_CONCENTRATION:g}); write the probability as a number"
    )
    try:
        with np.errstate(all="ignore"):
            sol = optimize.least_squares(resid, [math.log(mid * k0), math.log((1 - mid) * k0)])
    except (ValueError, ArithmeticError):
        raise ValueError(refusal) from None
    if not (np.isfinite(sol.fun).all() and max(abs(r) for r in sol.fun) <= 1e-6):
        raise ValueError(refusal)
    a, b = math.exp(sol.x[0]), math.exp(sol.x[1])
    from motives.numeric import beta_moments

    try:
        mean, conc = beta_moments(a, b)
        belief = Belief(mean, check_concentration(mean, conc))
    except ValueError as exc:
        raise ValueError(f"{refusal}: {exc}") from None
    if not lo <= mean <= hi:
        # possible only for a Beta piled at both 0 and 1 (both shapes below 1): it has the interval,
        # but it does not say "between lo and hi", and its mean (what the engine uses) lies outside
        raise ValueError(
            f"the only Beta distribution with [{lo!r}, {hi!r}] as its central {mass:.0%} interval "
            f"is piled at both 0 and 1 (shapes {a:.3g} and {b:.3g}), and its mean {mean:.3g} lies "
            "outside the interval; give a narrower interval, a mean with a concentration, or a beta"
        )
    return belief


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
    >>> round(parse({"icd203": "likely"}).mean, 3)  # ICD 203: 55-80% as a Beta's central 90%
    0.681
    """
    default_k = None if confidence is None else confidence_concentration(confidence)
    if isinstance(value, Belief):
        return value
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return with_concentration(point_value(value), default_k)
    if isinstance(value, dict):
        keys = set(value)
        if keys <= {"p", "confidence"} and "p" in keys:
            k = (
                confidence_concentration(value["confidence"])
                if "confidence" in value
                else default_k
            )
            return with_concentration(point_value(value["p"]), k)
        if keys == {"mean", "concentration"}:
            return with_concentration(_probability(value["mean"], "mean"), value["concentration"])
        if keys == {"beta"}:
            ab = value["beta"]
            if not (isinstance(ab, list) and len(ab) == 2):
                raise ValueError(
                    f"beta must be a list [alpha, beta] of two positive numbers, got {ab!r}"
                )
            from motives.numeric import beta_moments

            return Belief(*beta_moments(*ab))
        if keys == {"icd203"}:
            if not isinstance(value["icd203"], str):
                raise ValueError(
                    f"icd203 must be an ICD 203 term such as 'likely', got {value['icd203']!r}"
                )
            return icd203(value["icd203"])
        if keys == {"interval"}:
            iv = value["interval"]
            if not (isinstance(iv, list) and len(iv) == 2):
                raise ValueError(f"interval must be a list [lo, hi], got {iv!r}")
            lo, hi = (_probability(v, "interval bound") for v in iv)
            if lo >= hi:
                raise ValueError(f"interval must have lo < hi, got [{lo}, {hi}]")
            return fit_interval(lo, hi)
    hint = ""
    if isinstance(value, dict):
        from motives.errors import did_you_mean

        forms = ["p", "confidence", "mean", "concentration", "beta", "icd203", "interval"]
        hint = "".join(
            f" Unknown key '{k}'.{did_you_mean(str(k), forms)}" for k in value if k not in forms
        )
    raise ValueError(
        f"not a likelihood form: {value!r}.{hint} Valid: a number in [0, 1]; a phrase "
        "('likely', ...); an ACH rating (CC, C, N, I, II); {mean, concentration}; "
        "{beta: [a, b]}; {interval: [lo, hi]}; {icd203: term}; {p: ..., confidence: "
        "low|medium|high}"
    )


# ---------------------------------------------------------------- judgement forms practitioners use

#: ICD 203 (Analytic Standards, 2015, D.6.e(2)(a)) expressions of likelihood -> their probability
#: ranges. Written ``{icd203: likely}``; each becomes the Beta whose central 90% interval is the
#: range.
ICD203_RANGES: dict[str, tuple[float, float]] = {
    "almost no chance": (0.01, 0.05),
    "very unlikely": (0.05, 0.20),
    "unlikely": (0.20, 0.45),
    "roughly even chance": (0.45, 0.55),
    "likely": (0.55, 0.80),
    "very likely": (0.80, 0.95),
    "almost certain": (0.95, 0.99),
}

#: ICD 203's paired terms (same ranges) and the adverb forms.
ICD203_SYNONYMS: dict[str, str] = {
    "remote": "almost no chance",
    "highly improbable": "very unlikely",
    "improbable": "unlikely",
    "improbably": "unlikely",
    "roughly even odds": "roughly even chance",
    "probable": "likely",
    "probably": "likely",
    "highly probable": "very likely",
    "almost certainly": "almost certain",
    "nearly certain": "almost certain",
}

#: ACH symbol notation -> Heuer's letter ratings (PARC ACH writes both).
ACH_SYMBOLS: dict[str, str] = {"++": "CC", "+": "C", "0": "N", "-": "I", "--": "II"}

#: ACH "not applicable": in an item's values, the mean of the row's other cells (non-diagnostic for
#: that cell).
NOT_APPLICABLE = "NA"

#: Van Evera's (1997) four tests -> (P(E | h named), P(E | any other)) when the evidence is found
#: (the test is passed); a failed test is the evidence not found: (1 - each). The project's numbers,
#: chosen to give the qualitative reading of Collier (2011, Table 1) and Bennett (2008; 2015): a
#: hoop test passed barely confirms (LR 1.9) and failed all but eliminates (LR 0.1); a smoking gun
#: passed confirms (LR 10) and failed barely disconfirms (LR 0.53); doubly decisive does both (LR 19
#: and 1/19); a straw in the wind is weak either way (LR 1.5 and 0.67).
VAN_EVERA: dict[str, tuple[float, float]] = {
    "hoop": (0.95, 0.50),
    "smoking_gun": (0.50, 0.05),
    "doubly_decisive": (0.95, 0.05),
    "straw_in_the_wind": (0.60, 0.40),
}


def icd203(phrase: str) -> Belief:
    """The Beta whose central 90% interval is an ICD 203 likelihood term's range.

    Examples
    --------
    >>> b = icd203("very likely")  # 80-95%
    >>> round(b.mean, 3), round(b.concentration, 1)
    (0.884, 46.9)
    >>> round(icd203("roughly even odds").mean, 3)
    0.5
    """
    key = " ".join(str(phrase).strip().lower().split())
    key = ICD203_SYNONYMS.get(key, key)
    if key not in ICD203_RANGES:
        import difflib

        options = list(ICD203_RANGES) + list(ICD203_SYNONYMS)
        close = difflib.get_close_matches(key, options, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"unknown ICD 203 term {phrase!r}.{hint} Valid: " + ", ".join(f"'{p}'" for p in options)
        )
    return _icd203_fit(key)


def _icd203_fit(key: str) -> Belief:
    if key not in _ICD_CACHE:
        _ICD_CACHE[key] = fit_interval(*ICD203_RANGES[key])
    return _ICD_CACHE[key]


_ICD_CACHE: dict[str, Belief] = {}


def _number(v: Any, what: str) -> float:
    from motives.numeric import read_number

    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{what} must be a finite number, got {v!r}")
    try:
        return read_number(v)
    except ValueError:
        raise ValueError(f"{what} must be a finite number, got {str(v)[:40]}") from None


def ratios_to_values(ratios: Any) -> dict[str, float]:
    """Relative likelihoods -> P(E | h) scaled so the largest is 1 (only the ratios matter).

    Examples
    --------
    >>> ratios_to_values({"a": 4, "b": 2, "c": 0})
    {'a': 1.0, 'b': 0.5, 'c': 0.0}
    """
    if not isinstance(ratios, dict) or not ratios:
        raise ValueError(
            f"ratios must be a mapping of parent value -> non-negative number, got {ratios!r}"
        )
    r = {k: _number(v, f"ratio of '{k}'") for k, v in ratios.items()}
    neg = [k for k, v in r.items() if v < 0]
    if neg:
        raise ValueError(f"ratios must be non-negative; negative for {neg}")
    top = max(r.values())
    if top <= 0:
        raise ValueError(
            "at least one ratio must be positive (all zero: the evidence would be impossible)"
        )
    out = {k: v / top for k, v in r.items()}
    _refuse_underflow({k: v for k, v in out.items() if r[k] > 0}, "ratio", r, top)
    return out


def _refuse_underflow(
    scaled: dict[str, float], what: str, given: dict[str, float], top: float
) -> None:
    """A judgement that is not 0 but scales to 0 would rule its hypothesis out unseen.

    For example 1e-320 against 1e308.
    """
    lost = [k for k, v in scaled.items() if v == 0.0]
    if lost:
        k = lost[0]
        raise ValueError(
            f"the {what} of '{k}' ({given[k]:g}) against the largest ({top:g}) is a relative "
            "likelihood too small to represent (it would be read as 0 and rule it out); write 0 if "
            "you mean that, or bring the numbers closer"
        )


def decibans_to_values(decibans: Any) -> dict[str, float]:
    """Weights in decibans -> P(E | h) scaled so the largest is 1.

    A weight is 10·log10 of the relative likelihood.

    Examples
    --------
    >>> v = decibans_to_values({"a": 10, "b": 0, "c": -10})
    >>> {k: round(x, 6) for k, x in v.items()}
    {'a': 1.0, 'b': 0.1, 'c': 0.01}
    """
    if not isinstance(decibans, dict) or not decibans:
        raise ValueError(f"decibans must be a mapping of parent value -> number, got {decibans!r}")
    d = {k: _number(v, f"decibans of '{k}'") for k, v in decibans.items()}
    top = max(d.values())
    # (v - top) overflows for -1e308 against 1e308: then v/10 - top/10
    out = {
        k: 10.0 ** ((v - top) / 10.0 if math.isfinite(v - top) else v / 10.0 - top / 10.0)
        for k, v in d.items()
    }
    _refuse_underflow(out, "decibans", d, top)
    return out


def van_evera(spec: Any) -> tuple[dict[str, float], float]:
    """Van Evera's test as likelihoods: ({named parent value: P(E | it)}, P(E | every other)).

    ``spec`` is ``{test: hoop | smoking_gun | doubly_decisive | straw_in_the_wind, for: id or [ids],
    result: pass | fail}`` (``result`` default ``pass``; a failed test is the evidence not found).

    Examples
    --------
    >>> van_evera({"test": "hoop", "for": "security"})
    ({'security': 0.95}, 0.5)
    >>> van_evera({"test": "smoking gun", "for": ["a", "b"], "result": "fail"})
    ({'a': 0.5, 'b': 0.5}, 0.95)
    """
    if not isinstance(spec, dict):
        raise ValueError(f"van_evera must be a mapping {{test: ..., for: ...}}, got {spec!r}")
    unknown = sorted(set(spec) - {"test", "for", "result"}, key=str)
    if unknown:
        from motives.errors import did_you_mean

        raise ValueError(
            "van_evera: unknown key(s) "
            f"{unknown}.{did_you_mean(str(unknown[0]), ['test', 'for', 'result'])}"
            " Valid: test, for, result"
        )
    test = spec.get("test")
    key = (
        "_".join(str(test).strip().lower().replace("-", " ").split())
        if isinstance(test, str)
        else None
    )
    if key not in VAN_EVERA:
        raise ValueError(f"van_evera test must be one of {', '.join(VAN_EVERA)}, got {test!r}")
    named = spec.get("for")
    names = [named] if isinstance(named, str) else named
    if not (isinstance(names, list) and names and all(isinstance(n, str) and n for n in names)):
        raise ValueError(
            f"van_evera needs 'for': the hypothesis (or state) id(s) the test is for, got {named!r}"
        )
    result = spec.get("result", "pass")
    if result not in ("pass", "fail"):
        raise ValueError(f"van_evera result must be 'pass' or 'fail', got {result!r}")
    p_for, p_other = VAN_EVERA[key]
    if result == "fail":
        p_for, p_other = 1.0 - p_for, 1.0 - p_other
    return {n: p_for for n in names}, p_other


def is_not_applicable(value: Any) -> bool:
    """True for the ACH cell ``NA`` (not applicable).

    Examples
    --------
    >>> is_not_applicable("NA"), is_not_applicable(" na "), is_not_applicable("N")
    (True, True, False)
    """
    return isinstance(value, str) and value.strip().upper() == NOT_APPLICABLE


def resolve_not_applicable(values: dict[str, Any]) -> dict[str, Any]:
    """Replace ``NA`` cells by the mean of the row's other cells.

    The item then leaves that hypothesis be.

    Examples
    --------
    >>> resolve_not_applicable({"a": "C", "b": "I", "c": "NA"})
    {'a': 'C', 'b': 'I', 'c': 0.5}
    """
    na = [k for k, v in values.items() if is_not_applicable(v)]
    if not na:
        return values
    rest = [
        v.mean if hasattr(v, "mean") else parse(v).mean for k, v in values.items() if k not in na
    ]
    if not rest:
        raise ValueError(
            "every cell is NA (not applicable): such an item says nothing; leave it out"
        )
    mean = sum(rest) / len(rest)
    return {k: (mean if k in na else v) for k, v in values.items()}
