"""Numbers as the library reads and computes with them.

One parser, stated bounds, safe Beta moments.

Every number a person writes (YAML, a command-line option, a matrix cell) passes
:func:`read_number`, so
underflow, overflow, NaN and infinity are refused the same way everywhere, with what was written.
Every Beta (likelihood forms, reliabilities, proposition rows) becomes its moments through
:func:`beta_moments`, which
never forms ``a + b`` where it could overflow, and its quadrature nodes through :func:`beta_nodes`,
which never forms the Beta function's normalising constant (so a concentration of 10^6 does not give
NaN weights).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Largest Beta or Dirichlet concentration (alpha + beta) the library computes with. A Beta this
#: concentrated has a standard deviation below 5e-7, beyond any judgement a person can make; above
#: it the samplers and the quadrature lose precision, so a larger one is refused (write the number
#: itself, a point, instead).
MAX_CONCENTRATION = 1e12

#: Largest number of Gauss-Jacobi nodes for one source of uncertain reliability (the exact rule for
#: a source reporting n items takes n // 2 + 1 of them). A source reporting more items than ``2 *
#: MAX_NODES - 2`` is refused with a message rather than allocating nodes x items x hypotheses
#: arrays without bound.
MAX_NODES = 2048

#: Largest working memory a command may allocate for one analysis (Sobol samples, the draws of a
#: fit), in bytes. A command estimates what it needs before allocating and refuses above this, with
#: the estimate and what would fit (docs/formats.md, "Limits", lists every limit of the library in
#: one table).
MAX_WORK_BYTES = 4 * 2**30


def size_text(n_bytes: float) -> str:
    """A byte count as a person reads it (``'1.5 GB'``; powers of 1024, one decimal).

    Examples
    --------
    >>> size_text(4 * 2**30), size_text(1536), size_text(12)
    ('4.0 GB', '1.5 kB', '12 bytes')
    """
    for unit, power in (("TB", 4), ("GB", 3), ("MB", 2), ("kB", 1)):
        if n_bytes >= 1024**power:
            return f"{n_bytes / 1024**power:.1f} {unit}"
    return f"{int(n_bytes)} bytes"


def memory_refusal(
    estimate: float, what: str, valid: str, limit: float | None = None
) -> str | None:
    """The sentence refusing ``what`` when its memory ``estimate`` (bytes) exceeds the limit.

    Else None.

    ``valid`` says what would fit; the caller locates the message (file, line, field).

    Examples
    --------
    >>> memory_refusal(
    ...     10 * 2**30, "1,048,576 Sobol samples of 400 inputs", "at most 400,000 samples"
    ... )
    '1,048,576 Sobol samples of 400 inputs need about 10.0 GB of memory, more than the limit of 4.0
    GB: at most 400,000 samples'
    >>> memory_refusal(1e6, "a few samples", "fewer") is None
    True
    """
    cap = MAX_WORK_BYTES if limit is None else limit
    if estimate <= cap:
        return None
    return (
        f"{what} need about {size_text(estimate)} of memory, more than the limit of "
        f"{size_text(cap)}: {valid}"
    )


def source_bytes(n_items: int, n_hyp: int) -> float:
    """Memory the exact engine needs for one source of uncertain reliability.

    About four arrays of nodes x items x K.

    Examples
    --------
    >>> source_bytes(4000, 4) / 2**30 < 4
    True
    """
    return 32.0 * (n_items // 2 + 1) * n_items * n_hyp


def source_refusal(n_items: int, concentration: float | None, n_hyp: int) -> str | None:
    """Why a source of ``n_items`` under an uncertain reliability cannot be integrated exactly.

    None when it can.

    Its exact rule takes n // 2 + 1 Gauss-Jacobi nodes (at most :data:`MAX_NODES`), and the engine
    evaluates every item on every node for every hypothesis at once (:func:`source_bytes`, at most
    :data:`MAX_WORK_BYTES`). A fixed reliability (``concentration`` None) needs one node: never
    refused.

    Examples
    --------
    >>> source_refusal(20_000, 10.0, 2)[:60]
    'reports 20,000 items under one uncertain reliability: integr'
    >>> source_refusal(20_000, None, 2) is None, source_refusal(400, 10.0, 4) is None
    (True, True)
    """
    if concentration is None:
        return None
    q = n_items // 2 + 1
    lo, hi = 1, 2 * MAX_NODES - 1  # the most items that fit both bounds
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if source_bytes(mid, n_hyp) <= MAX_WORK_BYTES else (lo, mid - 1)
    head = f"reports {n_items:,} items under one uncertain reliability: "
    if q > MAX_NODES:
        return (
            head + f"integrating it exactly needs {q:,} quadrature nodes, more than the limit of "
            f"{MAX_NODES:,} "
            f"(a source may report at most {lo:,} items with a Beta reliability and {n_hyp} "
            "hypotheses). Give the reliability as a number, or split the source"
        )
    msg = memory_refusal(
        source_bytes(n_items, n_hyp),
        f"{q:,} quadrature nodes x {n_items:,} items x {n_hyp} hypotheses",
        f"give the reliability as a number, or split the source (a source of one "
        f"uncertain reliability may report at most {lo:,} items with {n_hyp} hypotheses)",
    )
    return head + msg if msg else None


def sobol_bytes(d: int, n_groups: int, n: int, chunk_cells: int) -> float:
    """Memory the Sobol analysis needs, in bytes.

    The samples, their outputs, the bootstrap and one engine call.

    ``n`` is rounded up to a power of 2 (``rows``); the uniforms take 2d columns, the inputs of A, B
    and one A_B matrix d each, the outputs (groups + 2) x rows, the bootstrap's copies 2 x groups x
    rows, one engine call about four arrays of ``chunk_cells``, and the inputs' quantile tables
    1,400 numbers each.

    Examples
    --------
    >>> round(sobol_bytes(100, 100, 1_000_000, 1 << 16) / 2**30, 2)  # GB
    6.27
    """
    rows = 2 ** max(int(np.ceil(np.log2(max(n, 2)))), 1)
    # + each input's quantile table and its build (motives.sensitivity.quantiles: 6 x 64
    # coefficients, about 15 arrays of 65 knots while built): 1,400 numbers an input, generously
    return 8.0 * (rows * (5 * d + 3 * n_groups + 2) + 4 * chunk_cells + 1400 * d)


def sobol_refusal(d: int, n_groups: int, n: int, chunk_cells: int) -> str | None:
    """Why ``n`` Sobol samples of ``d`` inputs in ``n_groups`` groups exceed the memory limit.

    The sentence says what fits; None when it is within the limit.

    Examples
    --------
    >>> sobol_refusal(235, 235, 1_000_000, 1 << 16)[-48:]
    'give sobol_samples at most 262,144 for this case'
    """
    if sobol_bytes(d, n_groups, 16, chunk_cells) > MAX_WORK_BYTES:
        valid = (
            "no sample size fits (the least is 16): too many uncertain inputs; fix some "
            "judgements as points"
        )
    else:
        fits = 16
        while (
            fits * 2 <= 1_000_000
            and sobol_bytes(d, n_groups, fits * 2, chunk_cells) <= MAX_WORK_BYTES
        ):
            fits *= 2
        valid = f"give sobol_samples at most {fits:,} for this case"
    return memory_refusal(
        sobol_bytes(d, n_groups, n, chunk_cells),
        f"{n:,} Sobol samples (rounded up to a power of 2) of {d:,} uncertain inputs",
        valid,
    )


_FLOAT = re.compile(r"^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?$")


def read_number(text: Any, what: str = "") -> float:
    """Read a number as written (text or a number).

    Refused when it is not finite or not representable.

    ``what`` names the place it was written (an option, a file and line, a cell) and starts the
    message (leave it empty where the caller locates the message itself). A literal with a non-zero
    digit that would read as 0 (``1e-400``) and one that would read as infinity (``1e400``) are
    refused, as are ``nan`` and ``inf`` in any spelling, booleans and integers too large for a
    float.

    Examples
    --------
    >>> read_number("0.25", "--prior h1"), read_number(3, "cell B2"), read_number("-0.0", "x")
    (0.25, 3.0, 0.0)
    >>> read_number("1e-400", "--prior bowl1")
    Traceback (most recent call last):
        ...
    ValueError: --prior bowl1: the number 1e-400 is too small to represent (it would be read as 0);
    write 0 if you mean 0
    >>> read_number("nan", "cell C4")
    Traceback (most recent call last):
        ...
    ValueError: cell C4: 'nan' is not a finite number
    """
    at = f"{what}: " if what else ""
    if isinstance(text, bool):
        raise ValueError(at + f"expected a number, got the boolean {str(text).lower()}")
    if isinstance(text, int):
        if abs(text) > 10**300:
            raise ValueError(at + f"the number {str(text)[:20]}... is too large to compute with")
        return float(text)
    if isinstance(text, float):
        if not math.isfinite(text):
            raise ValueError(at + f"{text!r} is not a finite number")
        return text + 0.0
    if not isinstance(text, str):
        raise ValueError(at + f"expected a number, got {type(text).__name__} {text!r}"[:200])
    raw = text.strip()
    if not _FLOAT.match(raw):
        if raw.lower().lstrip("+-") in (".inf", "inf", "infinity", ".nan", "nan"):
            raise ValueError(at + f"{raw!r} is not a finite number")
        try:
            float(raw)
        except ValueError:
            raise ValueError(at + f"{raw[:60]!r} is not a number") from None
        raise ValueError(at + f"{raw[:60]!r} is not a finite number")
    value = float(raw.replace("_", ""))
    if math.isinf(value):
        raise ValueError(
            at + f"the number {raw[:60]} is too large to represent (it would be read as infinity)"
        )
    mantissa = raw.lower().split("e")[0]
    if value == 0.0 and any(c in "123456789" for c in mantissa):
        raise ValueError(
            at + f"the number {raw[:60]} is too small to represent (it would be read as 0); "
            "write 0 if you mean 0"
        )
    return value + 0.0  # -0.0 is 0: a zero has no sign to print ("-0.0000")


def beta_moments(a: float, b: float) -> tuple[float, float]:
    """(mean, concentration) of Beta(a, b) without overflow.

    A ValueError when it cannot be computed with.

    The mean is ``a / (a + b)`` computed as ``1 / (1 + b / a)`` (or its mirror), which stays exact
    where ``a + b`` overflows; the concentration must be at most :data:`MAX_CONCENTRATION`.

    Examples
    --------
    >>> beta_moments(2, 6)
    (0.25, 8.0)
    >>> beta_moments(5e-324, 5e-324)[0]
    0.5
    >>> try:
    ...     beta_moments(1e308, 1e308)
    ... except ValueError as exc:
    ...     print(str(exc)[:69], "...", str(exc)[-38:])
    beta [1e+308, 1e+308] has concentration a + b = 1e+308 + 1e+308, more ... write the mean 0.5 as
    a number instead
    """
    for v in (a, b):
        if isinstance(v, int) and not isinstance(v, bool) and v > 10**300:
            raise ValueError(
                f"beta: {str(v)[:20]}... is too large to compute with (the concentration a + b "
                "may be "
                f"at most {MAX_CONCENTRATION:g})"
            )
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or (isinstance(v, int) and abs(v) > 10**300)
            or not math.isfinite(v)
            or v <= 0
        ):
            shown = ", ".join(str(x)[:20] for x in (a, b))
            raise ValueError(
                f"beta must be a list [alpha, beta] of two positive finite numbers, got [{shown}]"
            )
    a, b = float(a), float(b)
    # a / (a + b) written with the ratio of the smaller to the larger (at most 1): no overflow, no
    # cancellation
    mean = 1.0 / (1.0 + b / a) if a >= b else (a / b) / (1.0 + a / b)
    if mean == 0.0 or mean == 1.0:
        raise ValueError(
            f"beta [{a:g}, {b:g}] has a mean too close to {mean:g} to represent; write {mean:g} "
            "if you mean it"
        )
    # halves never overflow, but a subnormal halved is 0: add the halves only where a + b itself
    # would overflow
    total = (a + b) / 2 if max(a, b) < 8e307 else a / 2 + b / 2
    if total > MAX_CONCENTRATION / 2:
        shown = f"{2 * total:g}" if total < 8e307 else f"{a:g} + {b:g}"
        raise ValueError(
            f"beta [{a:g}, {b:g}] has concentration a + b = {shown}, more than "
            f"{MAX_CONCENTRATION:g}, "
            "the largest the engine computes with (its spread is below any judgement): write the "
            "mean "
            f"{mean:.6g} as a number instead"
        )
    return mean, 2 * total


def check_concentration(mean: float, concentration: float) -> float:
    """A concentration the library can compute with for a Beta of this mean.

    Else a ValueError saying why.

    Examples
    --------
    >>> check_concentration(0.5, 20)
    20.0
    >>> try:
    ...     check_concentration(0.5, 1e300)
    ... except ValueError as exc:
    ...     print(str(exc)[:48])
    concentration 1e+300 is more than 1e+12, the lar
    """
    if (
        isinstance(concentration, int)
        and not isinstance(concentration, bool)
        and concentration > 10**300
    ):
        raise ValueError(
            f"concentration {str(concentration)[:20]}... is more than {MAX_CONCENTRATION:g}, the "
            "largest the engine computes with"
        )
    if (
        isinstance(concentration, bool)
        or not isinstance(concentration, int | float)
        or (isinstance(concentration, int) and concentration < -(10**300))
        or not math.isfinite(concentration)
        or concentration <= 0
    ):
        raise ValueError(
            f"concentration must be a positive finite number, got {str(concentration)[:20]}"
        )
    c = float(concentration)
    if c > MAX_CONCENTRATION:
        raise ValueError(
            f"concentration {c:g} is more than {MAX_CONCENTRATION:g}, the largest the engine "
            "computes "
            f"with (its spread is below any judgement): write the mean {mean:.6g} as a number "
            "instead"
        )
    if 0.0 < mean < 1.0 and (mean * c == 0.0 or (1.0 - mean) * c == 0.0):
        raise ValueError(
            f"a Beta of mean {mean:g} and concentration {c:g} has a shape parameter that "
            "underflows to 0: raise the concentration or write the mean as a number"
        )
    return c


def beta_nodes(
    mean: float, concentration: float, n: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gauss quadrature for rho ~ Beta(mean * c, (1 - mean) * c).

    ``n`` nodes in [0, 1], weights summing to 1.

    Exact for polynomials in rho of degree up to 2n - 1. :func:`scipy.special.roots_jacobi` where it
    can (it refines its nodes, so tiny high moments keep their precision); where it cannot,
    Golub-Welsch on the Jacobi matrix of the Beta distribution itself, written out here because
    ``roots_jacobi`` multiplies its weights by 2^(a+b+1) B(a, b), which overflows for a + b past
    about 1,000 (a reliability interval [0.999999, 0.9999999] gave NaN weights), and takes alpha -
    1, which is -1 in floating point for a shape of 1e-300. The recurrence below is written in a and
    b, so neither happens; both agree to 1e-14 on the integrands the engine forms
    (tests/test_numeric.py).

    Examples
    --------
    >>> x, w = beta_nodes(0.5, 2.0, 2)  # Beta(1, 1): Gauss-Legendre on [0, 1]
    >>> [round(float(v), 6) for v in x], [round(float(v), 6) for v in w]
    ([0.211325, 0.788675], [0.5, 0.5])
    >>> x, w = beta_nodes(0.9999995, 7e6, 3)
    >>> bool(np.isfinite(w).all()), round(float(w @ x), 7)
    (True, 0.9999995)
    """
    if n > MAX_NODES:
        raise ValueError(f"{n:,} quadrature nodes are more than the limit of {MAX_NODES:,}")
    c = check_concentration(mean, concentration)
    a, b = mean * c, (1.0 - mean) * c
    if n == 1:
        return np.array([mean]), np.array([1.0])
    if min(a, b) > 1e-3 and a + b < 500:
        from scipy.special import roots_jacobi

        with np.errstate(all="ignore"):  # a failure shows as a non-finite result, checked next
            r, w = roots_jacobi(n, b - 1, a - 1)  # weight (1-x)^(b-1) (1+x)^(a-1); rho = (1+x)/2
        if np.isfinite(w).all() and np.isfinite(r).all() and w.sum() > 0:
            return (1 + r) / 2, w / w.sum()
    return _golub_welsch(a, b, n)


