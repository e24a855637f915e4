"""Beta and Gamma quantiles of many inputs at many uniforms, from one table per input.

The Sobol analysis turns ``rows x inputs`` quasi-random uniforms into Beta (and Gamma) draws:
``scipy.stats.beta.ppf`` costs about 1.7 µs a value (Boost's ``ibeta_inv``, a root search per
value), which at 1,024 rows and 45,000 uncertain cells is minutes per table. Here each input's
quantile function is tabulated once, on ``KNOTS`` points equally spaced in the normal score ``z =
Phi^-1(u)`` over the uniforms Sobol uses (``[U_CLIP, 1 - U_CLIP]``), on the scale ``y =
logit(x)`` (Beta) or ``y = log(x)`` (Gamma), where it is smooth and nearly linear (a Beta is close
to a normal on the logit scale; its tails are about quadratic in ``z``). Between knots it is the
quintic Hermite interpolant of the exact values and of the exact first two derivatives, ``y' =
phi(z) / (f(x) x (1 - x))`` (``phi(z) / (f(x) x)`` for a Gamma; ``f`` the density) and ``y'' = y'
(-z - (a (1 - x) - b x) y')`` (``a - x`` for a Gamma). The knots below the median come from
``u``, those above from ``1 - u`` (a Beta's ``1 - X`` is Beta(b, a)), so each tail is as precise
as scipy makes it.

Every input's table is checked at the midpoint of every interval against the exact quantile: the
error of a quintic Hermite interpolant is ``h^6 s^3 (1 - s)^3 y^(6) / 720``, largest at ``s =
1/2`` when ``y^(6)`` varies little over an interval. An input whose error there exceeds ``TOL`` on
the ``y`` scale, or whose table is not finite (a quantile that underflows to 0 or rounds to 1), is
computed exactly with scipy instead. An error of ``TOL`` on the logit scale is a relative error of
at most about ``TOL`` in ``x`` and in ``1 - x`` (on the log scale, in ``x``), so a log-likelihood
moves by at most about 1e-8 per cell. Between check points the error is not proven below ``TOL``;
tests/test_sobol_quantiles.py measures it on generated shapes (0.01 to 1e6) at random uniforms.

No library offers this: scipy's interpolators take one function at a time, and
``scipy.stats.sampling.NumericalInversePolynomial`` builds one generator per distribution (tens
of thousands of generators, each with its own set-up and Python call).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from motives.sensitivity._core import Array

Mask = NDArray[np.bool_]

__all__ = ["U_CLIP", "QuantileTable", "quantile_table"]

#: Sobol uniforms are clipped to [U_CLIP, 1 - U_CLIP] before their quantiles are taken.
U_CLIP = 1e-12
#: Knots of a table: 64 intervals of 0.22 in z; with the check points, 129 exact quantiles an input
#: instead of 2 per Sobol row (2,048 at the default 1,024 rows).
KNOTS = 65
#: Largest error allowed at the check points, on the logit (Beta) or log (Gamma) scale.
TOL = 1e-8

_Z_HI = float(special.ndtri(1 - U_CLIP))


class QuantileTable:
    """Tabulated quantile functions of ``d`` inputs (made by :func:`quantile_table`).

    Attributes
    ----------
    exact
        Boolean mask of the inputs computed exactly (their table failed its check).
    max_error
        Largest error found at the check points over the tabulated inputs, on the ``y`` scale.
    """

    def __init__(
        self,
        a: Array,
        b: Array,
        gamma: Mask,
        coef: Array,
        exact: Mask,
        h: float,
        max_error: float,
    ) -> None:
        self.a, self.b, self.gamma = a, b, gamma
        self.coef, self.exact, self.h = coef, exact, h
        self.max_error = max_error

    def __call__(self, u: Array) -> Array:
        """Quantiles of the inputs (columns) at uniforms ``u`` (rows x d) in [U_CLIP, 1-U_CLIP]."""
        u = np.asarray(u, dtype=float)
        rows, d = u.shape
        out = np.empty((rows, d))
        flat = self.coef.reshape(-1, 6)  # (interval, input) -> the interval's 6 coefficients
        step = max(1, (1 << 20) // max(d, 1))  # rows at a time: bounded memory for the gather
        cols = np.arange(d)
        for r in range(0, rows, step):
            t = (special.ndtri(u[r : r + step]) + _Z_HI) / self.h
            k = np.clip(np.floor(t), 0, self.coef.shape[0] - 1).astype(np.intp)
            s = t - k
            c = flat[k * d + cols]  # (rows, d, 6)
            y = c[..., 5]
            for j in (4, 3, 2, 1, 0):  # Horner
                y = y * s + c[..., j]
            out[r : r + step] = np.where(self.gamma, np.exp(y), special.expit(y))
        if self.exact.any():
            out[:, self.exact] = _exact(
                u[:, self.exact], self.a[self.exact], self.b[self.exact], self.gamma[self.exact]
            )
        return out


def _exact(u: Array, a: Array, b: Array, gamma: Mask, upper: Array | None = None) -> Array:
    """Scipy's quantiles: Beta(a, b) where not ``gamma``, Gamma(a) where ``gamma``.

    With ``upper`` (the upper-tail probabilities ``1 - u``, known more precisely than ``u`` near
    1), the quantiles are taken from them (``isf``).
    """
    out = np.empty(np.broadcast_shapes(u.shape, a.shape), dtype=float)
    beta_, gamma_ = stats.beta, stats.gamma
    for mask, dist, args in ((~gamma, beta_, (a, b)), (gamma, gamma_, (a,))):
        if not mask.any():
            continue
        sel = tuple(p[mask] for p in args)
        if upper is None:
            out[..., mask] = dist.ppf(u[..., mask], *sel)
        else:
            out[..., mask] = dist.isf(upper[..., mask], *sel)
    return out


def _y_and_slope(z: Array, a: Array, b: Array, gamma: Mask) -> tuple[Array, Array, Array]:
    """The exact quantile at normal scores ``z`` on the table's scale, its first two derivatives."""
    lo, hi = z[z <= 0][:, None], z[z > 0][:, None]
    d = len(a)
    # below the median x from u = Phi(z); above it 1 - x from 1 - u = Phi(-z) (a Beta's 1 - X is
    # Beta(b, a); a Gamma's upper tail by isf): each accurate in its own tail
    p_lo = np.broadcast_to(special.ndtr(lo), (len(lo), d))
    p_hi = np.broadcast_to(special.ndtr(-hi), (len(hi), d))
    x_lo = _exact(p_lo, a, b, gamma)
    w_hi = _exact(p_hi, b, a, gamma)  # Beta columns: 1 - x
    if gamma.any():
        w_hi[:, gamma] = np.nan
        x_hi_g = _exact(np.empty((len(hi), d)), a, b, gamma, upper=p_hi)
    else:
        x_hi_g = w_hi
    x = np.concatenate([x_lo, np.where(gamma, x_hi_g, 1 - w_hi)])
    w = np.concatenate([1 - x_lo, np.where(gamma, np.nan, w_hi)])
    z = z[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_x = np.where(x < 0.5, np.log(x), np.log1p(-w))
        log_1mx = np.where(w < 0.5, np.log(w), np.log1p(-x))
        # log of f(x) x (1 - x) (Beta) or f(x) x (Gamma): the density times the scale's Jacobian
        log_fx = np.where(
            gamma,
            a * log_x - x - special.gammaln(a),
            a * log_x + b * log_1mx - special.betaln(a, b),
        )
        y = np.where(gamma, log_x, log_x - log_1mx)
        log_phi = -0.5 * z * z - 0.5 * np.log(2 * np.pi)
        dy = np.exp(log_phi - log_fx)
        # d log(dy) / dz = -z - d log(f(x) x (1 - x)) / dy, that last being a (1 - x) - b x (Beta)
        # or a - x (Gamma)
        d2y = dy * (-z - np.where(gamma, a - x, a * w - b * x) * dy)
    return y, dy, d2y


def quantile_table(
    a: Array,
    b: Array,
    gamma: ArrayLike | None = None,
    *,
    knots: int = KNOTS,
    tol: float = TOL,
) -> QuantileTable:
    """Tabulate the quantile functions of Beta(a, b) inputs (Gamma(a, 1) where ``gamma``).

    Parameters
    ----------
    a, b
        Shape parameters, one per input (``b`` is ignored for Gamma inputs).
    gamma
        Which inputs are Gamma(a, 1) (default: none).
    knots
        Points of each table.
    tol
        Largest error allowed at the midpoints, on the logit (Beta) or log (Gamma) scale; an input
        over it is computed exactly.

    Returns
    -------
    QuantileTable
        Callable on uniforms (rows x d) in ``[U_CLIP, 1 - U_CLIP]``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> a, b = np.array([2.0, 0.5, 40.0]), np.array([3.0, 0.5, 900.0])
    >>> q = quantile_table(a, b)
    >>> u = np.array([[1e-12, 0.3, 0.999], [0.5, 0.5, 0.5]])
    >>> exact = stats.beta.ppf(u, a, b)
    >>> bool(np.all(np.abs(q(u) / exact - 1) < 1e-8)), q.exact.tolist()
    (True, [False, False, False])
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    gamma = np.zeros(len(a), dtype=bool) if gamma is None else np.asarray(gamma, dtype=bool)
    z = np.linspace(-_Z_HI, _Z_HI, knots)
    h = float(z[1] - z[0])
    y, dy, d2y = _y_and_slope(z, a, b, gamma)
    ok = np.isfinite(y).all(axis=0) & np.isfinite(dy).all(axis=0) & np.isfinite(d2y).all(axis=0)
    # the check: the exact quantile at every interval's midpoint against the interpolant there
    # (at s = 1/2 the quintic Hermite basis weighs y, h y' and h^2 y'' by 1/2, 5/32 and 1/64)
    ym = _y_and_slope(z[:-1] + h / 2, a, b, gamma)[0]
    with np.errstate(invalid="ignore"):
        interp = (
            0.5 * (y[:-1] + y[1:])
            + 5 * h * (dy[:-1] - dy[1:]) / 32
            + h * h * (d2y[:-1] + d2y[1:]) / 64
        )
        err = np.abs(interp - ym)
    ok &= np.isfinite(ym).all(axis=0) & (err <= tol).all(axis=0)
    max_error = float(err[:, ok].max()) if ok.any() else 0.0
    for t in (y, dy, d2y):  # inputs computed exactly: zeros keep the interpolation finite
        t[:, ~ok] = 0.0
    # each interval's quintic Hermite interpolant as a polynomial in s (0 at its left knot, 1 at
    # its right): from the values y, the slopes m = h y' and the curvatures c = h^2 y'' at both ends
    y0, y1, m0, m1 = y[:-1], y[1:], h * dy[:-1], h * dy[1:]
    c0, c1 = h * h * d2y[:-1], h * h * d2y[1:]
    coef = np.stack(
        [
            y0,
            m0,
            0.5 * c0,
            10 * (y1 - y0) - 6 * m0 - 4 * m1 - 1.5 * c0 + 0.5 * c1,
            15 * (y0 - y1) + 8 * m0 + 7 * m1 + 1.5 * c0 - c1,
            6 * (y1 - y0) - 3 * (m0 + m1) - 0.5 * (c0 - c1),
        ],
        axis=-1,
    )
    return QuantileTable(a, b, gamma, coef, ~ok, h, max_error)