def _golub_welsch(a: float, b: float, n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gauss nodes and weights of Beta(a, b) on [0, 1].

    They come from the eigen-decomposition of its Jacobi matrix.
    """
    from scipy.linalg import eigh_tridiagonal

    k = np.arange(1, n, dtype=float)
    # Jacobi polynomials P_k^(alpha, beta) on [-1, 1] with alpha = b - 1, beta = a - 1 (weight
    # (1-x)^(b-1) (1+x)^(a-1)), every factor written with a and b so that nothing cancels: s = alpha
    # + beta = a + b - 2.
    lo = 2 * (k - 1) + (a + b)  # 2k + s, written so that 2k - 2 + a + b keeps a + b when k = 1
    diag = np.empty(n)
    diag[0] = (a - b) / (a + b)
    diag[1:] = (a - b) * ((a + b - 2) / (lo * (lo + 2)))
    off = np.empty(n - 1)
    off[0] = 2.0 * math.sqrt(
        a / (a + b) * b / (a + b) / (a + b + 1.0)
    )  # k = 1, its 0/0 factor cancelled
    if n > 2:
        kk, tt = k[1:], lo[1:]
        off[1:] = np.sqrt(
            4
            * kk
            * (kk + b - 1)
            / (tt * tt)
            * (kk + a - 1)
            / (tt + 1)
            * (kk + a + b - 2)
            / (tt - 1)
        )
    nodes, vecs = eigh_tridiagonal(diag, off)
    w = vecs[0] ** 2
    x = np.clip((1.0 + nodes) / 2.0, 0.0, 1.0)
    return x, w / w.sum()


def proportions(weights: Any) -> NDArray[np.float64]:
    """Non-negative weights divided by their sum.

    The largest divided out first (their sum may overflow).

    Weights of 1e308 each are halves, not 0 (``w / w.sum()`` is ``1e308 / inf``); the interactive
    appendix's engine divides the same way (``proportions`` in ``engine.js``). All zeros give NaN:
    callers refuse them first.

    Examples
    --------
    >>> proportions([1e308, 1e308]).tolist(), proportions([1, 3]).tolist()
    ([0.5, 0.5], [0.25, 0.75])
    """
    w = np.asarray(weights, dtype=float)
    top = w.max() if w.size else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        w = w / top if top > 0 else w * np.nan
        return w / w.sum()
